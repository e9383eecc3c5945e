"""Derivative operators on plain lists of numbers: ``jacobian``, ``hessian``, ``hvp``, ``vjp``.

Named and shaped as ``torch.autograd.functional``'s (and ``jvp``, in
``forward.py``, as ``torch.func.jvp`` and ``jax.jvp``), so users recognise
them: ``f`` is called as ``f(*leaves)``, one ``Value`` per input number, and
returns a Value (or a list of Values); results are floats and lists of floats,
no numpy needed.

Each operator picks the mode that needs the fewer sweeps of the graph. For
``f`` from n inputs to m outputs, a forward sweep pushes one input direction
to every output (a Jacobian column, J v); a reverse sweep pulls one output
back to every input (a row, vᵀ J). The forward sweeps of one call share one
linearization (``forward.linearize``: each op's local derivatives computed
once), so each further direction costs only multiply-adds; but a forward
sweep walks every node, while a reverse sweep (``grad``) from one output
visits only the nodes that output depends on.

* ``jacobian``: m reverse sweeps (``jax.jacrev``) when m <= n, else n forward
  sweeps (``jax.jacfwd``); ``strategy=`` forces one.
* ``hessian``: forward over reverse, ``jacfwd(jacrev(f))`` as in JAX: the
  gradient is built once as a graph (``grad(..., create_graph=True)``), then
  its n columns are n forward sweeps of that one graph. Reverse over reverse
  (n reverse sweeps of the same graph, each calling every rule again) is
  slower where the gradient entries share most of the graph, and faster
  where each depends on a small part of it (docs/explanation/how-the-engine-works.md has the timings).
* ``hvp``: forward over reverse, one forward sweep of the gradient's graph;
  the Hessian is never formed.
* ``vjp``: one reverse sweep, of ``Σ v_i · output_i``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from .backprop import grad
from .checks import as_float
from .forward import call_on_leaves, linearize, numbers_of, push_forward
from .modes import enable_grad
from .value import Value

__all__ = ["jacobian", "hessian", "hvp", "vjp"]

_STRATEGIES = ("auto", "forward-mode", "reverse-mode")


def _forward_columns(outputs: list[Value], leaves: list[Value]) -> list[list[float]]:
    """d outputs / d leaves as a list of rows, by one forward sweep per leaf over one linearization."""
    linear = linearize(outputs)
    columns = []
    for leaf in leaves:
        tangents = push_forward(linear, {leaf: 1.0})
        columns.append([tangents.get(out, 0.0) for out in outputs])
    return [list(row) for row in zip(*columns)] if columns else [[] for _ in outputs]


def jacobian(f: Callable[..., Any], inputs: Sequence[float], strategy: str = "auto") -> list[float] | list[list[float]]:
    """The derivatives of ``f``'s outputs with respect to its inputs, at ``inputs``.

    Args:
        f: a function of Values, called as ``f(*leaves)``, returning a Value or
            a list of m Values.
        inputs: the point, a list of n numbers.
        strategy: ``"reverse-mode"`` (one sweep per output), ``"forward-mode"``
            (one per input), or ``"auto"``: reverse when m <= n, else forward.

    Returns:
        For one Value: its gradient, a list of n floats. For a list of
        Values: m rows of n floats, ``J[i][j] = d output_i / d input_j``
        (``torch.autograd.functional.jacobian``'s shape for a 1-D input).
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f"jacobian(): strategy must be one of {', '.join(_STRATEGIES)}, got {strategy!r}")
    point = numbers_of(inputs, "jacobian()", "inputs")
    leaves, outputs, several = call_on_leaves(f, point, "jacobian()")
    forward = strategy == "forward-mode" or (strategy == "auto" and len(leaves) < len(outputs))
    if forward:
        rows = _forward_columns(outputs, leaves)
    else:
        rows = [list(grad(out, leaves)) for out in outputs]
    return rows if several else rows[0]


def _one_output(f: Callable[..., Any], point: list[float], caller: str) -> tuple[list[Value], Value]:
    """Run ``f`` on leaves; it must return a single Value."""
    leaves, outputs, several = call_on_leaves(f, point, caller)
    if several:
        raise ValueError(f"{caller}: f must return one Value (a scalar function), got a list of {len(outputs)}")
    return leaves, outputs[0]


def hessian(f: Callable[..., Any], inputs: Sequence[float]) -> list[list[float]]:
    """The n x n matrix of second derivatives of the scalar function ``f`` at ``inputs``.

    ``H[i][j] = d² f / d input_i d input_j``: forward over reverse, the
    Jacobian of the gradient's graph by one forward sweep per input.
    """
    point = numbers_of(inputs, "hessian()", "inputs")
    leaves, out = _one_output(f, point, "hessian()")
    gradient = list(grad(out, leaves, create_graph=True))
    return _forward_columns(gradient, leaves)


def hvp(f: Callable[..., Any], inputs: Sequence[float], v: Sequence[float]) -> tuple[float, list[float]]:
    """``(f(inputs), H v)``: the Hessian of the scalar ``f`` times ``v``, without forming H.

    Forward over reverse: the gradient is built as a graph, then ``v`` is
    pushed forward through it in one sweep (the directional derivative of the
    gradient along ``v``). As ``torch.autograd.functional.hvp``.
    """
    point = numbers_of(inputs, "hvp()", "inputs")
    direction = numbers_of(v, "hvp()", "v")
    if len(direction) != len(point):
        raise ValueError(f"hvp(): v must be aligned with inputs: {len(point)} inputs, {len(direction)} in v")
    leaves, out = _one_output(f, point, "hvp()")
    gradient = list(grad(out, leaves, create_graph=True))
    tangents = push_forward(linearize(gradient), dict(zip(leaves, direction)))
    return out.data, [tangents.get(g, 0.0) for g in gradient]


def vjp(f: Callable[..., Any], inputs: Sequence[float], v: float | Sequence[float]) -> tuple[Any, list[float]]:
    """``(f(inputs), vᵀ J)``: the outputs weighted by ``v``, differentiated by one reverse sweep.

    ``v`` has the output's shape: a number when ``f`` returns one Value, a
    list aligned with the outputs when it returns several. As
    ``torch.autograd.functional.vjp``; with one output and ``v = 1`` it is
    the gradient.
    """
    point = numbers_of(inputs, "vjp()", "inputs")
    leaves, outputs, several = call_on_leaves(f, point, "vjp()")
    if several:
        weights = numbers_of(v, "vjp()", "v")
        if len(weights) != len(outputs):
            raise ValueError(f"vjp(): v must be aligned with f's outputs: {len(outputs)} outputs, {len(weights)} in v")
        with enable_grad():
            total = Value.sum([w * out for w, out in zip(weights, outputs)])  # vᵀ f, whose gradient is vᵀ J
        return [out.data for out in outputs], list(grad(total, leaves))
    if isinstance(v, Value) or not isinstance(v, numbers.Real):
        raise TypeError(f"vjp(): f returns one Value, so v must be one number, got {type(v).__name__} {v!r}")
    weight = as_float(v, "vjp(): v needs a real number")
    return outputs[0].data, [weight * g for g in grad(outputs[0], leaves)]
