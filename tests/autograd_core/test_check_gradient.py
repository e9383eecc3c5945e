"""check_gradient and assert_gradient: any function's claimed derivative, checked entry by entry.

Right claims pass (smooth, at kinks, float32 and float16, deterministic noise,
projections); wrong ones fail with their diagnosis (wrong with the step sweep,
wrong at a kink, noise); the cost is n + 1 evaluations when nothing disagrees;
bad arguments give errors that name them. numpy is needed for array inputs;
PyTorch and JAX where their tests ask for them (skipped on a developer's
machine without them, failed in CI, which installs them).
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys

import pytest
from helpers import require_tool

import autograd_core
from autograd_core import GradcheckError, Value, assert_gradient, check_gradient, gradcheck
from autograd_core.checker import PROJECT_ABOVE, check_columns

np = pytest.importorskip("numpy")


def _needs(module: str, install: str) -> None:
    require_tool(importlib.util.find_spec(module) is not None, module, install)


class Counted:
    """f, counting its calls."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


# ------------------------------------------------------------- right claims pass


@pytest.mark.parametrize(
    ("f", "grad", "x"),
    [
        (lambda x: math.sin(x) * x, lambda x: math.cos(x) * x + math.sin(x), 0.7),
        (lambda v: v[0] ** 2 * v[1], lambda v: [2 * v[0] * v[1], v[0] ** 2], [1.5, -0.5]),
        (lambda x: float(np.sum(np.exp(x) * x)), lambda x: np.exp(x) * (1 + x), np.array([[0.1, -2.0], [1.0, 3.0]])),
        (lambda x: np.sum(np.log(x)), lambda x: 1 / x, np.array([1e-6, 1.0, 1e6])),  # badly scaled
    ],
)
def test_right_gradients_pass(f, grad, x) -> None:
    result = check_gradient(f, x, grad=grad)
    assert result, str(result)
    assert all(row.diagnosis == "ok" for row in result.rows)


def test_value_functions_are_checked_against_this_engine() -> None:
    result = check_gradient(lambda v: (v[0] * v[1]).tanh() + v[1].exp(), [0.5, -1.5])
    assert result and "claim: this engine's grad" in str(result).splitlines()[0]
    assert [row.analytic for row in result.rows] == pytest.approx(
        [-1.5 * (1 - math.tanh(-0.75) ** 2), 0.5 * (1 - math.tanh(-0.75) ** 2) + math.exp(-1.5)]
    )
    assert check_gradient(lambda v: v.sin(), 0.3)


def test_gradcheck_is_built_on_the_same_checker() -> None:
    module = sys.modules["autograd_core.gradcheck"]  # the package's attribute of that name is the function
    assert module.check_columns is check_columns
    assert gradcheck(lambda x, y: x * y.exp(), [2.0, 0.5])


# ------------------------------------------------------------- the cost


@pytest.mark.parametrize("n", [1, 3, 10, 50])
def test_n_plus_1_evaluations_when_every_entry_agrees(n) -> None:
    f = Counted(lambda x: float(x @ x) / 2 + float(np.sum(np.sin(x))))
    result = check_gradient(f, np.linspace(0.5, 2.0, n), grad=lambda x: x + np.cos(x))
    assert result and result.evaluations == f.calls == n + 1


def test_only_the_disagreeing_entry_is_swept() -> None:
    def grad(x):
        g = 2 * x
        g[3] = -g[3]
        return g

    f = Counted(lambda x: float(np.sum(x**2)))
    result = check_gradient(f, np.linspace(1.0, 2.0, 8), grad=grad)
    assert [row.name for row in result.failures] == ["df/dx[3]"]
    # n + 1, then f(x) again (is it random?), then the stencil and the sweep of that one entry only.
    assert 8 + 1 + 1 < result.evaluations == f.calls <= 8 + 1 + 1 + 6 + 10


# ------------------------------------------------------------- wrong claims fail, with their diagnosis


