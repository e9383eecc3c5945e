"""The command line's expression evaluator: the graph it builds, and what it refuses (in process)."""

from __future__ import annotations

import ast
import math
import re

import pytest

from autograd_core import DomainError
from viz.expression import FUNCTIONS, ExpressionError, as_python, evaluate_expression, names_in, parse_expression


@pytest.mark.parametrize(
    "text, values, data",
    [
        ("tanh(w*x + b)", {"w": -3, "x": 2, "b": 6.88}, math.tanh(0.88)),
        ("x ** 2 + 1", {"x": 3}, 10.0),
        ("-x / 4", {"x": 2}, -0.5),
        ("+x", {"x": 2}, 2.0),
        ("2 ** x", {"x": 3}, 8.0),
        (
            "sigmoid(0) + relu(-1) + abs(-2) + sqrt(4) + exp(0) + log(1) + sin(0) + cos(0)",
            {},
            0.5 + 0 + 2 + 2 + 1 + 0 + 0 + 1,
        ),
        ("x * x", {"x": 1.5}, 2.25),
        ("sum(a*b, c, 2)", {"a": 2, "b": 3, "c": 4}, 12.0),
        ("sum(x)", {"x": 1.5}, 1.5),
        ("sum(-x, 2 ** x, sum(x, x))", {"x": 3}, 11.0),
    ],
)
def test_values_match_python(text, values, data):
    assert evaluate_expression(text, values).data == pytest.approx(data, rel=1e-12)


def test_names_are_shared_leaves_and_intermediates_are_labelled_with_their_text():
    root = evaluate_expression("tanh(w*x + b) * w", {"w": -3.0, "x": 2.0, "b": 6.88})
    assert root.label == "L"
    product, w = root.parents
    assert product.label == "tanh(w * x + b)" and w.label == "w" and not w.parents
    n = product.parents[0]
    assert n.label == "w * x + b"
    assert n.parents[0].parents[0] is w  # the same leaf: gradients from both uses add up
    root.backward()
    assert w.grad == pytest.approx(math.tanh(0.88) + -3.0 * (1 - math.tanh(0.88) ** 2) * 2.0)


def test_constant_exponents_use_the_constant_power_op():
    assert evaluate_expression("x ** 2", {"x": 3.0}).op.name == "**"
    assert evaluate_expression("x ** -2", {"x": 2.0}).op.name == "**"
    assert evaluate_expression("x ** y", {"x": 3.0, "y": 2.0}).op.name == "pow"


def test_long_sub_expressions_keep_generated_names():
    root = evaluate_expression(
        "exp(aaaa * bbbb + cccc * dddd) + 1", {"aaaa": 0.1, "bbbb": 0.2, "cccc": 0.3, "dddd": 0.4}
    )
    assert root.parents[0].label == ""  # "exp(aaaa * bbbb + cccc * dddd)" is longer than a label should be


@pytest.mark.parametrize(
    "text, names, label",
    [
        ("x * 2", ["x"], "L"),
        ("L * 2", ["L"], "out"),
        ("L * out", ["L", "out"], "result"),
        ("L * out * result", ["L", "out", "result"], "L2"),
        ("L * out * result * L2", ["L", "out", "result", "L2"], "L3"),
    ],
)
def test_the_output_is_named_apart_from_every_input(text, names, label):
    assert evaluate_expression(text, dict.fromkeys(names, 1.0)).label == label


def test_only_short_sub_expressions_are_unparsed(monkeypatch):
    # Labels are the text of sub-expressions up to 24 characters: unparsing a long one was 92% of the time
    # for a 98 KB expression (and its recursion refused a sum of 330 terms).
    sizes = []
    unparse = ast.unparse

    def counting(node):
        sizes.append(sum(1 for _ in ast.walk(node)))
        return unparse(node)

    monkeypatch.setattr(ast, "unparse", counting)
    root = evaluate_expression(" + ".join(f"tanh(w*x + {i})" for i in range(400)), {"w": 0.5, "x": 2.0})
    assert root.data == pytest.approx(sum(math.tanh(1.0 + i) for i in range(400)))
    assert sizes and max(sizes) <= 2 * 24  # ast.walk also counts operator and context nodes


