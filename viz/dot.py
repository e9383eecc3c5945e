"""``draw_dot(root)``: a computation graph as a ``graphviz.Digraph``.

Each Value is a record ``{ label | data | grad }``; each op is a separate
small node in front of the value it makes, as in micrograd's ``draw_dot``.
Colours tell the kinds of node apart (inputs, parameters, constants,
intermediate nodes, the output), or, with ``color_by_grad``, show each
gradient's sign and size. Node and edge ids come from the graph's topological
order (``v3``, ``op3``, ``e3_0``), so the same graph always draws the same
way and the player can find every element in the SVG.

Large graphs: ``group_by`` puts the nodes of each nn neuron or layer into a
graphviz cluster, ``collapse`` draws a whole neuron or layer as one box, and
``max_nodes`` refuses graphs too large to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import graphviz

from autograd_core import Value, backward_steps

from .style import CLUSTER_FILL, FONT, KIND_BORDER, KIND_FILL, OP_FILL, edge_color, grad_fill
from .text import format_number
from .trace import Trace, TracedNode, group_of, natural_key, trace

__all__ = ["draw_dot", "GraphTooLargeError", "DEFAULT_MAX_NODES"]

DEFAULT_MAX_NODES = 500
_RANKDIRS = ("LR", "RL", "TB", "BT")
_GROUPINGS = (None, "neuron", "layer")


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes`` allows."""


