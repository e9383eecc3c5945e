"""``draw_dot(root)``: a computation graph as a ``graphviz.Digraph``.

Each Value is a small table (name, data, and grad, or its tangent in forward
mode); each op is a separate small node in front of the value it makes, as in
micrograd's ``draw_dot``. Colours tell the kinds of node apart (inputs,
parameters, constants, intermediate nodes, the output), or, with
``color_by_grad``, show each gradient's sign and size on a scale the legend
states in numbers. Node and edge ids come from the
graph's topological order (``v3``, ``op3``, ``e3_0``), so the same graph
always draws the same way and the player can find every element in the SVG.

Networks built with ``nn`` (their nodes carry an ``nn.Place``): ``group_by``
draws each neuron or layer in a box titled with its path, inside which nodes
show the rest of their name (``w.1``); ``collapse`` draws a whole neuron or
layer as one node; ``max_nodes`` refuses graphs too large to read. Inputs,
weights, products and neurons are kept in reading order by invisible
``rank=same`` chains and by the order the boxes are written, checked against
Graphviz's layout (``layout.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import graphviz

from autograd_core import Value, backward_steps
from nn.places import Role, relative_name

from .drawing import Drawing
from .labels import for_dot, visible
from .layout import Arrangement, Orders, arrange
from .style import CLUSTER_FILL, FONT, KIND_BORDER, KIND_FILL, OP_FILL, edge_color, grad_fill, legend_levels
from .text import format_number
from .trace import GROUPINGS, Trace, TracedNode, trace

__all__ = ["draw_dot", "GraphTooLargeError", "DEFAULT_MAX_NODES", "Box", "boxes", "gradient_scale"]

DEFAULT_MAX_NODES = 500
_RANKDIRS = ("LR", "RL", "TB", "BT")
_PORTS = {"LR": ("e", "w"), "RL": ("w", "e"), "TB": ("s", "n"), "BT": ("n", "s")}  # (out of, into) a node
_INK = "#1f2937"


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes`` allows."""


def _table(rows: list[list[str]], fill: str, border: str, width: int = 1, rounded: bool = False) -> str:
    """An HTML-like label: a bordered table of already-escaped cells, one list per row."""
    style = ' STYLE="rounded"' if rounded else ""
    body = "".join("<TR>" + "".join(f"<TD>{cell}</TD>" for cell in row) + "</TR>" for row in rows)
    return (
        f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" BGCOLOR="{fill}" '
        f'COLOR="{border}"{style}>{body}</TABLE>>'
    )


@dataclass
class Box:
    """A collapsed neuron or layer: one drawn node standing for its members."""

    key: str
    id: str = ""
    members: list[TracedNode] = field(default_factory=list)

    @property
    def output(self) -> TracedNode | None:
        """The member whose data and grad the box shows: its one output (a layer of several neurons has none)."""
        outs = [m for m in self.members if m.place.role is Role.OUTPUT]
        return outs[0] if len(outs) == 1 else None


def boxes(graph: Trace, collapse: str | None) -> dict[int, Box]:
    """Node index -> the box it is collapsed into (nodes outside any neuron/layer stay)."""
    if collapse is None:
        return {}
    by_key: dict[str, Box] = {}
    order: dict[str, tuple] = {}
    box_of: dict[int, Box] = {}
    for node in graph.nodes:
        key = node.group(collapse)
        if key is None:
            continue
        box = by_key.setdefault(key, Box(key))
        order[key] = min(order.get(key, node.place.order), node.place.order)
        box.members.append(node)
        box_of[node.index] = box
    for number, key in enumerate(sorted(by_key, key=order.__getitem__)):  # c0, c1, ... in reading order
        by_key[key].id = f"c{number}"
    return box_of


def gradient_scale(graph: Trace, grads: Mapping[int, float], contributions: Iterable[float]) -> float:
    """The |gradient| drawn in full colour: the largest gradient or contribution below the output.

    The output's own gradient (1.0) would wash out every other colour, so it
    counts only when there is nothing else. Only finite gradients set the
    scale: an infinite one (sqrt at 0) is drawn in full colour, nan in white.
    """
    below = [abs(grads.get(n.index, 0.0)) for n in graph.nodes[:-1]] + [abs(c) for c in contributions]
    largest = max((g for g in below if math.isfinite(g)), default=0.0)
    root = abs(grads.get(graph.root.index, 0.0))
    return largest or (root if math.isfinite(root) else 0.0) or 1.0