def test_a_wrong_entry_comes_with_the_step_sweep() -> None:
    result = check_gradient(lambda x: np.sum(x * np.exp(x)), np.array([0.5, 2.0]), grad=np.exp)
    assert not result and [row.diagnosis for row in result.rows] == ["wrong", "wrong"]
    row = result.rows[0]
    assert row.numeric == pytest.approx(1.5 * math.exp(0.5), rel=1e-8)
    steps = [step for step, _ in row.sweep]
    assert len(steps) == 5 and steps[0] / steps[-1] == 4096
    assert all(value == pytest.approx(row.numeric, rel=1e-6) for _, value in row.sweep)
    assert "so this is not truncation error" in str(result)


def test_a_sign_error_in_one_entry_of_many_is_named() -> None:
    def grad(x):
        g = np.cos(x)
        g[1, 2] *= -1
        return g

    result = check_gradient(lambda x: np.sum(np.sin(x)), np.arange(12.0).reshape(3, 4) / 7, grad=grad)
    assert [row.name for row in result.failures] == ["df/dx[1, 2]"]
    assert "FAILED: 1 of 12 derivatives wrong" in str(result).splitlines()[0]


def test_kinks_pass_between_the_slopes_and_fail_outside() -> None:
    relu = lambda x: np.sum(np.maximum(x, 0.0))  # noqa: E731 - a one-line function under test
    x = np.array([0.0, 1.0, -1.0])
    right = check_gradient(relu, x, grad=lambda x: (x > 0).astype(float))
    assert right and [row.diagnosis for row in right.rows] == ["kink", "ok", "ok"]
    assert right.rows[0].kink == pytest.approx((0.0, 1.0))
    wrong = check_gradient(relu, x, grad=lambda x: np.where(x >= 0, 1.5, 0.0))
    assert [row.diagnosis for row in wrong.rows] == ["wrong at a kink", "wrong", "ok"]
    assert "it lies OUTSIDE the one-sided slopes" in str(wrong)
    assert not check_gradient(relu, x, grad=lambda x: (x > 0).astype(float), allow_kinks=False)


def test_a_random_f_fails_as_noise() -> None:
    rng = np.random.default_rng(0)
    result = check_gradient(lambda x: np.sum(x**2) + 1e-9 * rng.normal(), np.array([0.5, 1.5]), grad=lambda x: 2 * x)
    assert not result and {row.diagnosis for row in result.rows} == {"noise"}
    assert "is not deterministic" in str(result)


def test_deterministic_noise_with_a_right_gradient_passes_at_larger_steps() -> None:
    f = lambda x: np.sum(x**2) + (1e6 + np.sum(x)) - 1e6 - np.sum(x)  # noqa: E731 - digits lost inside f
    result = check_gradient(f, np.array([0.3, -1.1, 2.5]), grad=lambda x: 2 * x)
    assert result, str(result)
    assert not check_gradient(f, np.array([0.3, -1.1, 2.5]), grad=lambda x: 2.2 * x)


# ------------------------------------------------------------- precision


@pytest.mark.parametrize(("dtype", "rtol"), [("float32", 2e-3), ("float16", 3e-2)])
def test_low_precision_is_judged_at_its_own_precision(dtype, rtol) -> None:
    x = np.array([0.25, -1.5, 2.0], dtype=dtype)
    result = check_gradient(lambda x: np.sum(np.sin(x) * x), x, grad=lambda x: np.cos(x) * x + np.sin(x))
    assert result and result.rtol == rtol, str(result)
    assert not check_gradient(lambda x: np.sum(np.sin(x) * x), x, grad=lambda x: np.cos(x) * x)


def test_float32_cancellation_in_the_claim_is_caught() -> None:
    x = np.array([3e-3, 5e-3, 8e-3], dtype=np.float32)
    f = lambda x: np.sum(x**3 / 6 - x**5 / 120 + x**7 / 5040)  # noqa: E731 - x - sin x without cancellation
    assert check_gradient(f, x, grad=lambda x: 2 * np.sin(x / 2) ** 2)
    assert not check_gradient(f, x, grad=lambda x: 1 - np.cos(x))


# ------------------------------------------------------------- vector outputs, projections


A = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [4.0, 0.0, 1.0]])


