"""jacobian, hessian, hvp and vjp: shapes, against our reverse mode, finite differences, and each other.

A table of small functions with Jacobians and Hessians worked out by hand;
random expressions (``autograd_core.hypothesis_strategies``) with a user op, where both
strategies of ``jacobian`` must agree with ``grad`` row by row, and the
Hessian (forward over reverse) with reverse over reverse; and every bad
argument. PyTorch is the reference in ``test_functional_vs_torch.py``.
"""

from __future__ import annotations

import math

import pytest
from helpers import central_difference, close, functions_and_points, softplus

from autograd_core import Value, grad, hessian, hvp, jacobian, jvp, no_grad, vjp


def polar(r, t):
    return [r * t.cos(), r * t.sin()]


def f2(x, y):
    return x**2 * y + (x * y).sin()


# name, f, point, Jacobian by hand
JACOBIANS = [
    (
        "polar to cartesian",
        polar,
        [2.0, 0.5],
        [[math.cos(0.5), -2.0 * math.sin(0.5)], [math.sin(0.5), 2.0 * math.cos(0.5)]],
    ),
    (
        "one output: the gradient",
        f2,
        [0.7, -1.3],
        [2 * 0.7 * -1.3 + -1.3 * math.cos(-0.91), 0.49 + 0.7 * math.cos(-0.91)],
    ),
    (
        "three outputs of two inputs",
        lambda x, y: [x * y, x + y, x.exp()],
        [1.0, 2.0],
        [[2.0, 1.0], [1.0, 1.0], [math.e, 0.0]],
    ),
    ("one input, a user op", lambda x: [softplus(x), x * x], [0.5], [[1 / (1 + math.exp(-0.5))], [1.0]]),
    ("an output that is an input", lambda x, y: [y, x], [1.0, 2.0], [[0.0, 1.0], [1.0, 0.0]]),
]


@pytest.mark.parametrize("strategy", ["auto", "forward-mode", "reverse-mode"])
@pytest.mark.parametrize("f, point, expected", [pytest.param(*case[1:], id=case[0]) for case in JACOBIANS])
def test_jacobian_matches_the_hand_derivation_in_every_strategy(f, point, expected, strategy):
    got = jacobian(f, point, strategy=strategy)
    if isinstance(expected[0], list):
        assert len(got) == len(expected) and all(len(row) == len(point) for row in got)
        pairs = [(g, e) for got_row, row in zip(got, expected) for g, e in zip(got_row, row)]
    else:
        assert len(got) == len(point)
        pairs = list(zip(got, expected))
    for g, e in pairs:
        assert isinstance(g, float)
        assert close(g, e, rel=1e-14, abs_=1e-15)


def test_hessian_of_f2_by_hand():
    x, y = 0.7, -1.3
    s, c = math.sin(x * y), math.cos(x * y)
    expected = [[2 * y - y * y * s, 2 * x + c - x * y * s], [2 * x + c - x * y * s, -x * x * s]]
    got = hessian(f2, [x, y])
    for got_row, row in zip(got, expected):
        for g, e in zip(got_row, row):
            assert close(g, e, rel=1e-13, abs_=1e-15)


def test_hvp_and_vjp_by_hand():
    out, hv = hvp(f2, [0.7, -1.3], [1.0, 0.0])
    assert out == f2(Value(0.7), Value(-1.3)).data and hv == hessian(f2, [0.7, -1.3])[0]
    outs, vj = vjp(polar, [2.0, 0.5], [1.0, 1.0])
    assert outs == [2.0 * math.cos(0.5), 2.0 * math.sin(0.5)]
    assert close(vj[0], math.cos(0.5) + math.sin(0.5), rel=1e-15, abs_=0.0)
    assert close(vj[1], 2.0 * (math.cos(0.5) - math.sin(0.5)), rel=1e-15, abs_=0.0)
    out, vj = vjp(f2, [0.7, -1.3], 2.0)
    assert vj == [2.0 * g for g in jacobian(f2, [0.7, -1.3])]


def test_operators_record_the_graph_inside_no_grad():
    with no_grad():
        assert jacobian(lambda x: x * x, [3.0]) == [6.0]
        assert hessian(lambda x: x * x * x, [2.0]) == [[12.0]]
        assert vjp(lambda x: [x * x, x], [3.0], [1.0, 1.0]) == ([9.0, 3.0], [7.0])


def test_auto_strategy_picks_the_fewer_sweeps(monkeypatch):
    import autograd_core.functional as functional

    calls = []
    monkeypatch.setattr(
        functional,
        "_forward_columns",
        lambda outs, leaves: calls.append("forward") or [[0.0] * len(leaves)] * len(outs),
    )
    monkeypatch.setattr(functional, "grad", lambda out, leaves: calls.append("reverse") or (0.0,) * len(leaves))
    jacobian(lambda x, y: [x, y, x * y], [1.0, 2.0])  # 3 outputs, 2 inputs: 2 forward sweeps
    jacobian(lambda x, y, z: [x, y], [1.0, 2.0, 3.0])  # 2 outputs, 3 inputs: 2 reverse sweeps
    jacobian(lambda x, y: [x, y], [1.0, 2.0])  # a tie: reverse
    assert calls == ["forward", "reverse", "reverse", "reverse", "reverse"]