def _check_options(
    rankdir: str,
    group_by: str | None,
    collapse: str | None,
    max_nodes: int | None,
    grad_scale: float | None,
    color_by_grad: bool,
    tangents: Mapping[int, float] | None,
) -> None:
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be None, 'neuron' or 'layer', got {group_by!r}")
    if collapse not in GROUPINGS:
        raise ValueError(f"collapse must be None, 'neuron' or 'layer', got {collapse!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    if grad_scale is not None and (
        isinstance(grad_scale, bool) or not isinstance(grad_scale, (int, float)) or not 0 < grad_scale < float("inf")
    ):
        raise ValueError(f"grad_scale must be a positive number or None, got {grad_scale!r}")
    if tangents is not None and color_by_grad:
        raise ValueError("color_by_grad colours gradients; a drawing with tangents (forward mode) shows none")


def _check_size(graph: Trace, box_of: dict[int, Box], collapse: str | None, max_nodes: int | None) -> None:
    drawn = len(graph.nodes) - len(box_of) + len({id(b) for b in box_of.values()})
    if max_nodes is None or drawn <= max_nodes:
        return
    grouped = any(n.group("neuron") is not None for n in graph.nodes)
    hint = ""
    if grouped and collapse != "layer":
        unit = "layer" if collapse else "neuron"
        hint = f"pass collapse={unit!r} to draw each {unit} as one box, "
    raise GraphTooLargeError(
        f"the graph has {drawn} value nodes to draw, more than max_nodes={max_nodes}, too many to read; "
        f"{hint}draw a smaller part of it (a sub-expression), or pass a larger max_nodes (None for no limit)"
    )


class _Group:
    """The statements of the top level or of one cluster: nodes, and chains of nodes to keep in order."""

    def __init__(self, key: str, order: tuple = (), row: str | None = None) -> None:
        self.key, self.order = key, order
        self.row = row  # a layer's neuron clusters stand side by side in one row, to read in order
        self.nodes: list[tuple[str, dict[str, str]]] = []
        self.chains: dict[tuple, list[tuple[tuple, str]]] = {}  # chain -> [(sort key, node id)]

    def keep_in_order(self, chain: tuple, order: tuple, node_id: str) -> None:
        self.chains.setdefault(chain, []).append((order, node_id))

    def chain_ids(self) -> dict[tuple, list[str]]:
        """Each chain's node ids in reading order, keyed by (this group, the chain)."""
        return {(self.key, chain): [i for _, i in sorted(members)] for chain, members in self.chains.items()}


