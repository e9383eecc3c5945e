"""``explain(root)``: the backward pass as text, one line per chain-rule step.

    dL/da += dL/dc · ∂c/∂a = 1.0000 · -3.0000 = -3.0000  (c = a * b)

``d`` marks a total gradient, carried back from the output; ``∂`` a local
derivative, the op's own (see ``text.py``). The steps are
``autograd_core.backward_steps(root)``: the very steps the engine applies, in
its order, so the text cannot drift from what ``backward()`` does. When a node
receives a second (third, ...) contribution (fan-out: the node is used more
than once) the line also shows the running total,
``[dL/da = -6.0000 + 3.0000 = -3.0000]``. The text ends with every leaf's
gradient.

In a network built with ``nn`` the steps of one neuron come under a line
naming it (``layers.1.neurons.0:``), and inside they use the names the
drawings show within that neuron (``w.1``, ``wx.1``, ``sum``).

``explain(root, tangents={x: 1.0})`` explains the forward-mode pass instead
(``tangents.py``): the same names, one line per node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from autograd_core import ChainRuleStep, Value, backward_steps
from nn.places import Role

from .tangents import explain_tangents
from .text import TIMES, context_of, format_number, formula, gradient, grouped, local_derivative, says_more
from .trace import Trace, TracedNode, trace

__all__ = [
    "explain",
    "explain_steps",
    "ExplainedStep",
    "gradients",
    "final_gradients",
    "leaf_gradients",
    "seed_line",
    "chain_rule_head",
]


@dataclass(frozen=True)
class ExplainedStep:
    """One chain-rule step with its line of text and the parent's running total."""

    step: ChainRuleStep
    node: TracedNode  # the node whose gradient flows back
    parent: TracedNode  # the parent receiving ``step.contribution``
    total: float  # d root / d parent after this step
    count: int  # how many contributions the parent has received so far (1 = first)
    context: str | None  # the neuron whose names the text uses (``layers.0.neurons.3``), or None
    text: str


def chain_rule_head(graph: Trace, node: TracedNode, parent: TracedNode, context: str | None) -> str:
    """``dL/da += dL/dc · ∂c/∂a``: what a chain-rule step adds to which gradient (an exercise hides the ∂'s number)."""
    out, of_node, of_parent = graph.root.name_within(context), node.name_within(context), parent.name_within(context)
    return f"{gradient(out, of_parent)} += {gradient(out, of_node)} {TIMES} {local_derivative(of_node, of_parent)}"


def _line(
    graph: Trace,
    s: ChainRuleStep,
    node: TracedNode,
    parent: TracedNode,
    context: str | None,
    before: float | None,
    total: float,
) -> str:
    out, of_parent = graph.root.name_within(context), parent.name_within(context)
    text = (
        f"{chain_rule_head(graph, node, parent, context)} = "
        f"{format_number(s.upstream)} {TIMES} {format_number(s.local)} = {format_number(s.contribution)}"
    )
    made_by = formula(graph, node, context)
    if says_more(made_by):
        text += f"  ({made_by})"
    if before is not None:
        text += (
            f"  [{gradient(out, of_parent)} = {format_number(before)} + {format_number(s.contribution)}"
            f" = {format_number(total)}]"
        )
    return text


def explain_steps(root: Value, grad: float = 1.0) -> tuple[Trace, list[ExplainedStep]]:
    """The traced graph and its chain-rule steps, each with its line of text, in the engine's order."""
    graph = trace(root)
    totals: dict[int, float] = {}
    counts: dict[int, int] = {}
    explained = []
    for s in backward_steps(root, grad):
        node, parent = graph.node_of(s.node), graph.node_of(s.parent)
        before = totals.get(parent.index)
        total = s.contribution if before is None else before + s.contribution
        totals[parent.index] = total
        counts[parent.index] = counts.get(parent.index, 0) + 1
        context = context_of(graph, node)
        text = _line(graph, s, node, parent, context, before, total)
        explained.append(ExplainedStep(s, node, parent, total, counts[parent.index], context, text))
    return graph, explained


def final_gradients(graph: Trace, steps: list[ExplainedStep], grad: float = 1.0) -> dict[int, float]:
    """d root / d node for every node that gets a gradient, by trace index: each one's last running total."""
    totals = {s.parent.index: s.total for s in steps}
    totals[graph.root.index] = grad
    return totals


def gradients(root: Value, grad: float = 1.0) -> dict[int, float]:
    """The gradients ``root.backward()`` would give, by node index (``draw_dot``'s ``grads=``), touching no ``.grad``.

    ``render(out, "graph.svg", grads=gradients(out))`` draws a model's graph
    with its own gradients, whatever training left in the parameters' ``.grad``.
    """
    graph, steps = explain_steps(root, grad)
    return final_gradients(graph, steps, grad)


def seed_line(graph: Trace, grad: float = 1.0) -> str:
    """The first line: the output's gradient with respect to itself."""
    out = graph.root.name_within(context_of(graph, graph.root))
    return f"{gradient(out, out)} = {format_number(float(grad))}  (the output's gradient with respect to itself)"


def _reading_order(node: TracedNode) -> tuple:
    """Leaves outside a network first (topologically), then a network's by neuron: w.0, w.1, ..., b."""
    if node.place is None or node.place.role is Role.INPUT:
        return (0, (), node.index)
    return (1, node.place.order, node.index)


def leaf_gradients(graph: Trace, steps: list[ExplainedStep], grad: float = 1.0) -> list[str]:
    """``dL/da = -3.0000`` for every leaf (constants marked as such; a network's under its neurons)."""
    totals = final_gradients(graph, steps, grad)
    lines = []
    for node in sorted((n for n in graph.nodes if not n.parents), key=_reading_order):
        value = totals.get(node.index, 0.0)
        note = "  (a constant)" if node.kind == "constant" else ""
        context = context_of(graph, node)
        out = graph.root.name_within(context)
        lines.append((context, f"{gradient(out, node.name_within(context))} = {format_number(value)}{note}"))
    return grouped(lines, "  ")


def explain(root: Value, grad: float = 1.0, *, tangents: Mapping[Value, float] | None = None) -> str:
    """The chain-rule steps of ``root``'s backward pass as text, ending with each leaf's gradient.

    Uses the same steps as ``root.backward(grad)`` and touches no ``.grad``.
    With ``tangents`` (``{leaf: number}``), the forward-mode pass instead: a
    line per node, ``ṅ = Σ ∂n/∂p · ṗ``, from ``forward_steps`` (``viz.tangents``).
    """
    if tangents is not None:
        if grad != 1.0:
            raise ValueError("explain: grad seeds the backward pass; forward mode (tangents=) has no use for it")
        return explain_tangents(root, tangents)
    graph, steps = explain_steps(root, grad)
    lines = grouped([(context_of(graph, graph.root), seed_line(graph, grad))] + [(s.context, s.text) for s in steps])
    lines.append("leaf gradients:")
    lines.extend(leaf_gradients(graph, steps, grad))
    return "\n".join(lines) + "\n"
