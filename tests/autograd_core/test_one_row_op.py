"""A new op is one row of ``OPS``: a fixture adds the row, and every consumer of the table uses it at once.

Two rows, each checked against finite differences and its hand-derived
derivatives: ``softplus`` (defined everywhere; its numpy and sympy forms are
not its float forward) and ``log1p`` (defined for x > -1: its forward checks
the domain, and the strategies draw inside it). Nothing but the row is
registered: no ``Value`` method (the op is reached with ``apply``), no list in
the compiler, ``to_sympy``, the strategies or the parsers. The fixture takes
the row out again, so the table is the built-in one for every other test.
"""

from __future__ import annotations

import math

import pytest
from helpers import central_difference, close

from autograd_core import DomainError, Value, compile, grad, jvp, topological_order
from autograd_core.ops import OPS, row
from autograd_core.value import apply


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))  # exp never overflows


def _log1p(x: float) -> float:
    if x <= -1:
        raise DomainError("log1p is defined only for x > -1")
    return math.log1p(x)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# The rows, as they would be written in ops.py; then f, f' and f'' by hand, points, and an answer to
# the exercise's question d out / d x that calls the op by its name.
#          name        inputs  forward    d out / d input              written          numpy                   sympy                     tests draw
ROWS = {
    "softplus": (("softplus", "x", _softplus, ("1.0 / (1.0 + exp(-x))",), "softplus(x)", "np.logaddexp(0.0, x)", "sp.log(1 + sp.exp(x))", ""),
                 _softplus, _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x)), [-3.0, -0.4, 0.0, 2.5],
                 "exp(x - softplus(x))"),
    "log1p":    (("log1p",    "x", _log1p,    ("1.0 / (1.0 + x)",),        "log1p(x)",    "np.log1p(x)",          "sp.log(1 + x)",          "x > -1"),
                 math.log1p, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2, [-0.9, -0.3, 0.0, 4.0],
                 "exp(-log1p(x))"),
}  # fmt: skip


@pytest.fixture(params=sorted(ROWS))
def new_op(request):
    """The row put into the table for one test, and taken out again."""
    spec = ROWS[request.param]
    op = row(*spec[0])
    assert op.name not in OPS
    OPS[op.name] = op
    try:
        yield op, *spec[1:]
    finally:
        del OPS[op.name]


def test_the_row_is_gone_after_the_tests() -> None:
    assert not set(ROWS) & set(OPS)


def test_backward(new_op) -> None:
    op, f, df, _, points, _ = new_op
    for x in points:
        leaf = Value(x, "x")
        out = apply(op, leaf)
        assert out.op is op and out.parents == (leaf,)
        assert close(out.data, f(x), rel=1e-14, abs_=0.0)
        out.backward()
        assert close(leaf.grad, df(x), rel=1e-12, abs_=1e-15)
        assert close(leaf.grad, central_difference(f, x), rel=1e-7, abs_=1e-8)


def test_backward_inside_a_graph_with_reuse(new_op) -> None:
    """d/dx op(x * y) + x, d/dy likewise: the chain rule through the new op and a reused leaf."""
    op, f, df, _, _, _ = new_op
    x, y = Value(0.6, "x"), Value(0.5, "y")
    (apply(op, x * y) + x).backward()
    assert close(x.grad, df(0.3) * 0.5 + 1.0, rel=1e-12, abs_=1e-15)
    assert close(y.grad, df(0.3) * 0.6, rel=1e-12, abs_=1e-15)


def test_second_derivative_with_create_graph(new_op) -> None:
    op, _, df, d2f, points, _ = new_op
    for x in points:
        leaf = Value(x, "x")
        (first,) = grad(apply(op, leaf), [leaf], create_graph=True)
        assert isinstance(first, Value)
        (second,) = grad(first, [leaf])
        assert close(second, d2f(x), rel=1e-10, abs_=1e-12)
        assert close(second, central_difference(df, x), rel=1e-6, abs_=1e-7)


def test_forward_mode(new_op) -> None:
    op, f, df, _, points, _ = new_op
    for x in points:
        out, tangent = jvp(lambda v: apply(op, v * 2.0), [x / 2], [1.5])
        assert close(out, f(x), rel=1e-14, abs_=0.0)
        assert close(tangent, df(x) * 2.0 * 1.5, rel=1e-12, abs_=1e-15)


def test_compile_call_batch_and_arrays(new_op) -> None:
    np = pytest.importorskip("numpy")
    op, f, df, _, points, _ = new_op
    w = Value(0.8, "w")

    def model(x):
        return apply(op, w * x) * x

    fn = compile(model, (1.0,), params=[w], accumulate=False)
    rows = [(x / 0.8,) for x in points]
    expected = [(f(0.8 * x) * x, df(0.8 * x) * 0.8 * x + f(0.8 * x), df(0.8 * x) * x * x) for (x,) in rows]
    for (x,), (out, dx, dw) in zip(rows, expected):
        got_out, (got_dx, got_dw) = fn(x)
        assert close(got_out, out, rel=1e-12, abs_=1e-15)
        assert close(got_dx, dx, rel=1e-12, abs_=1e-15) and close(got_dw, dw, rel=1e-12, abs_=1e-15)
    by_rows = fn.batch(rows)
    by_arrays = fn.batch_arrays(np.array(rows))
    for result in (by_rows, by_arrays):
        for i, (out, dx, _) in enumerate(expected):
            assert close(float(result.outputs[i]), out, rel=1e-12, abs_=1e-15)
            assert close(float(result.input_grads[i][0]), dx, rel=1e-12, abs_=1e-15)
        assert close(result.param_grads[0], math.fsum(e[2] for e in expected), rel=1e-12, abs_=1e-15)


