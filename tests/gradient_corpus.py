"""A corpus of 40 gradients written with numpy, PyTorch and JAX: 20 right, 20 with a planted bug.

Each case is a function ``f``, a point ``x`` and a claim: ``grad=`` / ``jacobian=``
for numpy, the framework's own derivative for PyTorch (built-in ops, or a
custom ``autograd.Function`` whose backward is the claim) and JAX (``jax.grad``
through a ``custom_vjp`` where the rule is hand-written). The right ones are
the cases a checker must not fail on: kinks, float32 and float16, noise from
cancellation inside f, bad scaling, 1,000 inputs. The wrong ones carry the
bugs people write: a sign, a factor of 2, a transposed Jacobian, a missing
term, a wrong derivative at a kink, float32 precision lost in the gradient.

``run(checker)`` runs one checker on every case; ``CHECKERS`` are ours
(``check_gradient``), ``torch.autograd.gradcheck``, ``jax.test_util.check_grads``
and ``scipy.optimize.check_grad``, each with its documented defaults; each
case's claim reaches the other frameworks' checkers as a custom rule (a
``torch.autograd.Function``, a ``jax.custom_vjp`` through ``pure_callback``).
``table()`` is the comparison the docs show (scripts/gradient_corpus_table.py
writes it there). numpy, torch, jax and scipy are imported when a case is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# scipy's check_grad returns |claim - forward difference| (a 2-norm) and no verdict: it passes below this,
# relative to the gradient's norm (forward differences with its step, sqrt(eps), are good to about 1e-7 there).
SCIPY_THRESHOLD = 1e-5


@dataclass
class Case:
    """One function, its point and its claim; ``bug`` is '' for a right gradient, else what was planted."""

    name: str
    framework: str  # numpy, torch, jax
    bug: str  # '', or sign, factor 2, transposed Jacobian, missing term, wrong at a kink, float32 precision lost
    build: Callable[[], tuple[Callable[[Any], Any], Any, dict[str, Any]]]  # -> f, x, check_gradient's claim
    diagnosis: str = "wrong"  # what ours must say of a bug: wrong, or wrong at a kink (outside the one-sided slopes)
    custom_rule: bool = False  # a jax.custom_vjp: check_grads cannot use forward mode on it
    notes: dict[str, str] = field(default_factory=dict)


def _np() -> Any:
    import numpy as np

    return np


def _torch() -> Any:
    import torch

    return torch


def _jax() -> tuple[Any, Any]:
    import jax

    jax.config.update("jax_enable_x64", True)  # float64 where a case asks for it; float32 cases say so
    import jax.numpy as jnp

    return jax, jnp


def _points(n: int, seed: int, low: float = -2.0, high: float = 2.0) -> Any:
    return _np().random.default_rng(seed).uniform(low, high, size=n)


# ------------------------------------------------------------------ numpy


def _np_smooth() -> Any:
    np = _np()
    return (
        lambda x: np.sum(np.sin(x) * x**2),
        np.array([[0.5, -1.2, 2.0], [0.1, 3.0, -0.7]]),
        {"grad": lambda x: np.cos(x) * x**2 + 2 * x * np.sin(x)},
    )


def _np_abs_kink() -> Any:
    np = _np()
    return lambda x: np.sum(np.abs(x)), np.array([0.0, 1.5, -2.0]), {"grad": np.sign}


def _np_relu_kink() -> Any:
    np = _np()
    return (
        lambda x: np.sum(np.maximum(x, 0.0) * x[::-1]),
        np.array([0.0, 0.7, -1.3, 0.0]),
        {"grad": lambda x: np.where(x > 0, x[::-1], 0.0) + np.maximum(x, 0.0)[::-1]},
    )


def _np_float32() -> Any:
    np = _np()
    return (
        lambda x: np.sum(np.tanh(x) * np.exp(-(x**2))),
        _points(6, 1).astype(np.float32),
        {"grad": lambda x: (1 - np.tanh(x) ** 2 - 2 * x * np.tanh(x)) * np.exp(-(x**2))},
    )


def _np_float16() -> Any:
    np = _np()
    return (
        lambda x: np.sum(x**2 * np.float16(0.5) + np.sin(x)),
        np.array([0.25, -1.5, 2.0], dtype=np.float16),
        {"grad": lambda x: x + np.cos(x)},
    )


def _np_cancellation() -> Any:
    """Noisy but right: f adds and removes 1e6, losing its last digits; the gradient is exact."""
    np = _np()
    return (
        lambda x: np.sum(x**2) + (1e6 + np.sum(x)) - 1e6 - np.sum(x),
        np.array([0.3, -1.1, 2.5]),
        {"grad": lambda x: 2 * x},
    )


def _np_badly_scaled() -> Any:
    """Inputs from 1e-6 to 1e6 and a gradient from 1e6 to 1e-6."""
    np = _np()
    return lambda x: np.sum(np.log(x)), np.array([1e-6, 3e-3, 1.0, 4e3, 1e6]), {"grad": lambda x: 1 / x}


def _np_thousand() -> Any:
    np = _np()
    x = _points(1000, 2)
    return (
        lambda x: np.log(np.sum(np.exp(x))),
        x,
        {"grad": lambda x: np.exp(x) / np.sum(np.exp(x))},
    )


def _np_jacobian() -> Any:
    np = _np()
    A = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [4.0, 0.0, 1.0]])
    return (
        lambda x: A @ np.tanh(x),
        np.array([0.2, -0.4, 1.1]),
        {"jacobian": lambda x: A * (1 - np.tanh(x) ** 2)},
    )


def _np_sign_bug() -> Any:
    np = _np()
    return lambda x: np.sum(np.sin(x)), np.array([0.4, 1.3, -2.2]), {"grad": lambda x: -np.cos(x)}


def _np_factor_bug() -> Any:
    np = _np()
    return (
        lambda x: 0.5 * np.sum(x**2 * np.exp(x)),
        np.array([0.3, -0.8]),
        {"grad": lambda x: (2 * x + x**2) * np.exp(x)},
    )


def _np_missing_term_bug() -> Any:
    np = _np()
    return (
        lambda x: np.sum(x * np.exp(x)),
        np.array([0.5, -1.0, 2.0]),
        {"grad": lambda x: np.exp(x)},  # the product rule's x * exp(x) is missing
    )


def _np_transposed_bug() -> Any:
    np = _np()
    A = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [4.0, 0.0, 1.0]])
    return (
        lambda x: A @ np.tanh(x),
        np.array([0.2, -0.4, 1.1]),
        {"jacobian": lambda x: (A * (1 - np.tanh(x) ** 2)).T},
    )


def _np_kink_bug() -> Any:
    """Leaky relu with slope 0.1: at 0 the claim says 0, outside [0.1, 1]."""
    np = _np()
    return (
        lambda x: np.sum(np.where(x > 0, x, 0.1 * x)),
        np.array([0.0, 0.5, 2.0]),
        {"grad": lambda x: np.where(x > 0, 1.0, np.where(x < 0, 0.1, 0.0))},
    )


def _stable_x_minus_sin(np: Any, x: Any) -> Any:
    """x - sin(x) for small x without cancellation (its series), in x's precision."""
    return x**3 / 6 - x**5 / 120 + x**7 / 5040


