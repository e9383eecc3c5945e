"""``write_html(root, path)``: one self-contained HTML page that plays the forward pass, then the backward pass.

The page holds the graph as SVG (drawn by Graphviz, so ``dot`` is needed to
write it, not to open it), the steps as JSON and the script ``player.js``.
The forward pass comes first: each computed node's value appears in
topological order, with its op and its inputs' numbers. Then the backward
pass starts at the output (d out / d out = 1) and applies
``autograd_core.backward_steps(root)`` one chain-rule step at a time, each
line as ``explain`` writes it. With ``collapse`` a network plays a step per
neuron (or layer). With ``tangents`` it plays the forward-mode pass instead:
each node's value and tangent appear together, parents first, from
``autograd_core.forward_steps`` (``tangents.py`` writes the lines).
``exercise_parts`` makes the exercise's player (``viz.exercise``): a step per
question, each gradient hidden until its answer is checked. The page makes no
network request and lets no label run as script: text goes through
``html.escape`` or Graphviz, data through JSON.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd_core import Value
from autograd_core.files import write_atomic
from autograd_core.notation import dotted
from nn.places import Role

from .dot import DEFAULT_MAX_NODES, Box, boxes, draw_dot, gradient_scale
from .drawing import pipe, svg_element
from .exercise import Exercise
from .explain import ExplainedStep, explain_steps, final_gradients, leaf_gradients, seed_line
from .player_page import fragment, page
from .style import KIND_FILL, edge_color, grad_fill
from .tangents import ForwardPass, forward_pass
from .text import computation, context_of, format_number, gradient
from .trace import GROUPINGS, Trace, TracedNode, trace

__all__ = [
    "write_html",
    "player_html",
    "player_fragment",
    "player_parts",
    "PlayerParts",
    "player_steps",
    "PlayerSteps",
    "exercise_parts",
    "exercise_views",
]

_LEGEND = (
    ("input", "input"),
    ("param", "parameter"),
    ("constant", "constant"),
    ("intermediate", "computed"),
    ("output", "output"),
)


def _script_json(value: object) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(value, ensure_ascii=True).replace("<", "\\u003c")  # no "</script>" or "<!--" inside


class _Steps:
    """The player's steps for one graph: every node, or one step per collapsed neuron or layer."""

    def __init__(self, graph: Trace, explained: list[ExplainedStep], collapse: str | None, scale: float | None) -> None:
        self.graph, self.explained, self.scale = graph, explained, scale
        self.collapsed = collapse is not None
        self.box_of: dict[int, Box] = boxes(graph, collapse)
        self.out = graph.root.name

    def drawn(self, index: int) -> str:
        """The id of the drawn node standing for node ``index``: itself, or its box."""
        box = self.box_of.get(index)
        return box.id if box is not None else f"v{index}"

    def edges_into(self, node: TracedNode) -> list[str]:
        """The drawn edges that bring ``node``'s inputs (a box member: the box's inputs)."""
        box = self.box_of.get(node.index)
        if box is None:
            return [f"e{node.index}_{k}" for k in range(len(node.parents))] + [f"e{node.index}_out"]
        tails = {self.drawn(p) for m in box.members for p in m.parents if self.box_of.get(p) is not box}
        return [f"b{box.id}_{tail}" for tail in sorted(tails)]

    def edges_out_of(self, index: int) -> list[str]:
        """The drawn edges from node ``index`` (or its box) to the nodes that read it."""
        box, edges = self.box_of.get(index), set()
        for node in self.graph.nodes:
            reader = self.box_of.get(node.index)
            if box is not None and reader is box:
                continue
            for k, p in enumerate(node.parents):
                if p == index or (box is not None and self.box_of.get(p) is box):
                    edges.add(f"b{reader.id}_{self.drawn(p)}" if reader is not None else f"e{node.index}_{k}")
        return sorted(edges)

    # ------------------------------------------------------------ the forward pass
    def forward(self) -> list[dict]:
        """A step per computed node (or box), in topological order, with the op and its inputs' numbers."""
        last_member = {id(box): box.members[-1] for box in self.box_of.values()}
        steps = []
        for node in self.graph.nodes:
            box = self.box_of.get(node.index)
            if box is None and node.parents:
                steps.append(self.compute(node))
            elif box is not None and last_member[id(box)] is node:
                steps.append(self.box_forward(box))
        return steps

    def compute(self, node: TracedNode) -> dict:
        """The step that computes ``node``'s value: ``c = a * b = 2.0000 * (-3.0000) = -6.0000``."""
        context = context_of(self.graph, node)
        value = format_number(node.value.data)
        return {
            "kind": "forward",
            "node": node.id,
            "op": node.op_id,
            "edges": self.edges_into(node),
            "data": value,
            "context": context,
            "text": computation(self.graph, node, context),
            "short": f"{node.name_within(context)} = {value}",
        }

    def forward_mode(self, run: ForwardPass) -> list[dict]:
        """Forward mode: a step per computed node, its value and its tangent ``ṅ = Σ ∂n/∂p · ṗ`` together."""
        steps = []
        for t in run.nodes:
            step = self.compute(t.node)
            name, tangent = dotted(t.node.name_within(t.context)), format_number(t.tangent)
            line = t.equation or f"{name} = 0: no input with a tangent reaches it"
            steps.append(
                {
                    **step,
                    "tangent": tangent,
                    "text": f"{step['text']}\n{line}",
                    "short": f"{step['short']}, {name} = {tangent}",
                }
            )
        return steps

    def box_forward(self, box: Box) -> dict:
        shown = box.output
        value = format_number(shown.value.data) if shown is not None else None
        done = f"{box.key}: its {len(box.members)} nodes are computed"
        return {
            "kind": "forward",
            "node": box.id,
            "edges": self.edges_into(box.members[-1]),
            "data": value,
            "context": None,
            "text": f"{done}, out = {value}" if value else done + ".",
            "short": f"{box.key} out = {value}" if value else f"{box.key} computed",
        }

    # ------------------------------------------------------------ the backward pass
    def seed(self) -> dict:
        root = self.graph.root
        context = context_of(self.graph, root)
        name = root.name_within(context)
        return {
            "kind": "seed",
            "node": self.drawn(root.index),
            "edges": [],
            "grad": format_number(1.0),
            "context": None if self.collapsed else context,  # the neuron its short name is within
            "text": seed_line(self.graph) + ". The backward pass starts at the output.",
            "short": f"{gradient(name, name)} = 1",
            **self.fill(1.0),
        }

    def fill(self, total: float) -> dict:
        return {"fill": grad_fill(total, self.scale)} if self.scale else {}

    def backward(self) -> list[dict]:
        """A step per chain-rule step; collapsed, a step per box (or node) when its gradient is complete."""
        if not self.collapsed:
            return [self.chain_rule_step(s) for s in self.explained]
        remaining: dict[int, int] = {}
        for s in self.explained:
            remaining[s.parent.index] = remaining.get(s.parent.index, 0) + 1
        steps = []
        for s in self.explained:
            remaining[s.parent.index] -= 1
            parent_box, node_box = self.box_of.get(s.parent.index), self.box_of.get(s.node.index)
            if parent_box is not None and parent_box is node_box:
                continue  # inside a box
            if parent_box is None and node_box is None:
                steps.append(self.chain_rule_step(s))
            elif remaining[s.parent.index] == 0 and (parent_box is None or s.parent.place.role is Role.OUTPUT):
                steps.append(self.complete(s))
        return steps

    def chain_rule_step(self, s: ExplainedStep) -> dict:
        out, parent = self.graph.root.name_within(s.context), s.parent.name_within(s.context)
        step = {
            "kind": "backward",
            "node": s.node.id,
            "parent": s.parent.id,
            "grad": format_number(s.total),
            "edges": [f"e{s.node.index}_{s.step.index}", f"e{s.node.index}_out"],
            "text": s.text,
            "context": s.context,
            "short": f"{gradient(out, parent)} += {format_number(s.step.contribution)}",
            **self.fill(s.total),
        }
        if self.scale:
            step["edgeColor"], step["edgeWidth"] = edge_color(s.step.contribution, self.scale)
        return step

    def complete(self, s: ExplainedStep) -> dict:
        """A node's gradient, all its contributions in: a collapsed neuron's output, or a node read by boxes."""
        box = self.box_of.get(s.parent.index)
        count = sum(1 for t in self.explained if t.parent is s.parent)
        name, total = s.parent.name, format_number(s.total)
        where = f"{box.key}: " if box is not None else ""
        return {
            "kind": "backward",
            "node": self.drawn(s.node.index),
            "parent": self.drawn(s.parent.index),
            "grad": total,
            "edges": self.edges_out_of(s.parent.index),
            "context": None,
            "text": f"{where}{gradient(self.out, name)} = {total}, the sum of {count} "
            f"contribution{'s' if count != 1 else ''} from the nodes that read it",
            "short": f"{gradient(self.out, name)} = {total}",
            **self.fill(s.total),
        }


