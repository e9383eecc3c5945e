"""Numbers handed to the derivative operators and to compiled functions are checked as a Value's are.

An int too large for a float (``10**400``) is an OverflowError naming the
argument and its position (not Python's bare "int too large to convert to
float"); a compiled batch checks each row as a call checks its inputs:
complex numbers, Values and strings are refused by example and input, and
ints become floats (no exact big-integer ``**``).
"""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from autograd_core import Value, compile, hessian, hvp, jacobian, jvp, vjp

HUGE = 10**400


def product(x, y):
    return x * y


@pytest.mark.parametrize(
    "call, where",
    [
        (lambda: jvp(product, [HUGE, 1.0], [1.0, 0.0]), r"jvp\(\): primals\[0\]"),
        (lambda: jvp(product, [1.0, 1.0], [1.0, -HUGE]), r"jvp\(\): tangents\[1\]"),
        (lambda: jacobian(product, [1.0, HUGE]), r"jacobian\(\): inputs\[1\]"),
        (lambda: hessian(product, [HUGE, 1.0]), r"hessian\(\): inputs\[0\]"),
        (lambda: hvp(product, [1.0, 2.0], [1.0, HUGE]), r"hvp\(\): v\[1\]"),
        (lambda: vjp(product, [1.0, HUGE], 1.0), r"vjp\(\): inputs\[1\]"),
        (lambda: vjp(product, [1.0, 2.0], HUGE), r"vjp\(\): v"),
        (lambda: vjp(lambda x, y: [x, y], [1.0, 2.0], [1.0, HUGE]), r"vjp\(\): v\[1\]"),
        (lambda: compile(product, [1.0, HUGE]), r"compile: example input 1"),
        (lambda: compile(product, [1.0, 2.0])(HUGE, 1.0), r"compiled product\(\) input 'x'"),
        (lambda: compile(product, [1.0, 2.0]).check(1.0, HUGE), r"compiled product\(\) input 'y'"),
        (
            lambda: compile(product, [1.0, 2.0]).batch([(1.0, 2.0), (1.0, HUGE)]),
            r"compiled product: example 1, input 'y'",
        ),
        (
            lambda: compile(product, [1.0, 2.0]).batch_arrays([[1.0, 2.0], [HUGE, 1.0]]),
            r"compiled product: example 1, input 'x'",
        ),
    ],
)
def test_too_large_for_a_float_is_named(call, where):
    with pytest.raises(OverflowError, match=where + r".*fits in a float.*int -?1000000"):
        call()


def test_large_exact_numbers_that_fit_are_still_accepted():
    assert jacobian(product, [Fraction(1, 3), 10**300]) == [1e300, 1 / 3]
    fn = compile(product, [2, 3])
    assert fn(10**300, Fraction(1, 2))[0] == 5e299


@pytest.mark.parametrize("bad, kind", [(1 + 2j, "complex"), (Value(1.0), "Value"), ("1.5", "str"), (None, "NoneType")])
def test_batch_rows_are_checked_as_a_call_is(bad, kind):
    fn = compile(lambda x, y: x**y, [3.0, 2.0])
    with pytest.raises(TypeError, match=rf"compiled f: example 1, input 'y' must be a real number, got {kind}"):
        fn.batch([(1.0, 2.0), (2.0, bad)])
    with pytest.raises(TypeError, match=rf"input 'x' must be a real number, got {kind}"):
        fn(bad, 2.0)


@pytest.mark.parametrize(
    "X, kind",
    [([["1.5", "2"]], "str"), ([[1 + 2j, 2.0]], "complex"), ([[Value(1.0), 2.0]], "Value"), ([[b"1", 2.0]], "bytes")],
)
def test_batch_arrays_parses_no_strings_and_takes_no_complex(X, kind):
    fn = compile(product, [3.0, 2.0])
    with pytest.raises(TypeError, match=rf"example 0, input 'x' must be a real number, got {kind}"):
        fn.batch_arrays(X)


def test_batch_arrays_takes_numbers_of_every_real_kind():
    np = pytest.importorskip("numpy")
    fn = compile(product, [3.0, 2.0])
    for X in (
        [[1, 2]],
        np.array([[1, 2]], dtype=np.int64),
        np.array([[True, 2]]),
        [[Fraction(1, 2), 4]],
        np.array([[0.5, 4.0]], dtype=np.float32),
    ):
        expected = float(np.asarray(X, dtype=object)[0, 0]) * float(np.asarray(X, dtype=object)[0, 1])
        assert fn.batch_arrays(X).outputs.tolist() == [expected]


def test_int_rows_become_floats_not_exact_integer_powers():
    fn = compile(lambda x, y: x**y, [3.0, 2.0])
    started = time.perf_counter()
    with pytest.raises(OverflowError):
        fn.batch([(3, 10**7)])  # 3.0 ** 1e7 overflows at once, as a call does; exact 3 ** 10**7 takes seconds
    assert time.perf_counter() - started < 1.0
    result = fn.batch([(3, 2), (True, 5)])
    assert result.outputs == [9.0, 1.0] and all(type(v) is float for v in result.outputs)
