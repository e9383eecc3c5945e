"""Property tests of the engine on random smooth expressions (``autograd_core.hypothesis_strategies``).

The finite differences here are computed on plain floats with ``math``
(``Expression`` called on floats), so they do not depend on the engine; the
checker is then run on the same expressions too.
"""

from __future__ import annotations

import math

import pytest

hypothesis = pytest.importorskip("hypothesis")

from helpers import central_difference, close
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import Value, define_op, grad, gradcheck, gradgradcheck
from autograd_core.hypothesis_strategies import Expression, expressions, expressions_and_points, points

SETTINGS = settings(max_examples=60, deadline=None)


def _partial(expression: Expression, point: list[float], i: int) -> float:
    """d expression / d x_i at point, by central differences on floats."""

    def along(t: float) -> float:
        moved = list(point)
        moved[i] = t
        return expression(*moved)

    return central_difference(along, point[i])


@pytest.mark.parametrize(
    ("text", "atom"),
    [
        ("x0", True),
        ("1.5", True),
        ("-2.0", False),
        ("x0**2", False),
        ("tanh(x0)", True),
        ("log((x0 + 1)*(x0 + 1) + 1)", True),
        ("exp(tanh(x0)) * exp(tanh(x1))", False),
        ("tanh(x0) + tanh(x1)", False),
    ],
)
def test_operands_are_parenthesized_unless_atoms(text, atom) -> None:
    from autograd_core.compiler import is_atom  # the one "is this an atom", for the strategies and compile

    assert is_atom(text) is atom


@pytest.mark.parametrize(("n_inputs", "max_depth"), [(0, 2), (2, -1)])
def test_expressions_rejects_bad_sizes(n_inputs, max_depth) -> None:
    with pytest.raises(ValueError, match="need n_inputs >= 1 and max_depth >= 0"):
        expressions(n_inputs, max_depth)


def test_expression_checks_its_arity() -> None:
    expression = Expression("x0 * x1", lambda args: args[0] * args[1], 2)
    assert expression(2.0, 3.0) == 6.0 and expression.__name__ == "x0 * x1"
    with pytest.raises(TypeError, match="x0 \\* x1 takes 2 input\\(s\\), got 1"):
        expression(1.0)


def _values(point: list[float]) -> list[Value]:
    return [Value(v, f"x{i}") for i, v in enumerate(point)]


@SETTINGS
@given(expressions_and_points())
def test_expression_is_the_same_on_values_and_floats(case) -> None:
    expression, point = case
    assert expression(*_values(point)).data == pytest.approx(expression(*point), rel=1e-12, abs=1e-12)


MATH = {
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "relu": lambda x: max(x, 0.0),
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
}


@SETTINGS
@given(expressions_and_points(max_depth=4))
def test_expression_text_is_what_it_computes(case) -> None:
    expression, point = case
    names = {f"x{i}": v for i, v in enumerate(point)}
    shown = eval(expression.text, {"__builtins__": {"abs": abs, "sum": lambda *terms: sum(terms)}}, {**MATH, **names})  # noqa: S307 - our own text
    assert shown == pytest.approx(expression(*point), rel=1e-12, abs=1e-12)


@SETTINGS
@given(expressions_and_points())
def test_grad_equals_finite_differences(case) -> None:
    expression, point = case
    xs = _values(point)
    for i, g in enumerate(grad(expression(*xs), xs)):
        numeric = _partial(expression, point, i)
        assert close(g, numeric, rel=1e-6, abs_=1e-6), (str(expression), point, i, g, numeric)


@SETTINGS
@given(expressions_and_points(), st.sampled_from(["central", "richardson"]))
def test_gradcheck_passes_on_random_expressions(case, method) -> None:
    expression, point = case
    result = gradcheck(expression, point, method=method)
    assert result and not result.kinks


@settings(max_examples=30, deadline=None)
@given(expressions_and_points(max_depth=2))
def test_gradgradcheck_passes_on_random_expressions(case) -> None:
    expression, point = case
    result = gradgradcheck(expression, point)
    assert result and not result.kinks


@SETTINGS
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(expressions(n), expressions(n), points(n))))
def test_grad_of_a_sum_is_the_sum_of_grads(case) -> None:
    first, second, point = case
    xs = _values(point)
    together = grad(first(*xs) + second(*xs), xs, create_graph=True)
    apart = [a + b for a, b in zip(grad(first(*xs), xs), grad(second(*xs), xs))]
    for g, expected in zip(together, apart):
        assert isinstance(g, Value)
        assert g.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


@SETTINGS
@given(expressions_and_points())
def test_create_graph_gives_the_same_numbers(case) -> None:
    expression, point = case
    xs = _values(point)
    plain = grad(expression(*xs), xs)
    graphs = grad(expression(*xs), xs, create_graph=True)
    assert [g.data for g in graphs] == pytest.approx(list(plain), rel=1e-12, abs=1e-12)


@SETTINGS
@given(expressions_and_points(n_inputs=3))
def test_hessian_is_symmetric(case) -> None:
    expression, point = case
    xs = _values(point)
    first = grad(expression(*xs), xs, create_graph=True)
    hessian = [grad(g, xs) for g in first]
    for i in range(3):
        for j in range(i):
            assert hessian[i][j] == pytest.approx(hessian[j][i], rel=1e-9, abs=1e-9)


@define_op(lambda x, out: x.sigmoid())
def softplus(x: float) -> float:
    """log(1 + e**x), without overflow."""
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


@SETTINGS
@given(expressions_and_points(n_inputs=2, max_depth=2))
def test_softplus_inside_random_expressions(case) -> None:
    expression, point = case
    f = lambda x, y: softplus(expression(x, y)) * softplus(y - x)  # noqa: E731 - the function under test, in one line
    assert gradcheck(f, point) and gradgradcheck(f, point)


def test_strategy_uses_every_builtin_op() -> None:
    """Each op of the table, applied by the strategies as its row writes it, makes a node of that op."""
    from autograd_core.hypothesis_strategies import _applied
    from autograd_core.ops import OPS

    x, y, z = Value(0.3), Value(-0.7), Value(1.2)
    leaves = [("x", lambda args: x), ("y", lambda args: y), ("z", lambda args: z)]
    for name, op in OPS.items():
        operands = leaves if op.variadic else leaves[: len(op.inputs)]
        if name == "**":  # a constant exponent
            operands = [leaves[0], ("2", lambda args: 2)]
        text, function = _applied(op, operands)
        node = function(())
        assert node.op.name == name, text
        assert node.parents[:1] == (x,), text


@SETTINGS
@given(expressions_and_points(max_depth=4))
def test_both_forms_of_the_chain_rule_agree_to_the_bit(case) -> None:
    """backward() (in place, Value._backward) and grad() (into a dict) give the same floats."""
    expression, point = case
    xs = _values(point)
    out = expression(*xs)
    out.backward()
    assert [x.grad for x in xs] == list(grad(out, xs))