def record_escape(text: str) -> str:
    """Escape the characters that structure a graphviz record label."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


@dataclass
class _Box:
    """A collapsed neuron or layer: one drawn node standing for its members."""

    key: str
    id: str
    members: list[TracedNode] = field(default_factory=list)


def _boxes(graph: Trace, collapse: str | None) -> dict[int, _Box]:
    """Node index -> the box it is collapsed into (nodes outside any neuron/layer stay)."""
    if collapse is None:
        return {}
    by_key: dict[str, _Box] = {}
    box_of: dict[int, _Box] = {}
    for node in graph.nodes:
        key = group_of(node.value.label, collapse)
        if key is None:
            continue
        box = by_key.get(key)
        if box is None:
            box = by_key[key] = _Box(key, "")
        box.members.append(node)
        box_of[node.index] = box
    # Number the boxes in reading order: layers.0.neurons.0, layers.0.neurons.1, ..., layers.1.neurons.0
    natural = sorted(by_key, key=natural_key)
    for number, key in enumerate(natural):
        by_key[key].id = f"c{number}"
    return box_of


def _box_label(box: _Box, show_grad: bool, grad_of: Callable[[TracedNode], float]) -> tuple[str, TracedNode | None]:
    """The record of a collapsed box, and the member whose data and grad it shows (its output)."""
    params = sum(1 for m in box.members if not m.parents)
    outs = [m for m in box.members if m.value.label == f"{box.key}.out"]
    shown = outs[0] if len(outs) == 1 else None
    fields = [record_escape(box.key), f"{params} params, {len(box.members)} nodes"]
    if shown is not None:
        fields.append(f"out {format_number(shown.value.data)}")
        if show_grad:
            fields.append(f"grad {format_number(grad_of(shown))}")
    return "{ " + " | ".join(fields) + " }", shown


def _clusters(label: str, group_by: str | None) -> tuple[str, ...]:
    """The nested clusters a node is drawn in: (), (layer,) or (layer, neuron)."""
    if group_by is None:
        return ()
    layer = group_of(label, "layer")
    if layer is None:
        return ()
    neuron = group_of(label, "neuron") if group_by == "neuron" else None
    return (layer, neuron) if neuron else (layer,)


class _Emitter:
    """Collects node statements per cluster, then adds them to the Digraph, clusters in reading order."""

    def __init__(self) -> None:
        self.tree: dict = {"nodes": [], "children": {}}

    def add(self, clusters: tuple[str, ...], name: str, attrs: dict[str, str]) -> None:
        place = self.tree
        for key in clusters:
            place = place["children"].setdefault(key, {"nodes": [], "children": {}})
        place["nodes"].append((name, attrs))

    def emit(self, g: graphviz.Digraph, place: dict | None = None, parent: str = "") -> None:
        place = self.tree if place is None else place
        for name, attrs in place["nodes"]:
            g.node(name, **attrs)
        for key in sorted(place["children"], key=natural_key):
            child = place["children"][key]
            kind = "neuron" if parent else "layer"
            with g.subgraph(name=f"cluster_{key}") as sub:
                text = key[len(parent) + 1:] if parent else key  # "neurons.3" inside "layers.0"
                sub.attr(label=text, style="rounded,filled", fillcolor=CLUSTER_FILL[kind], color="#94a3b8",
                         fontname=FONT, fontsize="10", labeljust="l")
                self.emit(sub, child, key)


def _check_options(rankdir: str, group_by: str | None, collapse: str | None, max_nodes: int | None) -> None:
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    if group_by not in _GROUPINGS:
        raise ValueError(f"group_by must be None, 'neuron' or 'layer', got {group_by!r}")
    if collapse not in _GROUPINGS:
        raise ValueError(f"collapse must be None, 'neuron' or 'layer', got {collapse!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")


def _check_size(graph: Trace, box_of: dict[int, _Box], collapse: str | None, max_nodes: int | None) -> None:
    drawn = len(graph.nodes) - len(box_of) + len({id(b) for b in box_of.values()})
    if max_nodes is None or drawn <= max_nodes:
        return
    grouped = any(group_of(n.value.label, "neuron") for n in graph.nodes)
    if grouped and collapse != "layer":
        hint = f"pass collapse={'layer' if collapse else 'neuron'!r} to draw each {'layer' if collapse else 'neuron'} as one box, "
    else:
        hint = ""
    raise GraphTooLargeError(
        f"the graph has {drawn} value nodes to draw, more than max_nodes={max_nodes}, too many to read; "
        f"{hint}draw a smaller part of it (a sub-expression), or pass a larger max_nodes (None for no limit)"
    )


class _Drawing:
    """One drawing in progress: the options, the colour scales, and the statements collected so far."""

    def __init__(self, graph: Trace, show_grad: bool, color_by_grad: bool, group_by: str | None,
                 box_of: dict[int, _Box], grads: Mapping[int, float] | None) -> None:
        self.graph, self.show_grad, self.color_by_grad, self.group_by = graph, show_grad, color_by_grad, group_by
        self.box_of, self.grads = box_of, grads
        self.nodes = _Emitter()
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.box_edges: set[tuple[str, str]] = set()
        self.contributions: dict[tuple[int, int], float] = {}
        self.scale = self.edge_scale = 0.0
        if color_by_grad:
            # The output's own gradient (1.0) would wash out every other colour, so scale by the rest.
            self.scale = max((abs(self.grad_of(n)) for n in graph.nodes[:-1]), default=0.0)
            self.scale = self.scale or abs(self.grad_of(graph.root))
            steps = backward_steps(graph.root.value)
            self.contributions = {(graph.position[s.node], s.index): s.contribution for s in steps}
            self.edge_scale = max((abs(c) for c in self.contributions.values()), default=0.0)

    def grad_of(self, node: TracedNode) -> float:
        return self.grads.get(node.index, 0.0) if self.grads is not None else node.value.grad

    def style(self, node: TracedNode) -> dict[str, str]:
        """Fill by kind; or, colouring by gradient, fill by gradient and border by kind."""
        if self.color_by_grad:
            return {"fillcolor": grad_fill(self.grad_of(node), self.scale), "color": KIND_BORDER[node.kind],
                    "penwidth": "1.6"}
        return {"fillcolor": KIND_FILL[node.kind], **({"penwidth": "2"} if node.kind == "output" else {})}

    def tail(self, parent: int) -> str:
        """The drawn node an edge from ``parent`` starts at: its box when collapsed."""
        return self.box_of[parent].id if parent in self.box_of else f"v{parent}"

    def add_box_member(self, node: TracedNode, box: _Box) -> None:
        if node is box.members[0]:
            label, shown = _box_label(box, self.show_grad, self.grad_of)
            style = self.style(shown) if shown else {"fillcolor": KIND_FILL["intermediate"]}
            self.nodes.add(_clusters(box.key + ".", self.group_by), box.id,
                           {"label": label, "shape": "record", "style": "rounded,filled", "id": box.id, **style})
        for parent in node.parents:
            tail = self.tail(parent)
            if tail != box.id and (tail, box.id) not in self.box_edges:
                self.box_edges.add((tail, box.id))
                self.edges.append((tail, box.id, {"id": f"b{box.id}_{tail}"}))

    def add_value(self, node: TracedNode) -> None:
        clusters = _clusters(node.value.label, self.group_by)
        # Inside a cluster the cluster's path is already written on it: show the rest (w.0, sum#2).
        name = node.name[len(clusters[-1]) + 1:] if clusters else node.name
        fields = [record_escape(name), f"data {format_number(node.value.data)}"]
        if self.show_grad:
            fields.append(f"grad {format_number(self.grad_of(node))}")
        self.nodes.add(clusters, node.id, {"label": "{ " + " | ".join(fields) + " }", "shape": "record",
                                           "style": "filled", "id": node.id, **self.style(node)})
        if not node.parents:
            return
        op_label = graphviz.escape(node.value.op)  # free text (define_op): a "\\" or "<B>x</B>" is shown as written
        self.nodes.add(clusters, node.op_id, {"label": op_label, "shape": "ellipse", "style": "filled",
                                              "fillcolor": OP_FILL, "fontsize": "12", "id": node.op_id,
                                              "width": "0.3", "height": "0.3", "margin": "0.04"})
        self.edges.append((node.op_id, node.id, {"id": f"e{node.index}_out"}))
        for index, parent in enumerate(node.parents):
            attrs = {"id": f"e{node.index}_{index}"}
            if self.color_by_grad:
                contribution = self.contributions.get((node.index, index), 0.0)
                attrs["color"], attrs["penwidth"] = edge_color(contribution, self.edge_scale)
            self.edges.append((self.tail(parent), node.op_id, attrs))

    def digraph(self, rankdir: str) -> graphviz.Digraph:
        g = graphviz.Digraph(
            "autograd",
            graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.4"},
            node_attr={"fontname": FONT, "fontsize": "11", "height": "0.3"},
            edge_attr={"color": "#6b7280", "arrowsize": "0.6"},
        )
        self.nodes.emit(g)
        for tail, head, attrs in self.edges:
            g.edge(tail, head, **attrs)
        if self.color_by_grad:
            g.attr(label="fill: blue = positive gradient, red = negative, darker = larger; "
                         "edges: the contribution flowing back", fontsize="10", labelloc="b")
        return g


def draw_dot(
    root: Value | Trace,
    rankdir: str = "LR",
    show_grad: bool = True,
    color_by_grad: bool = False,
    group_by: str | None = None,
    collapse: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    *,
    grads: Mapping[int, float] | None = None,
) -> graphviz.Digraph:
    """The computation graph of ``root`` as a ``graphviz.Digraph`` (displays inline in Jupyter).

    Args:
        root: the output Value (its graph is everything it was computed
            from), or a ``Trace`` of it from ``viz.trace``.
        rankdir: graphviz layout direction: "LR" (left to right), "TB", "RL" or "BT".
        show_grad: show each node's ``.grad`` (run ``root.backward()`` first).
        color_by_grad: fill nodes by gradient sign and size (blue positive,
            red negative) and colour edges by the contribution flowing back.
        group_by: "neuron" or "layer" draws a cluster around each nn neuron or
            layer (labels ``layers.L.neurons.N.*``); None draws no clusters.
        collapse: "neuron" or "layer" draws each nn neuron or layer as one box.
        max_nodes: raise ``GraphTooLargeError`` when more value nodes (after
            collapsing) would be drawn; None for no limit.
        grads: gradients to show instead of ``.grad``, by node index (the
            player shows the ones ``backward_steps`` computes).

    Returns:
        The Digraph; ``viz.render`` writes it to a file.
    """
    _check_options(rankdir, group_by, collapse, max_nodes)
    graph = root if isinstance(root, Trace) else trace(root)
    box_of = _boxes(graph, collapse)
    _check_size(graph, box_of, collapse, max_nodes)
    drawing = _Drawing(graph, show_grad, color_by_grad, group_by, box_of, grads)
    for node in graph.nodes:
        box = box_of.get(node.index)
        if box is None:
            drawing.add_value(node)
        else:
            drawing.add_box_member(node, box)
    return drawing.digraph(rankdir)