def test_jacobian_and_vjp_claims() -> None:
    f = lambda x: A @ np.tanh(x)  # noqa: E731 - a one-line function under test
    x = np.array([0.2, -0.4, 1.1])
    assert check_gradient(f, x, jacobian=lambda x: A * (1 - np.tanh(x) ** 2))
    transposed = check_gradient(f, x, jacobian=lambda x: (A * (1 - np.tanh(x) ** 2)).T)
    assert [row.name for row in transposed.failures] == [
        "df[0]/dx[1]",
        "df[0]/dx[2]",
        "df[1]/dx[0]",
        "df[1]/dx[2]",
        "df[2]/dx[0]",
        "df[2]/dx[1]",
    ]
    assert check_gradient(f, x, vjp=lambda x, u: (u @ A) * (1 - np.tanh(x) ** 2))
    assert not check_gradient(f, x, vjp=lambda x, u: (A @ u) * (1 - np.tanh(x) ** 2))
    projected = check_gradient(f, x, vjp=lambda x, u: (u @ A) * (1 - np.tanh(x) ** 2), projections=2)
    assert projected and [row.name for row in projected.rows][:2] == ["d(u0.f)/dx[0]", "d(u0.f)/dx[1]"]


def test_many_inputs_are_checked_along_random_directions() -> None:
    n = PROJECT_ABOVE + 744
    f = Counted(lambda x: np.sum(np.tanh(x) ** 2))
    grad = lambda x: 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)  # noqa: E731 - the claim, one line
    x = np.linspace(-2, 2, n)
    result = check_gradient(f, x, grad=grad)
    assert result and len(result.rows) == 8 and result.evaluations < 40
    assert "missed with probability below 2e-17" in result.notes[0]

    def wrong(x):
        g = grad(x)
        g[123] *= 2
        return g

    result = check_gradient(f, x, grad=wrong)
    assert [row.name for row in result.failures] == ["df/dx[123]"]
    assert "every entry was then checked" in str(result)


# ------------------------------------------------------------- complex step, reports


def test_complex_step_is_a_second_opinion() -> None:
    result = check_gradient(lambda x: np.sum(np.sin(x)), np.array([0.3, 1.0]), grad=np.cos, complex_step=True)
    assert result and [row.complex_step for row in result.rows] == pytest.approx(np.cos([0.3, 1.0]), rel=1e-14)
    cubic_abs = check_gradient(
        lambda x: np.sum(np.abs(x) ** 3), np.array([-0.3, 1.0]), grad=lambda x: 3 * x * np.abs(x), complex_step=True
    )
    assert cubic_abs and "it disagrees with the finite differences" in str(cubic_abs)  # abs has no complex step
    assert "complex step" in str(check_gradient(lambda x: x * x, 0.5, grad=lambda x: 2 * x, complex_step=True))


def test_assert_gradient_raises_with_the_table() -> None:
    assert_gradient(lambda x: np.sum(x**2), np.array([1.0, 2.0]), grad=lambda x: 2 * x)
    with pytest.raises(GradcheckError) as info:
        assert_gradient(lambda x: np.sum(x**2), np.array([1.0, 2.0]), grad=lambda x: x)
    assert isinstance(info.value, AssertionError)
    assert "FAILED: 2 of 2 derivatives wrong" in str(info.value) and "df/dx[1]" in str(info.value)
    with pytest.raises(TypeError, match="always raises"):
        assert_gradient(lambda x: x, 1.0, grad=lambda x: 1.0, raise_exception=False)


def test_the_report_in_a_notebook() -> None:
    result = check_gradient(lambda x: x**2, 1.5, grad=lambda x: 4.0)
    page = result._repr_html_()
    assert page.startswith("<div><p>check_gradient of") and "df/dx" in page and "FAIL" in page


def test_long_tables_show_the_failing_rows() -> None:
    def grad(x):
        g = 2 * x
        g[7] = 0.0
        return g

    text = str(check_gradient(lambda x: np.sum(x**2), np.linspace(1, 2, 40), grad=grad, projections=None))
    assert "df/dx[7]" in text and "df/dx[8] " not in text and "... and 39 more derivatives, all ok" in text


