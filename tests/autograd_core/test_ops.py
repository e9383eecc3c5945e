"""Every op: value, first and second derivative against hand-derived formulas and finite differences.

One table of cases ``(name, function, first derivative, second derivative, points)``.
The function is written once and run on floats (via ``math``) and on Values; the
points stay away from kinks and domain edges, which have tests of their own.
"""

from __future__ import annotations

import math

import pytest
from helpers import central_difference, close

from autograd_core import Value, grad
from autograd_core.ops import OPS


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _generic(name):
    """Apply the function called ``name`` to a float (math) or a Value (method)."""
    floats = {
        "exp": math.exp,
        "log": math.log,
        "tanh": math.tanh,
        "sigmoid": _sigmoid,
        "relu": lambda x: max(x, 0.0),
        "sin": math.sin,
        "cos": math.cos,
        "sqrt": math.sqrt,
    }

    def apply(x):
        return getattr(x, name)() if isinstance(x, Value) else floats[name](x)

    return apply


# name, f, f', f'', points. f must work on floats and on Values.
UNARY = [
    ("neg", lambda x: -x, lambda x: -1.0, lambda x: 0.0, [-2.5, 0.3, 4.0]),
    ("abs", abs, lambda x: math.copysign(1.0, x), lambda x: 0.0, [-2.5, -0.1, 0.3, 4.0]),
    ("exp", _generic("exp"), math.exp, math.exp, [-3.0, 0.0, 0.7, 5.0]),
    ("log", _generic("log"), lambda x: 1 / x, lambda x: -1 / x**2, [0.05, 1.0, 7.5, 1e3]),
    ("sqrt", _generic("sqrt"), lambda x: 0.5 / math.sqrt(x), lambda x: -0.25 * x**-1.5, [0.04, 1.0, 9.0]),
    (
        "tanh",
        _generic("tanh"),
        lambda x: 1 - math.tanh(x) ** 2,
        lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
        [-2.0, 0.0, 0.7, 3.0],
    ),
    (
        "sigmoid",
        _generic("sigmoid"),
        lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
        lambda x: _sigmoid(x) * (1 - _sigmoid(x)) * (1 - 2 * _sigmoid(x)),
        [-4.0, 0.0, 0.5, 6.0],
    ),
    ("relu", _generic("relu"), lambda x: 1.0 if x > 0 else 0.0, lambda x: 0.0, [-1.5, -0.2, 0.3, 2.0]),
    ("sin", _generic("sin"), math.cos, lambda x: -math.sin(x), [-2.0, 0.0, 1.3, 10.0]),
    ("cos", _generic("cos"), lambda x: -math.sin(x), lambda x: -math.cos(x), [-2.0, 0.0, 1.3, 10.0]),
    ("x**2", lambda x: x**2, lambda x: 2 * x, lambda x: 2.0, [-3.0, 0.0, 0.5, 4.0]),
    ("x**3 (negative base)", lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, [-2.0, -0.5, 1.5]),
    ("x**-1.5", lambda x: x**-1.5, lambda x: -1.5 * x**-2.5, lambda x: 3.75 * x**-3.5, [0.3, 1.0, 4.0]),
    ("x**0.5", lambda x: x**0.5, lambda x: 0.5 * x**-0.5, lambda x: -0.25 * x**-1.5, [0.3, 2.0]),
    ("x**0", lambda x: x**0, lambda x: 0.0, lambda x: 0.0, [-2.0, 3.0]),
    (
        "2**x (reflected pow)",
        lambda x: 2**x,
        lambda x: math.log(2) * 2**x,
        lambda x: math.log(2) ** 2 * 2**x,
        [-1.0, 0.0, 2.5],
    ),
    ("3 - x (reflected sub)", lambda x: 3 - x, lambda x: -1.0, lambda x: 0.0, [-1.0, 2.0]),
    ("3 / x (reflected div)", lambda x: 3 / x, lambda x: -3 / x**2, lambda x: 6 / x**3, [-2.0, 0.5, 4.0]),
    ("2 + x (reflected add)", lambda x: 2 + x, lambda x: 1.0, lambda x: 0.0, [-1.0, 2.0]),
    ("2 * x (reflected mul)", lambda x: 2 * x, lambda x: 2.0, lambda x: 0.0, [-1.0, 2.0]),
    ("+x", lambda x: +x, lambda x: 1.0, lambda x: 0.0, [-1.0, 2.0]),
]

UNARY_CASES = [pytest.param(f, d1, d2, x, id=f"{name} at {x}") for name, f, d1, d2, xs in UNARY for x in xs]