def test_compile_over_arrays_keeps_the_domain_check() -> None:
    """Outside the row's domain, an array batch raises the float forward's error, naming the example."""
    op = row(*ROWS["log1p"][0])
    OPS[op.name] = op
    try:
        fn = compile(lambda x: apply(op, x), (0.5,))
        with pytest.raises(DomainError, match=r"log1p\(-2\.0\): log1p is defined only for x > -1.*example 1"):
            fn.batch_arrays([[0.5], [-2.0]])
    finally:
        del OPS[op.name]


def test_to_sympy_and_symbolic_grad(new_op) -> None:
    sp = pytest.importorskip("sympy")
    from autograd_core import symbolic_grad, to_sympy

    op, _, df, _, points, _ = new_op
    X = sp.Symbol("x", real=True)
    reference = {"softplus": sp.log(1 + sp.exp(X)), "log1p": sp.log(1 + X)}[op.name]
    for x in points:
        leaf = Value(x, "x")
        out = apply(op, leaf)
        assert sp.simplify(to_sympy(out) - reference) == 0
        assert close(float(symbolic_grad(out, leaf).subs(X, x)), df(x), rel=1e-12, abs_=1e-15)


def test_hypothesis_strategies_draw_it_from_its_domain(new_op) -> None:
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings

    from autograd_core.hypothesis_strategies import expressions, in_draws, inputs, points
    from autograd_core.testing import assert_gradients_close

    op, f, df, _, _, _ = new_op

    @settings(max_examples=50, deadline=None)
    @given(inputs(op))
    def drawn_inputs(xs):
        assert len(xs) == 1 and in_draws(op, *xs)
        assert close(df(xs[0]), central_difference(f, xs[0]), rel=1e-6, abs_=1e-8)

    @settings(max_examples=50, deadline=None)
    @given(expressions(2, max_depth=2, ops=(op.name, "*", "+")), points(2))
    def in_expressions(expression, point):
        assert_gradients_close(expression, point, order=2)

    drawn_inputs()
    in_expressions()
    assert in_draws(op, -1.5) is (op.draws == "")  # log1p is not drawn at -1.5; softplus anywhere


def test_every_draw_of_the_strategies_uses_the_table_now(new_op) -> None:
    """The strategies read OPS when they are made: the new op is among the ops drawn."""
    pytest.importorskip("hypothesis")
    from hypothesis import find, settings

    from autograd_core.hypothesis_strategies import expressions

    op = new_op[0]

    def makes_the_op(expression) -> bool:
        return op.name in {str(node.op) for node in topological_order(expression(Value(0.3, "x0")))}

    found = find(expressions(1, max_depth=1), makes_the_op, settings=settings(max_examples=2000, deadline=None))
    assert found.text.startswith(f"{op.name}(")


def test_the_command_line(new_op, capsys) -> None:
    from viz.cli import main

    op, f, df, _, _, _ = new_op
    assert main([f"{op.name}(w*x)", "w=0.5", "x=1.2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"L = {f(0.6):.4f}", f"dL/dw = {df(0.6) * 1.2:.4f}", f"dL/dx = {df(0.6) * 0.5:.4f}"]
    assert main([f"{op.name}(x)", "x=0.5", "--explain"]) == 0
    assert f"L = {op.name}(x)" in capsys.readouterr().out


def test_the_expression_parser_names_it_and_checks_its_arity(new_op) -> None:
    from viz.expression import FUNCTIONS, ExpressionError, evaluate_expression

    op = new_op[0]
    assert FUNCTIONS[op.name] is op
    with pytest.raises(ExpressionError, match=rf"{op.name}\(\) takes exactly one argument"):
        evaluate_expression(f"{op.name}(x, x)", {"x": 1.0})


def test_an_exercise_answer_may_call_it(new_op) -> None:
    from viz.exercise import exercise
    from viz.expression import evaluate_expression

    op, f, df, _, _, answer = new_op
    ex = exercise(evaluate_expression(f"{op.name}(x)", {"x": 0.5}))
    (question,) = ex.questions
    assert close(question.expected, df(0.5), rel=1e-12, abs_=1e-15)
    wrong = question.check(f"{op.name}(x)")  # read (the op's own value), and not the derivative
    assert wrong.status == "wrong" and close(wrong.value, f(0.5), rel=1e-14, abs_=0.0), wrong
    check = ex.answer(question.number, answer)
    assert check.right, check
    assert ex.score.right == 1
