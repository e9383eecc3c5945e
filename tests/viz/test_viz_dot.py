"""draw_dot(): golden DOT source, colours and their legend, names within clusters, collapsing, the size guard."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import graphviz
import pytest

from autograd_core import Value
from nn import MLP, Neuron
from viz import GraphTooLargeError, draw_dot
from viz.style import KIND_BORDER, KIND_FILL, grad_fill

GOLDEN_PRODUCT = """\
digraph autograd {
	graph [fontname=Helvetica fontsize=12 nodesep=0.2 rankdir=LR ranksep=0.35]
	node [fontname=Helvetica fontsize=12 shape=plain]
	edge [arrowsize=0.6 color="#6b7280"]
	v0 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" BGCOLOR="#dbeafe" COLOR="#1f2937">\
<TR><TD><B>a</B></TD></TR><TR><TD>data 2.0000</TD></TR><TR><TD>grad -3.0000</TD></TR></TABLE>> id=v0]
	v1 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" BGCOLOR="#dbeafe" COLOR="#1f2937">\
<TR><TD><B>b</B></TD></TR><TR><TD>data -3.0000</TD></TR><TR><TD>grad 2.0000</TD></TR></TABLE>> id=v1]
	v2 [label=<<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" BGCOLOR="#c9f0d3" COLOR="#1f2937">\
<TR><TD><B>c</B></TD></TR><TR><TD>data -6.0000</TD></TR><TR><TD>grad 1.0000</TD></TR></TABLE>> id=v2]
	op2 [label=<*> fillcolor="#f4f4f5" height=0.3 id=op2 margin=0.04 shape=ellipse style=filled width=0.3]
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


def fill_of(source: str, node_id: str) -> str:
    return re.search(r'BGCOLOR="(#[0-9a-f]{6})"', node_line(source, node_id)).group(1)


def names_in(text: str) -> list[str]:
    """The bold names of the value nodes in a piece of DOT source."""
    return re.findall(r"<TD><B>([^<]*)</B></TD>", text)


def cluster_body(source: str, key: str) -> str:
    start = source.index(f'\tsubgraph "cluster_{key}" {{')
    return source[start : source.index("\n\t}", start)]


def test_golden_source_of_a_product():
    g = draw_dot(product())
    assert isinstance(g, graphviz.Digraph)
    assert g.source == GOLDEN_PRODUCT


def test_same_graph_built_twice_draws_the_same(diamond, mlp):
    assert draw_dot(diamond()[0]).source == draw_dot(diamond()[0]).source
    assert draw_dot(mlp(), group_by="neuron").source == draw_dot(mlp(), group_by="neuron").source


def test_kinds_have_their_colours():
    x = Value(1.5, "x")
    w = MLP(1, [1], seed=0).layers[0].neurons[0].w[0]  # a parameter: nn says so (place_of)
    h = w * x + 2.0
    h.label = "h"
    out = h.tanh()
    out.label = "out"
    source = draw_dot(out).source
    # topological order, parents in argument order: w, x, w * x, the constant 2, h, out
    expected = {
        "v0": "param",
        "v1": "input",
        "v2": "intermediate",
        "v3": "constant",
        "v4": "intermediate",
        "v5": "output",
    }
    for node_id, kind in expected.items():
        assert fill_of(source, node_id) == KIND_FILL[kind], (node_id, kind)
    assert names_in(node_line(source, "v3")) == ["2"]  # a constant has no name: it is written as its number
    assert node_line(source, "op5").startswith("\top5 [label=<tanh> ")
    assert "\tv4 -> op5 [id=e5_0]" in source
    lookalike = Value(1.0, "layers.0.neurons.0.w.0") * 2.0  # a label like nn's, but nn did not make it
    assert fill_of(draw_dot(lookalike).source, "v0") == KIND_FILL["input"]


def test_show_grad_false_leaves_out_the_gradient():
    line = node_line(draw_dot(product(), show_grad=False).source, "v0")
    assert "<TD>data 2.0000</TD></TR></TABLE>" in line and "grad" not in line


