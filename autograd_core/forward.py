"""Forward mode: tangents pushed from the inputs to the outputs, with the op table reverse mode uses.

Reverse mode (``backprop.py``) tells how every node affects one output, in one
sweep from the output back; forward mode tells how one direction of the inputs
affects every node, in one sweep from the inputs forward. Both are the chain
rule on the same edges with the same local derivatives (``local_derivatives``,
from ``ops.OPS``), applied in opposite directions:

    reverse:  grad[parent]  += grad[node] * d node / d parent
    forward:  tangent[node] += d node / d parent * tangent[parent]

A node's tangent ``ṅ`` is its derivative along the input direction given by
the inputs' tangents: ``ṅ = Σ ∂n/∂p · ṗ`` over its parents ``p``.

Textbook forward mode carries (value, tangent) pairs, dual numbers, through the
computation while it runs, and so needs every op written a second time for
them. Here the function runs once on ``Value``s and records its graph as
usual; the tangents are then pushed through that graph in topological order.
No derivative is written twice, and an op made with ``define_op`` works in
forward mode as soon as it exists. Because the graph may itself be a gradient
built by ``grad(..., create_graph=True)``, forward over reverse (a
Hessian-vector product) needs nothing more.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, SupportsFloat

from .backprop import local_derivatives, topological_order
from .checks import as_float
from .define import input_names
from .modes import enable_grad
from .notation import after_d, dotted, factor, node_names, symbol, written
from .value import Value

__all__ = [
    "jvp",
    "forward_steps",
    "ForwardStep",
    "explain_forward",
    "tangent_equation",
    "linearize",
    "push_forward",
    "node_names",
    "numbers_of",
    "call_on_leaves",
    "by_node",
    "HEADING",
]

HEADING = "forward mode: each node's tangent ṅ = Σ ∂n/∂p · ṗ, parents first"
"""The first line of a forward-mode explanation (here and in ``viz``)."""


class ForwardStep(NamedTuple):
    """One application of the chain rule forward: ``tangent[node] += local * parent_tangent``."""

    node: Value  # the node whose tangent is being summed
    parent: Value  # the parent whose tangent flows in
    index: int  # type: ignore[assignment]  # the parent's position among node.parents (shadows tuple.index)
    local: float  # d node / d parent
    parent_tangent: float  # the parent's tangent
    contribution: float  # local * parent_tangent
    tangent: float  # the node's tangent so far, this contribution included


Linearized = list[tuple[Value, tuple[Value, ...], tuple[float, ...]]]


def linearize(outputs: Sequence[Value]) -> Linearized:
    """The interior nodes the outputs depend on, parents first, each with its parents and local derivatives.

    The local derivatives come from the op table, once per node; every
    forward sweep over the result is then multiply-adds only, so pushing many
    directions through one graph (a Jacobian's columns) costs one call of
    each op's rule, not one per direction. ``jax.linearize`` has the same idea.
    """
    return [(node, node.parents, local_derivatives(node)) for node in topological_order(outputs) if node.op is not None]


def push_forward(
    linear: Linearized,
    seeds: Mapping[Value, float],
    on_step: Callable[[ForwardStep], None] | None = None,
) -> dict[Value, float]:
    """The tangent of every node of ``linear`` that depends on a seeded leaf, given the leaves' tangents.

    A node missing from the result has tangent 0 by its structure: a leaf
    given no tangent (a constant, or an input held fixed), or a node none of
    whose parents has a tangent. Such a parent contributes nothing and gets no
    step, as JAX's symbolic zeros and PyTorch's undefined tangents do: the
    local derivative toward a constant may be nan (d(x**c)/dc for x < 0, in a
    gradient's graph) and must not turn 0 into nan.
    """
    tangents = dict(seeds)
    for node, parents, locals_ in linear:
        total = None
        for index, (parent, local) in enumerate(zip(parents, locals_)):
            parent_tangent = tangents.get(parent)
            if parent_tangent is None:  # 0 by structure: contributes nothing
                continue
            contribution = local * parent_tangent  # the chain rule, forward: local x the parent's tangent
            total = contribution if total is None else total + contribution
            if on_step is not None:
                on_step(ForwardStep(node, parent, index, local, parent_tangent, contribution, total))
        if total is not None:
            tangents[node] = total
    return tangents


# ------------------------------------------------- calling f on fresh leaves
# Shared by jvp and the operators in functional.py: f gets one leaf Value per
# input number and returns a Value, or a list or tuple of Values.


def numbers_of(values: Any, caller: str, what: str) -> list[float]:
    """``values`` (a list or tuple of real numbers) as floats; a TypeError naming the bad entry otherwise."""
    if isinstance(values, Value) or not isinstance(values, (list, tuple)):
        raise TypeError(f"{caller}: {what} must be a list of numbers, got {type(values).__name__} {values!r}")
    out = []
    for i, x in enumerate(values):
        if isinstance(x, Value):
            raise TypeError(f"{caller}: {what}[{i}] is a Value; pass plain numbers (its number is {x.data!r})")
        if not isinstance(x, numbers.Real):
            raise TypeError(f"{caller}: {what}[{i}] must be a real number, got {type(x).__name__} {x!r}")
        out.append(as_float(x, f"{caller}: {what}[{i}] needs a real number"))  # 10**400: named
    return out


class _Input(Value):
    """An input of a differentiated ``f``: a leaf that notes whether ``f`` read its ``.data``.

    The number read is a plain float, which the graph does not follow, so the
    derivative through it is lost: ``call_on_leaves`` warns. The engine reads
    a node's number from its private slot, so only ``f``'s own reads count.
    """

    __slots__ = ("read",)

    def __init__(self, data: float, label: str) -> None:
        super().__init__(data, label)
        self.read = False

    @property
    def data(self) -> float:
        """The number this node holds (reading it inside a differentiated ``f`` is warned about)."""
        self.read = True
        return self._data

    @data.setter
    def data(self, value: SupportsFloat) -> None:
        self._data = value if type(value) is float else as_float(value, "Value.data needs a real number")


def call_on_leaves(f: Callable[..., Any], point: list[float], caller: str) -> tuple[list[Value], list[Value], bool]:
    """Run ``f`` on one fresh leaf per number of ``point``.

    Returns the leaves, the outputs as a list, and whether ``f`` returned
    several (a list or tuple) rather than one Value. The leaves are labelled
    with ``f``'s parameter names, so an error inside ``f`` names the input.
    """
    if not callable(f):
        raise TypeError(f"{caller}: f must be a function of Values, got {type(f).__name__} {f!r}")
    inputs = [_Input(x, name) for x, name in zip(point, input_names(f, len(point)))]
    leaves: list[Value] = list(inputs)
    with enable_grad():  # inside no_grad, f would record no graph and every derivative would be 0
        result = f(*leaves)
    read = [x.label for x in inputs if x.read]
    if read:
        name = read[0]
        warnings.warn(
            f"{caller}: f read {', '.join(f'{n}.data' for n in read)}, a plain number the derivative does not "
            f"follow: what f computes from it counts as a constant. Use the Value itself ({name} * y, not "
            f"{name}.data * y); for a constant on purpose, {name}.detach()",
            UserWarning,
            stacklevel=3,
        )
    several = isinstance(result, (list, tuple))
    outputs = list(result) if several else [result]
    for i, out in enumerate(outputs):
        if not isinstance(out, Value):
            which = f"output {i}" if several else "its output"
            raise TypeError(
                f"{caller}: f must return a Value or a list of Values; {which} is {type(out).__name__} {out!r}"
            )
    return leaves, outputs, several


def jvp(f: Callable[..., Any], primals: Sequence[float], tangents: Sequence[float]) -> tuple[Any, Any]:
    """The output of ``f`` at ``primals`` and its derivative in the direction ``tangents`` (forward mode).

    Args:
        f: a function of Values, called as ``f(*leaves)`` with one leaf per
            primal; it returns a Value, or a list (or tuple) of Values for
            several outputs.
        primals: the point, a list of numbers.
        tangents: the direction, a list of numbers aligned with ``primals``.

    Returns:
        ``(output, derivative)``: floats, or lists of floats when ``f``
        returns several outputs. The derivative is J(primals) @ tangents,
        from one forward sweep, as ``torch.func.jvp`` and ``jax.jvp`` give.
    """
    point = numbers_of(primals, "jvp()", "primals")
    direction = numbers_of(tangents, "jvp()", "tangents")
    if len(direction) != len(point):
        raise ValueError(
            f"jvp(): tangents must be aligned with primals: {len(point)} primals, {len(direction)} tangents"
        )
    leaves, outputs, several = call_on_leaves(f, point, "jvp()")
    pushed = push_forward(linearize(outputs), dict(zip(leaves, direction)))
    values = [out.data for out in outputs]
    derivatives = [pushed.get(out, 0.0) for out in outputs]
    return (values, derivatives) if several else (values[0], derivatives[0])


def _seeds(tangents: Any, caller: str) -> dict[Value, float]:
    """A ``{leaf: number}`` mapping, checked: keys are leaves, values real numbers."""
    if not isinstance(tangents, Mapping):
        raise TypeError(
            f"{caller}: tangents must be a dict {{leaf Value: number}}, got {type(tangents).__name__} {tangents!r}"
        )
    seeds = {}
    for leaf, tangent in tangents.items():
        if not isinstance(leaf, Value):
            raise TypeError(f"{caller}: tangents' keys must be leaf Values, got {type(leaf).__name__} {leaf!r}")
        if leaf.op is not None:
            raise ValueError(
                f"{caller}: tangents are given for leaves only; {leaf!r} is the result of "
                f"op {leaf.op.name!r} (its tangent is computed from its parents)"
            )
        if isinstance(tangent, Value) or not isinstance(tangent, numbers.Real):
            raise TypeError(
                f"{caller}: the tangent of {leaf!r} must be a real number, got {type(tangent).__name__} {tangent!r}"
            )
        seeds[leaf] = float(tangent)
    return seeds


def forward_steps(root: Value, tangents: Mapping[Value, float]) -> list[ForwardStep]:
    """Every chain-rule step of a forward-mode pass to ``root``, in the order it applies them.

    ``tangents`` maps leaves to their tangents (leaves left out have 0). The
    steps come node by node in topological order, each node's parents in
    argument order; a node's last step holds its tangent. The same sweep and
    local derivatives as ``jvp``, recorded (``backward_steps`` is its reverse
    twin).
    """
    if not isinstance(root, Value):
        raise TypeError(f"forward_steps() needs a Value, got {type(root).__name__} {root!r}")
    steps: list[ForwardStep] = []
    push_forward(linearize([root]), _seeds(tangents, "forward_steps()"), on_step=steps.append)
    return steps


# ------------------------------------------------------------------ as text


def _number(x: float) -> str:
    return f"{x:.6g}"


def _formula(node: Value, names: dict[Value, str]) -> str:
    """``v1 = w * x``, ``L = tanh(v2)``: how the node was made, constants as numbers."""
    args = [symbol(names[p]) if p in names else f"{p.data:g}" for p in node.parents]
    return f"{names[node]} = {written(str(node.op), args)}"


def tangent_equation(
    steps: Sequence[ForwardStep], names: Mapping[Value, str], number: Callable[[float], str] = _number
) -> str:
    """One node's tangent from its forward steps: ``v̇2 = ∂v2/∂v1 · v̇1 = 1 · (-3) = -3``.

    ``steps`` are the node's steps (``forward_steps`` gives them node by node),
    ``names`` names the node and its parents, ``number`` writes a number. The
    one writer of this line: ``explain_forward`` and viz's player use it.
    """
    node = steps[-1].node
    name = after_d(names[node])
    symbols = " + ".join(f"∂{name}/∂{after_d(names[s.parent])} · {dotted(names[s.parent])}" for s in steps)
    products = " + ".join(f"{factor(number(s.local))} · {factor(number(s.parent_tangent))}" for s in steps)
    return f"{dotted(names[node])} = {symbols} = {products} = {number(steps[-1].tangent)}"


def by_node(steps: Sequence[ForwardStep]) -> dict[Value, list[ForwardStep]]:
    """The steps of a forward pass grouped by node, in the pass's (topological) order."""
    grouped: dict[Value, list[ForwardStep]] = {}
    for step in steps:
        grouped.setdefault(step.node, []).append(step)
    return grouped


def explain_forward(root: Value, tangents: Mapping[Value, float]) -> str:
    """The forward-mode pass as text: the given tangents, then each node's ``ṅ = Σ ∂n/∂p · ṗ``.

    One line per node that moves, in topological order, from
    ``forward_steps``, so the text shows the steps ``jvp`` takes. Leaves given
    no tangent are held fixed (tangent 0) and drop out of the sums.
    """
    steps = forward_steps(root, tangents)
    seeds = _seeds(tangents, "explain_forward()")
    names = node_names(topological_order(root), variables=seeds)
    given = [f"{dotted(names[n])} = {seeds[n]:g}" for n in topological_order(root) if n in seeds]
    lines = [
        HEADING,
        ", ".join(given) + "  (the tangents given; every other leaf is held fixed)"
        if given
        else "no leaf of this graph was given a tangent: every tangent is 0",
    ]
    rows = [
        (_formula(node, names) + ":", tangent_equation(node_steps, names))
        for node, node_steps in by_node(steps).items()
    ]
    width = max((len(made) for made, _ in rows), default=0)
    lines.extend(f"{made:<{width}}  {tangent}" for made, tangent in rows)
    return "\n".join(lines) + "\n"