@dataclass(frozen=True)
class PlayerParts:
    """One player: its markup, and what a picture of it shows where no script runs (a notebook without a kernel)."""

    fragment: str  # the player's markup (``player_fragment``)
    final_svg: str  # the graph with every value and gradient known
    heading: str
    steps: tuple[str, ...]  # each step's text, in order


@dataclass(frozen=True)
class PlayerSteps:
    """A player's pass before it becomes a page: the drawing it starts from and the steps that change it.

    ``viz.export`` makes its slides and animations from this, so they step
    exactly as the page does.
    """

    drawing: Any  # the graphviz.Digraph the player shows, every value and gradient drawn (each step reveals its own)
    final_drawing: Any  # the graph with every value and gradient known (coloured, when colouring by gradient)
    title: str
    heading: str
    legend: str  # the legend's HTML
    data: dict  # what the page's script reads: steps, intro, done, interval, and given, rowWord, neutralEdge


def player_steps(
    root: Value,
    title: str | None = None,
    rankdir: str = "LR",
    group_by: str | None = None,
    collapse: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    interval_ms: int = 1200,
    color_by_grad: bool = False,
    tangents: Mapping[Value, float] | None = None,
) -> PlayerSteps:
    """The drawing and the steps of ``root``'s player; the arguments are ``player_fragment``'s."""
    if collapse not in GROUPINGS:
        raise ValueError(f"collapse must be None, 'neuron' or 'layer', got {collapse!r}")
    if tangents is not None:
        if collapse is not None or color_by_grad:
            raise ValueError(
                "a forward-mode player (tangents=) shows every node's tangent: collapse and "
                "color_by_grad are for the backward pass"
            )
        return _forward_mode_steps(forward_pass(root, tangents), title, rankdir, group_by, max_nodes, interval_ms)
    graph, explained = explain_steps(root)
    finals = final_gradients(graph, explained)
    scale = gradient_scale(graph, finals, [s.step.contribution for s in explained]) if color_by_grad else None
    # Drawn with every gradient known: the page hides them until their step. Coloured by gradient, it is drawn
    # white (every gradient 0) with the legend's scale, and each step brings its fill and its edge's colour.
    options = {
        "rankdir": rankdir,
        "group_by": group_by,
        "collapse": collapse,
        "max_nodes": max_nodes,
        "color_by_grad": color_by_grad,
        "grad_scale": scale,
    }
    drawing = draw_dot(graph, grads={} if color_by_grad else finals, **options)
    final_drawing = draw_dot(graph, grads=finals, **options) if color_by_grad else drawing
    steps = _Steps(graph, explained, collapse, scale)
    forward = steps.forward()
    all_steps = [*forward, steps.seed(), *steps.backward()]
    return PlayerSteps(
        drawing,
        final_drawing,
        title or f"Forward and backward pass of {graph.root.name}",
        _heading(graph, forward),
        _LEGEND_HTML,
        _data(graph, explained, forward, all_steps, interval_ms, color_by_grad),
    )