def test_color_by_grad_fills_by_sign_and_weights_edges(diamond):
    root, _ = diamond()  # dL/da = -3, dL/db = -8, dL/dc = -1, dL/dd = -6
    source = draw_dot(root, color_by_grad=True).source
    a_fill, b_fill = fill_of(source, "v0"), fill_of(source, "v1")
    ra, ga, ba = (int(a_fill[i : i + 2], 16) for i in (1, 3, 5))
    rb, gb, bb = (int(b_fill[i : i + 2], 16) for i in (1, 3, 5))
    assert rb > bb and ra > ba  # negative gradients are red
    assert gb < ga  # |dL/db| = 8 > |dL/da| = 3: b is the darker
    assert f'COLOR="{KIND_BORDER["input"]}"' in node_line(source, "v0")  # the kind moves to the border
    # Edges by the contribution flowing back, on the same scale (8): the largest, 6, is 1 + 3 * 6/8 wide.
    widths = [float(w) for w in re.findall(r"-> op\d+ \[.*penwidth=([\d.]+)", source)]
    assert max(widths) == 3.25 and min(widths) < 2
    x = Value(2.0, "x")
    y = x * 3.0
    y.label = "y"
    y.backward()
    positive = fill_of(draw_dot(y, color_by_grad=True).source, "v0")  # dy/dx = 3 > 0
    assert int(positive[5:7], 16) > int(positive[1:3], 16)  # positive is blue


def test_the_legend_says_what_a_colour_means_in_numbers(diamond):
    root, _ = diamond()
    source = draw_dot(root, color_by_grad=True).source
    # The largest gradient or contribution below the output: dL/db = -8.
    assert "full colour at |grad| &#8805; 8.0000" in source
    for text in ("-8", "-4", "0", "+4", "+8"):
        assert f">{text}</TD>" in source, text
    assert f'BGCOLOR="{grad_fill(-8.0, 8.0)}" BORDER="1">-8</TD>' in source


def test_a_fixed_grad_scale_makes_two_pictures_comparable():
    def picture(k: float, scale: float | None) -> str:
        x = Value(0.0, "x")  # dy/dx = k; the constant k gets x = 0
        y = x * k
        y.label = "y"
        y.backward()
        return draw_dot(y, color_by_grad=True, grad_scale=scale).source

    # Without a scale each picture is full colour at its own largest gradient;
    # with one, the same number has the same colour.
    assert fill_of(picture(0.5, None), "v0") == fill_of(picture(4.0, None), "v0")
    assert fill_of(picture(0.5, 4.0), "v0") == grad_fill(0.5, 4.0) != fill_of(picture(4.0, 4.0), "v0")
    assert "|grad| &#8805; 4.0000" in picture(0.5, 4.0)


def test_text_is_escaped_for_html_labels(dot_program):
    x = Value(1.0, 'a<b>&"c"')
    out = x * 2.0
    out.label = "</TD></TR></TABLE>"
    source = draw_dot(out).source
    assert "<B>a&lt;b&gt;&amp;&quot;c&quot;</B>" in source
    assert "<B>&lt;/TD&gt;&lt;/TR&gt;&lt;/TABLE&gt;</B>" in source
    assert "a&lt;b&gt;&amp;" in draw_dot(out).pipe(format="svg").decode()  # Graphviz reads it as text


# Free text from define_op, shown as written: not markup, not Graphviz's escapes.
OP_NAMES = ["ends\\", "<B>x</B>", "\\N", "\\G", 'say "hi"', "a & b", "a\\\\b"]


@pytest.mark.parametrize("name", OP_NAMES)
def test_op_names_are_text_never_markup_or_escapes(name, dot_program):
    from autograd_core import define_op

    op = define_op(lambda x, out: 2.0, name=name)(lambda x: 2 * x)
    out = op(Value(1.0, "x"))
    source = draw_dot(out).source
    assert f"op1 [label=<{html.escape(name).replace(chr(92), chr(92) * 2)}> " in source
    svg = draw_dot(out).pipe(format="svg").decode()  # Graphviz reads it (a syntax error would raise here)
    shown = re.findall(r'<g id="(v\d|op1)" class="node">.*?<text[^>]*>([^<]*)</text>', svg, flags=re.S)
    assert html.unescape(dict(shown)["op1"]) == name
    out.label = name  # the same text as a node's name
    svg = draw_dot(out).pipe(format="svg").decode()
    shown = re.search(r'<g id="v1" class="node">.*?<text[^>]*>([^<]*)</text>', svg, flags=re.S).group(1)
    assert html.unescape(shown) == name


def test_group_by_neuron_draws_a_box_per_neuron_with_names_within_it(mlp):
    source = draw_dot(mlp(), group_by="neuron").source
    assert re.findall(r'subgraph "cluster_([^"]+)"', source) == [
        "layers.0.neurons.0",
        "layers.0.neurons.1",
        "layers.0.neurons.2",
        "layers.1.neurons.0",
    ]
    inside = cluster_body(source, "layers.0.neurons.1")
    assert re.search(r"\tt\d+ \[label=<<B>layers.0.neurons.1</B>>", inside)  # the title carries the path
    assert sorted(names_in(inside)) == ["b", "out", "sum", "w.0", "w.1", "wx.0", "wx.1"]
    assert inside.count("label=<tanh>") == 1 and inside.count("label=<sum>") == 1
    # Inputs, constants and the loss stay at the top level, with their own names.
    top = source[: source.index("subgraph")] + source[source.rindex("\n\t}") :]
    assert {"x[0]", "x[1]", "loss"} <= set(names_in(top))