def _np_float32_bug() -> Any:
    """d/dx (x - sin x) = 1 - cos x, which float32 cannot form for small x: 2 sin(x/2)**2 can."""
    np = _np()
    return (
        lambda x: np.sum(_stable_x_minus_sin(np, x)),
        np.array([3e-3, 5e-3, 8e-3], dtype=np.float32),
        {"grad": lambda x: 1 - np.cos(x)},
    )


def _np_scale_bug() -> Any:
    """A factor of 2 on one entry only, in a badly scaled function."""
    np = _np()

    def grad(x: Any) -> Any:
        g = 1e8 * 2 * x
        g[1] *= 2
        return g

    return lambda x: 1e8 * np.sum(x**2), np.array([1e-4, -3e-4, 2e-4]), {"grad": grad}


# ------------------------------------------------------------------ PyTorch


def _torch_function(forward: Callable[[Any], Any], backward: Callable[[Any, Any], Any]) -> Any:
    """A custom ``torch.autograd.Function``: ``backward(x, upstream)`` is the hand-written claim."""
    torch = _torch()

    class Custom(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return forward(x)

        @staticmethod
        def backward(ctx: Any, upstream: Any) -> Any:
            (x,) = ctx.saved_tensors
            return backward(x, upstream)

    return Custom.apply


def _t(values: Any, dtype: str = "float64") -> Any:
    torch = _torch()
    return torch.tensor(values, dtype=getattr(torch, dtype))


def _torch_custom_right() -> Any:
    torch = _torch()
    cube = _torch_function(
        lambda x: x**3 * torch.sin(x), lambda x, g: g * (3 * x**2 * torch.sin(x) + x**3 * torch.cos(x))
    )
    return lambda x: cube(x).sum(), _t([0.5, -1.0, 2.0]), {}


def _torch_relu() -> Any:
    torch = _torch()
    return lambda x: (torch.relu(x) * torch.arange(1.0, 5.0, dtype=x.dtype)).sum(), _t([0.0, 0.5, -1.0, 0.0]), {}


def _torch_float32() -> Any:
    torch = _torch()
    return lambda x: torch.nn.functional.softplus(x).pow(2).sum(), _t(_points(5, 3).tolist(), "float32"), {}


def _torch_thousand() -> Any:
    torch = _torch()
    return lambda x: torch.logsumexp(x, 0) + (x**2).mean(), _t(_points(1000, 4).tolist()), {}


def _torch_jacobian() -> Any:
    torch = _torch()
    return lambda x: torch.stack([x[0] * x[1], torch.sin(x[1]) + x[2] ** 2, torch.exp(-x[0])]), _t([0.3, 1.2, -0.5]), {}


def _torch_badly_scaled() -> Any:
    torch = _torch()
    return lambda x: 1e-6 * torch.exp(x).sum(), _t([-3.0, 10.0, 20.0]), {}


def _torch_sign_bug() -> Any:
    torch = _torch()
    sin = _torch_function(torch.sin, lambda x, g: -g * torch.cos(x))
    return lambda x: sin(x).sum(), _t([0.4, 1.3, -2.2]), {}


def _torch_factor_bug() -> Any:
    torch = _torch()
    square = _torch_function(lambda x: x**2, lambda x, g: g * 4 * x)
    return lambda x: (square(x) * torch.tensor([1.0, 2.0], dtype=x.dtype)).sum(), _t([0.7, -1.5]), {}


def _torch_missing_term_bug() -> Any:
    torch = _torch()
    f = _torch_function(lambda x: x * torch.sin(x), lambda x, g: g * torch.sin(x))
    return lambda x: f(x).sum(), _t([0.5, 1.5, -2.5]), {}


def _torch_transposed_bug() -> Any:
    torch = _torch()
    A = _t([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [4.0, 0.0, 1.0]])
    matvec = _torch_function(lambda x: A @ x, lambda x, g: A @ g)  # the vector-Jacobian product is A.T @ g
    return lambda x: torch.tanh(matvec(x)), _t([0.2, -0.4, 1.1]), {}


def _torch_kink_bug() -> Any:
    """Leaky relu's backward forgets the slope below 0 and says 0 at 0, outside [0.01, 1]."""
    torch = _torch()
    leaky = _torch_function(lambda x: torch.where(x > 0, x, 0.01 * x), lambda x, g: g * (x > 0).to(x.dtype))
    return lambda x: leaky(x).sum(), _t([0.0, 0.5, 2.0]), {}


def _torch_float32_bug() -> Any:
    torch = _torch()
    f = _torch_function(lambda x: _stable_x_minus_sin(torch, x), lambda x, g: g * (1 - torch.cos(x)))
    return lambda x: f(x).sum(), _t([3e-3, 5e-3, 8e-3], "float32"), {}


def _torch_missing_sum_bug() -> Any:
    """The gradient of sum(x)**2 + sum(x**3) without the first term's."""
    f = _torch_function(lambda x: x.sum() ** 2 + (x**3).sum(), lambda x, g: g * 3 * x**2)
    return f, _t([0.5, -0.2, 1.0]), {}


# ------------------------------------------------------------------ JAX


def _jax_rule(forward: Callable[[Any], Any], backward: Callable[[Any, Any], Any]) -> Any:
    """A ``jax.custom_vjp`` function: ``backward(x, cotangent)`` is the hand-written claim."""
    jax, _ = _jax()
    f = jax.custom_vjp(forward)
    f.defvjp(lambda x: (forward(x), x), lambda x, g: (backward(x, g),))
    return f


def _j(values: Any, dtype: str = "float64") -> Any:
    _, jnp = _jax()
    return jnp.asarray(_np().asarray(values, dtype=dtype))


def _jax_float32() -> Any:
    _, jnp = _jax()
    return lambda x: jnp.sum(jnp.sin(x) * jnp.cosh(x / 2)), _j([0.3, 1.0, -2.0, 0.7], "float32"), {}


def _jax_float64() -> Any:
    _, jnp = _jax()
    return lambda x: jnp.sum(jnp.log1p(x**2) * jnp.exp(-x)), _j([[0.3, 1.0], [-2.0, 0.7]]), {}


def _jax_abs_kink() -> Any:
    _, jnp = _jax()
    return lambda x: jnp.sum(jnp.abs(x) + x**2), _j([0.0, 1.0, -0.5]), {}


def _jax_custom_right() -> Any:
    _, jnp = _jax()
    rule = _jax_rule(lambda x: jnp.sum(x**3), lambda x, g: g * 3 * x**2)
    return rule, _j([0.5, -1.0, 2.0]), {}


def _jax_thousand() -> Any:
    _, jnp = _jax()
    return lambda x: jnp.sum(jnp.tanh(x) ** 2), _j(_points(1000, 5)), {}


def _jax_sign_bug() -> Any:
    _, jnp = _jax()
    return _jax_rule(lambda x: jnp.sum(jnp.exp(-x)), lambda x, g: g * jnp.exp(-x)), _j([0.2, -1.0, 1.5]), {}


def _jax_factor_bug() -> Any:
    _, jnp = _jax()
    return _jax_rule(lambda x: jnp.sum(jnp.sqrt(x)), lambda x, g: g / jnp.sqrt(x)), _j([0.5, 2.0, 4.0]), {}


def _jax_missing_term_bug() -> Any:
    _, jnp = _jax()
    rule = _jax_rule(lambda x: jnp.sum(x**2 * jnp.cos(x)), lambda x, g: g * 2 * x * jnp.cos(x))
    return rule, _j([0.5, 1.5, -2.5]), {}


def _jax_transposed_bug() -> Any:
    _, jnp = _jax()
    A = jnp.asarray([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [4.0, 0.0, 1.0]])
    return _jax_rule(lambda x: A @ x, lambda x, g: A @ g), _j([0.2, -0.4, 1.1]), {}


def _jax_kink_bug() -> Any:
    """A hinge max(1 - x, 0) whose rule says -2 at the kink x = 1, outside [-1, 0]."""
    _, jnp = _jax()
    rule = _jax_rule(
        lambda x: jnp.sum(jnp.maximum(1 - x, 0.0)),
        lambda x, g: g * jnp.where(x < 1, -1.0, jnp.where(x > 1, 0.0, -2.0)),
    )
    return rule, _j([1.0, 0.5, 3.0]), {}


def _jax_float32_bug() -> Any:
    _, jnp = _jax()
    rule = _jax_rule(lambda x: jnp.sum(_stable_x_minus_sin(jnp, x)), lambda x, g: g * (1 - jnp.cos(x)))
    return rule, _j([3e-3, 5e-3, 8e-3], "float32"), {}


CASES = [
    # right: numpy
    Case("numpy: sin(x) x^2 over a 2x3 array", "numpy", "", _np_smooth),
    Case("numpy: abs(x) at a kink, sign(x) claimed", "numpy", "", _np_abs_kink),
    Case("numpy: relu(x) * reversed x, kinks at 0", "numpy", "", _np_relu_kink),
    Case("numpy: float32 tanh(x) exp(-x^2)", "numpy", "", _np_float32),
    Case("numpy: float16 x^2/2 + sin x", "numpy", "", _np_float16),
    Case("numpy: noisy f (cancellation of 1e6), right gradient", "numpy", "", _np_cancellation),
    Case("numpy: log x, x from 1e-6 to 1e6 (badly scaled)", "numpy", "", _np_badly_scaled),
    Case("numpy: logsumexp of 1,000 inputs", "numpy", "", _np_thousand),
    Case("numpy: A tanh(x), its Jacobian", "numpy", "", _np_jacobian),
    # right: PyTorch
    Case("torch: custom Function x^3 sin x", "torch", "", _torch_custom_right),
    Case("torch: relu at 0 (autograd says 0)", "torch", "", _torch_relu),
    Case("torch: float32 softplus(x)^2", "torch", "", _torch_float32),
    Case("torch: logsumexp + mean x^2, 1,000 inputs", "torch", "", _torch_thousand),
    Case("torch: a vector output, its Jacobian", "torch", "", _torch_jacobian),
    Case("torch: 1e-6 exp(x) up to 5e2 (badly scaled)", "torch", "", _torch_badly_scaled),
    # right: JAX
    Case("jax: float32 sin x cosh(x/2)", "jax", "", _jax_float32),
    Case("jax: log1p(x^2) exp(-x), 2x2 float64", "jax", "", _jax_float64),
    Case("jax: abs(x) + x^2 at a kink", "jax", "", _jax_abs_kink),
    Case("jax: custom_vjp x^3", "jax", "", _jax_custom_right, custom_rule=True),
    Case("jax: tanh(x)^2 of 1,000 inputs", "jax", "", _jax_thousand),
    # wrong: numpy
    Case("numpy: sin x, claimed -cos x", "numpy", "sign", _np_sign_bug),
    Case("numpy: x^2 exp(x)/2 without the 1/2", "numpy", "factor 2", _np_factor_bug),
    Case("numpy: x exp(x), claimed exp(x)", "numpy", "missing term", _np_missing_term_bug),
    Case("numpy: A tanh(x), Jacobian transposed", "numpy", "transposed Jacobian", _np_transposed_bug),
    Case(
        "numpy: leaky relu, 0 claimed at the kink",
        "numpy",
        "wrong at a kink",
        _np_kink_bug,
        diagnosis="wrong at a kink",
    ),
    Case("numpy: float32 x - sin x, claimed 1 - cos x", "numpy", "float32 precision lost", _np_float32_bug),
    Case("numpy: 1e8 x^2 at 1e-4, one entry doubled", "numpy", "factor 2", _np_scale_bug),
    # wrong: PyTorch
    Case("torch: Function sin, backward -cos", "torch", "sign", _torch_sign_bug),
    Case("torch: Function x^2, backward 4x", "torch", "factor 2", _torch_factor_bug),
    Case("torch: Function x sin x, backward sin x", "torch", "missing term", _torch_missing_term_bug),
    Case("torch: Function A x, backward A g", "torch", "transposed Jacobian", _torch_transposed_bug),
    Case(
        "torch: Function leaky relu, backward 0 at 0",
        "torch",
        "wrong at a kink",
        _torch_kink_bug,
        diagnosis="wrong at a kink",
    ),
    Case("torch: float32 x - sin x, backward 1 - cos x", "torch", "float32 precision lost", _torch_float32_bug),
    Case("torch: sum(x)^2 + sum(x^3), backward 3x^2", "torch", "missing term", _torch_missing_sum_bug),
    # wrong: JAX
    Case("jax: custom_vjp exp(-x), rule +exp(-x)", "jax", "sign", _jax_sign_bug, custom_rule=True),
    Case("jax: custom_vjp sqrt x, rule 1/sqrt x", "jax", "factor 2", _jax_factor_bug, custom_rule=True),
    Case("jax: custom_vjp x^2 cos x, rule 2x cos x", "jax", "missing term", _jax_missing_term_bug, custom_rule=True),
    Case("jax: custom_vjp A x, rule A g", "jax", "transposed Jacobian", _jax_transposed_bug, custom_rule=True),
    Case(
        "jax: custom_vjp hinge, rule -2 at the kink",
        "jax",
        "wrong at a kink",
        _jax_kink_bug,
        "wrong at a kink",
        custom_rule=True,
    ),
    Case("jax: float32 x - sin x, rule 1 - cos x", "jax", "float32 precision lost", _jax_float32_bug, custom_rule=True),
]


# ------------------------------------------------------------------ running the checkers


class Counted:
    """f, counting its calls (every checker's evaluations of f, including those its derivative needs)."""

    def __init__(self, f: Callable[[Any], Any]) -> None:
        self.f, self.calls = f, 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        return self.f(x)


@dataclass
class Outcome:
    """What one checker said of one case."""

    passed: bool
    evaluations: int
    detail: str = ""  # ours: the diagnoses of the failing entries; others: the error, shortened


def _as_numpy(case: Case, f: Callable[[Any], Any], x: Any, claim: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The case as numpy functions: x as an array, f(x) and vjp(x, u) (the claim, whatever its framework)."""
    np = _np()
    if case.framework == "numpy":
        if "grad" in claim:
            return x, f, lambda a, u: np.asarray(u) * claim["grad"](a)
        jac = claim["jacobian"]
        return x, f, lambda a, u: (np.asarray(u).reshape(-1) @ np.asarray(jac(a)).reshape(-1, a.size)).reshape(a.shape)
    if case.framework == "torch":
        torch = _torch()

        def f_np(a: Any) -> Any:
            with torch.no_grad():
                return f(torch.as_tensor(a)).numpy()

        def vjp_np(a: Any, u: Any) -> Any:
            t = torch.as_tensor(a).clone().requires_grad_(True)
            out = f(t)
            (g,) = torch.autograd.grad(
                out, t, grad_outputs=torch.as_tensor(np.asarray(u, dtype=a.dtype)).reshape(out.shape)
            )
            return g.numpy()

        return x.numpy(), f_np, vjp_np
    jax, jnp = _jax()

    def vjp_jax(a: Any, u: Any) -> Any:
        out, pullback = jax.vjp(f, jnp.asarray(a))
        return np.asarray(pullback(jnp.asarray(np.asarray(u, dtype=a.dtype)).reshape(out.shape))[0])

    return np.asarray(x), lambda a: np.asarray(f(jnp.asarray(a))), vjp_jax


def ours(case: Case) -> Outcome:
    """check_gradient with its defaults."""
    from autograd_core import check_gradient

    f, x, claim = case.build()
    counted = Counted(f)
    result = check_gradient(counted, x, **claim)
    detail = ", ".join(sorted({row.diagnosis for row in result.failures}))
    return Outcome(bool(result), counted.calls, detail)


def torch_gradcheck(case: Case) -> Outcome:
    """torch.autograd.gradcheck with its defaults (eps=1e-6, atol=1e-5, rtol=1e-3), x in the case's dtype."""
    torch = _torch()
    f, x, claim = case.build()
    counted = Counted(f)
    if case.framework == "torch":
        fn, t = counted, x.clone().requires_grad_(True)
    else:
        a, f_np, vjp_np = _as_numpy(case, counted, x, claim)
        a = _np().array(a)
        fn = _torch_function(
            lambda t: torch.as_tensor(_np().asarray(f_np(t.detach().numpy()), dtype=a.dtype)),
            lambda t, g: torch.as_tensor(_np().asarray(vjp_np(t.detach().numpy(), g.numpy()), dtype=a.dtype)),
        )
        t = torch.as_tensor(a).clone().requires_grad_(True)
    try:
        passed = bool(torch.autograd.gradcheck(fn, (t,)))
        detail = ""
    except Exception as exc:  # noqa: BLE001 - a failed check raises GradcheckError, a float32 input other errors
        passed, detail = False, type(exc).__name__
    return Outcome(passed, counted.calls, detail)


def jax_check_grads(case: Case) -> Outcome:
    """jax.test_util.check_grads(f, (x,), order=1): modes ("fwd", "rev"), or ("rev",) for a custom rule."""
    jax, jnp = _jax()
    from jax.test_util import check_grads

    np = _np()
    f, x, claim = case.build()
    counted = Counted(f)
    modes: tuple[str, ...] = ("fwd", "rev")
    if case.framework == "jax":
        fn, a = counted, x
        if case.custom_rule:
            modes = ("rev",)
    else:
        a, f_np, vjp_np = _as_numpy(case, counted, x, claim)
        a = np.array(a)
        shape = jax.ShapeDtypeStruct(np.shape(f_np(a)), a.dtype)
        counted.calls = 0

        @jax.custom_vjp
        def fn(t: Any) -> Any:
            return jax.pure_callback(lambda v: np.asarray(f_np(np.asarray(v)), dtype=a.dtype), shape, t)

        def backward(t: Any, g: Any) -> Any:
            out = jax.ShapeDtypeStruct(a.shape, a.dtype)
            return (jax.pure_callback(lambda v, u: np.asarray(vjp_np(np.asarray(v), u), dtype=a.dtype), out, t, g),)

        fn.defvjp(lambda t: (fn(t), t), backward)
        a, modes = jnp.asarray(a), ("rev",)
    try:
        check_grads(fn, (a,), order=1, modes=modes)
        passed, detail = True, ""
    except Exception as exc:  # noqa: BLE001 - a failed check raises AssertionError; a rule it cannot use, others
        passed, detail = False, type(exc).__name__
    return Outcome(passed, counted.calls, detail)


def scipy_check_grad(case: Case) -> Outcome:
    """scipy.optimize.check_grad (forward differences, step sqrt(eps)): passes below SCIPY_THRESHOLD * max(1, |g|)."""
    np = _np()
    from scipy.optimize import check_grad

    f, x, claim = case.build()
    counted = Counted(f)
    a, f_np, vjp_np = _as_numpy(case, counted, x, claim)
    a = np.array(a)
    if np.size(f_np(a)) != 1:
        return Outcome(False, 0, "n/a: one output only")
    counted.calls = 0

    def func(v: Any) -> float:
        return float(f_np(v.reshape(a.shape).astype(a.dtype)))

    def grad(v: Any) -> Any:
        return np.asarray(vjp_np(v.reshape(a.shape).astype(a.dtype), 1.0), dtype=np.float64).reshape(-1)

    flat = a.astype(np.float64).reshape(-1)
    error = check_grad(func, grad, flat)
    norm = float(np.linalg.norm(grad(flat)))
    return Outcome(bool(error <= SCIPY_THRESHOLD * max(1.0, norm)), counted.calls, f"{error:.1e}")


CHECKERS = {
    "ours: check_gradient": ours,
    "torch.autograd.gradcheck": torch_gradcheck,
    "jax.test_util.check_grads": jax_check_grads,
    "scipy.optimize.check_grad": scipy_check_grad,
}


def run(checker: Callable[[Case], Outcome]) -> list[Outcome]:
    """One checker on every case, in order."""
    return [checker(case) for case in CASES]


def summary(outcomes: list[Outcome]) -> tuple[int, int, int, int]:
    """(false failures, bugs caught, cases it could not run, evaluations of f in all)."""
    false_failures = sum(
        1 for case, o in zip(CASES, outcomes) if not case.bug and not o.passed and "n/a" not in o.detail
    )
    caught = sum(1 for case, o in zip(CASES, outcomes) if case.bug and not o.passed and "n/a" not in o.detail)
    not_run = sum(1 for o in outcomes if "n/a" in o.detail)
    return false_failures, caught, not_run, sum(o.evaluations for o in outcomes)


def table(results: dict[str, list[Outcome]]) -> str:
    """The comparison as a markdown table: one row per checker."""
    right, wrong = sum(1 for c in CASES if not c.bug), sum(1 for c in CASES if c.bug)
    lines = [
        f"| checker | false failures (of {right} right) | bugs caught (of {wrong}) | not applicable "
        "| evaluations of f |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, outcomes in results.items():
        false_failures, caught, not_run, evaluations = summary(outcomes)
        lines.append(f"| {name} | {false_failures} | {caught} | {not_run} | {evaluations} |")
    return "\n".join(lines)


def case_table(results: dict[str, list[Outcome]]) -> str:
    """Every case and what each checker said: pass, FAIL (ours: with its diagnosis), or n/a."""
    names = list(results)
    lines = [
        "| case | planted bug | " + " | ".join(name.split(":")[0] for name in names) + " |",
        "| --- | --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for i, case in enumerate(CASES):
        cells = []
        for name in names:
            o = results[name][i]
            if "n/a" in o.detail:
                cells.append("n/a")
            elif o.passed:
                cells.append("pass")
            else:
                cells.append(f"FAIL ({o.detail})" if name.startswith("ours") else "FAIL")
        lines.append(f"| {case.name} | {case.bug or '-'} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
