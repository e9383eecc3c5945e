"""Forward mode in viz: ``explain(root, tangents=...)`` and the forward-mode player's steps, checked by hand."""

from __future__ import annotations

import json
import re

import pytest

from autograd_core import Value, jvp
from nn import MLP
from viz import draw_dot, explain
from viz.drawing import pipe
from viz.player import player_html
from viz.tangents import forward_pass
from viz.trace import trace

# L = c * d with c = a * b, d = a + b, a = 2, b = -3 (c = -6, d = -1). With ȧ = 1, ḃ = 0, by hand:
# ċ = b·ȧ = -3, ḋ = 1·ȧ = 1, L̇ = d·ċ + c·ḋ = (-1)(-3) + (-6)(1) = -3, which is dL/da.
DIAMOND_ALONG_A = """\
forward mode: each node's tangent ṅ = Σ ∂n/∂p · ṗ, parents first
ȧ = 1.0000  (the tangents given; every other input is held fixed)
ċ = ∂c/∂a · ȧ = (-3.0000) · 1.0000 = -3.0000  (c = a * b)
ḋ = ∂d/∂a · ȧ = 1.0000 · 1.0000 = 1.0000  (d = a + b)
L̇ = ∂L/∂c · ċ + ∂L/∂d · ḋ = (-1.0000) · (-3.0000) + (-6.0000) · 1.0000 = -3.0000  (L = c * d)
L̇ = -3.0000: the derivative of L along the tangents given
"""


def page_data(html_text: str) -> dict:
    return json.loads(re.search(r'class="ag-data">(.*?)</script>', html_text, flags=re.S).group(1))


def test_diamond_along_a_matches_hand_computed_numbers(diamond):
    root, nodes = diamond()
    assert explain(root, tangents={nodes["a"]: 1.0}) == DIAMOND_ALONG_A
    assert nodes["a"].grad == -3.0  # the same number, by reverse mode


def test_both_inputs_moving_give_the_sum_of_the_gradients(diamond):
    root, nodes = diamond()
    text = explain(root, tangents={nodes["a"]: 1.0, nodes["b"]: 1.0})
    # ċ = b + a = -1, ḋ = 2, L̇ = (-1)(-1) + (-6)(2) = -11 = dL/da + dL/db = -3 - 8.
    assert "ċ = ∂c/∂a · ȧ + ∂c/∂b · ḃ = (-3.0000) · 1.0000 + 2.0000 · 1.0000 = -1.0000  (c = a * b)" in text
    assert text.splitlines()[1] == "ȧ = 1.0000, ḃ = 1.0000  (the tangents given; every other input is held fixed)"
    assert text.endswith("L̇ = -11.0000: the derivative of L along the tangents given\n")
    assert forward_pass(root, {nodes["a"]: 1.0, nodes["b"]: 1.0}).output == nodes["a"].grad + nodes["b"].grad


def test_a_node_no_tangent_reaches_has_no_line_and_tangent_zero():
    x, y, z = Value(1.5, "x"), Value(2.0, "y"), Value(-1.0, "z")
    u = y * z
    u.label = "u"
    L = (x + u).tanh()
    L.label = "L"
    text = explain(L, tangents={x: 1.0})
    assert "u̇" not in text and "(u = y * z)" not in text
    run = forward_pass(L, {x: 1.0})
    assert run.tangents()[trace(L).node_of(u).index] == 0.0
    assert run.output == pytest.approx(jvp(lambda x: (x + u.data).tanh(), [1.5], [1.0])[1], rel=1e-15)


def test_the_lines_come_from_the_engine_not_a_second_rule():
    w, x, b = Value(-3.0, "w"), Value(2.0, "x"), Value(6.88, "b")
    L = (w * x + b).tanh()
    L.label = "L"
    run = forward_pass(L, {x: 1.0})
    assert run.output == jvp(lambda w, x, b: (w * x + b).tanh(), [-3.0, 2.0, 6.88], [0.0, 1.0, 0.0])[1]
    assert [t.equation for t in run.nodes][-1] == "L̇ = ∂L/∂v2 · v̇2 = 0.5010 · (-3.0000) = -1.5029"