# ------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("f", "x", "options", "error", "words"),
    [
        (42, 1.0, {"grad": lambda x: 1.0}, TypeError, "f must be a function"),
        (lambda x: x, "1.0", {"grad": lambda x: 1.0}, TypeError, "x must be a number, a list of numbers"),
        (lambda x: x, [], {"grad": lambda x: []}, ValueError, "x is empty"),
        (lambda x: x, math.nan, {"grad": lambda x: 1.0}, ValueError, "x is nan"),
        (lambda x: x, [1.0, Value(2.0)], {"grad": lambda x: 1.0}, TypeError, "x[1] is Value"),
        (lambda x: x, 1.0, {"grad": lambda x: 1.0, "vjp": lambda x, u: u}, TypeError, "give one claim"),
        (lambda x: x, 1.0, {"grad": 3.0}, TypeError, "grad= must be a function of x"),
        (lambda x: np.sum(x), np.ones(3), {}, TypeError, "has no derivative of its own: pass grad="),
        (lambda x: np.sum(x), np.ones(3), {"grad": lambda x: np.ones(2)}, ValueError, "has 2 entries; x has 3"),
        (lambda x: x, np.ones(2), {"grad": lambda x: x}, ValueError, "has 2 values, not one"),
        (lambda x: A @ x, np.ones(3), {"jacobian": lambda x: A[:2]}, ValueError, "needs 9 (3 x 3)"),
        (lambda x: np.log(x), -1.0, {"grad": lambda x: 1 / x}, ValueError, "where f is finite"),
        (lambda x: x, 1.0, {"grad": lambda x: 1.0, "rtol": -1}, ValueError, "rtol must be a finite number"),
        (lambda x: x, 1.0, {"grad": lambda x: 1.0, "method": "x"}, ValueError, "method must be one of"),
        (lambda x: x, 1.0, {"grad": lambda x: 1.0, "projections": 0}, ValueError, "projections must be"),
        (lambda x: x.data, 1.0, {}, TypeError, "not a Value"),
    ],
)
def test_bad_arguments_give_clear_errors(f, x, options, error, words) -> None:
    with pytest.raises(error) as info:
        with np.errstate(all="ignore"):
            check_gradient(f, x, **options)
    assert words in str(info.value)


def test_importing_the_engine_imports_no_array_library() -> None:
    code = "import sys, autograd_core; print(sorted(m for m in ('numpy', 'torch', 'jax', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert autograd_core.check_gradient is check_gradient


# ------------------------------------------------------------- PyTorch and JAX


def test_a_custom_torch_function_backward_is_checked() -> None:
    _needs("torch", "make torch")
    import torch

    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, upstream):
            (x,) = ctx.saved_tensors
            return upstream * 3 * x  # should be 3 x**2

    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    result = check_gradient(lambda x: Cube.apply(x).sum(), x)
    assert [row.diagnosis for row in result.rows] == ["wrong", "wrong", "wrong"]
    assert [row.analytic for row in result.rows] == [1.5, -3.0, 6.0]
    assert [row.numeric for row in result.rows] == pytest.approx([0.75, 3.0, 12.0])
    assert check_gradient(lambda x: torch.tanh(x).sum(), x.float()).rtol == 2e-3
    assert check_gradient(lambda x: torch.tanh(x), x)  # a vector output: autograd's Jacobian
    assert not x.requires_grad


def test_jax_arrays_are_checked_against_jax_grad() -> None:
    _needs("jax", "make frameworks")
    import jax
    import jax.numpy as jnp

    f = lambda x: jnp.sum(jnp.sin(x) * x)  # noqa: E731 - a one-line function under test
    x = jnp.array([0.3, 1.0, -2.0], dtype=jnp.float32)
    result = check_gradient(f, x)
    assert result and result.rtol == 2e-3 and "claim: jax.grad" in str(result)

    @jax.custom_vjp
    def square(x):
        return x**2

    square.defvjp(lambda x: (square(x), x), lambda x, g: (g * x,))  # should be 2 x
    assert [row.diagnosis for row in check_gradient(lambda x: jnp.sum(square(x)), x).rows] == ["wrong"] * 3
