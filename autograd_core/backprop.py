"""The backward pass in its general form: gradients into a dictionary, and the steps recorded.

``Value.backward()`` (in ``value.py``) runs the chain rule in place, on every
node's ``.grad``: the form micrograd has and the fast one. This module runs
the same walk (``topological_order``, outputs first) and the same chain rule
on every edge,

    grad[parent] += d node / d parent * grad[node]

with the local derivative ``d node / d parent`` from the op table, into a
dictionary instead, for what the in-place form cannot do:

* ``grad()``, which touches no ``.grad`` and, with ``create_graph=True``,
  builds the gradients as graphs of their own (second derivatives);
* ``backward_steps()``, which records every step for ``viz`` (``explain``,
  the player, exercises).

The two forms agree to the bit (a property test checks it). The compiler
prints the same step as a line of Python instead of running it
(``compiler/lines.py``: ``g_parent += g_node * local``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, NamedTuple, SupportsFloat, cast, overload

from .anomaly import check_grad_step
from .checks import as_float
from .modes import MODE, enable_grad
from .value import Value, topological_order

__all__ = ["grad", "backward_order", "topological_order", "backward_steps", "ChainRuleStep", "local_derivatives"]


class ChainRuleStep(NamedTuple):
    """One application of the chain rule: ``parent.grad += upstream * local``."""

    node: Value  # the node whose gradient flows back
    parent: Value  # the parent it flows into
    index: int  # type: ignore[assignment]  # the parent's position among node.parents (shadows tuple.index)
    upstream: float  # d output / d node
    local: float  # d node / d parent
    contribution: float  # upstream * local, added to d output / d parent


def backward_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all the nodes that consume it (outputs first)."""
    order = topological_order(root)
    order.reverse()
    return order


def local_derivatives(node: Value, create_graph: bool = False) -> tuple[Any, ...]:
    """``d node / d parent`` for each of ``node``'s parents, from the op table; () for a leaf.

    Floats; or, with ``create_graph=True``, Values built from the graph's own
    nodes, so that they can be differentiated again.
    """
    rule = node.op
    if rule is None:
        return ()
    parents = node.parents
    if not create_graph:
        return rule.local_grads(*[p._data for p in parents], node._data)
    return rule.local_grads(*parents, node)


def _backprop(
    root: Value,
    seed: float | Value,
    create_graph: bool = False,
    on_step: Callable[[ChainRuleStep], None] | None = None,
    checked: bool = False,
) -> dict[Value, float | Value]:
    """d root / d node for every node reachable from ``root``, by the chain rule, in a dictionary.

    ``checked`` (``grad()`` inside ``detect_anomaly``): stop at the first gradient that becomes nan or inf.
    """
    grads: dict[Value, float | Value] = {root: seed}
    order = topological_order(root, leaves=False)  # a leaf has no step: its gradient is only added to
    order.reverse()
    for node in order:
        upstream = grads[node]
        for index, (parent, local) in enumerate(zip(node.parents, local_derivatives(node, create_graph))):
            contribution = upstream * local  # the chain rule: upstream x local
            so_far = grads.get(parent)
            grads[parent] = contribution if so_far is None else so_far + contribution
            if checked:
                check_grad_step(node, parent, upstream, local, so_far, grads[parent])
            if on_step is not None:  # backward_steps(), which never creates a graph: the numbers are floats
                on_step(ChainRuleStep(node, parent, index, cast(float, upstream), local, cast(float, contribution)))
    return grads


def _check_output(output: object, where: str) -> Value:
    if not isinstance(output, Value):
        raise TypeError(f"{where} needs a Value to differentiate, got {type(output).__name__} {output!r}")
    return output


# The type of the result follows create_graph: floats without it, Values with it.
@overload
def grad(output: Value, inputs: Value | Iterable[Value], create_graph: Literal[False] = False) -> tuple[float, ...]: ...
@overload
def grad(output: Value, inputs: Value | Iterable[Value], create_graph: Literal[True]) -> tuple[Value, ...]: ...
@overload
def grad(output: Value, inputs: Value | Iterable[Value], create_graph: bool) -> tuple[float | Value, ...]: ...


def grad(
    output: Value,
    inputs: Value | Sequence[Value] | Iterable[Value],
    create_graph: bool = False,
) -> tuple[float | Value, ...]:
    """The gradients of ``output`` with respect to ``inputs``, as a tuple; no ``.grad`` is touched.

    Args:
        output: the Value to differentiate.
        inputs: a Value or a sequence of Values; an input ``output`` does not
            depend on gets 0.
        create_graph: if True, return Values that are graphs themselves, so
            they can be differentiated again (second derivatives, Hessians).

    Returns:
        One gradient per input: floats, or Values with ``create_graph=True``.
    """
    _check_output(output, "grad()")
    inputs = (inputs,) if isinstance(inputs, Value) else tuple(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values; input {i} is {type(x).__name__} {x!r}")
    if not create_graph:
        grads = _backprop(output, 1.0, checked=MODE.anomaly > 0)
        return tuple(grads.get(x, 0.0) for x in inputs)
    with enable_grad():
        grads = _backprop(output, Value(1.0), create_graph=True, checked=MODE.anomaly > 0)
        return tuple(grads[x] if x in grads else Value(0.0) for x in inputs)


def backward_steps(root: Value, grad: SupportsFloat = 1.0) -> list[ChainRuleStep]:
    """Every chain-rule step of ``root``'s backward pass, in the order ``backward()`` applies them.

    The same walk and the same local derivatives as ``backward()``, recorded
    instead of applied (no ``.grad`` is touched): the basis for ``viz.explain``
    and the backward-pass player. Summing each parent's contributions gives
    the gradients ``backward()`` computes, bit for bit.
    """
    _check_output(root, "backward_steps()")
    steps: list[ChainRuleStep] = []
    _backprop(root, as_float(grad, "backward(grad) needs a real number"), on_step=steps.append)
    return steps
