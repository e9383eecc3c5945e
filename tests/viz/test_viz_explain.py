"""explain(): the chain-rule steps as text (d for total gradients, ∂ for local derivatives), checked by hand."""

from __future__ import annotations

import pytest

from autograd_core import Value
from nn import MLP
from viz import explain
from viz.explain import explain_steps
from viz.text import format_number

# L = c * d with c = a * b, d = a + b, a = 2, b = -3, so c = -6, d = -1.
# By hand: dL/dc = d = -1, dL/dd = c = -6; dc/da = b = -3, dc/db = a = 2, dd/da = dd/db = 1;
# dL/da = (-1)(-3) + (-6)(1) = -3, dL/db = (-1)(2) + (-6)(1) = -8.
DIAMOND = """\
dL/dL = 1.0000  (the output's gradient with respect to itself)
dL/dc += dL/dL · ∂L/∂c = 1.0000 · -1.0000 = -1.0000  (L = c * d)
dL/dd += dL/dL · ∂L/∂d = 1.0000 · -6.0000 = -6.0000  (L = c * d)
dL/da += dL/dd · ∂d/∂a = -6.0000 · 1.0000 = -6.0000  (d = a + b)
dL/db += dL/dd · ∂d/∂b = -6.0000 · 1.0000 = -6.0000  (d = a + b)
dL/da += dL/dc · ∂c/∂a = -1.0000 · -3.0000 = 3.0000  (c = a * b)  [dL/da = -6.0000 + 3.0000 = -3.0000]
dL/db += dL/dc · ∂c/∂b = -1.0000 · 2.0000 = -2.0000  (c = a * b)  [dL/db = -6.0000 + -2.0000 = -8.0000]
leaf gradients:
  dL/da = -3.0000
  dL/db = -8.0000
"""


def test_diamond_lines_match_hand_computed_numbers(diamond):
    root, nodes = diamond()
    assert explain(root) == DIAMOND
    # The closing gradients are the ones backward() stored.
    assert (nodes["a"].grad, nodes["b"].grad) == (-3.0, -8.0)


def test_steps_follow_the_engine_and_accumulate(diamond):
    root, _ = diamond()
    _, steps = explain_steps(root)
    assert [(s.node.name, s.parent.name) for s in steps] == [
        ("L", "c"),
        ("L", "d"),
        ("d", "a"),
        ("d", "b"),
        ("c", "a"),
        ("c", "b"),
    ]
    assert [s.count for s in steps] == [1, 1, 1, 1, 2, 2]
    assert [s.total for s in steps] == [-1.0, -6.0, -6.0, -6.0, -3.0, -8.0]


def test_explain_touches_no_grad():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    L = a * b + a
    explain(L)
    assert (a.grad, b.grad, L.grad) == (0.0, 0.0, 0.0)


def test_unlabelled_nodes_get_stable_generated_names():
    def build():
        x = Value(3.0, "x")
        return (x * x + 1).tanh()

    first, second = explain(build()), explain(build())
    assert first == second
    lines = first.splitlines()
    # x * x, the + node and the unlabelled output are v1, v2, v3: no gaps, no invented "L".
    assert lines[1].startswith("dv3/dv2 += dv3/dv3 · ∂v3/∂v2 = 1.0000 · ")
    assert lines[1].endswith("(v3 = tanh(v2))")
    # The constant 1 has no name: its number, in the formula and in the summary.
    assert "(v2 = v1 + 1)" in lines[2]
    assert "  dv3/d(1) = 8.2446e-09  (a constant)" in first


def test_the_same_parent_twice_shows_the_running_total():
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    lines = explain(y).splitlines()
    assert lines[1] == "dy/dx += dy/dy · ∂y/∂x = 1.0000 · 3.0000 = 3.0000  (y = x * x)"
    assert lines[2] == (
        "dy/dx += dy/dy · ∂y/∂x = 1.0000 · 3.0000 = 3.0000  (y = x * x)  [dy/dx = 3.0000 + 3.0000 = 6.0000]"
    )
    assert lines[-1] == "  dy/dx = 6.0000"


def test_shared_labels_are_numbered():
    w = Value(0.5, "w")
    s = w * 2.0
    s.label = "sum"
    t = s + w
    t.label = "sum"  # nn reuses one label for a neuron's partial sums
    text = explain(t * 1.0)  # the first node labelled sum keeps the label; the later one is sum#2
    assert "dv1/dsum#2 += " in text and "dv1/dsum += dv1/dsum#2 · ∂sum#2/∂sum" in text


