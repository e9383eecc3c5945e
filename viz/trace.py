"""Walk a graph into numbered nodes and edges: what every drawing and explanation starts from.

Nodes are numbered by their position in ``autograd_core.topological_order``
(parents first, each node's parents in argument order), so the same graph
built twice gets the same ids, names and drawing. Each node also gets a
*name* for text, by the engine's one naming rule
(``autograd_core.notation.node_names``): its label, ``out#2`` for the second
node that carries a label (a neuron applied twice), ``v1, v2, ...`` for
unlabelled op nodes; a constant is named by its number. A name is
``labels.visible`` text (a label's control characters as their pictures,
``ESC`` as ``␛``), so every text made from it (``explain``, the player's
sentences, exercises) is printable; each output then makes it safe its own way. The ids (``v3``,
``op3``) are the drawing's own, by position, and never shown as text.

A node of a network built with ``nn`` also carries its ``nn.Place`` (its
neuron, layer and role), which is how drawings group, order and shorten
network names; viz never takes nn's labels apart itself.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from autograd_core import Value, topological_order
from autograd_core.notation import node_names
from nn import place_of
from nn.places import Place, Role

from .labels import visible

__all__ = ["TracedNode", "Edge", "Trace", "trace", "NODE_KINDS", "GROUPINGS"]

NODE_KINDS = ("input", "param", "constant", "intermediate", "output")
"""input: labelled leaf; param: a network's weight or bias; constant: unlabelled leaf."""

GROUPINGS = (None, "neuron", "layer")
"""What a drawing may group (``group_by``) or collapse (``collapse``) a network by."""


@dataclass(frozen=True)
class TracedNode:
    """One Value of the graph, numbered by its topological position."""

    index: int
    value: Value
    name: str  # the node's name in text (``node_names``), or its number for a constant
    kind: str  # one of NODE_KINDS
    parents: tuple[int, ...]  # indices of the parents, in argument order
    place: Place | None  # where it belongs in an nn network; None for other nodes

    @property
    def id(self) -> str:
        """The node's id in DOT and SVG (``v3``)."""
        return f"v{self.index}"

    @property
    def op_id(self) -> str:
        """The id of the op node drawn in front of this value (``op3``)."""
        return f"op{self.index}"

    def group(self, by: str | None) -> str | None:
        """The path of the neuron or layer (``by``) this node belongs to, or None (also for the whole model)."""
        if self.place is None or by is None:
            return None
        return (self.place.neuron if by == "neuron" else self.place.layer) or None

    def name_within(self, module: str | None) -> str:
        """The name to show inside ``module`` (``w.1`` inside ``layers.0.neurons.3``); the full name outside it."""
        if self.place is None or not module or not self.name.startswith(self.place.path):
            return self.name  # also a network's node that its user relabelled: shown by the user's label
        suffix = self.name[len(self.place.path) :]  # the "#2" of a node whose label is shared
        return self.place.name_within(module) + suffix


@dataclass(frozen=True)
class Edge:
    """Parent ``tail`` is input ``index`` of node ``head`` (both node indices)."""

    tail: int
    head: int
    index: int

    @property
    def id(self) -> str:
        """The id of the drawn edge from the parent to the head's op node (``e5_0``)."""
        return f"e{self.head}_{self.index}"


@dataclass(frozen=True)
class Trace:
    """A graph as numbered nodes (parents first) and edges; ``nodes[-1]`` is the output."""

    nodes: tuple[TracedNode, ...]
    edges: tuple[Edge, ...]
    position: dict[Value, int]  # Value -> index

    @property
    def root(self) -> TracedNode:
        """The output node."""
        return self.nodes[-1]

    def node_of(self, value: Value) -> TracedNode:
        """The traced node of a Value of this graph."""
        return self.nodes[self.position[value]]

    @property
    def neuron(self) -> str | None:
        """The one neuron every network node of the graph belongs to (a drawing of one neuron), else None."""
        neurons = {n.place.neuron for n in self.nodes if n.place is not None and n.place.role is not Role.INPUT}
        return neurons.pop() if len(neurons) == 1 else None


def _kind(value: Value, place: Place | None, is_root: bool, named: bool) -> str:
    if is_root:
        return "output"
    if value.parents:
        return "intermediate"
    if place is not None and place.role in (Role.WEIGHT, Role.BIAS):
        return "param"
    return "input" if named else "constant"


def trace(root: Value, variables: Collection[Value] = ()) -> Trace:
    """Number the graph of ``root``: nodes in topological order (parents first) and their edges.

    ``variables`` are unlabelled leaves named as inputs rather than written as
    constants (the leaves forward mode gives a tangent), as ``node_names`` does.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected the Value whose graph to draw, got {type(root).__name__} {root!r}")
    values = topological_order(root)
    position = {v: i for i, v in enumerate(values)}
    names = node_names(values, variables)
    last = len(values) - 1
    nodes = []
    edges = []
    for i, v in enumerate(values):
        parents = tuple(position[p] for p in v.parents)
        place = place_of(v)
        name = names.get(v)
        if name is not None:
            name = visible(name, limit=None)  # no label's ESC or NUL reaches a terminal, a sentence or a drawing
        kind = _kind(v, place, i == last, name is not None)
        nodes.append(TracedNode(i, v, f"{v.data:g}" if name is None else name, kind, parents, place))
        edges.extend(Edge(p, i, k) for k, p in enumerate(parents))
    return Trace(tuple(nodes), tuple(edges), position)
