"""gradcheck and gradgradcheck: they pass right derivatives and catch wrong ones.

The checker is tested on what it exists for: derivatives off by a factor of
1.001 (and 1.00001), of the wrong sign, and right first derivatives with wrong
second ones must fail; every built-in op and reflected operator must pass at
many random points away from domain edges and kinks; kinks must be reported
as kinks; bad arguments must give clear errors.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_core import GradcheckError, Value, assert_gradients_close, define_op, gradcheck, gradgradcheck
from autograd_core.gradcheck import GradcheckResult
from autograd_core.ops import OPS

# --------------------------------------------------------------- the ops table
# (name, f of Values, sampler of points away from domain edges and kinks).
# Every entry of OPS is here (test_every_op_is_covered), plus the reflected operators.


def _uniform(low: float, high: float, n: int = 1):
    return lambda rng: [rng.uniform(low, high) for _ in range(n)]


def _away_from_zero(n: int = 1):
    return lambda rng: [rng.choice((-1, 1)) * rng.uniform(0.05, 3.0) for _ in range(n)]


OP_CASES = [
    ("+", lambda x, y: x + y, _uniform(-3, 3, 2)),
    ("-", lambda x, y: x - y, _uniform(-3, 3, 2)),
    ("*", lambda x, y: x * y, _uniform(-3, 3, 2)),
    ("/", lambda x, y: x / y, lambda rng: [rng.uniform(-3, 3), rng.choice((-1, 1)) * rng.uniform(0.2, 3)]),
    ("neg", lambda x: -x, _uniform(-3, 3)),
    ("**", lambda x: x**3, _uniform(-3, 3)),
    ("** fractional", lambda x: x**2.5, _uniform(0.1, 3)),
    ("** negative", lambda x: x**-2, _away_from_zero()),
    ("pow", lambda x, y: x**y, lambda rng: [rng.uniform(0.2, 3), rng.uniform(-2, 2)]),
    ("exp", lambda x: x.exp(), _uniform(-5, 5)),
    ("log", lambda x: x.log(), _uniform(0.05, 10)),
    ("sqrt", lambda x: x.sqrt(), _uniform(0.05, 10)),
    ("tanh", lambda x: x.tanh(), _uniform(-4, 4)),
    ("sigmoid", lambda x: x.sigmoid(), _uniform(-8, 8)),
    ("relu", lambda x: x.relu(), _away_from_zero()),
    ("abs", lambda x: abs(x), _away_from_zero()),
    ("sin", lambda x: x.sin(), _uniform(-6, 6)),
    ("cos", lambda x: x.cos(), _uniform(-6, 6)),
    ("sum", lambda x, y, z: Value.sum([x * y, z, x, 1.5]), _uniform(-3, 3, 3)),
    # Reflected operators: a number on the left.
    ("radd", lambda x: 2.5 + x, _uniform(-3, 3)),
    ("rsub", lambda x: 2.5 - x, _uniform(-3, 3)),
    ("rmul", lambda x: 2.5 * x, _uniform(-3, 3)),
    ("rtruediv", lambda x: 2.5 / x, _away_from_zero()),
    ("rpow", lambda x: 2.5**x, _uniform(-3, 3)),
    ("pos", lambda x: +x, _uniform(-3, 3)),
    # Ops composed, with a reused node (a diamond).
    ("diamond", lambda x, y: (x * y).tanh() * (x * y) + (x - y).sin(), _uniform(-2, 2, 2)),
]
POINTS_PER_OP = 20


def test_every_op_is_covered() -> None:
    assert set(OPS) <= {name for name, _, _ in OP_CASES}


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize(("name", "f", "sample"), OP_CASES, ids=[c[0] for c in OP_CASES])
def test_builtin_ops_pass_at_random_points(name, f, sample, method) -> None:
    rng = random.Random(f"{name}-{method}")
    for _ in range(POINTS_PER_OP):
        point = sample(rng)
        result = gradcheck(f, point, method=method)  # raises GradcheckError with the table on failure
        assert result and not result.kinks, str(result)
        second = gradgradcheck(f, point, method=method)
        assert second and not second.kinks, str(second)


# ------------------------------------------------------ wrong derivatives fail


def _op(derivative, forward, name):
    return define_op(derivative, name=name)(forward)


def _softplus(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


WRONG_FIRST = [
    # (case, f, point): each f has a wrong derivative.
    ("softplus x 1.001", _op(lambda x, out: 1.001 * x.sigmoid(), _softplus, "softplus"), [0.5]),
    ("softplus x 1.001 at -3", _op(lambda x, out: 1.001 * x.sigmoid(), _softplus, "softplus"), [-3.0]),
    ("tanh x 1.00001", _op(lambda x, out: 1.00001 * (1 - out * out), math.tanh, "my_tanh"), [0.3]),
    ("tanh wrong sign", _op(lambda x, out: out * out - 1, math.tanh, "my_tanh"), [0.3]),
    ("sin wrong sign", _op(lambda x, out: -x.cos(), math.sin, "my_sin"), [1.0]),
    ("exp x 1.001 at 5", _op(lambda x, out: 1.001 * out, math.exp, "my_exp"), [5.0]),
    (
        "sigmoid typo, inside a graph",
        lambda x: 2 * _op(lambda u, out: out * (1 + out), lambda u: 1 / (1 + math.exp(-u)), "my_sigmoid")(x * x),
        [0.7],
    ),
    (
        "swapped partials",
        lambda x, y: define_op(lambda a, b, out: a, lambda a, b, out: b, name="times")(lambda a, b: a * b)(x, y),
        [2.0, 3.0],
    ),
]


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize(("case", "f", "point"), WRONG_FIRST, ids=[c[0] for c in WRONG_FIRST])
def test_wrong_first_derivatives_fail(case, f, point, method) -> None:
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, point, method=method)
    result = caught.value.result
    assert not result and result.failures
    message = str(caught.value)
    assert result.function in message and "FAIL" in message
    for row in result.failures:
        assert f"{row.analytic:.12g}" in message and f"{row.numeric:.12g}" in message


def test_only_the_wrong_partial_fails() -> None:
    times = define_op(lambda x, y, out: y, lambda x, y, out: 1.001 * x)(lambda x, y: x * y)
    result = gradcheck(times, [2.0, 3.0], raise_exception=False)
    assert [row.status for row in result.rows] == ["ok", "FAIL"]
    assert [row.name for row in result.failures] == ["df/dy"]


def _cube(x: float) -> float:
    return x**3


WRONG_SECOND = [
    # First derivatives right (their numbers are right), second ones wrong: the
    # derivative's graph is cut (detach, .data) or half-cut.
    ("tanh with out.data", _op(lambda x, out: 1 - out.data**2, math.tanh, "tanh_data"), [0.4]),
    ("softplus with detach", _op(lambda x, out: x.detach().sigmoid(), _softplus, "softplus_detached"), [0.5]),
    ("cube half detached", _op(lambda x, out: 3 * x.detach() * x, _cube, "cube"), [1.3]),
    (
        "x*y partial cut",
        lambda x, y: define_op(lambda a, b, out: b.detach(), lambda a, b, out: a)(lambda a, b: a * b)(x, y),
        [2.0, -1.0],
    ),
]


@pytest.mark.parametrize(("case", "f", "point"), WRONG_SECOND, ids=[c[0] for c in WRONG_SECOND])
def test_wrong_second_derivatives_fail_with_right_first(case, f, point) -> None:
    assert gradcheck(f, point)
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(f, point)
    assert caught.value.result.order == 2 and "gradgradcheck of" in str(caught.value)


def test_right_user_ops_pass_both_orders() -> None:
    softplus = _op(lambda x, out: x.sigmoid(), _softplus, "softplus")
    for x in (-30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 30.0):
        assert gradcheck(softplus, [x]) and gradgradcheck(softplus, [x])


# ---------------------------------------------------------------------- kinks

KINKS = [
    # (case, f, point, left slope, right slope)
    ("relu at 0", lambda x: x.relu(), [0.0], 0.0, 1.0),
    ("abs at 0", lambda x: abs(x), [0.0], -1.0, 1.0),
    ("relu shifted, at its kink", lambda x: (x - 1.5).relu(), [1.5], 0.0, 1.0),
    ("abs times 3 plus a curve", lambda x: 3 * abs(x) + x * x, [0.0], -3.0, 3.0),
    # Closer than the smallest step the checker tries (1/512 of the first).
    ("relu within a step of 0", lambda x: x.relu(), [1e-10], 0.0, 1.0),
    ("abs within a step of 0", lambda x: abs(x), [-3e-11], -1.0, 1.0),
]


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize(("case", "f", "point", "left", "right"), KINKS, ids=[c[0] for c in KINKS])
def test_kinks_are_reported_with_both_slopes(case, f, point, left, right, method) -> None:
    result = gradcheck(f, point, method=method)
    (row,) = result.rows
    assert row.status == "kink" and row.passed
    # The slopes are secants beyond the kink: off by about h * f'' on a curve.
    assert row.kink == pytest.approx((left, right), abs=10 * row.step)
    assert "a kink at this point (or within the step" in str(result)


def test_kink_counts_as_failure_when_not_allowed() -> None:
    result = gradcheck(lambda x: x.relu(), [0.0], allow_kinks=False, raise_exception=False)
    assert not result and result.rows[0].status == "FAIL (kink)" and "allow_kinks=False" in str(result)


def _bad_abs():
    # 2 * sign(x), and 1.5 at 0: outside the one-sided slopes (-1, 1) of abs.
    return define_op(lambda x, out: 2.0 if x > 0 else (-2.0 if x < 0 else 1.5), name="bad_abs")(abs)


@pytest.mark.parametrize("x", [0.0, 1e-10, -1e-10])
def test_wrong_derivative_at_a_kink_fails(x) -> None:
    result = gradcheck(_bad_abs(), [x], raise_exception=False)
    assert not result and result.rows[0].status == "FAIL (kink)"
    assert "OUTSIDE the one-sided slopes" in str(result)


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize(
    ("f", "x", "slope"),
    [
        (lambda x: x.relu(), 1e-6, 1.0),
        (lambda x: x.relu(), -2e-6, 0.0),
        (lambda x: abs(x), -1e-6, -1.0),
        (lambda x: abs(x - 1) * x, 1 + 1e-6, 1.0 + 2e-6),
    ],
)
def test_near_a_kink_the_step_shrinks_and_measures_beside_it(f, x, slope, method) -> None:
    # The first step reaches across the kink; a smaller one does not, and f is differentiable at x.
    (row,) = gradcheck(f, [x], method=method).rows
    assert row.status == "ok" and row.step < abs(x - round(x))
    assert row.numeric == pytest.approx(slope, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("x", [1e-6, -2e-6])
def test_wrong_derivative_near_a_kink_fails(x) -> None:
    (row,) = gradcheck(_bad_abs(), [x], raise_exception=False).rows
    assert row.status == "FAIL" and row.numeric == pytest.approx(math.copysign(1.0, x), rel=1e-9)


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda x: (10 * x).exp(), 0.7),
        (lambda x: (30 * x).sin(), 0.3),
        (lambda x: (5 * x).cos(), 0.0),  # f' = 0 and a large f'''' at the same point
        (lambda x: x**8, 1.9),
        (lambda x: 1e6 + x, 0.25),
        (lambda x: x.relu(), 1e-3),  # a kink, but further than a step away
        (lambda x: (1000 * x).sin(), 0.1),  # fast: the step must shrink to follow it
    ],
)
def test_smooth_functions_are_not_mistaken_for_kinks(f, x, method) -> None:
    result = gradcheck(f, [x], method=method)
    assert result and not result.kinks, str(result)


def test_given_eps_is_kept_even_where_it_is_too_large() -> None:
    result = gradcheck(lambda x: (1000 * x).sin(), [0.1], eps=1e-4, raise_exception=False)
    assert not result and result.rows[0].step == 1e-4


def test_kinks_of_the_gradient_in_gradgradcheck() -> None:
    result = gradgradcheck(lambda x: x.relu() * x, [0.0])  # f' = 2 relu(x) has a kink at 0
    assert result and result.rows[0].kink == pytest.approx((0.0, 2.0), abs=1e-4)


# ------------------------------------------------------------ accuracy, steps


def test_richardson_is_more_accurate_than_central() -> None:
    rng = random.Random(7)
    errors = {"central": [], "richardson": []}
    for _name, f, sample in OP_CASES:
        for _ in range(5):
            point = sample(rng)
            for method, errs in errors.items():
                errs += [row.rel_error for row in gradcheck(f, point, method=method).rows if row.numeric != 0]
    assert max(errors["richardson"]) < max(errors["central"]) / 10
    assert max(errors["central"]) < 1e-8  # the margin under rtol=1e-6


@pytest.mark.parametrize(
    ("x", "method", "step"),
    [
        (0.5, "central", 2.0**-18),  # eps**(1/3) = 6.06e-6, rounded down to a power of two
        (1000.0, "central", 2.0**-8),  # relative to |x|: 6.06e-3
        (-1000.0, "richardson", 0.5),  # eps**(1/5) * 1000 = 0.74
    ],
)
def test_default_step_is_relative_to_the_input(x, method, step) -> None:
    assert gradcheck(lambda v: v * v, [x], method=method).rows[0].step == step


def test_eps_sets_the_step() -> None:
    result = gradcheck(lambda x, y: x * y, [1.0, 100.0], eps=1e-4)
    assert [row.step for row in result.rows] == [1e-4, 1e-4]


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda x: x.log(), 1e-7),  # the default step 3.8e-6 would reach log(-3.7e-6)
        (lambda x: x.sqrt(), 1e-9),
        (lambda x: (1 - x).log(), 1 - 2**-30),
    ],
)
def test_step_shrinks_near_a_domain_edge(f, x, method) -> None:
    result = gradcheck(f, [x], method=method)
    assert result and result.rows[0].step < 1e-3 * min(abs(x), abs(1 - x))


# --------------------------------------------------------- the result object


def test_result_fields_and_table() -> None:
    f = lambda x, y: x * y.exp()  # noqa: E731 - the table names a lambda by its line
    result = gradcheck(f, [2.0, 0.5])
    assert isinstance(result, GradcheckResult) and bool(result) is True
    assert result.point == (("x", 2.0), ("y", 0.5)) and result.order == 1
    assert [row.name for row in result.rows] == ["df/dx", "df/dy"]
    dx, dy = result.rows
    assert dx.analytic == pytest.approx(math.exp(0.5)) and dy.analytic == pytest.approx(2 * math.exp(0.5))
    assert dx.abs_error == abs(dx.analytic - dx.numeric)
    assert dx.rel_error == pytest.approx(dx.abs_error / abs(dx.numeric))
    lines = str(result).splitlines()
    name = f"<lambda> (test_gradcheck.py:{f.__code__.co_firstlineno})"
    assert lines[0] == f"gradcheck of {name} at (x=2.0, y=0.5): all passed"
    assert lines[3].split() == ["derivative", "analytic", "numeric", "abs", "error", "rel", "error", "step", "result"]
    assert lines[4].split()[0] == "df/dx" and lines[4].split()[-1] == "ok"
    assert repr(result) == f"<GradcheckResult {name} order=1: 2/2 passed>"


def test_hessian_rows_cover_both_sides_of_the_diagonal() -> None:
    result = gradgradcheck(lambda x, y: x * x * y, [3.0, 2.0])
    assert [(row.name, round(row.analytic, 9)) for row in result.rows] == [
        ("d2f/dx dx", 4.0),
        ("d2f/dx dy", 6.0),
        ("d2f/dy dx", 6.0),
        ("d2f/dy dy", 0.0),
    ]


def test_nonfinite_analytic_derivative_fails() -> None:
    nan_derivative = define_op(lambda x, out: math.nan, name="nan_derivative")(lambda x: 2 * x)
    result = gradcheck(nan_derivative, [1.0], raise_exception=False)
    assert not result and result.rows[0].abs_error == math.inf


def test_input_names_fall_back_to_positions() -> None:
    result = gradcheck(lambda *xs: xs[0] * xs[1], [1.0, 2.0])
    assert result.point == (("x0", 1.0), ("x1", 2.0))


# --------------------------------------------------------------- bad arguments


def _shifting(x, y):
    """Assigns to an input's data: the checker holds inputs across evaluations, so it must notice."""
    y.data += 1.0
    return x * y