class _Drawing:
    """One drawing in progress: the options, the colour scale, and the statements collected so far."""

    def __init__(
        self,
        graph: Trace,
        rankdir: str,
        show_grad: bool,
        color_by_grad: bool,
        group_by: str | None,
        box_of: dict[int, Box],
        grads: Mapping[int, float] | None,
        grad_scale: float | None,
        tangents: Mapping[int, float] | None = None,
    ) -> None:
        self.graph, self.rankdir, self.show_grad, self.color_by_grad = graph, rankdir, show_grad, color_by_grad
        self.group_by, self.box_of, self.grads, self.tangents = group_by, box_of, grads, tangents
        self.top = _Group("")
        self.clusters: dict[str, _Group] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.box_edges: set[tuple[str, str]] = set()
        self.columns = False  # collapsed neurons stand in columns: the edges between them need room
        # A drawing of one neuron names its nodes within it (w.1) and carries the neuron's path as its title.
        self.title = graph.neuron if group_by is None and not box_of else None
        self.contributions: dict[tuple[int, int], float] = {}
        self.scale = 0.0
        if color_by_grad:
            steps = backward_steps(graph.root.value)
            self.contributions = {(graph.position[s.node], s.index): s.contribution for s in steps}
            shown = {n.index: self.grad_of(n) for n in graph.nodes}
            self.scale = grad_scale or gradient_scale(graph, shown, self.contributions.values())

    # ------------------------------------------------------------ what to show
    def grad_of(self, node: TracedNode) -> float:
        return self.grads.get(node.index, 0.0) if self.grads is not None else node.value.grad

    def last_row(self, node: TracedNode) -> str | None:
        """The cell under the data: the node's tangent (forward mode), its gradient, or none."""
        if self.tangents is not None:
            return f"tangent {format_number(self.tangents.get(node.index, 0.0))}"
        return f"grad {format_number(self.grad_of(node))}" if self.show_grad else None

    def colours(self, node: TracedNode | None) -> tuple[str, str, int]:
        """(fill, border, border width): by kind; or, colouring by gradient, the fill by it, the kind on the border."""
        if node is None:
            return KIND_FILL["intermediate"], _INK, 1
        if self.color_by_grad:
            return grad_fill(self.grad_of(node), self.scale), KIND_BORDER[node.kind], 2
        return KIND_FILL[node.kind], _INK, 2 if node.kind == "output" else 1

    def group_of(self, node: TracedNode) -> _Group:
        """Where a node's statement goes: its neuron's or layer's cluster when grouping, else the top level.

        Neuron clusters are not nested in layer clusters: an edge from an input
        to a neuron would have to go round the whole layer's box.
        """
        key = node.group(self.group_by)
        if key is None:
            return self.top
        cluster = self.clusters.get(key)
        if cluster is None:
            row = node.place.layer if self.group_by == "neuron" else None
            cluster = self.clusters[key] = _Group(key, node.place.order, row)
            # The title is a node heading the weights, not the cluster's label: Graphviz routes edges
            # round nodes, but across a cluster's label.
            title = f"t{len(self.clusters) - 1}"
            cluster.nodes.append((title, {"label": f"<<B>{for_dot(key)}</B>>", "id": title}))
            cluster.keep_in_order(self.chain_key(node, Role.WEIGHT.value), (), title)
        cluster.order = min(cluster.order, node.place.order)
        return cluster

    def chain_key(self, node: TracedNode, what: str) -> tuple:
        """Nodes of one role in one layer (or lone neuron) form one chain: the layer's neurons one after another."""
        return (what, node.place.layer if node.place.layer is not None else node.place.neuron)

    # ------------------------------------------------------------ adding nodes
    def add_value(self, node: TracedNode) -> None:
        group = self.group_of(node)
        name = node.name_within(group.key or self.title)
        rows = [[f"<B>{for_dot(name)}</B>"], [f"data {format_number(node.value.data)}"]]
        if self.last_row(node) is not None:
            rows.append([self.last_row(node)])
        group.nodes.append((node.id, {"label": _table(rows, *self.colours(node)), "id": node.id}))
        place = node.place
        if place is not None and place.role in (Role.INPUT, Role.WEIGHT):
            group.keep_in_order(self.chain_key(node, place.role.value), place.order, node.id)
        if not node.parents:
            return
        group.nodes.append(
            (
                node.op_id,
                {
                    "label": f"<{for_dot(str(node.value.op))}>",
                    "shape": "ellipse",
                    "style": "filled",
                    "fillcolor": OP_FILL,
                    "id": node.op_id,
                    "width": "0.3",
                    "height": "0.3",
                    "margin": "0.04",
                },
            )
        )
        if place is not None and place.role is Role.PRODUCT:
            group.keep_in_order(self.chain_key(node, "product op"), place.order, node.op_id)
        if place is not None and place.role is Role.SUM:
            self.keep_terms_in_order(node, group)
        self.edges.append((node.op_id, node.id, {"id": f"e{node.index}_out"}))
        for index, parent in enumerate(node.parents):
            attrs = {"id": f"e{node.index}_{index}"}
            if self.enters_cluster(self.graph.nodes[parent], node):
                attrs["minlen"] = "2"  # a rank of room, so the inputs stand left of the cluster, not above it
            if self.color_by_grad:
                attrs["color"], attrs["penwidth"] = edge_color(
                    self.contributions.get((node.index, index), 0.0), self.scale
                )
            self.edges.append((self.tail(parent), node.op_id, attrs))

    def keep_terms_in_order(self, node: TracedNode, group: _Group) -> None:
        """A neuron's sum: its terms (the products, then the bias) in argument order."""
        for index, parent in enumerate(node.parents):
            term = self.graph.nodes[parent]
            if term.place is not None and term.place.neuron == node.place.neuron and parent not in self.box_of:
                group.keep_in_order(self.chain_key(node, "terms"), (node.place.order, index), term.id)

    def enters_cluster(self, tail: TracedNode, head: TracedNode) -> bool:
        """Whether an edge from ``tail`` comes into ``head``'s cluster from outside it."""
        key = head.group(self.group_by)
        return key is not None and tail.group(self.group_by) != key

    def tail(self, parent: int) -> str:
        """The drawn node an edge from ``parent`` starts at: its box when collapsed."""
        return self.box_of[parent].id if parent in self.box_of else f"v{parent}"

    def add_box_member(self, node: TracedNode, box: Box) -> None:
        if node is box.members[0]:
            self.add_box(box)
        tail_port, head_port = _PORTS[self.rankdir]  # on the sides: a bundle of edges never crosses a label
        for parent in node.parents:
            tail = self.tail(parent)
            if tail != box.id and (tail, box.id) not in self.box_edges:
                self.box_edges.add((tail, box.id))
                self.edges.append(
                    (tail, box.id, {"id": f"b{box.id}_{tail}", "tailport": tail_port, "headport": head_port})
                )

    def add_box(self, box: Box) -> None:
        """A collapsed neuron or layer. A layer's neurons stand in a column under a header naming the layer.

        The columns are drawn at the top level, not in layer clusters: Graphviz
        keeps the order of a chain there, not always inside a cluster (layout.py).
        """
        first, shown = box.members[0], box.output
        layer = first.place.layer if box.key == first.place.neuron else None
        cells = [f"<B>{for_dot(relative_name(box.key, layer))}</B>"]
        if shown is not None:
            cells.append(f"out {format_number(shown.value.data)}")
            if self.last_row(shown) is not None:
                cells.append(self.last_row(shown))
        else:
            params = sum(1 for m in box.members if not m.parents)
            cells.append(f"{params} params, {len(box.members)} nodes")
        label = _table([cells], *self.colours(shown), rounded=True)
        self.top.nodes.append((box.id, {"label": label, "id": box.id}))
        if layer:
            self.columns = True
            chain = ("box", layer)
            if chain not in self.top.chains:  # the header: the layer's path, above (LR) or left of (TB) its neurons
                header = f"h{box.id}"
                self.top.nodes.append((header, {"label": f"<<B>{for_dot(layer)}</B>>", "id": header}))
                self.top.keep_in_order(chain, (), header)
            self.top.keep_in_order(chain, first.place.order, box.id)

    # ------------------------------------------------------------ writing DOT
    def rows(self) -> list[list[_Group]]:
        """The clusters that stand side by side and should read in order: each layer's neurons."""
        rows: dict[str, list[_Group]] = {}
        for cluster in sorted(self.clusters.values(), key=lambda c: c.order):
            if cluster.row is not None:
                rows.setdefault(cluster.row, []).append(cluster)
        return [row for row in rows.values() if len(row) > 1]

    def orders(self) -> Orders:
        """Everything that should read in order: the chains, and each layer's neuron clusters."""
        chains = {key: ids for group in (self.top, *self.clusters.values()) for key, ids in group.chain_ids().items()}
        rows = [[(c.key, [node_id for node_id, _ in c.nodes]) for c in row] for row in self.rows()]
        return Orders(chains, rows)

    def emit_group(self, g: graphviz.Digraph, group: _Group, arrangement: Arrangement) -> None:
        for name, attrs in group.nodes:
            g.node(name, **attrs)
        for key, ids in group.chain_ids().items():
            if len(ids) < 2:
                continue
            if key in arrangement.backwards:
                ids = ids[::-1]
            with g.subgraph() as same:
                same.attr(rank="same")
                for a, b in zip(ids, ids[1:]):
                    same.edge(a, b, style="invis")

    def written_clusters(self, arrangement: Arrangement) -> list[_Group]:
        """The clusters in the order they are written: reading order, each row as the arrangement says."""
        written = sorted(self.clusters.values(), key=lambda c: c.order)
        for row in self.rows():
            slots = sorted(written.index(c) for c in row)
            for cluster in row:
                written[slots[arrangement.cluster_rank.get(cluster.key, row.index(cluster))]] = cluster
        return written

    def legend(self) -> str | None:
        """The graph's label: the neuron drawn and, colouring by gradient, what a colour means in numbers."""
        rows = []
        if self.title:
            rows.append(f'<TR><TD COLSPAN="7" ALIGN="LEFT"><B>{for_dot(self.title)}</B></TD></TR>')
        if self.color_by_grad:
            swatches = "".join(
                f'<TD BGCOLOR="{grad_fill(level, self.scale)}" BORDER="1">{text}</TD>'
                for level, text in legend_levels(self.scale)
            )
            infinite = any(math.isinf(self.grad_of(n)) for n in self.graph.nodes)
            rows.append(
                f'<TR><TD>grad</TD>{swatches}<TD ALIGN="LEFT">blue: raising the node raises the output, '
                f"red: lowers it; full colour at |grad| &#8805; {format_number(self.scale)}"
                f"{' (inf: full colour)' if infinite else ''}; "
                f"edges: the contribution flowing back, same scale</TD></TR>"
            )
        if not rows:
            return None
        return f'<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="3">{"".join(rows)}</TABLE>>'

    def digraph(self, arrangement: Arrangement) -> graphviz.Digraph:
        g = Drawing(  # a graphviz.Digraph that a notebook shows fitted to the cell
            "autograd",
            graph_attr={
                "rankdir": self.rankdir,
                "fontname": FONT,
                "fontsize": "12",
                "nodesep": "0.2",
                "ranksep": "1.2" if self.columns else "0.35",
            },
            node_attr={"fontname": FONT, "fontsize": "12", "shape": "plain"},
            edge_attr={"color": "#6b7280", "arrowsize": "0.6"},
        )
        legend = self.legend()
        if legend:
            g.attr(label=legend, labelloc="t", labeljust="l")
        self.emit_group(g, self.top, arrangement)
        for cluster in self.written_clusters(arrangement):
            with g.subgraph(name=f"cluster_{visible(cluster.key, limit=None)}") as sub:  # an id: never cut
                # label="": a cluster would otherwise repeat the graph's label (the legend) at its top
                sub.attr(style="rounded,filled", color="#94a3b8", fillcolor=CLUSTER_FILL[self.group_by], label="")
                self.emit_group(sub, cluster, arrangement)
        for tail, head, attrs in self.edges:
            g.edge(tail, head, **attrs)
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
    grad_scale: float | None = None,
    tangents: Mapping[int, float] | None = None,
) -> graphviz.Digraph:
    """The computation graph of ``root`` as a ``graphviz.Digraph`` (displays inline in Jupyter).

    Args:
        root: the output Value (its graph is everything it was computed
            from), or a ``Trace`` of it from ``viz.trace``.
        rankdir: graphviz layout direction: "LR" (left to right), "TB", "RL" or "BT".
        show_grad: show each node's ``.grad`` (run ``root.backward()`` first).
        color_by_grad: fill nodes by gradient sign and size (blue positive,
            red negative) and colour edges by the contribution flowing back.
        group_by: "neuron" or "layer" draws a box around each nn neuron or
            layer; None draws none.
        collapse: "neuron" or "layer" draws each nn neuron or layer as one node.
        max_nodes: raise ``GraphTooLargeError`` when more value nodes (after
            collapsing) would be drawn; None for no limit.
        grads: gradients to show instead of ``.grad``, by node index (the
            player shows the ones ``backward_steps`` computes).
        grad_scale: with ``color_by_grad``, the |gradient| drawn in full
            colour (default: the largest in the drawing); fix it to compare
            two pictures colour for colour.
        tangents: forward mode: each node's tangent by node index (0 where
            missing), shown instead of its gradient (the forward-mode player
            shows ``forward_steps``'s).

    Returns:
        The Digraph; ``viz.render`` writes it to a file. With Graphviz
        installed, a network's drawing is laid out once or more here, to
        check its reading order.
    """
    _check_options(rankdir, group_by, collapse, max_nodes, grad_scale, color_by_grad, tangents)
    graph = root if isinstance(root, Trace) else trace(root)
    box_of = boxes(graph, collapse)
    _check_size(graph, box_of, collapse, max_nodes)
    drawing = _Drawing(graph, rankdir, show_grad, color_by_grad, group_by, box_of, grads, grad_scale, tangents)
    for node in graph.nodes:
        box = box_of.get(node.index)
        if box is None:
            drawing.add_value(node)
        else:
            drawing.add_box_member(node, box)
    return arrange(drawing.digraph, drawing.orders(), rankdir)
