"""``explain(root)``: the backward pass as text, one line per chain-rule step.

    dL/da += dL/dc * dc/da = 1.0000 * -3.0000 = -3.0000  (c = a * b)

The steps are ``autograd_core.backward_steps(root)``: the very steps the
engine applies, in its order, so the text cannot drift from what
``backward()`` does. When a node receives a second (third, ...) contribution
(fan-out: the node is used more than once) the line also shows the running
total, ``[dL/da = -3.0000 + 1.0000 = -2.0000]``. The text ends with every
leaf's gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd_core import ChainRuleStep, Value, backward_steps

from .text import d_name, format_number, formula, operand, says_more
from .trace import Trace, TracedNode, trace

__all__ = ["explain", "explain_steps", "ExplainedStep"]


@dataclass(frozen=True)
class ExplainedStep:
    """One chain-rule step with its line of text and the parent's running total."""

    step: ChainRuleStep
    node: TracedNode  # the node whose gradient flows back
    parent: TracedNode  # the parent receiving ``step.contribution``
    total: float  # d root / d parent after this step
    count: int  # how many contributions the parent has received so far (1 = first)
    text: str


def _line(trace: Trace, s: ChainRuleStep, node: TracedNode, parent: TracedNode, before: float | None, total: float) -> str:
    out, of_node, of_parent = trace.root.name, d_name(node.name), d_name(parent.name)
    text = (
        f"d{out}/{of_parent} += d{out}/{of_node} * {of_node}/{of_parent} = "
        f"{format_number(s.upstream)} * {format_number(s.local)} = {format_number(s.contribution)}"
    )
    made_by = formula(trace, node)
    if says_more(made_by):
        text += f"  ({made_by})"
    if before is not None:
        text += (
            f"  [d{out}/{of_parent} = {format_number(before)} + {format_number(s.contribution)}"
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
        text = _line(graph, s, node, parent, before, total)
        explained.append(ExplainedStep(s, node, parent, total, counts[parent.index], text))
    return graph, explained


def leaf_gradients(graph: Trace, steps: list[ExplainedStep], grad: float = 1.0) -> list[str]:
    """``dL/da = -3.0000`` for every leaf, in topological order (constants marked as such)."""
    totals = {s.parent.index: s.total for s in steps}
    out = graph.root.name
    lines = []
    for node in graph.nodes:
        if node.parents:
            continue
        value = grad if node is graph.root else totals.get(node.index, 0.0)
        note = f"  (the constant {operand(node)})" if node.kind == "constant" else ""
        lines.append(f"  d{out}/{d_name(node.name)} = {format_number(value)}{note}")
    return lines


def explain(root: Value, grad: float = 1.0) -> str:
    """The chain-rule steps of ``root``'s backward pass as text, ending with each leaf's gradient.

    Uses the same steps as ``root.backward(grad)`` and touches no ``.grad``.
    """
    graph, steps = explain_steps(root, grad)
    out = graph.root.name
    lines = [f"d{out}/d{out} = {format_number(float(grad))}  (the output's gradient with respect to itself)"]
    lines.extend(s.text for s in steps)
    lines.append("leaf gradients:")
    lines.extend(leaf_gradients(graph, steps, grad))
    return "\n".join(lines) + "\n"
