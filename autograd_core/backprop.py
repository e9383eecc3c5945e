"""Reverse mode: the graph walk and the chain rule, written once.

``backward_order`` lists every node reachable from the output, each after all
the nodes that consume it (an iterative depth-first search, so a graph a
million nodes deep needs no recursion). ``_backprop`` walks that order
and applies the chain rule

    grad[parent] += grad[node] * d node / d parent

for every edge: that one line is the whole of reverse-mode differentiation.
``backward`` writes the result into ``.grad``; ``grad`` returns it and touches
nothing, and with ``create_graph=True`` its gradients are graphs themselves.
"""

from __future__ import annotations

import numbers
from typing import Callable, Iterable, NamedTuple, Sequence

from .value import Value, enable_grad

__all__ = ["backward", "grad", "backward_order", "topological_order", "backward_steps", "ChainRuleStep"]


class ChainRuleStep(NamedTuple):
    """One application of the chain rule: ``parent.grad += upstream * local``."""

    node: Value  # the node whose gradient flows back
    parent: Value  # the parent it flows into
    index: int  # the parent's position among node.parents
    upstream: float  # d output / d node
    local: float  # d node / d parent
    contribution: float  # upstream * local, added to d output / d parent


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, parents before the nodes made from them.

    An iterative depth-first search: a node is pushed again under a ``None``
    marker when first seen, and emitted when the marker comes back off the
    stack, after everything it was computed from. No recursion, so a chain a
    million nodes deep is fine.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
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
        for parent in node._parents:
            if parent not in visited:
                push(parent)
    return order


def backward_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all the nodes that consume it."""
    order = topological_order(root)
    order.reverse()
    return order


def _local_grads(node: Value, parents: tuple, create_graph: bool) -> tuple:
    """The node's local derivatives, one per parent: floats, or Values under create_graph."""
    op = node._op
    if not create_graph:
        if len(parents) == 2:
            return op.local_grads(parents[0].data, parents[1].data, node.data)
        if len(parents) == 1:
            return op.local_grads(parents[0].data, node.data)
        return op.local_grads(*[p.data for p in parents], node.data)
    try:
        return op.local_grads(*parents, node)
    except TypeError as exc:
        raise TypeError(
            f"the derivative of op {op.name!r} cannot be computed on Values, so its second "
            f"derivative is unavailable ({exc}); write the derivative with Value arithmetic "
            "and methods (x.exp(), x.tanh(), ...) instead of math functions"
        ) from None


def _backprop(
    root: Value,
    seed: float | Value,
    create_graph: bool = False,
    on_step: Callable[[ChainRuleStep], None] | None = None,
) -> dict[Value, float | Value]:
    """d root / d node for every node reachable from ``root``, by the chain rule."""
    grads = {root: seed}
    accumulated = grads.get
    for node in backward_order(root):
        parents = node._parents
        if not parents:
            continue
        upstream = grads[node]
        local_grads = _local_grads(node, parents, create_graph)
        for index, parent in enumerate(parents):
            local = local_grads[index]
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
    for node, g in _backprop(root, seed).items():
        if node._parents:
            node.grad = g
        else:
            node.grad += g


def _as_seed(grad: object) -> float:
    if isinstance(grad, Value) or not isinstance(grad, numbers.Real):
        raise TypeError(f"backward(grad) needs a real number, got {type(grad).__name__} {grad!r}")
    return float(grad)


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
    """Every chain-rule step of ``root``'s backward pass, in the order the engine applies them.

    This runs the same code as ``backward()`` (and touches no ``.grad``), so
    the steps are exactly the ones the engine takes: the basis for
    ``viz.explain`` and the backward-pass player.
    """
    _check_output(root, "backward_steps()")
    steps: list[ChainRuleStep] = []
    _backprop(root, _as_seed(grad), on_step=steps.append)
    return steps
