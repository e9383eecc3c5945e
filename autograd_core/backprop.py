"""Reverse mode: the graph walk and the chain rule.

``topological_order`` lists every node reachable from the output, each after
the nodes it was computed from (an iterative depth-first search that visits
parents in argument order, so a graph a million nodes deep needs no recursion
and ``a * b + c`` lists a, b, a * b, c, the sum). Reverse mode walks that
order backwards and applies the chain rule on every edge,

    grad[parent] += grad[node] * d node / d parent

with the local derivative ``d node / d parent`` from the op table
(``Op.local_grads``). It comes in two forms, which agree to the bit:

* in place, on ``.grad``: ``Value._backward()`` is one node's step;
  ``backward()`` zeroes the interior nodes, seeds the output and calls it for
  every interior node, outputs first. This is micrograd's design, and the
  fast path: no dictionary, no step records.
* into a dictionary, by ``_backprop``: for ``grad()``, which touches no
  ``.grad`` and, with ``create_graph=True``, builds the gradients as graphs of
  their own (second derivatives), and for ``backward_steps()``, which records
  every step for ``viz``.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, NamedTuple, Sequence

from .errors import NonFiniteError, describe
from .value import Value, _as_float, anomaly_enabled, built_at, enable_grad

__all__ = ["backward", "grad", "backward_order", "topological_order", "backward_steps", "ChainRuleStep",
           "local_derivatives"]


class ChainRuleStep(NamedTuple):
    """One application of the chain rule: ``parent.grad += upstream * local``."""

    node: Value  # the node whose gradient flows back
    parent: Value  # the parent it flows into
    index: int  # the parent's position among node.parents
    upstream: float  # d output / d node
    local: float  # d node / d parent
    contribution: float  # upstream * local, added to d output / d parent


def topological_order(root: Value | Sequence[Value]) -> list[Value]:
    """Every node reachable from ``root``, parents before the nodes made from them.

    An iterative depth-first search: a node is pushed again under a ``None``
    marker when first seen, and emitted when the marker comes back off the
    stack, after everything it was computed from. Parents are pushed last
    first, so they are visited in argument order. No recursion, so a chain a
    million nodes deep is fine. ``root`` may be a sequence of outputs (forward
    mode pushes through all of them in one sweep): one order for all, each
    node once, the first output's nodes first.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root] if isinstance(root, Value) else list(reversed(root))
    push, pop, emit, visit = stack.append, stack.pop, order.append, visited.add
    while stack:
        node = pop()
        if node is None:  # the marker: all of the node's parents are emitted
            emit(pop())
            continue
        if node in visited:
            continue
        visit(node)
        push(node)
        push(None)
        for parent in reversed(node.parents):
            if parent not in visited:
                push(parent)
    return order


def backward_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all the nodes that consume it."""
    order = topological_order(root)
    order.reverse()
    return order


def _interior_backward_order(root: Value) -> list[Value]:
    """The nodes with parents reachable from ``root`` (an interior node), each after its consumers.

    ``backward_order`` without the leaves, which have no chain-rule step: the
    same search, specialised to the node's parent slots because it runs on
    every ``backward()``.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    push, pop, emit, visit = stack.append, stack.pop, order.append, visited.add
    while stack:
        node = pop()
        if node is None:
            emit(pop())
            continue
        if node in visited:
            continue
        visit(node)
        push(node)
        push(None)
        a, b = node._a, node._b
        if type(a) is tuple:  # a sum, or an op of three or more inputs
            for parent in reversed(a):
                if parent._rule is not None and parent not in visited:
                    push(parent)
            continue
        if b is not None and b._rule is not None and b not in visited:
            push(b)
        if a._rule is not None and a not in visited:
            push(a)
    order.reverse()
    return order


def local_derivatives(node: Value, create_graph: bool = False) -> tuple:
    """``d node / d parent`` for each of ``node``'s parents, from the op table; () for a leaf.

    Floats; or, with ``create_graph=True``, Values built from the graph's own
    nodes, so that they can be differentiated again.
    """
    rule = node.operation
    if rule is None:
        return ()
    parents = node.parents
    if not create_graph:
        return rule.local_grads(*[p.data for p in parents], node.data)
    return rule.local_grads(*parents, node)