BAD_ARGUMENTS = [
    # (case, f, inputs, options, error, words in the message)
    ("f not callable", 3.0, [1.0], {}, TypeError, "f must be a function"),
    ("input a string", lambda x: x, ["1.0"], {}, TypeError, "inputs[0] must be a real number, got str"),
    ("inputs a string", lambda x: x, "1.0", {}, TypeError, "inputs must be a list of numbers"),
    ("input a Value", lambda x: x, [Value(1.0)], {}, TypeError, "inputs[0] is Value(data=1.0"),
    ("inputs a Value", lambda x: x, Value(1.0), {}, TypeError, "got a Value"),
    ("input None", lambda x: x, [None], {}, TypeError, "got NoneType"),
    ("no inputs", lambda: Value(1.0), [], {}, ValueError, "inputs is empty"),
    ("nan input", lambda x: x, [math.nan], {}, ValueError, "inputs[0] is nan"),
    ("inf input", lambda x, y: x, [1.0, math.inf], {}, ValueError, "inputs[1] is inf"),
    ("wrong arity", lambda x, y: x * y, [1.0], {}, TypeError, "f cannot take 1 input(s)"),
    ("returns a float", lambda x: math.exp(x.data), [1.0], {}, TypeError, "returned float"),
    ("returns None", lambda x: None, [1.0], {}, TypeError, "returned NoneType None, not a Value"),
    ("nan output", lambda x: x * math.nan, [1.0], {}, ValueError, "is nan; derivatives can only be checked"),
    ("inf output", lambda x: x * math.inf, [1.0], {}, ValueError, "is inf"),
    ("undefined near the point", lambda x: x**1.5, [0.0], {}, ValueError, "cannot be evaluated near x=0.0"),
    ("bad method", lambda x: x, [1.0], {"method": "forward"}, ValueError, "method must be one of"),
    ("negative atol", lambda x: x, [1.0], {"atol": -1.0}, ValueError, "atol must be a finite number >= 0"),
    ("zero eps", lambda x: x, [1.0], {"eps": 0.0}, ValueError, "eps (the step) must be"),
    (
        "input too large for a float",
        lambda x: x,
        [10**400],
        {},
        ValueError,
        "inputs[0] is 1000000000000000000000000000... (401 characters); derivatives can only be checked at finite",
    ),
    (
        "step that does not move x",
        lambda x: x * x,
        [1.0],
        {"eps": 5e-324},
        ValueError,
        "cannot be evaluated near x=1.0: at 1.0 a step of",
    ),
    (
        "step that leaves the floats",
        lambda x: x * 1.0,
        [1.7976931348623157e308],
        {},
        ValueError,
        "cannot be evaluated near x=1.7976931348623157e+308",
    ),
    (
        "f changes its input",
        _shifting,
        [1.0, 2.0],
        {},
        ValueError,
        "_shifting changed its input y: its .data was 2.0, now 4.0; f must leave its inputs as given",
    ),
]


