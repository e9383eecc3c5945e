"""Forward mode: jvp against hand-derived directional derivatives, reverse mode and finite differences.

A table of small functions ``(name, f, primals, tangents, output, derivative)``
with derivatives worked out by hand (reuse, a diamond, the n-ary sum, several
outputs, a user op among them); then random expressions against ``grad``
(J v = Σ_i v_i ∂f/∂x_i) and central differences along the direction; the
recorded steps; forward over reverse; the text; and every bad argument.
"""

from __future__ import annotations

import math
import unicodedata

import pytest
from helpers import central_difference, close, softplus

from autograd_core import (
    ForwardStep,
    Value,
    backward_steps,
    explain_forward,
    forward_steps,
    grad,
    jvp,
    no_grad,
    topological_order,
)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# name, f, primals, tangents, output, J @ tangents (by hand)
CASES = [
    ("product, along x", lambda x, y: x * y, [2.0, 3.0], [1.0, 0.0], 6.0, 3.0),
    ("product, along (1, 2)", lambda x, y: x * y, [2.0, 3.0], [1.0, 2.0], 6.0, 3.0 + 2 * 2.0),
    ("reuse: x * x", lambda x: x * x, [1.5], [1.0], 2.25, 3.0),
    ("diamond: a = x + 1, a * a + a", lambda x: (lambda a: a * a + a)(x + 1), [0.5], [2.0], 3.75, 2 * (2 * 1.5 + 1)),
    (
        "neuron: tanh(w*x + b)",
        lambda w, x, b: (w * x + b).tanh(),
        [-3.0, 2.0, 6.88],
        [0.0, 1.0, 0.0],
        math.tanh(0.88),
        -3.0 * (1 - math.tanh(0.88) ** 2),
    ),
    (
        "n-ary sum",
        lambda x, y: Value.sum([x, x * y, 2.0, y]),
        [1.5, -2.0],
        [1.0, 1.0],
        1.5 - 3.0 + 2.0 - 2.0,
        (1 + -2.0) + (1 + 1.5),
    ),
    (
        "user op: softplus(x * y)",
        lambda x, y: softplus(x * y),
        [0.5, 2.0],
        [1.0, -1.0],
        math.log1p(math.e),
        _sigmoid(1.0) * (2.0 - 0.5),
    ),
    ("pow with a Value exponent", lambda x, y: x**y, [2.0, 3.0], [0.0, 1.0], 8.0, 8.0 * math.log(2.0)),
    ("identity", lambda x: x, [4.0], [3.0], 4.0, 3.0),
    ("constant output", lambda x: Value(7.0), [4.0], [3.0], 7.0, 0.0),
    ("input unused", lambda x, y: x.exp(), [0.0, 5.0], [0.0, 1.0], 1.0, 0.0),
]


@pytest.mark.parametrize(
    "f, primals, tangents, output, derivative", [pytest.param(*case[1:], id=case[0]) for case in CASES]
)
def test_jvp_matches_the_hand_derivative(f, primals, tangents, output, derivative):
    out, tangent = jvp(f, primals, tangents)
    assert close(out, output, rel=1e-15, abs_=0.0)
    assert close(tangent, derivative, rel=1e-14, abs_=1e-15)
    assert isinstance(out, float) and isinstance(tangent, float)


@pytest.mark.parametrize("f, primals, tangents", [pytest.param(*case[1:4], id=case[0]) for case in CASES])
def test_jvp_equals_reverse_mode_dotted_with_the_tangents(f, primals, tangents):
    leaves = [Value(p) for p in primals]
    gradient = grad(f(*leaves), leaves)
    _, tangent = jvp(f, primals, tangents)
    assert close(tangent, sum(g * t for g, t in zip(gradient, tangents)), rel=1e-14, abs_=1e-15)


def test_several_outputs_give_lists_aligned_with_them():
    outputs, tangents = jvp(lambda x, y: [x * y, (x + y).sin(), y], [1.0, 2.0], [1.0, 0.5])
    assert outputs == [2.0, math.sin(3.0), 2.0]
    assert tangents == [2.0 * 1.0 + 1.0 * 0.5, math.cos(3.0) * 1.5, 0.5]
    assert jvp(lambda x: (x, x * 2), [1.0], [1.0]) == ([1.0, 2.0], [1.0, 2.0])  # a tuple is several outputs too


def test_jvp_records_the_graph_inside_no_grad():
    with no_grad():
        assert jvp(lambda x: x * x, [3.0], [1.0]) == (9.0, 6.0)


def test_f_gets_leaves_labelled_with_its_parameter_names():
    seen = []
    jvp(lambda w, x: seen.extend([w, x]) or w * x, [1.0, 2.0], [1.0, 0.0])
    assert [v.label for v in seen] == ["w", "x"] and all(v.op is None for v in seen)


# ------------------------------------------------------------ random expressions

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.hypothesis_strategies import expressions_and_points, points

SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(expressions_and_points(), st.data())
def test_random_expressions_jvp_equals_reverse_mode(case, data):
    expression, point = case
    direction = data.draw(points(len(point)))
    leaves = [Value(p) for p in point]
    gradient = grad(expression(*leaves), leaves)
    out, tangent = jvp(expression, point, direction)
    reverse = math.fsum(g * t for g, t in zip(gradient, direction))
    scale = math.fsum(abs(g * t) for g, t in zip(gradient, direction))
    assert abs(tangent - reverse) <= 1e-12 * max(1.0, scale)
    assert close(out, expression(*point), rel=1e-12, abs_=1e-12)


@SETTINGS
@given(expressions_and_points(), st.data())
def test_random_expressions_jvp_equals_finite_differences_along_the_direction(case, data):
    expression, point = case
    direction = data.draw(points(len(point), bound=1.0))

    def along(t: float) -> float:  # on floats, with math: independent of the engine
        return expression(*[p + t * d for p, d in zip(point, direction)])

    _, tangent = jvp(expression, point, direction)
    assert close(tangent, central_difference(along, 0.0, h=1e-5), rel=1e-6, abs_=1e-6)


# ------------------------------------------------------------ forward over reverse


def f2(x, y):
    return x**2 * y + (x * y).sin() + softplus(x - y)


def _gradient_of(f):
    """x -> the gradient of f at x, as a graph (so it can be pushed forward again)."""

    def gradient(*xs):
        return list(grad(f(*xs), xs, create_graph=True))

    return gradient


@pytest.mark.parametrize("v", [[1.0, 0.0], [0.0, 1.0], [0.3, -2.0]])
def test_forward_over_reverse_is_a_hessian_vector_product(v):
    point = [0.7, -1.3]
    gradient, hv = jvp(_gradient_of(f2), point, v)
    x, y = Value(point[0]), Value(point[1])
    gx, gy = grad(f2(x, y), [x, y], create_graph=True)
    hessian = [grad(gx, [x, y]), grad(gy, [x, y])]  # reverse over reverse
    assert gradient == [gx.data, gy.data]
    for row, got in zip(hessian, hv):
        assert close(got, row[0] * v[0] + row[1] * v[1], rel=1e-13, abs_=1e-14)
    for i, got in enumerate(hv):  # and by differences of the gradient along v

        def along(t, i=i):
            moved = [Value(p + t * d) for p, d in zip(point, v)]
            return grad(f2(*moved), moved)[i]

        assert close(got, central_difference(along, 0.0, h=1e-5), rel=1e-7, abs_=1e-8)


# ------------------------------------------------------------ the steps


def _neuron():
    w, x, b = Value(-3.0, "w"), Value(2.0, "x"), Value(6.88, "b")
    L = (w * x + b).tanh()
    L.label = "L"
    return w, x, b, L


def test_forward_steps_sum_to_each_nodes_tangent_in_topological_order():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    d = Value.sum([c, a, 2.0])
    e = (d * c).tanh()  # c used twice: a diamond
    steps = forward_steps(e, {a: 1.0, b: 0.5})
    order = [n for n in topological_order(e) if n.op]
    assert list(dict.fromkeys(s.node for s in steps)) == order  # node by node, parents first
    tangents = {a: 1.0, b: 0.5}
    for node in order:
        mine = [s for s in steps if s.node is node]
        moving = [i for i, p in enumerate(node.parents) if p in tangents]  # the constant 2.0 is not
        assert [s.index for s in mine] == moving and [s.parent for s in mine] == [node.parents[i] for i in moving]
        running = 0.0
        for k, s in enumerate(mine):
            assert s.parent_tangent == tangents[s.parent]
            assert s.contribution == s.local * s.parent_tangent
            running = s.contribution if k == 0 else running + s.contribution
            assert s.tangent == running
        tangents[node] = mine[-1].tangent
    _, expected = jvp(lambda a, b: (Value.sum([a * b, a, 2.0]) * (a * b)).tanh(), [2.0, -3.0], [1.0, 0.5])
    assert tangents[e] == expected


def test_forward_and_backward_steps_use_the_same_local_derivatives():
    w, x, b, L = _neuron()
    everything = {w: 0.0, x: 1.0, b: 0.0}  # every leaf given a tangent: every edge has a step
    forward = {(s.node, s.index): s.local for s in forward_steps(L, everything)}
    backward = {(s.node, s.index): s.local for s in backward_steps(L)}
    assert forward == backward
    assert all(isinstance(s, ForwardStep) for s in forward_steps(L, everything))


def test_leaves_given_no_tangent_contribute_nothing_not_even_a_nan():
    # In a gradient's graph, x ** 2 differentiates to 2 * x ** (2 - 1): a pow node whose exponent is a
    # constant, with local derivative d/dc = nan for x < 0. The constant does not move, so the tangent
    # must stay finite (PyTorch gives 2 here); multiplying nan by a tangent 0 would give nan.
    gradient, hv = jvp(lambda x: list(grad(x**2, [x], create_graph=True)), [-1.0], [1.0])
    assert gradient == [-2.0] and hv == [2.0]
    x = Value(-1.0, "x")
    (dx,) = grad(x**2, [x], create_graph=True)
    assert [s.parent for s in forward_steps(dx, {x: 1.0}) if s.parent.op is None and s.parent is not x] == []
    _, hv = jvp(lambda x: list(grad(x**2, [x], create_graph=True)), [-1.0], [0.0])
    assert hv == [0.0]  # a given tangent 0 is a real 0: here the locals are finite