def _backprop(
    root: Value,
    seed: float | Value,
    create_graph: bool = False,
    on_step: Callable[[ChainRuleStep], None] | None = None,
) -> dict[Value, float | Value]:
    """d root / d node for every node reachable from ``root``, by the chain rule, in a dictionary."""
    grads = {root: seed}
    accumulated = grads.get
    for node in _interior_backward_order(root) if root.operation is not None else ():
        upstream = grads[node]
        for index, (parent, local) in enumerate(zip(node.parents, local_derivatives(node, create_graph))):
            contribution = upstream * local  # the chain rule: upstream x local
            so_far = accumulated(parent)
            grads[parent] = contribution if so_far is None else so_far + contribution
            if on_step is not None:
                on_step(ChainRuleStep(node, parent, index, upstream, local, contribution))
    return grads


def _check_output(output: object, where: str) -> Value:
    if not isinstance(output, Value):
        raise TypeError(f"{where} needs a Value to differentiate, got {type(output).__name__} {output!r}")
    return output


def backward(root: Value, grad: float = 1.0) -> None:
    """Fill ``.grad`` for ``root`` and every node it depends on.

    Leaves (inputs and parameters) accumulate across calls, as in PyTorch;
    interior nodes are overwritten with this call's gradient, so calling
    ``backward()`` twice never doubles them.
    """
    _check_output(root, "backward()")
    seed = _as_seed(grad)
    if root.operation is None:  # a leaf: d root / d root
        root.grad += seed
        return
    order = _interior_backward_order(root)
    for node in order:
        node._grad = 0.0  # the slot behind .grad: this loop runs once per node of every backward()
    root.grad = seed
    if anomaly_enabled():
        _backward_checked(order)
        return
    for node in order:
        node._backward()


def _backward_checked(order: list[Value]) -> None:
    """``backward()`` under ``detect_anomaly``: stop at the first gradient that becomes nan or infinite."""
    for node in order:
        parents = node.parents
        before = [p.grad for p in parents]
        node._backward()
        for parent, old in zip(parents, before):
            if math.isfinite(parent.grad) or not math.isfinite(old):
                continue
            local = local_derivatives(node)[parents.index(parent)]
            where = built_at(node)
            raise NonFiniteError(
                f"detect_anomaly: in backward, the gradient of {describe(parent)} became {parent.grad!r} at the "
                f"step of node {describe(node)} (op {node.op!r}): upstream gradient {node.grad!r} x local "
                f"derivative {local!r}" + (f"; the node was built at {where}" if where else ""))


def _as_seed(grad: object) -> float:
    """backward()'s seed gradient as a float; a clear error for anything else."""
    return _as_float(grad, "backward(grad) needs a real number")


def grad(
    output: Value,
    inputs: Value | Sequence[Value] | Iterable[Value],
    create_graph: bool = False,
) -> tuple:
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
        grads = _backprop(output, 1.0)
        return tuple(grads.get(x, 0.0) for x in inputs)
    with enable_grad():
        grads = _backprop(output, Value(1.0), create_graph=True)
        return tuple(grads[x] if x in grads else Value(0.0) for x in inputs)


def backward_steps(root: Value, grad: float = 1.0) -> list[ChainRuleStep]:
    """Every chain-rule step of ``root``'s backward pass, in the order ``backward()`` applies them.

    The same walk and the same local derivatives as ``backward()``, recorded
    instead of applied (no ``.grad`` is touched): the basis for ``viz.explain``
    and the backward-pass player. Summing each parent's contributions gives
    the gradients ``backward()`` computes, bit for bit.
    """
    _check_output(root, "backward_steps()")
    steps: list[ChainRuleStep] = []
    _backprop(root, _as_seed(grad), on_step=steps.append)
    return steps