def test_names_in_reading_order_without_function_names():
    assert names_in(parse_expression("tanh(w*x + b) + exp(w)")) == ["w", "x", "b"]
    assert names_in(parse_expression("sum(a*b, c, 2, sin(d))")) == ["a", "b", "c", "d"]


def test_domain_errors_come_from_the_engine():
    with pytest.raises(DomainError, match="log is defined only for x > 0"):
        evaluate_expression("log(x - 1)", {"x": 1.0})


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_is_allowed(name):
    assert evaluate_expression(f"{name}(x)", {"x": 0.5}).op.name == name


@pytest.mark.parametrize(
    "text, message",
    [
        ("getattr(x, 'y')", "unknown function 'getattr'"),
        ("[x]", "a list in square brackets at column 1 is not allowed"),
        ("x < 1", "comparison at column 1 is not allowed"),
        ("x and 1", "and/or at column 1 is not allowed"),
        ("f'{x}'", "an f-string at column 1 is not allowed"),
        ("1j", "the constant 1j at column 1 is not allowed"),
        ("~x", "the operator ~ at column 1 is not allowed"),
        ("x % 2", "the operator % at column 3 is not allowed; to divide, write /"),
        ("x // 2", "the operator // at column 3 is not allowed; to divide, write /"),
        ("x·x % 2", "the operator % at column 5 is not allowed"),  # columns as typed, · one character
        ("(x) & 2", "the operator & at column 5 is not allowed"),
        ("0,4468", "the comma at column 2 is not a decimal point; write a decimal number with a point, 0.4468, not"),
        ("-0,5", "write a decimal number with a point, -0.5, not -0,5"),
        ("tanh(0,5)", "tanh() takes exactly one argument, e.g. tanh(x) at column 1; write a decimal number with a"),
        ("x, 1", "a comma at column 2 is not allowed (commas separate a function's arguments"),
        ("2x", "syntax error at column 1: invalid decimal literal; write 2*x for 2x"),
        ("x ^^ 2", "syntax error at column 4"),
        ("__import__('os')^2", "unknown function '__import__'"),
        ("x.real²", "attribute access at column 1 is not allowed"),
        ("x = 1", "syntax error"),
        ("   ", "the expression is empty"),
    ],
)
def test_refused(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)) as refused:
        evaluate_expression(text, {"x": 1.0})
    assert not re.search(r"\b(BitXor|BitAnd|Mod|Invert|Tuple|List|FloorDiv)\b", str(refused.value))  # no jargon


@pytest.mark.parametrize(
    "typed, python",
    [
        ("1-out^2", "1 - out ** 2"),  # ^ is a power, as sympy's convert_xor reads it: 1 - (out ** 2)
        ("2*x^2", "2 * x ** 2"),
        ("x^-1", "x ** (-1)"),
        ("a·b", "a * b"),
        ("a⋅b", "a * b"),
        ("a × b", "a * b"),
        ("a ÷ b", "a / b"),
        ("1 − out²", "1 - out ** 2"),
        ("x³ + x", "x ** 3 + x"),
        ("(a + b)²", "(a + b) ** 2"),
    ],
)
def test_math_as_people_type_it_is_read(typed, python):
    assert as_python(typed)[0].replace(" ", "") == python.replace(" ", "").replace("(-1)", "-1")
    assert ast.unparse(parse_expression(typed)) == python


def test_sum_is_one_node_with_a_parent_per_term():
    root = evaluate_expression("sum(a*b, c, 2, a)", {"a": 2.0, "b": 3.0, "c": 4.0})
    assert root.op.name == "sum" and root.label == "L" and len(root.parents) == 4
    product, c, two, a = root.parents
    assert product.label == "a * b" and c.label == "c" and two.data == 2.0 and a is product.parents[0]
    root.backward()
    assert (a.grad, c.grad) == (4.0, 1.0)  # a reaches the sum twice: directly and through a * b


def test_a_sum_of_ten_thousand_terms():
    root = evaluate_expression("sum(" + ", ".join(f"x * {i}" for i in range(10_000)) + ")", {"x": 1.0})
    root.backward()
    assert root.data == sum(range(10_000)) and len(root.parents) == 10_000
    assert root.parents[0].parents[0].grad == sum(range(10_000))
