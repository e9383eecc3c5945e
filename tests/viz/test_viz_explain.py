"""explain(): the chain-rule steps as text, checked against numbers worked out by hand."""

from __future__ import annotations

import pytest

from autograd_core import Value
from viz import explain, explain_steps
from viz.text import format_number

# L = c * d with c = a * b, d = a + b, a = 2, b = -3, so c = -6, d = -1.
# By hand: dL/dc = d = -1, dL/dd = c = -6; dc/da = b = -3, dc/db = a = 2, dd/da = dd/db = 1;
# dL/da = (-1)(-3) + (-6)(1) = -3, dL/db = (-1)(2) + (-6)(1) = -8.
DIAMOND = """\
dL/dL = 1.0000  (the output's gradient with respect to itself)
dL/dc += dL/dL * dL/dc = 1.0000 * -1.0000 = -1.0000  (L = c * d)
dL/dd += dL/dL * dL/dd = 1.0000 * -6.0000 = -6.0000  (L = c * d)
dL/da += dL/dd * dd/da = -6.0000 * 1.0000 = -6.0000  (d = a + b)
dL/db += dL/dd * dd/db = -6.0000 * 1.0000 = -6.0000  (d = a + b)
dL/da += dL/dc * dc/da = -1.0000 * -3.0000 = 3.0000  (c = a * b)  [dL/da = -6.0000 + 3.0000 = -3.0000]
dL/db += dL/dc * dc/db = -1.0000 * 2.0000 = -2.0000  (c = a * b)  [dL/db = -6.0000 + -2.0000 = -8.0000]
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
        ("L", "c"), ("L", "d"), ("d", "a"), ("d", "b"), ("c", "a"), ("c", "b")
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
    # The unlabelled output is called L; x * x and the + node get their topological ids.
    assert lines[1].startswith("dL/dv3 += dL/dL * dL/dv3 = 1.0000 * ")
    assert lines[1].endswith("(L = tanh(v3))")
    # The constant 1 appears as its number in the formula and is marked in the summary.
    assert "(v3 = v1 + 1)" in lines[2]
    assert "  dL/dv2 = " in first and "(the constant 1)" in first


def test_the_same_parent_twice_shows_the_running_total():
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    lines = explain(y).splitlines()
    assert lines[1] == "dy/dx += dy/dy * dy/dx = 1.0000 * 3.0000 = 3.0000  (y = x * x)"
    assert lines[2] == "dy/dx += dy/dy * dy/dx = 1.0000 * 3.0000 = 3.0000  (y = x * x)  [dy/dx = 3.0000 + 3.0000 = 6.0000]"
    assert lines[-1] == "  dy/dx = 6.0000"


def test_shared_labels_are_numbered():
    w = Value(0.5, "w")
    s = w * 2.0
    s.label = "sum"
    t = s + w
    t.label = "sum"  # nn reuses one label for a neuron's partial sums
    text = explain(t * 1.0)
    assert "dL/dsum#2 += " in text and "dL/dsum#1 += dL/dsum#2 * dsum#2/dsum#1" in text


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
    assert "dout/d(x * x) += dout/dout * dout/d(x * x) = " in explain(z)


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