def test_a_label_that_looks_generated_does_not_collide():
    v1 = Value(1.0, "v1")
    out = (v1 * 2.0) + 1.0  # the unlabelled product is node 2, the constant 2 is node 1
    names = [n.name for n in explain_steps(out)[0].nodes]
    assert len(names) == len(set(names))
    assert "v1" in names


def test_non_word_names_are_parenthesised():
    x = Value(2.0, "x")
    y = x * x
    y.label = "x * x"
    z = y.exp()
    z.label = "out"
    assert "dout/d(x * x) += dout/dout · ∂out/∂(x * x) = " in explain(z)
    # The lecture's labels: a product named 'x1*w1' never reads as (dL/dx1)*w1.
    x1, w1 = Value(2.0, "x1"), Value(-3.0, "w1")
    p = x1 * w1
    p.label = "x1*w1"
    n = p + 1.0
    n.label = "n"
    assert "dn/dx1 += dn/d(x1*w1) · ∂(x1*w1)/∂x1 = 1.0000 · -3.0000 = -3.0000" in explain(n)


def test_a_leaf_output_has_no_steps():
    x = Value(2.0, "x")
    assert explain(x).splitlines() == [
        "dx/dx = 1.0000  (the output's gradient with respect to itself)",
        "leaf gradients:",
        "  dx/dx = 1.0000",
    ]


@pytest.mark.parametrize(
    "number, text",
    [
        (0.0, "0.0000"),
        (-0.0, "0.0000"),
        (-3.0, "-3.0000"),
        (0.12345, "0.1235"),
        (2.5e-7, "2.5000e-07"),
        (-1234567.0, "-1.2346e+06"),
        (float("inf"), "inf"),
        (float("nan"), "nan"),
    ],
)
def test_number_format(number, text):
    assert format_number(number) == text


def test_a_network_is_explained_neuron_by_neuron_with_the_drawings_names(mlp):
    text = explain(mlp())
    lines = text.splitlines()
    # Outside the network, full names; then each neuron under its path, with the names its box shows.
    # (the network's unlabelled nodes are none: the first unlabelled node is v1, no gap for the network's)
    assert lines[3].startswith("dloss/d(layers.1.neurons.0.out) += dloss/dv1 · ∂v1/∂(layers.1.neurons.0.out) = ")
    start = lines.index("layers.1.neurons.0:")
    assert lines[start + 1].startswith("  dloss/dsum += dloss/dout · ∂out/∂sum = ")
    assert lines[start + 1].endswith("(out = tanh(sum))")
    assert lines[start + 2].endswith("(sum = sum(wx.0, wx.1, wx.2, b))")
    assert "  dloss/dw.2 += dloss/dwx.2 · ∂wx.2/∂w.2 = " in text
    # Another neuron's node keeps its full name.
    assert "  dloss/d(layers.0.neurons.2.out) += dloss/dwx.2 · ∂wx.2/∂(layers.0.neurons.2.out) = " in text
    leaves = lines[lines.index("leaf gradients:") + 1 :]
    assert leaves[:2] == ["  dloss/dx[0] = -0.0333", "  dloss/dx[1] = -0.0594"]
    assert leaves[leaves.index("  layers.0.neurons.1:") + 1 :][:3] == [
        "    dloss/dw.0 = -0.0479",
        "    dloss/dw.1 = 0.0959",
        "    dloss/db = -0.0479",
    ]


def test_one_neurons_graph_is_explained_within_it():
    neuron = MLP(2, [3, 1], seed=0).layers[0].neurons[1]
    lines = explain(neuron([2.0, -1.0])).splitlines()
    assert lines[:3] == [
        "layers.0.neurons.1:",
        "  dout/dout = 1.0000  (the output's gradient with respect to itself)",
        "  dout/dsum += dout/dout · ∂out/∂sum = 1.0000 · 1.0000 = 1.0000  (out = relu(sum))",
    ]
    assert "  dout/dx[1] += dout/dwx.1 · ∂wx.1/∂x[1] = 1.0000 · -0.8351 = -0.8351  (wx.1 = w.1 * x[1])" in lines
    _, steps = explain_steps(neuron([2.0, -1.0]))
    assert {s.context for s in steps} == {"layers.0.neurons.1"}
