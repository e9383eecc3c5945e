"""One naming rule: every printout names the same nodes the same (``autograd_core.notation.node_names``).

The names are parsed back out of ``explain`` (backward and forward mode),
``explain_forward``, the player's steps, an exercise's questions and the
compiled ``.source``: each printout's definitions (``v2 = v1 + b``) must be
the rule's, node for node, and every name after a ``d`` or a ``∂`` one of
them. Graphviz draws the player (its steps are read, not its picture).
"""

from __future__ import annotations

import re

import pytest

from autograd_core import Value, compile, explain_forward, topological_order
from autograd_core.compiler.names import identifier
from autograd_core.notation import node_names
from viz import exercise, explain
from viz.player import player_parts

_TOKEN = re.compile(r"[^\W\d][\w.#\[\]]*|\d+(?:\.\d+)?")
_FUNCTIONS = {"tanh", "op_tanh"}


def _operands(rhs: str) -> tuple:
    """``v1 + 2`` -> ('v1', 2.0): the names and numbers an op is applied to, in order."""
    tokens = [t for t in _TOKEN.findall(rhs) if t not in _FUNCTIONS]
    return tuple(float(t) if t[0].isdigit() else t for t in tokens)


def _definitions(pairs) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    for name, rhs in pairs:
        operands = _operands(rhs)
        assert found.setdefault(name, operands) == operands, f"{name} defined two ways"
    return found


def _from_lines(lines, pattern: str) -> dict[str, tuple]:
    return _definitions(m.groups() for line in lines if (m := re.search(pattern, line)))


_MADE_BY = r"  \((\S+) = (.*)\)(?:  \[.*)?$"  # explain's "(v2 = v1 + b)" at the end of a line


def _derivative_names(lines) -> set[str]:
    """Every name after a d or a ∂ (``dv4/da#2``, ``∂v1/∂x1``); a constant's ``(2)`` left out."""
    names = set()
    for top, bottom in re.findall(r"(?:^|[\s\[(])[d∂]([^\s/()]+)/[d∂](\([^)]*\)|[^\s)\]]+)", "\n".join(lines)):
        names.update(n for n in (top, bottom) if not n.startswith("("))
    return names


def _expected(root: Value, variables=()) -> dict[str, tuple]:
    names = node_names(topological_order(root), variables)
    return {
        names[n]: tuple(names[p] if p in names else float(p.data) for p in n.parents)
        for n in topological_order(root)
        if n.parents
    }


def lecture_neuron(x1, x2, w1, w2, b):
    """The micrograd lecture's neuron, its products and sums unlabelled."""
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.label = "o"
    return o


def shared_label_and_constant(a, b):
    """A label used by two nodes (``a``), a constant (2.0), unlabelled nodes and an unlabelled output."""
    c = a * b
    c.label = "a"
    return (c + 2.0).tanh() * a + c


GRAPHS = {
    "lecture neuron": (
        lecture_neuron,
        {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432},
        {"v1": ("x1", "w1"), "v2": ("x2", "w2"), "v3": ("v1", "v2"), "v4": ("v3", "b"), "o": ("v4",)},
    ),
    "shared label, constant": (
        shared_label_and_constant,
        {"a": 2.0, "b": -0.5},
        {"a#2": ("a", "b"), "v1": ("a#2", 2.0), "v2": ("v1",), "v3": ("v2", "a"), "v4": ("v3", "a#2")},
    ),
}


@pytest.mark.parametrize("graph", GRAPHS)
def test_every_printout_names_the_same_nodes_the_same(graph):
    f, inputs, expected = GRAPHS[graph]
    leaves = [Value(x, name) for name, x in inputs.items()]
    root = f(*leaves)
    assert _expected(root) == expected  # the rule itself: labels, x#2, v1, v2, ... without gaps, no "L"
    names = set(expected) | set(inputs)

    backward = explain(root).splitlines()
    assert _from_lines(backward, _MADE_BY) == expected
    assert _derivative_names(backward) == names

    tangents = {leaves[0]: 1.0}
    moved = _from_lines(explain_forward(root, tangents).splitlines(), r"^(\S+) = (.*?):\s")  # the nodes x1 moves
    assert moved and moved == {name: expected[name] for name in moved}
    assert _from_lines(explain(root, tangents=tangents).splitlines(), _MADE_BY) == moved

    steps = player_parts(root).steps
    assert _from_lines(steps, r"^([^d\s]\S*) = (.*?) = ") == expected  # the forward steps: v1 = x1 * w1 = ...
    assert _from_lines(steps, _MADE_BY) == expected
    assert _derivative_names(steps) == names

    questions = exercise(root).questions
    assert _definitions(q.made.split(" = ", 1) for q in questions) == expected
    assert _derivative_names([q.asked for q in questions]) == names
    asked_about_a2 = False
    for q in questions:  # a name with a suffix is answered as Python writes it: a#2 as a_2
        if "a#2 (write" in q.inputs:  # a question about a node made from a#2
            assert "a#2 (write a_2) = -1.0000" in q.inputs and q.names["a_2"] == -1.0
            asked_about_a2 = True
            assert q.check("a_2 - a_2").status != "unreadable"  # the name is known
    assert asked_about_a2 == ("a#2" in names)

    source = compile(f, list(inputs.values())).source
    forward_code = source.split("# forward")[1].split("# backward")[0].splitlines()
    code_names = {name: identifier(name) for name in names}  # a#2 -> a_2: the same name, as Python writes it
    assert _from_lines(forward_code, r"^\s+(\w+) = (.*)$") == {
        code_names[name]: tuple(code_names.get(o, o) for o in operands) for name, operands in expected.items()
    }


def test_forward_mode_names_an_unlabelled_leaf_given_a_tangent_in_every_printout():
    x = Value(3.0)  # unlabelled: a constant, unless it is given a tangent
    out = (x * x).tanh()
    assert explain_forward(out, {x: 1.0}).splitlines()[1:] == [
        "v̇1 = 1  (the tangents given; every other leaf is held fixed)",
        "v2 = v1 * v1:   v̇2 = ∂v2/∂v1 · v̇1 + ∂v2/∂v1 · v̇1 = 3 · 1 + 3 · 1 = 6",
        "v3 = tanh(v2):  v̇3 = ∂v3/∂v2 · v̇2 = 6.09199e-08 · 6 = 3.6552e-07",
    ]
    lines = explain(out, tangents={x: 1.0}).splitlines()
    assert lines[1].startswith("v̇1 = 1.0000")
    assert _from_lines(lines, _MADE_BY) == {"v2": ("v1", "v1"), "v3": ("v2",)}


def test_the_rule():
    x, y = Value(1.0, "x"), Value(2.0, "x#2")  # a label that looks like a suffix is the user's
    v1 = Value(3.0, "v1")  # a label that looks generated
    a = x * y
    b = a * v1
    b.label = "x"  # x's second node: x#2 is taken, so x#3
    c = (b + 4.0) * x
    order = topological_order(c)
    names = node_names(order)
    assert [names.get(n) for n in order] == ["x", "x#2", "v2", "v1", "x#3", None, "v3", "v4"]
    constant = Value(5.0)
    product = constant * x
    assert node_names(topological_order(product)) == {x: "x", product: "v1"}  # the constant has no name
    assert node_names(topological_order(product), variables={constant}) == {constant: "v1", x: "x", product: "v2"}
