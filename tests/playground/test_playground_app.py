"""The playground's Python (playground/app.py), run here with Graphviz's dot: links, inputs, views, programs."""

from __future__ import annotations

import json

import pytest

from playground.app import NEW_INPUT, Playground, link_of, parse_link, split_output_name
from viz.expression import ExpressionError

ISSUE_LINK = "#expr=tanh(w*x%2Bb)&w=-3&x=2&b=6.88"


def test_the_issues_link_reads_as_the_command_line_would():
    assert parse_link(ISSUE_LINK) == {
        "expr": "tanh(w*x+b)",
        "values": {"w": -3.0, "x": 2.0, "b": 6.88},
        "mode": "drawing",
        "tangent": None,
    }
    assert parse_link(ISSUE_LINK + "&tangent=x")["mode"] == "forward"
    assert parse_link(ISSUE_LINK + "&mode=exercise")["mode"] == "exercise"


@pytest.mark.parametrize(
    ("mode", "tangent", "tail"),
    [("drawing", None, ""), ("player", None, "&mode=player"), ("forward", "x", "&tangent=x")],
)
def test_a_link_written_reads_back(mode, tangent, tail):
    values = {"w": -3.0, "x": 2.0, "b": 6.8813735870195432}
    link = link_of("o = tanh(w*x + b)", values, mode, tangent)
    assert link == f"expr=o%20%3D%20tanh(w*x%20%2B%20b)&w=-3&x=2&b=6.881373587019543{tail}"
    assert parse_link(link) == {"expr": "o = tanh(w*x + b)", "values": values, "mode": mode, "tangent": tangent}


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ("w=1", "holds no expression"),
        ("expr=w&w=two", "'two', which is not a number"),
        ("expr=w&w=1&mode=code", "mode='code' is not one of"),
        ("expr=w&w=1&a.b=2", "neither expr, mode, tangent nor an input"),
    ],
)
def test_a_bad_link_is_refused_with_what_is_wrong(fragment, message):
    with pytest.raises(ExpressionError, match=message):
        parse_link(fragment)
    assert message in json.loads(Playground().link(fragment))["error"]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("__import__('os').system('true')", "not allowed"),
        ("x.__class__", "attribute access"),
        ("o = tanh(o)", "'o' is an input of the expression"),
        ("mode * 2", "'mode' names the link's own part"),
    ],
)
def test_an_expression_is_checked_never_run(expr, message, dot_program):
    reply = Playground().view({"expr": expr, "values": {}})
    assert set(reply) == {"error"} and message in reply["error"]


def test_the_lecture_neuron_drawn_with_its_chain_rule(dot_program):
    reply = Playground().view(
        {"expr": "o = tanh(x1*w1 + x2*w2 + b)", "values_text": "x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432"}
    )
    assert reply["output"] == "o = 0.7071"
    assert reply["values_text"] == "x1=2 x2=0 w1=-3 w2=1 b=6.881373587019543"
    assert [(i["name"], i["min"], i["max"]) for i in reply["inputs"]][:3] == [
        ("x1", -5.0, 5.0),
        ("x2", -5.0, 5.0),
        ("w1", -10.0, 10.0),
    ]
    assert "<svg" in reply["svg"] and "data 0.7071" in reply["svg"] and 'data-id="v0"' in reply["svg"]
    assert "do/dx1 = -1.5000" in reply["explain"] and "do/dw1 = 1.0000" in reply["explain"]


def test_names_the_expression_starts_to_use_get_a_value_and_unused_ones_go(dot_program):
    reply = Playground().view({"expr": "a * c", "values": {"a": 2.0, "b": 5.0}})
    assert reply["values"] == {"a": 2.0, "c": NEW_INPUT}
    assert reply["link"] == "expr=a%20*%20c&a=2&c=1"


def test_the_output_name_is_split_off_only_for_an_assignment():
    assert split_output_name("o = tanh(n)") == ("o", " tanh(n)")
    assert split_output_name("tanh(n)") == (None, "tanh(n)")
    assert split_output_name("a == b") == (None, "a == b")


def test_an_exercise_checks_answers_right_and_wrong(dot_program):
    playground = Playground()
    reply = playground.view({"expr": "a * b", "values": {"a": 2.0, "b": -3.0}, "mode": "exercise"})
    assert [v["status"] for v in reply["views"]] == ["asking", "locked"] and 'class="ag-player"' in reply["fragment"]
    right = json.loads(playground.answer(1, "b"))
    assert right["feedback"]["status"] == "right" and right["score_text"] == "score: 1 of 2 right (1 of 2 answered)"
    wrong = json.loads(playground.answer(2, "7"))
    assert wrong["feedback"]["status"] == "wrong" and "2" in wrong["feedback"]["message"]
    assert [v["status"] for v in wrong["views"]] == ["right", "wrong"]


def test_forward_mode_moves_the_tangent_given_or_the_first_input(dot_program):
    playground = Playground()
    chosen = playground.view({"expr": "a * b", "values": {"a": 2.0, "b": -3.0}, "mode": "forward", "tangent": "b"})
    assert chosen["tangent"] == "b" and chosen["link"].endswith("&tangent=b")
    assert "L̇ = 2.0000" in chosen["explain"]
    first = playground.view({"expr": "a * b", "values": {"a": 2.0, "b": -3.0}, "mode": "forward", "tangent": "zz"})
    assert first["tangent"] == "a" and "L̇ = -3.0000" in first["explain"]


PROGRAM = """from autograd_core import Value
x = Value(2.0, label="x")
y = x * x + 1
y.label = "y"
y
"""


def test_a_program_of_ones_own_gives_sliders_for_its_labelled_leaves_and_no_link(dot_program):
    playground = Playground()
    assert json.loads(playground.run_program(PROGRAM)) == {"values": {"x": 2.0}}
    reply = playground.view({"source": "program", "values": {"x": 3.0}})
    assert reply["output"] == "y = 10.0000" and reply["link"] is None
    assert [i["name"] for i in reply["inputs"]] == ["x"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("x = 1", "last line should be the Value to draw"),
        ("1 + 1", "last line gives int 2, not a Value"),
        ("def f(:", "SyntaxError on line 1"),
        ("from autograd_core import Value\nValue(1.0) * 2", "no labelled leaves"),
    ],
)
def test_a_program_that_gives_no_graph_says_why(code, message):
    assert message in json.loads(Playground().run_program(code))["error"]
