"""to_sympy, symbolic_grad, chain_rule: every op round-trips, labels are names and never code, the chain rule adds up.

A table with one row per op in ``OPS`` (a coverage guard fails when an op has
none): the sympy expression evaluates to the graph's value and its derivative
to the engine's gradient, at points away from kinks and domain edges, and at
the kinks on purpose. Random expressions from ``autograd_core.hypothesis_strategies`` do
the same. The three-ways lesson is checked for its numbers' sizes.
"""

from __future__ import annotations

import builtins
import math
import sys

import pytest

from autograd_core.notation import after_d

sp = pytest.importorskip("sympy")

from autograd_core import Value, chain_rule, define_op, grad, symbolic_grad, to_sympy
from autograd_core.ops import OPS


def evaluate(expression, values: dict[Value, float]) -> float:
    """The expression at the leaves' numbers, with 30 digits, as a float."""
    subs = {sp.Symbol(leaf.label, real=True): sp.Float(x) for leaf, x in values.items()}
    return float(expression.evalf(30, subs=subs))


# op, a function of the leaves (a, b) that makes it, points (a, b)
ROWS = [
    ("+", lambda a, b: a + b, [(1.5, -2.0)]),
    ("-", lambda a, b: a - b, [(1.5, -2.0)]),
    ("*", lambda a, b: a * b, [(1.5, -2.0)]),
    ("/", lambda a, b: a / b, [(1.5, -2.0)]),
    ("neg", lambda a, b: -a, [(1.5, 0.0)]),
    ("**", lambda a, b: a**3 + a**-1.5 * b, [(0.7, 2.0)]),  # integer and float constant exponents
    ("pow", lambda a, b: a**b, [(1.5, -2.0), (0.5, 3.0)]),
    ("exp", lambda a, b: (a * b).exp(), [(0.5, -2.0)]),
    ("log", lambda a, b: (a * b).log(), [(0.5, 3.0)]),
    ("sqrt", lambda a, b: (a + b).sqrt(), [(0.5, 3.0)]),
    ("tanh", lambda a, b: (a * b).tanh(), [(0.5, -2.0)]),
    ("sigmoid", lambda a, b: (a - b).sigmoid(), [(0.5, -2.0)]),
    ("sin", lambda a, b: (a * b).sin(), [(0.5, -2.0)]),
    ("cos", lambda a, b: (a * b).cos(), [(0.5, -2.0)]),
    ("sum", lambda a, b: Value.sum([a, a * b, 2.5, b]), [(0.5, -2.0)]),
    ("relu", lambda a, b: (a * b).relu() + (a + b).relu(), [(0.5, -2.0), (0.0, 0.0)]),  # both sides; the kink
    ("abs", lambda a, b: abs(a * b) + abs(a + 1), [(0.5, -2.0), (-1.0, 0.0)]),  # both signs; the kink
]
CASES = [pytest.param(f, a, b, id=f"{name} at {a},{b}") for name, f, points in ROWS for a, b in points]


def test_every_op_in_the_table_has_a_row():
    assert {name for name, _, _ in ROWS} == set(OPS)


@pytest.mark.parametrize("f, a, b", CASES)
def test_to_sympy_round_trips_value_and_gradient(f, a, b):
    x, y = Value(a, "a"), Value(b, "b")
    out = f(x, y)
    expression = to_sympy(out)
    at = {x: a, y: b}
    assert math.isclose(evaluate(expression, at), out.data, rel_tol=1e-14, abs_tol=1e-15)
    for leaf, gradient in zip((x, y), grad(out, [x, y])):
        derivative = symbolic_grad(out, leaf)
        assert math.isclose(evaluate(derivative, at), gradient, rel_tol=1e-13, abs_tol=1e-15), (leaf.label, derivative)


def test_constants_are_numbers_and_whole_numbers_integers():
    x = Value(0.7, "x")
    assert to_sympy(x**2 * 3 + 0.5) == 3 * sp.Symbol("x", real=True) ** 2 + sp.Float(0.5)
    assert str(symbolic_grad(x**2, x)) == "2*x"  # not 2.0*x**1.0
    assert to_sympy(Value(0.1) * x).args[0] == sp.Float(0.1)  # the same binary number
    assert to_sympy(Value(0.1) * x).args[0] == 0.1


LABELS = [
    "layers.0.neurons.3.w.1",
    "x[0]",
    "a + b",
    "lambda",
    "1x",
    "w x",
    "__import__('builtins').setattr(__import__('builtins'), 'HACKED', 1)",
]


@pytest.mark.parametrize("label", LABELS)
def test_labels_are_symbol_names_and_never_run_as_code(label):
    x = Value(0.5, label)
    out = (x * x).tanh()
    expression = to_sympy(out)
    (symbol,) = expression.free_symbols
    assert symbol.name == label
    assert math.isclose(evaluate(symbolic_grad(out, x), {x: 0.5}), grad(out, [x])[0], rel_tol=1e-14)
    assert str(chain_rule(out, x)).startswith("dv2/d" + after_d(label))  # the one notation rule
    chain_rule(out, x)._repr_latex_()
    assert not hasattr(builtins, "HACKED")


