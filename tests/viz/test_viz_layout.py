"""Where Graphviz puts things, read back from the SVG: reading order, edges clear of labels, sizes for a slide."""

from __future__ import annotations

import pytest
from gallery import slide_fit
from svg_geometry import Drawing, font_sizes, out_of_order, read_svg

from autograd_core import Value
from nn import MLP, Layer, Neuron
from nn.places import Role
from viz import draw_dot
from viz.drawing import pipe
from viz.trace import trace


def mlp(sizes: tuple[int, ...]) -> Value:
    model = MLP(sizes[0], list(sizes[1:]), activation="tanh", seed=1)
    out = model([0.5 * (i + 1) for i in range(sizes[0])])
    root = Value.sum(out) if isinstance(out, list) else out
    root.backward()
    return root


def layer_used_backwards() -> Value:
    """Neuron 1's output is the first factor, so its nodes come first in the topological numbering."""
    a, b = Layer(2, 2, "tanh", seed=2)([1.0, -1.0])
    root = b * a
    root.backward()
    return root


GRAPHS = {
    "neuron(3)": lambda: Neuron(3, "tanh", seed=1)([1.0, 2.0, 3.0]),
    "mlp 2-3-1": lambda: mlp((2, 3, 1)),
    "mlp 3-2-2": lambda: mlp((3, 2, 2)),
    "mlp 2-4-4-1": lambda: mlp((2, 4, 4, 1)),
    "layer used backwards": layer_used_backwards,
}


def render(root: Value, **options) -> tuple[Drawing, str]:
    svg = pipe(draw_dot(root, max_nodes=None, **options), "svg").decode()
    return read_svg(svg), svg


@pytest.mark.parametrize("group_by", [None, "neuron", "layer"])
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_inputs_weights_products_and_neurons_read_in_order(dot_program, name, rankdir, group_by):
    root = GRAPHS[name]()
    drawing, _ = render(root, rankdir=rankdir, group_by=group_by)
    assert out_of_order(root, drawing, rankdir) == []


def test_the_topological_numbering_really_is_backwards():
    graph = trace(layer_used_backwards())
    first = next(n for n in graph.nodes if n.place is not None and n.place.role is Role.OUTPUT)
    assert first.place.neuron == "neurons.1"


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_collapsed_neurons_stand_in_order_under_their_layer(dot_program, rankdir):
    root = mlp((2, 16, 16, 1))
    drawing, _ = render(root, rankdir=rankdir, collapse="neuron")
    axis = 1 if rankdir == "LR" else 0
    boxes = sorted((k for k in drawing.nodes if k.startswith("c")), key=lambda k: int(k[1:]))
    for layer, ids in (("layers.0", boxes[:16]), ("layers.1", boxes[16:32])):
        header = f"h{ids[0]}"
        where = [drawing.nodes[i].center[axis] for i in [header, *ids]]
        assert where == sorted(where), layer


def crossings(drawing: Drawing, margin: float = 2.0) -> list[tuple[str, str]]:
    """(edge, node or cluster title) for every edge that runs over a node other than the two it joins, or a title."""
    found = []
    for edge_id, points in drawing.edges.items():
        ends = {points[0], points[-1]}
        mine = {n for n, box in drawing.nodes.items() if any(box.contains(x, y, -3.0) for x, y in ends)}
        for node_id, box in drawing.nodes.items():
            if node_id not in mine and any(box.contains(x, y, margin) for x, y in points):
                found.append((edge_id, node_id))
        for cluster, box in drawing.titles.items():
            if any(box.contains(x, y) for x, y in points):
                found.append((edge_id, f"title of {cluster}"))
    return found


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_no_edge_runs_over_a_label_between_collapsed_layers(dot_program, rankdir):
    drawing, _ = render(mlp((2, 16, 16, 1)), collapse="neuron", rankdir=rankdir)
    assert len(drawing.edges) == 2 * 16 + 16 * 16 + 16
    assert crossings(drawing) == []
    # Every edge leaves its box on the side facing the next layer and enters on the side facing the last one.
    for edge_id, points in drawing.edges.items():
        head = drawing.nodes[edge_id.split("_")[0][1:]]  # b<head>_<tail>
        hx, hy = points[-1]
        if rankdir == "LR":
            assert abs(hx - head.left) < 12, edge_id
        else:
            assert abs(hy - head.top) < 12, edge_id


@pytest.mark.parametrize(
    "root, options",
    [
        (lambda: mlp((2, 3, 1)), {"group_by": "neuron"}),
        (lambda: mlp((2, 3, 1)), {"group_by": "layer"}),
        (lambda: Neuron(3, "tanh", seed=1)([1.0, 2.0, 3.0]), {}),
    ],
    ids=["mlp 2-3-1 by neuron", "mlp 2-3-1 by layer", "neuron(3)"],
)
def test_no_edge_runs_over_a_node_or_a_title(dot_program, root, options):
    drawing, _ = render(root(), **options)
    assert crossings(drawing) == []
    titles = [node_id for node_id in drawing.nodes if node_id.startswith("t")]  # a cluster's title is a node
    assert len(titles) == len(drawing.clusters) and drawing.titles == {}


@pytest.mark.parametrize(
    "root, options",
    [
        (lambda: Neuron(3, "tanh", seed=1)([1.0, 2.0, 3.0]), {}),
        (lambda: mlp((2, 3, 1)), {"group_by": "neuron"}),
        (lambda: mlp((2, 16, 16, 1)), {"collapse": "neuron"}),
        (lambda: mlp((2, 16, 16, 1)), {"collapse": "layer"}),
    ],
    ids=["neuron(3)", "mlp 2-3-1 by neuron", "mlp 2-16-16-1 neurons collapsed", "mlp 2-16-16-1 layers collapsed"],
)
def test_the_drawings_fit_a_slide_readably(dot_program, root, options):
    drawing, svg = render(root(), **options)
    fit = slide_fit(svg)
    assert (round(fit.width_px), round(fit.height_px)) == tuple(round(v) for v in drawing.size_px)
    assert fit.smallest_text_px >= 14, fit  # 14 px reads from the back of a room
    assert min(font_sizes(svg)) >= 12  # points: nothing smaller than the names and numbers


def test_without_graphviz_the_source_is_written_in_reading_order(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no dot: nothing to check the layout with
    source = draw_dot(mlp((2, 3, 1)), group_by="neuron").source
    clusters = [line for line in source.splitlines() if line.startswith('\tsubgraph "cluster_')]
    assert clusters == [
        f'\tsubgraph "cluster_layers.{k}" {{' for k in ("0.neurons.0", "0.neurons.1", "0.neurons.2", "1.neurons.0")
    ]