def player_parts(root: Value, title: str | None = None, **options: Any) -> PlayerParts:
    """One player's markup and its static picture; the arguments are ``player_fragment``'s."""
    played = player_steps(root, title, **options)
    svg = _svg(played.drawing)
    final_svg = svg if played.final_drawing is played.drawing else _svg(played.final_drawing)
    markup = fragment(played.title, played.heading, svg, played.legend, _script_json(played.data))
    return PlayerParts(markup, final_svg, played.heading, tuple(step["text"] for step in played.data["steps"]))


def player_fragment(root: Value, title: str | None = None, **options: Any) -> str:
    """One player's markup, without the page around it (a page may hold several: ``player_html`` makes one).

    Args:
        root: the output; its graph is drawn and played (no ``.grad`` is touched).
        title: the player's heading (default "Forward and backward pass of <root>",
            or "Forward mode of <root>").
        **options: rankdir, group_by, collapse, max_nodes: ``draw_dot``'s; with
            ``collapse`` the player takes one step per neuron or layer.
            interval_ms: the pause between steps when playing.
            color_by_grad: fill each node by its gradient when it becomes known,
            on one scale for the whole pass (the legend states it).
            tangents: ``{leaf: number}``: play the forward-mode pass instead,
            each node's value and tangent appearing in topological order
            (``autograd_core.forward_steps``); collapse and color_by_grad do not apply.
    """
    return player_parts(root, title, **options).fragment


