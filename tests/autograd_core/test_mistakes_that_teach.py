"""Mistakes a student makes with a Value, and what they are told: math functions, comparisons, truth, .data reads.

A Value compares its number, as a PyTorch tensor does (``a < b``, ``max(a, b)``,
``sorted``, ``bool(v)`` is ``v.data != 0``); ``==`` stays identity. The
compiler guards every such comparison made while it traces ``f``: a call on
the other side of it is traced again, never answered with the traced branch.
"""

from __future__ import annotations

import inspect
import math
import operator
import pydoc
import warnings
from fractions import Fraction

import numpy as np
import pytest

from autograd_core import TraceMismatchError, Value, compile, hessian, jacobian, jvp, vjp

MATH_FUNCTIONS = [math.tanh, math.exp, math.log, math.sqrt, math.sin, math.cos, math.fabs, math.floor, float]


@pytest.mark.parametrize("function", MATH_FUNCTIONS, ids=[f.__name__ for f in MATH_FUNCTIONS])
def test_a_math_function_on_a_value_says_to_use_its_method_or_data(function):
    with pytest.raises(
        TypeError,
        match=r"a Value is not a float: for math\.tanh\(v\).* use v\.tanh\(\).*or v\.data for the plain number",
    ):
        function(Value(0.5, "x"))


def test_a_value_given_where_a_number_is_needed_still_names_the_place():
    with pytest.raises(TypeError, match=r"^Value\(data\) needs a real number, got Value .*use \.data"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match=r"^Value\.grad needs a real number"):
        Value(1.0).grad = Value(2.0)


COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge]
PAIRS = [(2.0, 3.0), (3.0, 2.0), (2.0, 2.0), (-0.0, 0.0), (1.0, math.inf), (math.nan, 1.0)]


@pytest.mark.parametrize("compare", COMPARISONS, ids=["<", "<=", ">", ">="])
@pytest.mark.parametrize("a, b", PAIRS)
def test_comparisons_compare_the_numbers_with_a_value_or_a_number_on_either_side(compare, a, b):
    expected = compare(a, b)
    assert compare(Value(a), Value(b)) is expected
    assert compare(Value(a), b) is expected
    assert compare(a, Value(b)) is expected
    assert compare(Value(a), Fraction(b).limit_denominator() if math.isfinite(b) else b) is compare(
        a, Fraction(b).limit_denominator() if math.isfinite(b) else b
    )
    assert bool(compare(Value(a), np.float64(b))) is expected


def test_an_int_too_large_for_a_float_is_compared_exactly():
    assert Value(1e300) < 10**301 and not Value(2.0**53) < 2**53 + 0 and Value(2.0**53) < 2**53 + 1


@pytest.mark.parametrize("compare", COMPARISONS, ids=["<", "<=", ">", ">="])
@pytest.mark.parametrize("other", ["x", None, [1.0], 1j])
def test_comparing_with_something_else_is_pythons_type_error(compare, other):
    with pytest.raises(TypeError, match="not supported between instances of"):
        compare(Value(1.0), other)


def test_max_min_and_sorted_return_the_values_themselves():
    a, b, c = Value(2.0, "a"), Value(-1.0, "b"), Value(5.0, "c")
    assert max(a, b) is a and min(a, b) is b and max([a, b, c]) is c
    assert sorted([a, b, c]) == [b, a, c] and [v.label for v in sorted([c, a, b], reverse=True)] == ["c", "a", "b"]
    winner = max(a, b)
    (winner * 3).backward()
    assert (a.grad, b.grad) == (3.0, 0.0)  # the gradient flows to the Value max chose


@pytest.mark.parametrize("data, truth", [(0.0, False), (-0.0, False), (1e-300, True), (-2.0, True), (math.nan, True)])
def test_bool_is_whether_the_number_is_not_zero(data, truth):
    v = Value(data)
    assert bool(v) is truth and (not v) is (not truth)
    loss = v * 1  # `if loss:` asks whether the loss is non-zero
    assert (True if loss else False) is truth


def test_eq_stays_identity_so_values_live_in_sets_and_dicts():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and not (a == b)
    assert len({a, b}) == 2 and {a: "a", b: "b"}[b] == "b"
    assert a <= b and a >= b  # the numbers are equal: compare .data, or <= and >=
    assert a.data == b.data


def test_every_public_method_has_a_docstring_for_a_student():
    """help(Value) shows a docstring for every method and field, and never a source comment."""
    for name, member in vars(Value).items():
        if (
            name.startswith("_")
            and not (name.startswith("__") and name.endswith("__"))
            and name
            not in (
                "_prev",
                "_op",
                "_backward",
            )
        ):
            continue
        if name in ("__module__", "__doc__", "__slots__", "__annotations__", "__dict__", "__weakref__"):
            continue
        doc = inspect.getdoc(member)
        assert doc and not doc.startswith("#"), f"Value.{name} has no docstring"
    page = pydoc.render_doc(Value, renderer=pydoc.plaintext)
    assert "Initialize self" not in page and "make bench" not in page and " # " not in page
    for name in ("op", "place", "__lt__", "__bool__", "__float__", "__add__", "__radd__", "__repr__", "__init__"):
        assert name in page