def test_user_op_becomes_a_function_evaluated_by_its_forward():
    @define_op(lambda x, out: x.sigmoid())
    def softplus(x):
        return math.log1p(math.exp(-abs(x))) + max(x, 0.0)

    x = Value(0.5, "x")
    out = softplus(x) * 2
    expression = to_sympy(out)
    assert str(expression) == "2*softplus(x)"
    assert math.isclose(evaluate(expression, {x: 0.5}), out.data, rel_tol=1e-15)
    assert isinstance(symbolic_grad(out, x).args[-1], sp.Derivative)  # its derivative is Python, not a formula


def test_a_deep_graph_needs_no_recursion():
    x = Value(0.5, "x")
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y + 1
    assert to_sympy(y) == sp.Symbol("x", real=True) + 3 * sys.getrecursionlimit()


def _nested(ops: int) -> tuple[Value, Value]:
    """``ops`` ops nested one in the next: tanh, + x, tanh, + x, ... (each op's input is the one before)."""
    x = Value(0.5, "x")
    y = x
    for i in range(ops):
        y = y.tanh() if i % 2 else y + x
    return y, x


def test_300_nested_ops_give_the_formula_and_its_derivative():
    y, x = _nested(300)
    symbol = sp.Symbol("x", real=True)
    at = {symbol: sp.Float(0.5, 30)}  # xreplace, not evalf or print: those are sympy's and recurse
    assert math.isclose(float(to_sympy(y).xreplace(at)), y.data, rel_tol=1e-14)
    assert math.isclose(float(symbolic_grad(y, x).xreplace(at)), grad(y, [x])[0], rel_tol=1e-13)


@pytest.mark.parametrize("convert", [lambda y, x: to_sympy(y), symbolic_grad], ids=["to_sympy", "symbolic_grad"])
def test_1000_nested_ops_are_refused_naming_the_depth(convert):
    y, x = _nested(1000)  # sympy checks a new expression's arguments by recursion: too deep for it
    with pytest.raises(
        RecursionError,
        match=r"(to_sympy|symbolic_grad)\(\): the graph is 1000 ops deep, and "
        r"sympy, which checks and prints an expression by recursion, ran out",
    ):
        convert(y, x)


ERRORS = [
    ("to_sympy of a number", lambda: to_sympy(2.0), TypeError, "to_sympy\\(\\) needs a Value, got float"),
    (
        "two leaves, one label",
        lambda: to_sympy(Value(1.0, "x") + Value(2.0, "x")),
        ValueError,
        "two different leaves are labelled 'x' \\(data=1.0 and data=2.0\\)",
    ),
    (
        "unlabelled variable",
        lambda: symbolic_grad(Value(1.0, "x") * 2, Value(3.0)),
        ValueError,
        "has no label, so a formula shows it as the constant 3.0; label it",
    ),
    (
        "interior variable",
        lambda: symbolic_grad(Value(1.0, "x") * 2, Value(1.0, "y") * 2),
        ValueError,
        "differentiate with respect to a leaf; .* is the result of op '\\*'",
    ),
    (
        "variable not a Value",
        lambda: chain_rule(Value(1.0, "x") * 2, "x"),
        TypeError,
        "the variable must be a leaf Value, got str 'x'",
    ),
]


@pytest.mark.parametrize("call, error, message", [pytest.param(*case[1:], id=case[0]) for case in ERRORS])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_leaf_the_output_does_not_depend_on_has_derivative_zero_even_with_a_shared_label():
    x, other = Value(1.0, "x"), Value(5.0, "x")
    assert symbolic_grad(x * 3, other) == 0
    assert str(chain_rule(x * 3, other)) == "dv1/dx = 0  (v1 does not depend on x)"


# ------------------------------------------------------------ chain rule


def _neuron():
    w, x, b = Value(-3.0, "w"), Value(2.0, "x"), Value(6.88, "b")
    L = (w * x + b).tanh()
    L.label = "L"
    return w, x, b, L


def test_chain_rule_of_a_neuron_as_text_and_latex():
    w, x, b, L = _neuron()
    rule = chain_rule(L, x)
    assert str(rule) == (
        "dL/dx = ∂L/∂v2 · ∂v2/∂v1 · ∂v1/∂x\n      = (1 - tanh(v2)**2) · 1 · w\n      = 0.500972 · 1 · (-3) = -1.50292"
    )
    assert rule._repr_latex_() == (
        r"$\begin{aligned}\frac{d L}{d x} &= \frac{\partial L}{\partial v_{2}} \cdot "
        r"\frac{\partial v_{2}}{\partial v_{1}} \cdot \frac{\partial v_{1}}{\partial x} \\ "
        r"&= \left(1 - \tanh^{2}{\left(v_{2} \right)}\right) \cdot 1 \cdot w \\ "
        r"&= 0.500972 \cdot 1 \cdot (-3) = -1.50292\end{aligned}$"
    )
    assert rule.value == grad(L, [x])[0]
    assert [f.value for f in rule.paths[0]] == [0.5009717437695083, 1.0, -3.0]