_KINDS_HTML = "".join(f'<span style="--c:{KIND_FILL[kind]}">{text}</span>' for kind, text in _LEGEND)
_FORWARD_HTML = '<span style="--c:#2563eb">forward: the op being computed</span>'
_BACKWARD_HTML = (
    '<span style="--c:#dc2626">backward: the edge the gradient flows back along, and the node it leaves</span>'
    '<span style="--c:#d97706">the node receiving it</span>'
)
_STEP_HTML = (
    '<span style="--c:#fef9c3">the current step</span>'
    '<span class="ag-text-colour" style="--c:#9ca3af">not known yet</span>'
)
_LEGEND_HTML = _KINDS_HTML + _FORWARD_HTML + _BACKWARD_HTML + _STEP_HTML
_EXERCISE_LEGEND_HTML = (
    _KINDS_HTML
    + _BACKWARD_HTML
    + _STEP_HTML
    + '<span style="--c:#dcfce7">answered right</span><span style="--c:#fee2e2">answered wrong</span>'
)


def _svg(drawing: Any) -> str:
    """A drawing as the SVG element a player holds."""
    return svg_element(pipe(drawing, "svg").decode("utf-8"))


def _forward_mode_steps(
    run: ForwardPass, title: str | None, rankdir: str, group_by: str | None, max_nodes: int | None, interval_ms: int
) -> PlayerSteps:
    """The forward-mode player: each computed node's value and tangent, in topological order."""
    graph, out = run.graph, run.name(run.graph.root)
    drawing = draw_dot(graph, tangents=run.tangents(), rankdir=rankdir, group_by=group_by, max_nodes=max_nodes)
    steps = _Steps(graph, [], None, None).forward_mode(run)
    heading = (
        f"{out} = {format_number(graph.root.value.data)}: forward mode with {run.given()}; each step "
        f"computes a node's value and its tangent ṅ = Σ ∂n/∂p · ṗ (every other input is held fixed)."
    )
    data = {
        "interval": interval_ms,
        "steps": steps,
        "neutralEdge": None,
        "rowWord": "tangent",
        "given": {n.id: format_number(run.seeds.get(n.index, 0.0)) for n in graph.nodes if not n.parents},
        "intro": f"{len(steps)} steps compute each node's value and its tangent, parents first, from "
        f"{run.given()}. Press Next (or \u2192).",
        "done": f"Done: {dotted(out)} = {format_number(run.output)}, the derivative of {out} along the "
        "tangents given (what jvp returns).",
    }
    title = title or f"Forward mode of {graph.root.name}"
    return PlayerSteps(drawing, drawing, title, heading, _KINDS_HTML + _FORWARD_HTML + _STEP_HTML, data)


def _heading(graph: Trace, forward: list[dict]) -> str:
    out = graph.root.name_within(context_of(graph, graph.root))
    return (
        f"{out} = {format_number(graph.root.value.data)}: {len(forward)} forward steps, then the backward pass; "
        f"each backward step adds (gradient carried back) \u00b7 (local derivative) to a gradient."
    )


def _data(
    graph: Trace,
    explained: list[ExplainedStep],
    forward: list[dict],
    steps: list[dict],
    interval_ms: int,
    color_by_grad: bool,
) -> dict:
    """What the page's script reads: the steps, and the texts before the first and after the last."""
    out = graph.root.name_within(context_of(graph, graph.root))
    value = format_number(graph.root.value.data)
    return {
        "interval": interval_ms,
        "intro": f"{len(forward)} forward steps compute {out} = {value} from the inputs, then "
        f"{len(steps) - len(forward) - 1} backward steps carry {gradient(out, out)} = 1 back. "
        "Press Next (or \u2192).",
        "done": "Done: every gradient is known. Leaf gradients:\n" + "\n".join(leaf_gradients(graph, explained)),
        "steps": steps,
        "neutralEdge": {"color": "#9ca3af", "width": "1"} if color_by_grad else None,
    }


