"""Walk a graph into numbered nodes and edges: what every drawing and explanation starts from.

Nodes are numbered by their position in ``autograd_core.topological_order``
(parents first, each node's parents in argument order), so the same graph
built twice gets the same ids, names and drawing. Each node also gets a
*name* for text: its label, or ``v<id>`` when it has none, made unique when
two nodes share a label (``sum#1``, ``sum#2``: nn reuses one label for the
partial sums of a neuron).

Grouping follows the label convention shared with ``nn``: a node belongs to
neuron ``layers.L.neurons.N`` and layer ``layers.L`` when its label starts
with that prefix followed by a dot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograd_core import Value, topological_order

__all__ = ["TracedNode", "Edge", "Trace", "trace", "group_of", "natural_key", "NODE_KINDS"]

NODE_KINDS = ("input", "param", "constant", "intermediate", "output")
"""input: labelled leaf; param: leaf inside a neuron; constant: unlabelled leaf."""

_NEURON = re.compile(r"(layers\.\d+)\.neurons\.\d+\.")
_LAYER = re.compile(r"layers\.\d+\.")


def group_of(label: str, by: str | None) -> str | None:
    """The neuron (``layers.0.neurons.3``) or layer (``layers.0``) path a label belongs to, or None."""
    if by is None or not label:
        return None
    if by == "neuron":
        match = _NEURON.match(label)
    elif by == "layer":
        match = _LAYER.match(label)
    else:
        raise ValueError(f"group_by/collapse must be None, 'neuron' or 'layer', got {by!r}")
    return match.group(0)[:-1] if match else None


def natural_key(path: str) -> list:
    """Sort key that puts ``layers.2`` before ``layers.10``."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.split(".")]


@dataclass(frozen=True)
class TracedNode:
    """One Value of the graph, numbered by its topological position."""

    index: int
    value: Value
    name: str  # unique text name: the label, or v<index>
    kind: str  # one of NODE_KINDS
    parents: tuple[int, ...]  # indices of the parents, in argument order

    @property
    def id(self) -> str:
        """The node's id in DOT and SVG (``v3``)."""
        return f"v{self.index}"

    @property
    def op_id(self) -> str:
        """The id of the op node drawn in front of this value (``op3``)."""
        return f"op{self.index}"


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


def _kind(value: Value, is_root: bool) -> str:
    if is_root:
        return "output"
    if value.parents:
        return "intermediate"
    if not value.label:
        return "constant"
    return "param" if _NEURON.match(value.label) else "input"


def _names(values: list[Value]) -> list[str]:
    """Unique names: labels, numbered where shared; ``v<i>`` for unlabelled nodes (or ``L`` for the output)."""
    counts: dict[str, int] = {}
    for v in values:
        if v.label:
            counts[v.label] = counts.get(v.label, 0) + 1
    taken = set(counts)
    seen: dict[str, int] = {}
    names = []
    last = len(values) - 1
    for i, v in enumerate(values):
        if v.label and counts[v.label] == 1:
            name = v.label
        elif v.label:
            seen[v.label] = seen.get(v.label, 0) + 1
            name = f"{v.label}#{seen[v.label]}"
        else:
            name = "L" if i == last and "L" not in taken else f"v{i}"
            while name in taken:  # a user label that looks generated
                name += "'"
        taken.add(name)
        names.append(name)
    return names


def trace(root: Value) -> Trace:
    """Number the graph of ``root``: nodes in topological order (parents first) and their edges."""
    if not isinstance(root, Value):
        raise TypeError(f"expected the Value whose graph to draw, got {type(root).__name__} {root!r}")
    values = topological_order(root)
    position = {v: i for i, v in enumerate(values)}
    names = _names(values)
    last = len(values) - 1
    nodes = []
    edges = []
    for i, v in enumerate(values):
        parents = tuple(position[p] for p in v.parents)
        nodes.append(TracedNode(i, v, names[i], _kind(v, i == last), parents))
        edges.extend(Edge(p, i, k) for k, p in enumerate(parents))
    return Trace(tuple(nodes), tuple(edges), position)