@pytest.mark.parametrize("check", [gradcheck, gradgradcheck])
@pytest.mark.parametrize(
    ("case", "f", "inputs", "options", "error", "words"), BAD_ARGUMENTS, ids=[c[0] for c in BAD_ARGUMENTS]
)
def test_bad_arguments_give_clear_errors(case, f, inputs, options, error, words, check) -> None:
    with pytest.raises(error) as caught:
        check(f, inputs, **options)
    assert words in str(caught.value)
    assert not isinstance(caught.value, GradcheckError)


@pytest.mark.parametrize("x", [1e308, -1.5e308, 1e-300, 5e-324])
def test_the_ends_of_the_float_range_are_checked_like_any_point(x) -> None:
    # 4 f(x + h/2) overflowed near 1e308: the extrapolated slopes were nan, and every point a "kink".
    result = gradcheck(lambda v: v * 0.5, [x])
    assert result and not result.kinks, str(result)


def test_a_single_number_is_one_input() -> None:
    assert gradcheck(lambda x: x.sin(), 0.5).point == (("x", 0.5),)


# ----------------------------------------------------- assert_gradients_close


def test_assert_gradients_close_passes_quietly() -> None:
    assert assert_gradients_close(lambda x, y: (x * y).sin(), [0.3, 0.4], order=2) is None