def exercise_views(ex: Exercise) -> list[dict]:
    """What the page shows of each question now: locked (an earlier one is open), asking, or answered.

    An answered step shows its check (right, or wrong with the correct
    value) above the engine's line, and its parent's gradient so far; an
    open one hides its local derivative and every number it would give away.
    """
    open_question = ex.next
    views = []
    for q in ex.questions:
        check = ex.checks.get(q.number)
        if check is not None:
            mark = "\u2713" if check.right else "\u2717"
            views.append(
                {
                    "status": check.status,
                    "asked": q.asked,
                    "grad": format_number(q.explained.total),
                    "text": f"{check.message}\n{q.explained.text}",
                    "short": f"{q.asked} = {format_number(q.expected)} {mark}",
                }
            )
        elif q is open_question:
            views.append(
                {"status": "asking", "asked": q.asked, "grad": None, "text": q.prompt, "short": f"{q.asked} = ?"}
            )
        else:
            views.append(
                {
                    "status": "locked",
                    "asked": q.asked,
                    "grad": None,
                    "short": f"{q.asked} = ?",
                    "text": f"Step {q.number}: answer step {open_question.number} first; the backward pass "
                    "goes in order.",
                    # its question with every digit a 0: as long as it will be, giving nothing away (the page
                    # sizes its step panel by it, so that the graph does not move when the question opens)
                    "room": re.sub(r"[0-9]", "0", q.prompt),
                }
            )
    return views


def exercise_parts(
    ex: Exercise,
    title: str | None = None,
    rankdir: str = "LR",
    group_by: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> PlayerParts:
    """The exercise's player: a step per question, every gradient hidden until its step is answered.

    The graph is drawn with every gradient 0, so the page holds no answer
    until the kernel sends it (``exercise_views``); its static picture shows
    no gradient at all, and its list of questions no upstream gradient (each
    one would give the answers before it away).
    """
    graph = ex.graph
    options = {"rankdir": rankdir, "group_by": group_by, "max_nodes": max_nodes}
    svg = _svg(draw_dot(graph, grads={}, **options))
    base = _Steps(graph, ex.explained, None, None)
    steps = [{**base.chain_rule_step(q.explained), **view} for q, view in zip(ex.questions, exercise_views(ex))]
    out = graph.root.name_within(context_of(graph, graph.root))
    heading = (
        f"{out} = {format_number(graph.root.value.data)}: the backward pass with its local derivatives "
        f"hidden; {len(steps)} steps, each asking one."
    )
    data = {
        "interval": 1200,
        "steps": steps,
        "neutralEdge": None,
        "given": {graph.root.id: format_number(1.0)},
        "intro": ex.introduction + "\nPress Next (or \u2192) for the first step.",
        "done": "That was the backward pass's last step.",
    }
    markup = fragment(
        title or f"Exercise: the backward pass of {graph.root.name}",
        heading,
        svg,
        _EXERCISE_LEGEND_HTML,
        _script_json(data),
    )
    static = _svg(draw_dot(graph, show_grad=False, **options))
    return PlayerParts(markup, static, heading, tuple(q.task for q in ex.questions))


def player_html(root: Value, title: str | None = None, **options: Any) -> str:
    """The player page for ``root`` as a string (``write_html`` writes it); ``options`` are ``player_fragment``'s."""
    tangents = options.get("tangents")
    what = "Forward mode of" if tangents is not None else "Forward and backward pass of"
    fragment_ = player_fragment(root, title, **options)  # checks root and the options first
    return page([fragment_], title or f"{what} {trace(root, variables=tangents or ()).root.name}")


def write_html(root: Value, path: str | os.PathLike, title: str | None = None, **options: Any) -> Path:
    """Write the player for ``root`` to ``path`` (one self-contained HTML file) and return the path.

    ``options`` are ``player_fragment``'s (rankdir, group_by, collapse,
    max_nodes, interval_ms, color_by_grad, tangents). Needs Graphviz's ``dot`` to draw
    the graph (``GraphvizNotFoundError`` otherwise); nothing is written on failure.
    """
    return write_atomic(path, player_html(root, title, **options))