def test_forward_steps_of_a_leaf_are_empty():
    x = Value(1.0, "x")
    assert forward_steps(x, {x: 1.0}) == []


def test_explain_forward_shows_each_tangent_parents_first():
    w, x, b, L = _neuron()
    assert explain_forward(L, {x: 1.0}) == unicodedata.normalize(
        "NFC",
        (
            "forward mode: each node's tangent ṅ = Σ ∂n/∂p · ṗ, parents first\n"
            "ẋ = 1  (the tangents given; every other leaf is held fixed)\n"
            "v1 = w * x:    v̇1 = ∂v1/∂x · ẋ = (-3) · 1 = -3\n"
            "v2 = v1 + b:   v̇2 = ∂v2/∂v1 · v̇1 = 1 · (-3) = -3\n"
            "L = tanh(v2):  L̇ = ∂L/∂v2 · v̇2 = 0.500972 · (-3) = -1.50292\n"
        ),
    )


def test_explain_forward_leaves_constants_out_and_names_long_labels():
    x = Value(2.0, "layers.0.w")
    y = x**2 + 1
    text = explain_forward(y, {x: 1.0})
    assert "v1 = layers.0.w ** 2:" in text and "(v1)" not in text
    assert "(layers.0.w)˙ = 1" in text and "∂v1/∂(layers.0.w) · (layers.0.w)˙ = 4 · 1 = 4" in text
    assert "v2 = v1 + 1:" in text and unicodedata.normalize("NFC", "v̇2 = ∂v2/∂v1 · v̇1 = 1 · 4 = 4") in text


# ------------------------------------------------------------ bad arguments

ERRORS = [
    ("f not callable", lambda: jvp(3.0, [1.0], [1.0]), TypeError, "f must be a function of Values, got float"),
    ("primals not a list", lambda: jvp(lambda x: x, 1.0, [1.0]), TypeError, "primals must be a list of numbers"),
    (
        "a primal is a str",
        lambda: jvp(lambda x, y: x, [1.0, "a"], [1.0, 1.0]),
        TypeError,
        r"primals\[1\] must be a real number, got str 'a'",
    ),
    (
        "a primal is a Value",
        lambda: jvp(lambda x: x, [Value(2.0)], [1.0]),
        TypeError,
        r"primals\[0\] is a Value; pass plain numbers \(its number is 2.0\)",
    ),
    (
        "a tangent is None",
        lambda: jvp(lambda x: x, [1.0], [None]),
        TypeError,
        r"tangents\[0\] must be a real number, got NoneType",
    ),
    (
        "tangents not aligned",
        lambda: jvp(lambda x, y: x, [1.0, 2.0], [1.0]),
        ValueError,
        "tangents must be aligned with primals: 2 primals, 1 tangents",
    ),
    (
        "f returns a float",
        lambda: jvp(lambda x: 3.0, [1.0], [1.0]),
        TypeError,
        "f must return a Value or a list of Values; its output is float 3.0",
    ),
    (
        "f returns a float among Values",
        lambda: jvp(lambda x: [x, 2.0], [1.0], [1.0]),
        TypeError,
        "output 1 is float 2.0",
    ),
    ("steps of a number", lambda: forward_steps(2.0, {}), TypeError, "forward_steps\\(\\) needs a Value, got float"),
    (
        "tangents as a list",
        lambda: forward_steps(Value(1.0), [1.0]),
        TypeError,
        r"tangents must be a dict \{leaf Value: number\}, got list",
    ),
    (
        "tangent of an interior node",
        lambda: forward_steps(Value(1.0) * 2, {Value(1.0) + 1: 1.0}),
        ValueError,
        "tangents are given for leaves only; .* is the result of op '\\+'",
    ),
    (
        "tangent not a number",
        lambda: forward_steps(Value(1.0, "x") * 2, {Value(1.0, "x"): "1"}),
        TypeError,
        "the tangent of Value\\(data=1.0, grad=0.0, label='x'\\) must be a real number, got str '1'",
    ),
]


@pytest.mark.parametrize("call, error, message", [pytest.param(*case[1:], id=case[0]) for case in ERRORS])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_an_error_inside_f_names_the_input_by_its_parameter():
    with pytest.raises(ValueError, match="log is defined only for x > 0; input 1 is 'x' \\(data=-1.0\\)"):
        jvp(lambda x: x.log(), [-1.0], [1.0])


def test_topological_order_of_several_outputs_lists_each_node_once_parents_first():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    d, e = c + a, c.exp()
    order = topological_order([d, e])
    assert order == [a, b, c, d, e]
    position = {node: i for i, node in enumerate(order)}
    assert all(position[p] < position[n] for n in order for p in n.parents)