@pytest.mark.parametrize("f, d1, d2, x", UNARY_CASES)
def test_unary_value_and_first_derivative(f, d1, d2, x):
    v = Value(x, "x")
    out = f(v)
    assert close(out.data, f(x), rel=1e-14, abs_=0.0)
    out.backward()
    assert close(v.grad, d1(x), rel=1e-12, abs_=1e-15)
    assert close(v.grad, central_difference(f, x), rel=1e-7, abs_=1e-8)


@pytest.mark.parametrize("f, d1, d2, x", UNARY_CASES)
def test_unary_second_derivative(f, d1, d2, x):
    v = Value(x, "x")
    (first,) = grad(f(v), [v], create_graph=True)
    assert isinstance(first, Value)
    assert close(first.data, d1(x), rel=1e-12, abs_=1e-15)
    (second,) = grad(first, [v])
    assert close(second, d2(x), rel=1e-10, abs_=1e-12)
    assert close(second, central_difference(d1, x), rel=1e-6, abs_=1e-7)


# name, f(x, y), df/dx, df/dy, points; the second derivatives are checked by differences of the first.
BINARY = [
    ("+", lambda x, y: x + y, lambda x, y: 1.0, lambda x, y: 1.0, [(1.5, -2.0), (0.0, 3.0)]),
    ("-", lambda x, y: x - y, lambda x, y: 1.0, lambda x, y: -1.0, [(1.5, -2.0), (0.0, 3.0)]),
    ("*", lambda x, y: x * y, lambda x, y: y, lambda x, y: x, [(1.5, -2.0), (0.0, 3.0)]),
    ("/", lambda x, y: x / y, lambda x, y: 1 / y, lambda x, y: -x / y**2, [(1.5, -2.0), (0.0, 3.0), (-4.0, 0.25)]),
    (
        "pow",
        lambda x, y: x**y,
        lambda x, y: y * x ** (y - 1),
        lambda x, y: x**y * math.log(x),
        [(1.5, -2.0), (0.5, 3.0), (2.0, 0.5)],
    ),
]
BINARY_CASES = [
    pytest.param(f, dx, dy, x, y, id=f"{name} at {x},{y}") for name, f, dx, dy, pts in BINARY for x, y in pts
]


@pytest.mark.parametrize("f, dx, dy, x, y", BINARY_CASES)
def test_binary_value_and_gradients(f, dx, dy, x, y):
    a, b = Value(x, "a"), Value(y, "b")
    out = f(a, b)
    assert close(out.data, f(x, y), rel=1e-14, abs_=0.0)
    out.backward()
    assert close(a.grad, dx(x, y), rel=1e-12, abs_=1e-15)
    assert close(b.grad, dy(x, y), rel=1e-12, abs_=1e-15)
    assert close(a.grad, central_difference(lambda t: f(t, y), x), rel=1e-7, abs_=1e-8)
    assert close(b.grad, central_difference(lambda t: f(x, t), y), rel=1e-7, abs_=1e-8)


@pytest.mark.parametrize("f, dx, dy, x, y", BINARY_CASES)
def test_binary_second_derivatives(f, dx, dy, x, y):
    a, b = Value(x, "a"), Value(y, "b")
    ga, gb = grad(f(a, b), [a, b], create_graph=True)
    hessian = [grad(g, [a, b]) if isinstance(g, Value) else (0.0, 0.0) for g in (ga, gb)]
    for row, first in zip(hessian, (dx, dy)):
        assert close(row[0], central_difference(lambda t, first=first: first(t, y), x), rel=1e-6, abs_=1e-7)
        assert close(row[1], central_difference(lambda t, first=first: first(x, t), y), rel=1e-6, abs_=1e-7)
    assert close(hessian[0][1], hessian[1][0], rel=1e-12, abs_=1e-15)  # symmetric


# The n-ary sum: f(xs), its gradient (every local derivative is 1) and points.
SUMS = [
    ("one term", lambda xs: Value.sum(xs), [(2.5,)]),
    ("three terms", lambda xs: Value.sum(xs), [(1.5, -2.0, 0.25)]),
    ("terms and numbers", lambda xs: Value.sum([xs[0], 2, xs[1], -0.5]), [(1.5, -2.0)]),
    ("a term twice", lambda xs: Value.sum([xs[0], xs[0] * xs[1], xs[0]]), [(1.5, -2.0)]),
    (
        "products of a neuron",
        lambda xs: Value.sum([xs[0] * xs[1], xs[2] * xs[3], xs[4]]).tanh(),
        [(0.5, -1.0, 2.0, 0.3, 0.1)],
    ),
]
SUM_CASES = [pytest.param(f, xs, id=f"sum, {name}") for name, f, points in SUMS for xs in points]


