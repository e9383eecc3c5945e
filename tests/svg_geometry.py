"""Where Graphviz put things: node boxes, cluster boxes and edge curves read from a rendered SVG.

``out_of_order`` checks a network's reading order in a drawing (inputs,
weights, products, neurons). Coordinates are SVG user units (points; y grows downwards on the screen), so
"above" means a smaller y and "left of" a smaller x.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from autograd_core import Value
from nn.places import Role
from viz.trace import trace

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def center(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        return self.left + margin < x < self.right - margin and self.top + margin < y < self.bottom - margin


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def _points(element: ET.Element) -> list[tuple[float, float]]:
    """The points of a polygon, a path's control points, an ellipse's extremes or a text's anchor."""
    tag = element.tag.replace(SVG, "")
    if tag in ("polygon", "polyline"):
        values = _numbers(element.get("points", ""))
    elif tag == "path":
        values = _numbers(element.get("d", ""))
    elif tag == "ellipse":
        cx, cy, rx, ry = (float(element.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return [(cx - rx, cy - ry), (cx + rx, cy + ry)]
    elif tag == "text":  # a node that is only text (no outline): its anchor
        return [(float(element.get("x")), float(element.get("y")))]
    else:
        return []
    return list(zip(values[0::2], values[1::2]))


def _box(points: list[tuple[float, float]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Box(min(xs), min(ys), max(xs), max(ys))


def _translate(root: ET.Element) -> tuple[float, float]:
    graph = root.find(f"{SVG}g")
    match = re.search(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)", graph.get("transform", ""))
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


@dataclass
class Drawing:
    """A rendered SVG: node boxes by id, cluster boxes by title, edge curves by id, the picture's size."""

    nodes: dict[str, Box]
    clusters: dict[str, Box]
    titles: dict[str, Box]  # each cluster's title text (its width estimated from its length)
    edges: dict[str, list[tuple[float, float]]]  # sampled points along each edge's curve
    width_pt: float
    height_pt: float

    @property
    def size_px(self) -> tuple[float, float]:
        """The picture's size in CSS pixels (96 per inch; SVG points are 72 per inch)."""
        return (self.width_pt * 96 / 72, self.height_pt * 96 / 72)


def _sample_path(d: str, dx: float, dy: float) -> list[tuple[float, float]]:
    """Points along a Graphviz edge path (M x,y C x,y x,y x,y ...): cubic Beziers sampled 20 times each."""
    values = _numbers(d)
    pts = [(x + dx, y + dy) for x, y in zip(values[0::2], values[1::2])]
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(1, 21):
            t = k / 20
            out.append(
                tuple(
                    (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c + t**3 * e
                    for a, b, c, e in zip(p0, p1, p2, p3)
                )
            )
    return out


def read_svg(svg: str) -> Drawing:
    """Parse Graphviz's SVG output."""
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    dx, dy = _translate(root)
    width = float(re.match(r"[\d.]+", root.get("width")).group(0))
    height = float(re.match(r"[\d.]+", root.get("height")).group(0))
    nodes, clusters, titles, edges = {}, {}, {}, {}
    for g in root.iter(f"{SVG}g"):
        kind = g.get("class")
        if kind == "node":
            points = [p for child in g for p in _points(child)]
            if points:
                box = _box(points)
                nodes[g.get("id")] = Box(box.left + dx, box.top + dy, box.right + dx, box.bottom + dy)
        elif kind == "cluster":
            title = g.find(f"{SVG}title").text.removeprefix("cluster_")
            points = [p for child in g for p in _points(child)]
            box = _box(points)
            clusters[title] = Box(box.left + dx, box.top + dy, box.right + dx, box.bottom + dy)
            text = g.find(f"{SVG}text")
            if text is not None:
                size, x, y = float(text.get("font-size")), float(text.get("x")) + dx, float(text.get("y")) + dy
                width = 0.6 * size * len(text.text or "")
                left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor", "start")]
                titles[title] = Box(left, y - size, left + width, y + 0.25 * size)
        elif kind == "edge":
            path = g.find(f"{SVG}path")
            if path is not None:
                edges[g.get("id")] = _sample_path(path.get("d"), dx, dy)
    return Drawing(nodes, clusters, titles, edges, width, height)


def font_sizes(svg: str) -> list[float]:
    """Every font size used by a text in the picture (points)."""
    return [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]


def out_of_order(root: Value, drawing: Drawing, rankdir: str) -> list[str]:
    """Which sequences do not read in order: inputs, each neuron's weights and products, each layer's neurons."""
    axis = 1 if rankdir == "LR" else 0  # top to bottom, or left to right
    sequences = defaultdict(list)
    for node in trace(root).nodes:
        place = node.place
        if place is None:
            continue
        if place.role is Role.INPUT:
            sequences["inputs"].append((place.index, node.id))
        elif place.role in (Role.WEIGHT, Role.PRODUCT):
            sequences[f"{place.neuron} {place.role.value}s"].append((place.index, node.id))
        elif place.role is Role.OUTPUT and place.layer is not None:
            sequences[f"{place.layer} neurons"].append((place.order, node.id))
    wrong = []
    for name, items in sequences.items():
        where = [drawing.nodes[node_id].center[axis] for _, node_id in sorted(items)]
        if where != sorted(where) or len(set(where)) != len(where):
            wrong.append(name)
    return wrong
