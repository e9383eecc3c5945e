"""Bad input: each raises a clear error naming the op, the value and the node, and the graph stays usable."""

from __future__ import annotations

import pytest

from autograd_core import DivisionByZeroError, DomainError, Value
from autograd_core.errors import short_repr

# name, build(x) where x is labelled 'x', data for x, exception type, words the message must contain
CASES = [
    ("log(0)", lambda x: x.log(), 0.0, DomainError, ["log(0.0)", "x > 0", "'x'"]),
    ("log(-1)", lambda x: x.log(), -1.0, DomainError, ["log(-1.0)", "x > 0", "'x'"]),
    ("sqrt(-1)", lambda x: x.sqrt(), -1.0, DomainError, ["sqrt(-1.0)", "x >= 0", "'x'"]),
    ("0 ** -1", lambda x: x**-1, 0.0, DivisionByZeroError, ["0.0 ** (-1.0)", "negative power", "'x'"]),
    ("0 ** Value(-2)", lambda x: x ** Value(-2.0, "p"), 0.0, DivisionByZeroError, ["0.0 ** (-2.0)", "'x'", "'p'"]),
    ("(-8) ** 0.5", lambda x: x**0.5, -8.0, DomainError, ["-8.0 ** 0.5", "integer exponent", "'x'"]),
    ("(-8) ** (1/3)", lambda x: x ** (1 / 3), -8.0, DomainError, ["-8.0 **", "complex", "'x'"]),
    ("1 / 0", lambda x: 1 / x, 0.0, DivisionByZeroError, ["1.0 / 0.0", "division by zero", "'x'"]),
    ("x / 0", lambda x: x / 0, 3.0, DivisionByZeroError, ["3.0 / 0.0", "division by zero", "'x'"]),
    ("exp(1000)", lambda x: x.exp(), 1000.0, OverflowError, ["exp(1000.0)", "too large", "'x'"]),
    ("10 ** 400", lambda x: x**400, 10.0, OverflowError, ["10.0 ** 400.0", "too large", "'x'"]),
]


@pytest.mark.parametrize("build, data, error, words", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_input_names_op_value_and_node(build, data, error, words):
    x = Value(data, "x")
    with pytest.raises(error) as info:
        build(x)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from {message!r}"
    assert "math domain error" not in message  # never a bare message from inside math


def test_division_by_zero_is_both_value_error_and_zero_division_error():
    with pytest.raises(ValueError):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0


def test_an_unlabelled_node_is_described_by_its_op_and_data():
    x = Value(2.0)
    y = x - 2  # unlabelled result of '-'
    with pytest.raises(DomainError, match=r"result of - \(data=0.0\)"):
        y.log()


def test_graph_stays_usable_after_an_error():
    a = Value(2.0, "a")
    b = a * a
    with pytest.raises(DomainError):
        (b - 4).log()
    out = b.tanh()
    out.backward()
    assert a.grad == pytest.approx(4 * (1 - out.data**2))
    assert b.op.name == "*" and b.parents == (a, a)


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value, shown",
    [
        (1.5, "1.5"),
        ("a" * 100, "'aaaaaaaaaaaaaaaaaaaaaaaaaaa... (102 characters)"),
        (10**400, "1000000000000000000000000000... (401 characters)"),
        (10**5000, "<int too large to show>"),  # no repr: past Python's 4,300 digits
        (_nested(100_000), "<list too large to show>"),  # repr would overflow the recursion limit
    ],
    ids=["float", "long str", "400 digits", "5000 digits", "deep list"],
)
def test_short_repr_shows_any_value_briefly(value, shown):
    assert short_repr(value) == shown


@pytest.mark.parametrize(
    "name, word",
    [
        ("a", True),
        ("x[0]", True),
        ("layers.0.neurons.1.w.0", True),
        ("sum#2", True),
        ("x'", True),
        ("𝑥", True),
        ("a*b", False),
        ("a + b", False),
        ("-x", False),
        ("tanh(n)", False),
        ("w x", False),
        ("", False),
    ],
)
def test_one_rule_for_when_a_name_needs_parentheses(name, word):
    from autograd_core.notation import is_word, symbol

    assert is_word(name) is word
    assert symbol(name) == (name if word else f"({name})")


@pytest.mark.parametrize(
    "op, operands, text",
    [
        ("*", ["a", "b"], "a * b"),
        ("-", ["1.0", "-2.0"], "1.0 - (-2.0)"),
        ("pow", ["x", "y"], "x ** y"),
        ("neg", ["a"], "-a"),
        ("tanh", ["n"], "tanh(n)"),
        ("sum", ["a", "b", "c"], "sum(a, b, c)"),
    ],
)
def test_ops_are_written_one_way(op, operands, text):
    from autograd_core.notation import written

    assert written(op, operands) == text
