"""A drawing as shapes and texts, read from Graphviz, and the player's picture at each step.

The exports (``export.py``: TikZ, Beamer, GIF, MP4, animated SVG) draw what
Graphviz drew, shape for shape: ``Scene.of(drawing)`` runs ``dot -Tjson``
and keeps every element's drawing operations (xdot: polygons, ellipses,
Bézier curves, texts with their font size and weight), in points, y upwards,
the origin at the bottom left of the graph (Graphviz's SVG puts the same
point at ``(x + 4, height + 4 - y)``: it pads by 4 points). Each node keeps
its centre and its id, the ids ``draw_dot`` gives (``v3``, ``op3``,
``e3_0``).

``Frames`` applies the player's steps (``player.player_steps``, the same list
the page plays) to a scene as ``player.js`` applies them to the SVG: values
not yet computed and gradients not yet known read ``?``, each step's edges
and nodes are outlined in the player's colours, and every frame has the
player's caption (the step counter and the step's text). Frame 0 is the
start; frame k shows step k.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .drawing import pipe

__all__ = ["Shape", "Text", "Element", "Scene", "Frames", "PAD", "UNKNOWN", "FLOW", "HOT", "WARM"]

PAD = 4.0  # points Graphviz adds around a drawing
UNKNOWN = "#9ca3af"  # a number not known yet (the player's grey)
FLOW, HOT, WARM = "#2563eb", "#dc2626", "#d97706"  # the player's forward, backward and receiving colours
HIGHLIGHT_WIDTH = 3.0
_NAMED = {"black": "#000000", "white": "#ffffff", "transparent": None, "none": None}

Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """A polygon, a polyline, a Bézier curve (its control points) or an ellipse (its centre, then its radii)."""

    kind: str  # "polygon", "polyline", "bezier" or "ellipse"
    points: tuple[Point, ...]
    fill: str | None  # "#rrggbb", or None
    stroke: str | None
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Text:
    """One line of text: the middle of its baseline, in points."""

    x: float
    y: float
    text: str
    size: float
    bold: bool
    color: str


Item = Shape | Text


@dataclass(frozen=True)
class Element:
    """One node, edge or cluster (or the graph's own background and legend) and what draws it."""

    id: str
    kind: str  # "graph", "cluster", "node" or "edge"
    items: tuple[Item, ...]
    centre: Point | None = None


def _colour(text: str) -> str | None:
    """Graphviz's colour as #rrggbb; None for a transparent one."""
    text = text.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    if text.startswith("#") and len(text) == 9:
        return None if text[7:] == "00" else text[:7]
    if text.startswith("#") and len(text) == 7:
        return text
    raise ValueError(f"Graphviz drew a colour viz cannot read: {text!r}")


def _points(op: Mapping[str, Any]) -> tuple[Point, ...]:
    return tuple((float(x), float(y)) for x, y in op["points"])


def _items(ops: Sequence[Mapping[str, Any]]) -> list[Item]:
    """xdot drawing operations as shapes and texts (the pen's state carried from one operation to the next)."""
    pen: str | None = "#000000"
    fill: str | None = None
    width, dashed, size, bold = 1.0, False, 14.0, False
    items: list[Item] = []
    for op in ops:
        code = op["op"]
        if code == "c":
            pen = _colour(op["color"])
        elif code == "C":
            fill = _colour(op["color"])
        elif code == "S":
            style = op["style"]
            if style in ("dashed", "dotted"):
                dashed = True
            elif style == "solid":
                dashed = False
            elif style.startswith("setlinewidth("):
                width = float(style[len("setlinewidth(") : -1])
        elif code == "F":
            size = float(op["size"])
        elif code == "t":
            bold = bool(int(op["fontchar"]) & 1)
        elif code in "PpLBb":
            kind = {"P": "polygon", "p": "polygon", "L": "polyline", "B": "bezier", "b": "bezier"}[code]
            items.append(Shape(kind, _points(op), fill if code in "PB" else None, pen, width, dashed))
        elif code in "Ee":
            x, y, rx, ry = (float(v) for v in op["rect"])
            items.append(Shape("ellipse", ((x, y), (rx, ry)), fill if code == "E" else None, pen, width, dashed))
        elif code == "T":
            x, align, half = float(op["pt"][0]), op["align"], float(op["width"]) / 2
            middle = x + half if align == "l" else x - half if align == "r" else x
            items.append(Text(middle, float(op["pt"][1]), op["text"], size, bold, pen or "#000000"))
    return items


def _drawn(obj: Mapping[str, Any]) -> list[Item]:
    return [item for key in ("_draw_", "_ldraw_", "_hdraw_", "_tdraw_") for item in _items(obj.get(key, ()))]


@dataclass(frozen=True)
class Scene:
    """What Graphviz drew: the graph's size in points and its elements in drawing order."""

    width: float
    height: float
    elements: tuple[Element, ...]

    @classmethod
    def of(cls, drawing: Any) -> Scene:
        """The scene of a ``graphviz.Digraph`` (``draw_dot``'s), laid out by Graphviz's ``dot``."""
        laid_out = json.loads(pipe(drawing, "json").decode("utf-8"))
        left, bottom, right, top = (float(v) for v in laid_out["bb"].split(","))
        graph = Element("graph", "graph", tuple(_drawn(laid_out)))
        objects = laid_out.get("objects", [])
        clusters, nodes = [], []
        for obj in objects:
            items = tuple(_drawn(obj))
            if "nodes" in obj or "subgraphs" in obj:  # a subgraph: a cluster draws itself, a rank=same group does not
                if items:
                    clusters.append(Element(obj["name"], "cluster", items))
                continue
            x, y = (float(v) for v in obj["pos"].split(","))
            nodes.append(Element(obj.get("id", obj["name"]), "node", items, (x, y)))
        edges = []
        for edge in laid_out.get("edges", []):
            items = tuple(_drawn(edge))
            if items:
                name = f"{objects[edge['tail']]['name']}->{objects[edge['head']]['name']}"
                edges.append(Element(edge.get("id", name), "edge", items))
        return cls(right - left, top - bottom, (graph, *clusters, *edges, *nodes))

    def centres(self) -> dict[str, Point]:
        """Each node's centre by id, in points from the graph's bottom left corner."""
        return {e.id: e.centre for e in self.elements if e.centre is not None}


# ---------------------------------------------------------------- the player's steps on a scene


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


@dataclass(frozen=True)
class _State:
    """What the first k steps made known, and what step k highlights."""

    data: dict[str, str | None]  # node id -> its value, once computed (None: as drawn)
    rows: dict[str, str]  # node id -> its last row (grad or tangent), once known
    fills: dict[str, str]
    edge_colours: dict[str, tuple[str, float]]
    marks: dict[str, tuple[str, float, bool]]  # element id -> (colour, width, dashed)


class Frames:
    """The player's pictures of a scene: frame 0 before the first step, frame k after step k.

    ``data`` is what the player's page reads (``PlayerSteps.data``): the
    steps, their texts, and the texts before the first and after the last.
    """

    def __init__(self, scene: Scene, data: Mapping[str, Any]) -> None:
        self.scene, self.data = scene, data
        self.steps: list[dict] = list(data["steps"])
        self.row_word = data.get("rowWord") or "grad"
        self.computed = {s["node"] for s in self.steps if s["kind"] == "forward"}

    def __len__(self) -> int:
        """How many frames: the start and one per step."""
        return len(self.steps) + 1

    def state(self, k: int) -> _State:
        """What is known after the first ``k`` steps, and what step ``k`` highlights (as ``player.js``'s ``show``)."""
        data: dict[str, str | None] = {}
        rows: dict[str, str] = dict(self.data.get("given") or {})
        fills: dict[str, str] = {}
        edge_colours: dict[str, tuple[str, float]] = {}
        for s in self.steps[:k]:
            if s["kind"] == "forward":
                data[s["node"]] = s.get("data")
                if s.get("tangent") is not None:
                    rows[s["node"]] = s["tangent"]
                continue
            target = s["node"] if s["kind"] == "seed" else s["parent"]
            if s.get("grad") is not None:
                rows[target] = s["grad"]
            if s.get("fill"):
                fills[target] = s["fill"]
            if s.get("edgeColor"):
                for edge in s["edges"]:
                    if not edge.endswith("_out"):
                        edge_colours[edge] = (s["edgeColor"], float(s["edgeWidth"]))
        marks: dict[str, tuple[str, float, bool]] = {}
        if k > 0:
            s = self.steps[k - 1]
            if s["kind"] == "forward":
                for element in (*s["edges"], s["node"], s.get("op")):
                    if element:
                        marks[element] = (FLOW, HIGHLIGHT_WIDTH, False)
            else:
                marks.update(dict.fromkeys(s["edges"], (HOT, HIGHLIGHT_WIDTH, True)))
                marks[s["node"]] = (HOT, HIGHLIGHT_WIDTH, False)
                if s.get("parent"):
                    marks[s["parent"]] = (WARM, HIGHLIGHT_WIDTH, False)
        return _State(data, rows, fills, edge_colours, marks)

    def elements(self, k: int) -> tuple[Element, ...]:
        """The scene's elements as frame ``k`` shows them."""
        state = self.state(k)
        return tuple(self._element(e, state) for e in self.scene.elements)

    def _element(self, element: Element, state: _State) -> Element:
        if element.kind == "node":
            return self._node(element, state)
        if element.kind == "edge":
            return self._edge(element, state)
        return element

    def _node(self, element: Element, state: _State) -> Element:
        items: list[Item] = []
        filled = False
        mark = state.marks.get(element.id)
        for item in element.items:
            if isinstance(item, Text):
                items.append(self._text(element.id, item, state))
                continue
            if item.fill is not None and not filled:  # the node's background: the player colours it by gradient
                filled = True
                item = replace(item, fill=state.fills.get(element.id, item.fill))
            if mark is not None and item.stroke is not None:
                item = replace(item, stroke=mark[0], width=mark[1], dashed=False)
            items.append(item)
        return replace(element, items=tuple(items))

    def _text(self, node: str, text: Text, state: _State) -> Text:
        word = _first_word(text.text)
        if word in ("data", "out") and node in self.computed:
            if node not in state.data:
                return replace(text, text=f"{word} ?", color=UNKNOWN)
            value = state.data[node]
            return text if value is None else replace(text, text=f"{word} {value}")
        if word == self.row_word:
            if node in state.rows:
                return replace(text, text=f"{word} {state.rows[node]}")
            return replace(text, text=f"{word} ?", color=UNKNOWN)
        return text

    def _edge(self, element: Element, state: _State) -> Element:
        neutral = self.data.get("neutralEdge")
        colour: tuple[str, float, bool] | None = None
        if neutral:
            colour = (neutral["color"], float(neutral["width"]), False)
        if element.id in state.edge_colours:
            colour = (*state.edge_colours[element.id], False)
        colour = state.marks.get(element.id, colour)
        if colour is None:
            return element
        ink, width, dashed = colour
        items: list[Item] = []
        for item in element.items:
            if isinstance(item, Shape) and item.kind == "bezier":
                item = replace(item, stroke=ink, width=width, dashed=dashed)
            elif isinstance(item, Shape):  # the arrowhead
                item = replace(item, stroke=ink, fill=ink if item.fill is not None else None)
            items.append(item)
        return replace(element, items=tuple(items))

    def caption(self, k: int) -> list[str]:
        """The player's text at frame ``k``: the step counter, the context, then the step's lines."""
        total = len(self.steps)
        current = self.steps[k - 1] if k > 0 else None
        if current is None:
            phase = "start"
        elif k == total:
            phase = "done"
        else:
            phase = "forward pass" if current["kind"] == "forward" else "backward pass"
        lines = [f"step {k} / {total} \u00b7 {phase}"]
        if current is not None and current.get("context"):
            lines.append(str(current["context"]))
        if current is None:
            text = self.data["intro"]
        elif k == total:  # the done text's first line: the picture shows every gradient its list would
            text = f"{current['text']}\n\n{self.data['done'].splitlines()[0]}"
        else:
            text = current["text"]
        lines.extend(text.replace("Press Next (or \u2192).", "").rstrip().split("\n"))
        return lines