# ------------------------------------------------------------------ the compiler: comparisons are guards
def branch_on_a_node(x, w):
    z = x * w
    return z * 2 if z > 0 else z * 3


def branch_on_truth(x):
    d = x - 1
    return d * 5 if d else x * 7


def the_larger(a, b):
    return max(a, b) * 2


def sort_and_weigh(a, b, c):
    low, mid, high = sorted([a, b, c])
    return low * 1 + mid * 10 + high * 100


CASES = [
    (branch_on_a_node, (1.0, 2.0), [(2.0, 3.0), (-1.0, -4.0)], [(-2.0, 3.0), (1.0, -0.5)]),
    (branch_on_truth, (2.0,), [(3.0,), (-4.0,)], [(1.0,)]),
    (the_larger, (1.0, 2.0), [(0.0, 5.0), (-3.0, -2.5)], [(3.0, 1.0), (2.0, -2.0)]),
    (sort_and_weigh, (1.0, 2.0, 3.0), [(0.0, 0.5, 9.0)], [(3.0, 2.0, 1.0), (1.0, 3.0, 2.0)]),
]


def interpreted(f, inputs):
    xs = [Value(x) for x in inputs]
    out = f(*xs)
    out.backward()
    return out.data, tuple(x.grad for x in xs)


@pytest.mark.parametrize("f, traced, same_side, other_side", CASES, ids=[c[0].__name__ for c in CASES])
def test_a_comparison_on_a_traced_value_is_a_guard(f, traced, same_side, other_side):
    fn = compile(f, traced)
    assert fn.guards and "# traced where" in fn.source
    for inputs in same_side:  # the traced branch: the compiled code, and the interpreted engine's answer
        assert fn(*inputs) == interpreted(f, inputs)
    for inputs in other_side:  # the other branch: refused, never the traced branch's answer
        with pytest.raises(TraceMismatchError, match="another graph.*in the trace .* was (True|False), not on these"):
            fn(*inputs)


@pytest.mark.parametrize("f, traced, same_side, other_side", CASES, ids=[c[0].__name__ for c in CASES])
def test_a_batch_is_guarded_per_example(f, traced, same_side, other_side):
    fn = compile(f, traced)
    result = fn.batch([list(x) for x in same_side])
    assert list(result.outputs) == [interpreted(f, x)[0] for x in same_side]
    with pytest.raises(TraceMismatchError):
        fn.batch([list(x) for x in [*same_side, other_side[0]]])


def test_a_guard_on_a_parameter_sees_its_update():
    w = Value(1.0, "w")
    fn = compile(lambda x: x * w if w > 0 else x * w * w, (2.0,))
    assert fn(3.0)[0] == 3.0
    w.data = -1.0  # a training step took w to the other side
    with pytest.raises(TraceMismatchError):
        fn(3.0)


def test_a_comparison_whose_sides_change_nothing_lets_the_call_through():
    fn = compile(lambda x, y: x * y if x < y else x * y, (1.0, 2.0))
    assert fn(3.0, 2.0) == (6.0, (2.0, 3.0))  # traced again: the same graph


def test_the_lecture_neuron_compiles_with_no_guard():
    x1, x2 = 2.0, 0.0

    def neuron(w1, w2, b):
        return (x1 * w1 + x2 * w2 + b).tanh()

    assert compile(neuron, (-3.0, 1.0, 6.8813735870195432)).guards == ()


# ------------------------------------------------------------------ .data inside a differentiated function
@pytest.mark.parametrize(
    "call",
    [
        lambda f: jacobian(f, [1.0, 2.0]),
        lambda f: jvp(f, [1.0, 2.0], [1.0, 0.0]),
        lambda f: vjp(f, [1.0, 2.0], 1.0),
        lambda f: hessian(f, [1.0, 2.0]),
    ],
    ids=["jacobian", "jvp", "vjp", "hessian"],
)
def test_reading_data_of_a_differentiated_input_warns(call):
    with pytest.warns(UserWarning, match=r"f read x\.data, a plain number the derivative does not follow.*x \* y"):
        call(lambda x, y: x.data * y)


def test_the_issues_jacobian_warns_and_the_right_one_does_not():
    with pytest.warns(UserWarning, match="x.data"):
        assert jacobian(lambda x, y: x.data * y, [1.0, 2.0]) == [0.0, 1.0]  # the graph was cut at x.data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jacobian(lambda x, y: x * y, [1.0, 2.0]) == [2.0, 1.0]
        assert jacobian(lambda x, y: x.detach() * y, [1.0, 2.0]) == [0.0, 1.0]  # a constant on purpose
        assert jacobian(lambda x, y: max(x, y) * (x < y), [1.0, 2.0]) == [0.0, 1.0]  # comparisons read no .data