@pytest.mark.parametrize("f, xs", SUM_CASES)
def test_sum_value_and_gradients(f, xs):
    values = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = f(values)
    out.backward()
    for i, v in enumerate(values):

        def along(t, i=i):
            return f([Value(t if j == i else x) for j, x in enumerate(xs)]).data

        assert close(v.grad, central_difference(along, xs[i]), rel=1e-7, abs_=1e-8)
        assert close(v.grad, grad(f(values), [v])[0], rel=0.0, abs_=0.0)  # both forms of the chain rule agree


@pytest.mark.parametrize("f, xs", SUM_CASES)
def test_sum_second_derivatives(f, xs):
    values = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    firsts = grad(f(values), values, create_graph=True)
    for i, first in enumerate(firsts):
        if not isinstance(first, Value):
            continue
        row = grad(first, values)
        for j, x in enumerate(xs):

            def along(t, i=i, j=j):
                moved = [Value(t if k == j else y) for k, y in enumerate(xs)]
                return grad(f(moved), [moved[i]])[0]

            assert close(row[j], central_difference(along, x), rel=1e-6, abs_=1e-7)


def test_sum_is_one_node_added_left_to_right():
    a, b, c = Value(1e16, "a"), Value(1.0, "b"), Value(-1e16, "c")
    total = Value.sum([a, b, c])
    assert total.op.name == "sum" and total.parents == (a, b, c)
    assert total.data == (1e16 + 1.0) + -1e16  # as Python adds floats, left to right
    assert Value.sum([]).data == 0.0 and Value.sum([]).parents == ()
    with pytest.raises(TypeError, match="term 1 is str"):
        Value.sum([a, "x"])


def test_every_op_in_the_table_is_covered():
    """A new op in the table must get a row above."""
    covered = {
        "neg",
        "abs",
        "exp",
        "log",
        "sqrt",
        "tanh",
        "sigmoid",
        "relu",
        "sin",
        "cos",
        "**",
        "pow",
        "+",
        "-",
        "*",
        "/",
        "sum",
    }
    assert set(OPS) == covered


def test_op_names_recorded_on_nodes():
    x, y = Value(2.0), Value(3.0)
    cases = {
        "+": x + y,
        "-": x - y,
        "*": x * y,
        "/": x / y,
        "neg": -x,
        "**": x**2,
        "pow": x**y,
        "exp": x.exp(),
        "log": x.log(),
        "sqrt": x.sqrt(),
        "tanh": x.tanh(),
        "sigmoid": x.sigmoid(),
        "relu": x.relu(),
        "abs": abs(x),
        "sin": x.sin(),
        "cos": x.cos(),
    }
    for name, node in cases.items():
        assert node.op.name == name
        assert node.parents[0] is x


# Kinks, on purpose: relu and abs take the subgradient 0 at 0 (as PyTorch does).
@pytest.mark.parametrize("f", [lambda v: v.relu(), abs], ids=["relu", "abs"])
def test_kinks_take_subgradient_zero(f):
    x = Value(0.0)
    f(x).backward()
    assert x.grad == 0.0
    (second,) = grad(grad(f(x), [x], create_graph=True)[0], [x])
    assert second == 0.0


def test_relu_one_sided_slopes_around_kink():
    for x, slope in [(-1e-12, 0.0), (1e-12, 1.0)]:
        v = Value(x)
        v.relu().backward()
        assert v.grad == slope


# Edges of domains where the derivative is infinite or undefined: no exception inside backward.
def test_sqrt_at_zero_has_infinite_derivative():
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


@pytest.mark.parametrize("exponent, expected", [(0.5, math.inf), (1.0, 1.0), (2.0, 0.0), (0.0, 0.0)])
def test_power_of_zero_derivative_limits(exponent, expected):
    x = Value(0.0)
    (x**exponent).backward()
    assert x.grad == expected


def test_value_exponent_gradient_at_zero_and_negative_base():
    x, y = Value(0.0), Value(2.0)
    (x**y).backward()
    assert (x.grad, y.grad) == (0.0, 0.0)  # d/dy 0**y = 0 for y > 0
    x, y = Value(-2.0), Value(3.0)
    (x**y).backward()
    assert x.grad == 12.0
    assert math.isnan(y.grad)  # d/dy (-2)**y is not real, as in PyTorch


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    x = Value(-800.0)
    x.sigmoid().backward()
    assert x.grad == 0.0