def test_chain_rule_sums_over_paths_and_each_slot_of_a_reused_node():
    a = Value(2.0, "a")
    y = a * a + a.sin()
    rule = chain_rule(y, a)
    assert len(rule.paths) == 3  # a * a twice (once per slot), sin once
    assert [str(path[-1].formula) for path in rule.paths] == ["a", "a", "cos(a)"]
    assert math.isclose(rule.value, grad(y, [a])[0], rel_tol=1e-15)
    first_line = "dv3/da = ∂v3/∂v1 · ∂v1/∂a + ∂v3/∂v1 · ∂v1/∂a + ∂v3/∂v2 · ∂v2/∂a"
    assert str(rule).splitlines()[0] == first_line


def test_every_local_formula_evaluates_to_the_engines_local_derivative():
    for name, f, points in ROWS:
        a, b = points[0]
        x, y = Value(a, "a"), Value(b, "b")
        out = f(x, y)
        for leaf in (x, y):
            rule = chain_rule(out, leaf)
            for path in rule.paths:
                for factor in path:
                    subs = {
                        sp.Symbol(rule.names[p], real=True): sp.Float(p.data)
                        for p in factor.node.parents
                        if p in rule.names
                    }
                    expected = float(factor.formula.evalf(30, subs=subs))
                    assert factor.value == pytest.approx(expected, rel=1e-13, abs=1e-15), (name, factor)


def test_chain_rule_refuses_too_many_paths():
    x = Value(1.0, "x")
    y = x
    for _ in range(6):
        y = y * y  # 2**6 paths
    with pytest.raises(ValueError, match="64 paths lead from the output to .*, more than max_paths=32"):
        chain_rule(y, x)
    assert len(chain_rule(y, x, max_paths=64).paths) == 64


# ------------------------------------------------------------ random expressions

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings

from autograd_core.hypothesis_strategies import expressions_and_points


@settings(max_examples=40, deadline=None)
@given(expressions_and_points(max_depth=3))
def test_random_expressions_round_trip(case):
    expression, point = case
    leaves = [Value(p, f"x{i}") for i, p in enumerate(point)]
    out = expression(*leaves)
    at = dict(zip(leaves, point))
    assert math.isclose(evaluate(to_sympy(out), at), out.data, rel_tol=1e-12, abs_tol=1e-12)
    for leaf, gradient in zip(leaves, grad(out, leaves)):
        assert math.isclose(evaluate(symbolic_grad(out, leaf), at), gradient, rel_tol=1e-11, abs_tol=1e-11)
        assert math.isclose(chain_rule(out, leaf, max_paths=10_000).value, gradient, rel_tol=1e-12, abs_tol=1e-12)


# ------------------------------------------------------------ numeric, symbolic, automatic


def test_three_ways_numbers():
    from course.three_ways import compare, growth

    result = compare(depth=4, x=0.3)
    assert result.automatic_error < 1e-15 and result.forward_error < 1e-15 and result.symbolic_error < 1e-15
    assert 1e-12 < result.numeric_error < 1e-7  # finite differences keep about two thirds of the digits
    errors = [e for _, e in result.step_errors]
    best = errors.index(min(errors))
    assert 0 < best < len(errors) - 1  # too large a step truncates, too small a step rounds
    assert errors[0] > 1e-3 and errors[-1] > 1e-6
    rows = growth(6)
    assert [r.graph_nodes for r in rows] == [6, 11, 16, 21, 26, 31]  # five nodes per step
    assert all(b.formula_ops >= 2 * a.formula_ops for a, b in zip(rows, rows[1:]))  # at least doubling
    assert all(b.derivative_ops >= 2 * a.derivative_ops for a, b in zip(rows, rows[1:]))


def test_three_ways_plot_chooses_no_backend():
    matplotlib = pytest.importorskip("matplotlib")
    from course.three_ways import compare, growth, plot

    backend = matplotlib.get_backend()
    figure = plot(compare(3, 0.3), growth(4))
    assert len(figure.axes) == 2 and matplotlib.get_backend() == backend


def test_three_ways_rejects_bad_arguments():
    from course.three_ways import compare, growth

    with pytest.raises(ValueError, match="depth must be an int >= 0, got -1"):
        compare(-1)
    with pytest.raises(TypeError, match="x must be a finite number, got str"):
        compare(2, "0.3")
    with pytest.raises(ValueError, match="max_depth must be an int >= 1, got 0"):
        growth(0)


@pytest.mark.parametrize(
    "build, at, expected",
    [
        (lambda x: (-0.5 - x * x).relu() ** 2, 0.0, 0.0),  # d(u**2)/du at u = 0: 2*u, not sympy's 2*u**2/u = nan
        (lambda x: x**3, 0.0, 0.0),
        (lambda x: (x * x) ** 2, 0.0, 0.0),
    ],
)
def test_a_power_at_zero_has_the_power_rules_derivative(build, at, expected):
    x = Value(at, "x")
    assert evaluate(symbolic_grad(build(x), x), {x: at}) == expected == grad(build(x), [x])[0]