def test_assert_gradients_close_shows_the_table() -> None:
    bad = define_op(lambda x, out: 1.001 * out, name="bad_exp")(math.exp)
    with pytest.raises(AssertionError) as caught:
        assert_gradients_close(bad, [1.0])
    assert str(caught.value).startswith("gradcheck of bad_exp at (x=1.0): FAILED: 1 of 1 derivatives wrong")


def test_assert_gradients_close_order_2_checks_second_derivatives() -> None:
    f, point = WRONG_SECOND[0][1], WRONG_SECOND[0][2]
    assert_gradients_close(f, point)
    with pytest.raises(AssertionError, match="gradgradcheck of tanh_data"):
        assert_gradients_close(f, point, order=2)


def test_assert_gradients_close_shows_every_failing_table() -> None:
    bad = define_op(lambda x, out: 1.001 * out, name="bad_exp")(math.exp)
    with pytest.raises(AssertionError) as caught:
        assert_gradients_close(bad, [1.0], order=2)
    assert "gradcheck of bad_exp" in str(caught.value) and "gradgradcheck of bad_exp" in str(caught.value)


@pytest.mark.parametrize(("options", "error"), [({"order": 3}, ValueError), ({"raise_exception": False}, TypeError)])
def test_assert_gradients_close_rejects_bad_options(options, error) -> None:
    with pytest.raises(error):
        assert_gradients_close(lambda x: x, [1.0], **options)


