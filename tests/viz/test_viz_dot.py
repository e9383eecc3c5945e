"""draw_dot(): golden DOT source, colours, determinism, clusters, collapsing and the size guard."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import graphviz
import pytest

from autograd_core import Value
from viz import GraphTooLargeError, draw_dot
from viz.style import KIND_BORDER, KIND_FILL

GOLDEN_PRODUCT = """\
digraph autograd {
	graph [fontname=Helvetica nodesep=0.25 rankdir=LR ranksep=0.4]
	node [fontname=Helvetica fontsize=11 height=0.3]
	edge [arrowsize=0.6 color="#6b7280"]
	v0 [label="{ a | data 2.0000 | grad -3.0000 }" fillcolor="#dbeafe" id=v0 shape=record style=filled]
	v1 [label="{ b | data -3.0000 | grad 2.0000 }" fillcolor="#dbeafe" id=v1 shape=record style=filled]
	v2 [label="{ c | data -6.0000 | grad 1.0000 }" fillcolor="#c9f0d3" id=v2 penwidth=2 shape=record style=filled]
	op2 [label="*" fillcolor="#f4f4f5" fontsize=12 height=0.3 id=op2 margin=0.04 shape=ellipse style=filled width=0.3]
	op2 -> v2 [id=e2_out]
	v0 -> op2 [id=e2_0]
	v1 -> op2 [id=e2_1]
}
"""


def product() -> Value:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    c.backward()
    return c


def node_line(source: str, node_id: str) -> str:
    match = re.search(rf"^\s*{node_id} \[.*\]$", source, flags=re.M)
    assert match, f"no node {node_id} in\n{source}"
    return match.group(0)


def test_golden_source_of_a_product():
    g = draw_dot(product())
    assert isinstance(g, graphviz.Digraph)
    assert g.source == GOLDEN_PRODUCT


def test_same_graph_built_twice_draws_the_same(diamond, mlp):
    assert draw_dot(diamond()[0]).source == draw_dot(diamond()[0]).source
    assert draw_dot(mlp(), group_by="neuron").source == draw_dot(mlp(), group_by="neuron").source


def test_kinds_have_their_colours():
    x = Value(1.5, "x")
    w = Value(0.5, "layers.0.neurons.0.w.0")
    h = w * x + 2.0
    h.label = "h"
    out = h.tanh()
    out.label = "out"
    source = draw_dot(out).source
    # topological order, parents in argument order: w, x, w * x, the constant 2, h, out
    expected = {"v0": "param", "v1": "input", "v2": "intermediate", "v3": "constant", "v4": "intermediate", "v5": "output"}
    for node_id, kind in expected.items():
        assert f'fillcolor="{KIND_FILL[kind]}"' in node_line(source, node_id), (node_id, kind)
    assert 'label="{ v3 | data 2.0000 | grad ' in node_line(source, "v3")  # unlabelled: its generated name
    assert node_line(source, "op5").startswith("\top5 [label=tanh ")
    assert "\tv4 -> op5 [id=e5_0]" in source


def test_show_grad_false_leaves_out_the_gradient():
    line = node_line(draw_dot(product(), show_grad=False).source, "v0")
    assert 'label="{ a | data 2.0000 }"' in line


def test_color_by_grad_fills_by_sign_and_weights_edges(diamond):
    root, _ = diamond()  # dL/da = -3, dL/db = -8, dL/dc = -1, dL/dd = -6
    x = Value(2.0, "x")
    y = x * 3.0
    y.label = "y"
    y.backward()
    source = draw_dot(root, color_by_grad=True).source
    a_line, b_line = node_line(source, "v0"), node_line(source, "v1")
    red = re.compile(r'fillcolor="#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})"')
    rb, gb, bb = (int(h, 16) for h in red.search(b_line).groups())
    ra, ga, ba = (int(h, 16) for h in red.search(a_line).groups())
    assert rb > bb and ra > ba  # negative gradients are red
    assert gb < ga  # |dL/db| = 8 > |dL/da| = 3: b is the darker
    assert f'color="{KIND_BORDER["input"]}"' in a_line  # the kind moves to the border
    assert "blue = positive gradient" in source
    widths = [float(w) for w in re.findall(r"-> op\d+ \[.*penwidth=([\d.]+)", source)]
    assert max(widths) == 4.0 and min(widths) < 4.0
    pos = red.search(node_line(draw_dot(y, color_by_grad=True).source, "v1")).groups()  # dy/dx = 3 > 0
    assert int(pos[2], 16) > int(pos[0], 16)  # positive is blue


def test_record_characters_in_labels_are_escaped():
    x = Value(1.0, "{x|<y>}")
    out = x * 2.0
    out.label = "out"
    assert r'label="{ \{x\|\<y\>\} | data 1.0000 | grad 0.0000 }"' in draw_dot(out).source


def test_group_by_neuron_nests_neuron_clusters_in_layer_clusters(mlp):
    source = draw_dot(mlp(), group_by="neuron").source
    assert re.findall(r'subgraph "cluster_([^"]+)"', source) == [
        "layers.0", "layers.0.neurons.0", "layers.0.neurons.1", "layers.0.neurons.2", "layers.1", "layers.1.neurons.0"
    ]
    start = source.index('\t\tsubgraph "cluster_layers.0.neurons.1" {')
    inside = source[start: source.index("\n\t\t}", start)]
    assert 'label="neurons.1"' in inside
    # The neuron's own nodes are drawn inside its cluster, named relative to it; nothing else is.
    names = re.findall(r'label="\{ ([^ ]+) \|', inside)
    assert sorted(names) == ["b", "out", "sum#1", "sum#2", "w.0", "w.1", "wx#1", "wx#2"]
    assert inside.count("label=tanh") == 1
    # Inputs, constants and the loss stay at the top level (one tab in).
    for name in ("x0", "x1", "loss", "v37"):
        assert re.search(rf'^\tv\d+ \[label="\{{ {name} \|', source, flags=re.M), name


def test_group_by_layer_draws_one_cluster_per_layer(mlp):
    source = draw_dot(mlp(), group_by="layer").source
    assert re.findall(r'subgraph "(cluster_[^"]+)"', source) == ["cluster_layers.0", "cluster_layers.1"]
    assert "{ neurons.2.w.1 | data" in source


def test_collapse_neuron_draws_one_box_per_neuron(mlp):
    root = mlp()
    source = draw_dot(root, collapse="neuron").source
    boxes = re.findall(r'^\t(c\d+) \[label="\{ (layers\.\d\.neurons\.\d) \| (\d+) params, (\d+) nodes \| out ([-\d.]+)',
                       source, flags=re.M)
    assert sorted((b[0], b[1], b[2], b[3]) for b in boxes) == [
        ("c0", "layers.0.neurons.0", "3", "8"), ("c1", "layers.0.neurons.1", "3", "8"),
        ("c2", "layers.0.neurons.2", "3", "8"), ("c3", "layers.1.neurons.0", "4", "11"),
    ]
    assert "neurons.0.w.0" not in source and "wx" not in source
    ids = {b[1]: b[0] for b in boxes}
    # Each input feeds every first-layer neuron; each first-layer neuron feeds the second layer; no duplicates.
    for n in range(3):
        assert re.search(rf"^\tv\d+ -> {ids[f'layers.0.neurons.{n}']} ", source, flags=re.M)
        assert source.count(f"\t{ids[f'layers.0.neurons.{n}']} -> {ids['layers.1.neurons.0']} ") == 1
    out = root.parents[0].parents[0]  # loss = (out - 0.5) ** 2
    assert f"out {out.data:.4f} | grad {out.grad:.4f}" in source


def test_collapse_layer_and_the_guard(mlp):
    big = mlp((2, 8, 8, 1))
    with pytest.raises(GraphTooLargeError, match=r"value nodes to draw, more than max_nodes=100.*collapse='neuron'"):
        draw_dot(big, max_nodes=100)
    with pytest.raises(GraphTooLargeError, match=r"collapse='layer'"):
        draw_dot(big, collapse="neuron", max_nodes=10)
    source = draw_dot(big, collapse="layer", max_nodes=10).source
    assert len(re.findall(r"^\tc\d+ \[", source, flags=re.M)) == 3
    assert draw_dot(big, max_nodes=None).source.count("shape=record") > 300


def test_guard_without_neurons_suggests_a_smaller_graph():
    x = Value(1.0, "x")
    for _ in range(20):
        x = x * 1.0
    with pytest.raises(GraphTooLargeError, match="draw a smaller part") as info:
        draw_dot(x, max_nodes=5)
    assert "collapse" not in str(info.value)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"rankdir": "XY"}, "rankdir must be one of LR, RL, TB, BT, got 'XY'"),
        ({"group_by": "neurons"}, "group_by must be None, 'neuron' or 'layer', got 'neurons'"),
        ({"collapse": True}, "collapse must be None, 'neuron' or 'layer', got True"),
        ({"max_nodes": 0}, "max_nodes must be a positive int or None, got 0"),
        ({"max_nodes": 2.5}, "max_nodes must be a positive int or None, got 2.5"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        draw_dot(product(), **options)


def test_a_non_value_is_refused():
    with pytest.raises(TypeError, match="expected the Value whose graph to draw, got float 1.0"):
        draw_dot(1.0)


def test_rankdir_is_passed_through():
    assert "rankdir=TB" in draw_dot(product(), rankdir="TB").source


def test_the_engine_does_not_import_graphviz():
    code = "import sys, autograd_core; print(sorted(m for m in sys.modules if m.split('.')[0] in ('graphviz', 'viz')))"
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