def test_a_network_node_its_user_relabelled_is_drawn_in_its_neuron_by_the_users_label():
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w[0].label = "my weight"
    source = draw_dot(model([1.0, -2.0]), group_by="neuron").source
    assert sorted(names_in(cluster_body(source, "layers.0.neurons.1"))) == [
        "b",
        "my weight",
        "out",
        "sum",
        "w.1",
        "wx.0",
        "wx.1",
    ]


def test_group_by_layer_draws_a_box_per_layer(mlp):
    source = draw_dot(mlp(), group_by="layer").source
    assert re.findall(r'subgraph "(cluster_[^"]+)"', source) == ["cluster_layers.0", "cluster_layers.1"]
    assert "neurons.2.w.1" in names_in(cluster_body(source, "layers.0"))


def test_one_neuron_is_named_within_it_and_titled_with_its_path():
    model = MLP(3, [4, 1], seed=0)
    out = model.layers[0].neurons[2]([1.0, 2.0, 3.0])
    source = draw_dot(out).source
    assert sorted(names_in(source))[:5] == ["b", "out", "sum", "w.0", "w.1"]
    assert "<B>layers.0.neurons.2</B>" in source  # the graph's title
    assert {"x[0]", "x[1]", "x[2]"} <= set(names_in(source))
    lone = Neuron(2, seed=0)([1.0, 2.0])  # a Neuron on its own: its names are already short, no title
    assert "labelloc" not in draw_dot(lone).source


def test_collapse_neuron_draws_one_box_per_neuron_in_columns(mlp):
    root = mlp()
    source = draw_dot(root, collapse="neuron").source
    boxes = re.findall(
        r"^\t(c\d+) \[label=<<TABLE[^>]*><TR><TD><B>([^<]+)</B></TD>"
        r"<TD>out ([-\d.]+)</TD><TD>grad ([-\d.]+)",
        source,
        flags=re.M,
    )
    assert sorted((b[0], b[1]) for b in boxes) == [
        ("c0", "neurons.0"),
        ("c1", "neurons.1"),
        ("c2", "neurons.2"),
        ("c3", "neurons.0"),
    ]
    assert "<B>layers.0</B>" in node_line(source, "hc0") and "<B>layers.1</B>" in node_line(source, "hc3")
    assert "wx" not in source and "w.0" not in source
    # Each input feeds every first-layer neuron, each of those the second layer once, entering from the side.
    for n in range(3):
        assert re.search(rf"^\tv\d+ -> c{n} \[.*headport=w.*tailport=e", source, flags=re.M)
        assert source.count(f"\tc{n} -> c3 ") == 1
    out = root.parents[0].parents[0]  # loss = (out - 0.5) ** 2
    assert f"out {out.data:.4f}</TD><TD>grad {out.grad:.4f}" in source


def test_collapse_layer_and_the_guard(mlp):
    big = mlp((2, 8, 8, 1))
    with pytest.raises(GraphTooLargeError, match=r"value nodes to draw, more than max_nodes=100.*collapse='neuron'"):
        draw_dot(big, max_nodes=100)
    with pytest.raises(GraphTooLargeError, match=r"collapse='layer'"):
        draw_dot(big, collapse="neuron", max_nodes=10)
    source = draw_dot(big, collapse="layer", max_nodes=10).source
    box = r"^\t(c\d+) \[label=<<TABLE[^>]*><TR><TD><B>([^<]+)</B></TD><TD>([^<]+)</TD>"
    boxes = re.findall(box, source, flags=re.M)
    boxes.sort()
    assert [(b[0], b[1]) for b in boxes] == [("c0", "layers.0"), ("c1", "layers.1"), ("c2", "layers.2")]
    assert boxes[0][2] == "24 params, 56 nodes"  # 8 neurons of (2 weights, a bias, 2 products, the sum, tanh)
    assert boxes[2][2].startswith("out ")  # a layer of one neuron shows its output
    assert draw_dot(big, max_nodes=None).source.count("<TABLE") > 150


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
        ({"grad_scale": 0}, "grad_scale must be a positive number or None, got 0"),
        ({"grad_scale": "1"}, "grad_scale must be a positive number or None, got '1'"),
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


def imported_packages(module: str) -> list[str]:
    watched = "{'graphviz', 'viz', 'nn'}"
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {watched}))"
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    return eval(result.stdout)  # noqa: S307 - a list of names printed by our own code


def test_the_engine_imports_neither_graphviz_nor_nn():
    assert imported_packages("autograd_core") == []


def test_nn_does_not_import_viz():
    assert imported_packages("nn") == ["nn"]