def test_importing_autograd_core_does_not_import_hypothesis() -> None:
    code = (
        "import sys, autograd_core; "
        "print('hypothesis' in sys.modules, 'autograd_core.hypothesis_strategies' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    assert out.split() == ["False", "False"]


def test_gradgradcheck_needs_a_finite_gradient() -> None:
    with pytest.raises(ValueError, match="the gradient of <lambda>.* is \\[inf\\]"):
        gradgradcheck(lambda x: x.sqrt(), [0.0])


def test_unsettled_estimates_are_flagged() -> None:
    # sin(1e7 x): even 1/512 of the first step is far too large to follow it.
    result = gradcheck(lambda x: (1e7 * x).sin(), [0.1], raise_exception=False)
    (row,) = result.rows
    assert not row.settled and not row.passed
    assert "df/dx: the numeric value is unreliable" in str(result)


def test_settled_estimates_carry_no_warning() -> None:
    result = gradcheck(_bad_abs(), [0.5], raise_exception=False)
    assert result.rows[0].settled and "unreliable" not in str(result)


# ---------------------------------------------------------------------- noise
# Noise makes the one-sided slopes disagree as a kink does; it must be told apart and fail.


def _seeded_noise(amplitude: float):
    """A deterministic noise term: a fresh pseudo-random number for every x (the same for the same x)."""
    return lambda x: amplitude * random.Random(x).random()


_RNG = random.Random(0)

NOISY = [
    # (case, f, point, check, options, words in the report)
    (
        "random term, wrong derivative (the issue's case)",
        _op(lambda x, out: 5.0, lambda x: x * x + 1e-3 * _RNG.random(), "noisy_square"),
        [1.0],
        gradcheck,
        {},
        "noisy_square is not deterministic: evaluated twice at this point it gave",
    ),
    (
        "random term, right derivative",
        _op(lambda x, out: 2 * x, lambda x: x * x + 1e-9 * _RNG.random(), "noisy"),
        [0.3],
        gradcheck,
        {},
        "is not deterministic",
    ),
    (
        "seeded noise",
        _op(lambda x, out: 2 * x, lambda x: x * x + _seeded_noise(1e-3)(x), "seeded"),
        [1.0],
        gradcheck,
        {},
        "df/dx: noise, not a kink",
    ),
    (
        "tiny seeded noise",
        _op(lambda x, out: 2 * x, lambda x: x * x + _seeded_noise(1e-9)(x), "seeded"),
        [-0.7],
        gradcheck,
        {},
        "df/dx: noise, not a kink",
    ),
    (
        "fast oscillation as noise",
        _op(lambda x, out: 2 * x, lambda x: x * x + 1e-3 * math.sin(1e15 * x), "wiggle"),
        [1.0],
        gradcheck,
        {},
        "df/dx: noise, not a kink",
    ),
    (
        "seeded noise, eps given",
        _op(lambda x, out: 2 * x, lambda x: x * x + _seeded_noise(1e-3)(x), "seeded"),
        [1.0],
        gradcheck,
        {"eps": 1e-6},
        "df/dx: noise, not a kink",
    ),
    (
        "seeded noise, richardson",
        _op(lambda x, out: 2 * x, lambda x: x * x + _seeded_noise(1e-6)(x), "seeded"),
        [2.0],
        gradcheck,
        {"method": "richardson"},
        "df/dx: noise, not a kink",
    ),
    (
        "noise in the gradient",
        _op(lambda x, out: 2 * x + _seeded_noise(1e-6)(x.data), lambda x: x * x, "grad_noise"),
        [0.5],
        gradgradcheck,
        {},
        "d2f/dx dx: noise, not a kink",
    ),
]


@pytest.mark.parametrize(("case", "f", "point", "check", "options", "words"), NOISY, ids=[c[0] for c in NOISY])
def test_noise_is_reported_as_noise_and_fails(case, f, point, check, options, words) -> None:
    result = check(f, point, raise_exception=False, **options)
    assert not result and [row.status for row in result.rows] == ["FAIL (noise)"]
    assert words in str(result) and not result.kinks


def test_seeded_noise_never_passes_at_many_points() -> None:
    f = _op(lambda x, out: 2 * x, lambda x: x * x + _seeded_noise(1e-6)(x), "seeded")
    rng = random.Random(3)
    statuses = {gradcheck(f, [rng.uniform(-3, 3)], raise_exception=False).rows[0].status for _ in range(100)}
    assert statuses <= {"FAIL (noise)", "FAIL"}


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize("check", [gradcheck, gradgradcheck])
@pytest.mark.parametrize(
    ("f", "kink"),
    [(lambda x: x.relu(), 0.0), (lambda x: abs(x), 0.0), (lambda x: 3 * abs(x - 1.5) + x * x, 1.5)],
    ids=["relu", "abs", "3 abs + x^2"],
)
@pytest.mark.parametrize("distance", [0.0, 1e-12, -1e-12, 5e-9, -5e-9, 3e-8, -1e-7])
def test_kinks_and_jumps_near_the_point_are_never_noise(f, kink, distance, check, method) -> None:
    # gradgradcheck differences the gradient, which jumps where f has a kink: a jump is not noise either.
    result = check(f, [kink + distance], method=method, raise_exception=False)
    assert not any(row.noisy for row in result.rows), str(result)


def test_an_evaluation_makes_one_new_input_not_one_per_input() -> None:
    # Each evaluation moves one input; the others are the same leaves every time, so checking
    # n inputs costs n columns of f's own work (it was n columns of n new Values: n**2).
    given: list[Value] = []  # every input f was given, kept alive so that ids are not reused
    calls = 0

    def f(*xs):
        nonlocal calls
        calls += 1
        given.extend(xs)
        return xs[0] * xs[1]

    gradcheck(f, [0.5] * 200)
    assert calls > 200 * 6 and len({id(x) for x in given}) <= 200 + calls