def test_a_neurons_lines_use_its_short_names():
    model = MLP(2, [3, 1], activation="tanh", output_activation="tanh", seed=1)
    x0, x1 = Value(1.0, "x[0]"), Value(-2.0, "x[1]")
    out = model.layers[0].neurons[1]([x0, x1])
    lines = explain(out, tangents={x0: 1.0}).splitlines()
    assert lines[1] == "(x[0])˙ = 1.0000  (the tangents given; every other input is held fixed)"
    assert lines[2] == "layers.0.neurons.1:"
    assert lines[3].startswith("  (wx.0)˙ = ∂wx.0/∂x[0] · (x[0])˙ = 0.6461 · 1.0000 = 0.6461  (wx.0 = w.0 * x[0])")
    assert not any(line.startswith("  (wx.1)˙") for line in lines)  # x[1] is held fixed: w.1 * x[1] does not move


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda L, a: explain(L, 2.0, tangents={a: 1.0}), ValueError, "no use for it"),
        (lambda L, a: explain(L, tangents={"a": 1.0}), TypeError, "leaf Values"),
        (lambda L, a: explain(L, tangents={L: 1.0}), ValueError, "leaves only"),
        (lambda L, a: explain(L, tangents={a: "1"}), TypeError, "real number"),
        (lambda L, a: player_html(L, tangents={a: 1.0}, collapse="neuron"), ValueError, "backward pass"),
        (lambda L, a: player_html(L, tangents={a: 1.0}, color_by_grad=True), ValueError, "backward pass"),
        (lambda L, a: draw_dot(L, tangents={0: 1.0}, color_by_grad=True), ValueError, "shows none"),
    ],
)
def test_bad_arguments_are_refused(diamond, call, error, match):
    root, nodes = diamond()
    with pytest.raises(error, match=match):
        call(root, nodes["a"])


def test_the_player_plays_value_and_tangent_node_by_node(dot_program, diamond):
    root, nodes = diamond()
    page = player_html(root, tangents={nodes["a"]: 1.0})
    data = page_data(page)
    graph = trace(root)
    assert [s["kind"] for s in data["steps"]] == ["forward"] * 3 and data["rowWord"] == "tangent"
    assert [s["node"] for s in data["steps"]] == [graph.node_of(nodes[n]).id for n in "cdL"]
    assert [s["tangent"] for s in data["steps"]] == ["-3.0000", "1.0000", "-3.0000"]
    assert data["steps"][2]["text"] == (
        "L = c * d = -6.0000 * (-1.0000) = 6.0000\n"
        "L̇ = ∂L/∂c · ċ + ∂L/∂d · ḋ = (-1.0000) · (-3.0000) + (-6.0000) · 1.0000"
        " = -3.0000"
    )
    assert data["given"] == {graph.node_of(nodes["a"]).id: "1.0000", graph.node_of(nodes["b"]).id: "0.0000"}
    assert "L̇ = -3.0000" in data["done"] and "<title>Forward mode of L</title>" in page
    assert "grad" not in " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", page))  # tangents, never gradients
    assert "backward" not in page.split('class="ag-legend"')[1].split("</div>")[0]


def test_the_drawing_shows_tangents_in_place_of_gradients(dot_program, diamond):
    root, nodes = diamond()
    run = forward_pass(root, {nodes["b"]: 2.0})
    svg = pipe(draw_dot(root, tangents=run.tangents()), "svg").decode().replace("&#45;", "-")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # ḃ = 2: ċ = a·2 = 4, ḋ = 2, L̇ = d·4 + c·2 = -4 - 12 = -16.
    assert [t for t in texts if t.startswith("tangent")] == [
        "tangent 0.0000",
        "tangent 2.0000",
        "tangent 4.0000",
        "tangent 2.0000",
        "tangent -16.0000",
    ]
    assert not any(t.startswith("grad") for t in texts)


def test_the_command_line_explains_and_plays_forward_mode(tmp_path, dot_program):
    from viz.cli import main

    page = tmp_path / "forward.html"
    assert main(["tanh(w*x + b)", "w=-3", "x=2", "b=6.88", "--tangent", "x=1", "-o", str(page)]) == 0
    assert page_data(page.read_text())["rowWord"] == "tangent"


def test_the_command_lines_tangents_name_inputs(capsys):
    from viz.cli import main

    assert main(["a*b + a", "a=2", "b=-3", "--explain", "--tangent", "a=1", "--tangent", "b=1"]) == 0
    out = capsys.readouterr().out
    # (a*b)˙ = b + a = -1, L̇ = -1 + 1 = 0 = dL/da + dL/db = -2 + 2.
    assert out.splitlines()[1] == "ȧ = 1.0000, ḃ = 1.0000  (the tangents given; every other input is held fixed)"
    assert out.endswith("L̇ = 0.0000: the derivative of L along the tangents given\n")
    assert main(["a*b", "a=2", "b=-3", "--explain", "--tangent", "c=1"]) == 2
    assert "--tangent names 'c', not an input of the expression; the inputs are a, b" in capsys.readouterr().err
