"""Forward mode as text with the drawings' names: ``explain(root, tangents=...)`` and the forward-mode player.

    v̇1 = ∂v1/∂x · ẋ = (-3.0000) · 1.0000 = -3.0000  (v1 = w * x)

The steps are ``autograd_core.forward_steps(root, tangents)``, the engine's
own (so the text cannot drift from what ``jvp`` does), and each line is
written by the engine's one writer of it, ``forward.tangent_equation``. What
this module adds is the drawing's names (``viz.trace``: the engine's one
naming rule, so the names ``explain_forward`` gives, shortened within a
neuron), the drawing's number format, and every computed node's tangent, 0
for the nodes no input with a tangent reaches (they have no step).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from autograd_core import Value, forward_steps
from autograd_core.forward import HEADING, by_node, tangent_equation
from autograd_core.notation import dotted

from .text import context_of, format_number, formula, grouped, says_more
from .trace import Trace, TracedNode, trace

__all__ = ["ExplainedTangent", "ForwardPass", "forward_pass", "explain_tangents"]


@dataclass(frozen=True)
class ExplainedTangent:
    """One computed node of a forward-mode pass: its tangent and its line (None when no tangent reaches it)."""

    node: TracedNode
    tangent: float
    context: str | None  # the neuron whose names the line uses, or None
    equation: str | None  # ``ṅ = Σ ∂n/∂p · ṗ = ...``; None: no input with a tangent reaches the node
    text: str | None  # the equation and, when it says more than the name, the node's formula ``(n = ...)``


@dataclass(frozen=True)
class ForwardPass:
    """A forward-mode pass over a traced graph: the tangents given, and every computed node in topological order."""

    graph: Trace
    seeds: dict[int, float]  # node index -> the tangent given (leaves only)
    nodes: tuple[ExplainedTangent, ...]

    def tangents(self) -> dict[int, float]:
        """Every node's tangent by index: the leaves' given ones (0 when not given), each computed node's."""
        leaves = {n.index: self.seeds.get(n.index, 0.0) for n in self.graph.nodes if not n.parents}
        return {**leaves, **{t.node.index: t.tangent for t in self.nodes}}

    def given(self) -> str:
        """``ẋ = 1.0000``: the tangents given, in topological order; or a sentence saying there are none."""
        seeds = sorted(self.seeds.items())
        shown = [f"{dotted(self.name(self.graph.nodes[i]))} = {format_number(t)}" for i, t in seeds]
        return ", ".join(shown) if shown else "no tangent given"

    def name(self, node: TracedNode) -> str:
        """The name a line gives ``node``: the drawing's, within its neuron."""
        return node.name_within(context_of(self.graph, node))

    @property
    def output(self) -> float:
        """The output's tangent: the derivative of the output along the tangents given (what ``jvp`` returns)."""
        return self.tangents()[self.graph.root.index]


def forward_pass(root: Value, tangents: Mapping[Value, float]) -> ForwardPass:
    """The forward-mode pass of ``root`` with ``tangents`` (``{leaf: number}``), from the engine's steps."""
    steps = by_node(forward_steps(root, tangents))  # checks tangents: leaves and real numbers
    graph = trace(root, variables=tangents)  # a leaf given a tangent is named even when unlabelled
    seeds = {graph.position[leaf]: float(t) for leaf, t in tangents.items() if leaf in graph.position}
    explained = []
    for node in graph.nodes:
        if not node.parents:
            continue
        context = context_of(graph, node)
        node_steps = steps.get(node.value)
        if node_steps is None:
            explained.append(ExplainedTangent(node, 0.0, context, None, None))
            continue
        names = {v: graph.node_of(v).name_within(context) for v in (node.value, *node.value.parents)}
        equation = tangent_equation(node_steps, names, format_number)
        made = formula(graph, node, context)
        explained.append(
            ExplainedTangent(
                node, node_steps[-1].tangent, context, equation, equation + (f"  ({made})" if says_more(made) else "")
            )
        )
    return ForwardPass(graph, seeds, tuple(explained))


def explain_tangents(root: Value, tangents: Mapping[Value, float]) -> str:
    """The forward-mode pass as text: the tangents given, a line per node that moves, and the output's tangent."""
    run = forward_pass(root, tangents)
    out = run.name(run.graph.root)
    lines = [HEADING, f"{run.given()}  (the tangents given; every other input is held fixed)"]
    lines += grouped([(t.context, t.text) for t in run.nodes if t.text is not None])
    lines.append(f"{dotted(out)} = {format_number(run.output)}: the derivative of {out} along the tangents given")
    return "\n".join(lines) + "\n"