# ------------------------------------------------------------ random expressions

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.hypothesis_strategies import points

SETTINGS = settings(max_examples=40, deadline=None)


def _near(a: float, b: float, tol: float = 1e-12) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


@SETTINGS
@given(functions_and_points())
def test_jacobian_strategies_agree_with_grad_row_by_row(case):
    f, point = case
    forward, reverse = jacobian(f, point, "forward-mode"), jacobian(f, point, "reverse-mode")
    leaves = [Value(p) for p in point]
    rows = [grad(out, leaves) for out in f(*leaves)]
    for row, fwd, rev in zip(rows, forward, reverse):
        assert list(row) == rev  # reverse mode is grad itself
        assert all(_near(a, b) for a, b in zip(fwd, row))


@SETTINGS
@given(functions_and_points(n_outputs=1))
def test_hessian_forward_over_reverse_equals_reverse_over_reverse(case):
    f, point = case
    h = hessian(f, point)
    leaves = [Value(p) for p in point]
    firsts = grad(f(*leaves), leaves, create_graph=True)
    for i, first in enumerate(firsts):
        row = grad(first, leaves)
        assert all(_near(a, b) for a, b in zip(h[i], row))
        assert all(_near(h[i][j], h[j][i], 1e-11) for j in range(len(point)))  # symmetric


@SETTINGS
@given(functions_and_points(n_outputs=1), st.data())
def test_hvp_is_the_hessian_times_v_and_vjp_is_v_times_the_jacobian(case, data):
    f, point = case
    v = data.draw(points(len(point)))
    out, hv = hvp(f, point, v)
    h = hessian(f, point)
    for row, got in zip(h, hv):
        expected = math.fsum(a * b for a, b in zip(row, v))
        assert abs(got - expected) <= 1e-12 * max(1.0, math.fsum(abs(a * b) for a, b in zip(row, v)))
    _, vj = vjp(f, point, 1.5)
    assert all(_near(a, 1.5 * b) for a, b in zip(vj, jacobian(f, point)))


@settings(max_examples=20, deadline=None)
@given(functions_and_points(n_outputs=1))
def test_hessian_equals_finite_differences_of_the_gradient(case):
    f, point = case
    h = hessian(f, point)
    for j in range(len(point)):

        def column(t, i, j=j):
            moved = list(point)
            moved[j] = t
            return jacobian(f, moved)[i]

        for i in range(len(point)):
            assert close(h[i][j], central_difference(lambda t, i=i: column(t, i), point[j]), rel=1e-6, abs_=1e-6)


# ------------------------------------------------------------ bad arguments

ERRORS = [
    (
        "jacobian: unknown strategy",
        lambda: jacobian(f2, [1.0, 2.0], strategy="fwd"),
        ValueError,
        "strategy must be one of auto, forward-mode, reverse-mode, got 'fwd'",
    ),
    ("jacobian: inputs a number", lambda: jacobian(f2, 1.0), TypeError, "inputs must be a list of numbers, got float"),
    ("jacobian: a str input", lambda: jacobian(f2, [1.0, "2"]), TypeError, r"inputs\[1\] must be a real number"),
    (
        "hessian: several outputs",
        lambda: hessian(polar, [1.0, 2.0]),
        ValueError,
        "f must return one Value \\(a scalar function\\), got a list of 2",
    ),
    ("hessian: f returns a float", lambda: hessian(lambda x: 1.0, [1.0]), TypeError, "its output is float 1.0"),
    (
        "hvp: v not aligned",
        lambda: hvp(f2, [1.0, 2.0], [1.0]),
        ValueError,
        "v must be aligned with inputs: 2 inputs, 1 in v",
    ),
    ("hvp: v a Value", lambda: hvp(f2, [1.0, 2.0], [Value(1.0), 1.0]), TypeError, r"v\[0\] is a Value"),
    (
        "vjp: v a list for one output",
        lambda: vjp(f2, [1.0, 2.0], [1.0]),
        TypeError,
        "f returns one Value, so v must be one number, got list",
    ),
    (
        "vjp: v a number for several",
        lambda: vjp(polar, [1.0, 2.0], 1.0),
        TypeError,
        "v must be a list of numbers, got float",
    ),
    (
        "vjp: v not aligned with the outputs",
        lambda: vjp(polar, [1.0, 2.0], [1.0]),
        ValueError,
        "v must be aligned with f's outputs: 2 outputs, 1 in v",
    ),
    ("jvp through jacobian's helpers", lambda: jvp(f2, [1.0, 2.0], (1.0, "x")), TypeError, r"tangents\[1\]"),
]


@pytest.mark.parametrize("call, error, message", [pytest.param(*case[1:], id=case[0]) for case in ERRORS])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
