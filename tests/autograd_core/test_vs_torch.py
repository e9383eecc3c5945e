"""Random expressions against PyTorch in float64: values, gradients and Hessian-vector rows.

Skipped cleanly where PyTorch is not installed (it is never a dependency; CI
installs the local CPU build with ``make test WITH_TORCH=1``).
"""

from __future__ import annotations

import random

import pytest

from autograd_core import Value, grad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _method(name):
    def call(x):
        if isinstance(x, Value):
            return getattr(x, name)()
        return getattr(torch, name)(x)

    return call


def _safe_log(x):
    return _method("log")(x * x + 0.5)


def _safe_sqrt(x):
    return _method("sqrt")(x * x + 0.1)


def _safe_div(x, y):
    return x / (y * y + 0.5)


def _safe_pow(x, y):
    return (x * x + 0.5) ** (_method("tanh")(y))


UNARY = [
    _method("tanh"),
    _method("sigmoid"),
    _method("sin"),
    _method("cos"),
    _method("relu"),
    lambda x: -x,
    lambda x: abs(x),
    lambda x: x**2,
    lambda x: x**3,
    lambda x: _method("exp")(x * 0.5),
    _safe_log,
    _safe_sqrt,
    lambda x: 2.0 - x,
    lambda x: 0.5 * x,
]
BINARY = [lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, _safe_div, _safe_pow]


def random_expression(rng: random.Random, depth: int):
    """A random expression over three inputs, as a function usable on Values and on tensors."""
    if depth == 0:
        i = rng.randrange(3)
        return lambda xs: xs[i]
    if rng.random() < 0.45:
        op, sub = rng.choice(UNARY), random_expression(rng, depth - 1)
        return lambda xs: op(sub(xs))
    op = rng.choice(BINARY)
    left, right = random_expression(rng, depth - 1), random_expression(rng, rng.randrange(depth))
    return lambda xs: op(left(xs), right(xs))


def _rel_close(a: float, b: float, tol: float = 1e-10) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


@pytest.mark.parametrize("seed", range(40))
def test_random_expression_matches_torch(seed):
    rng = random.Random(seed)
    f = random_expression(rng, depth=rng.randint(2, 5))
    # Keep relu and abs away from their kink, where subgradient choices may legitimately differ.
    point = [rng.choice([-1, 1]) * rng.uniform(0.2, 1.5) for _ in range(3)]

    xs = [Value(p) for p in point]
    out = f(xs)
    grads = grad(out, xs, create_graph=True)
    first_total = sum(grads[1:], grads[0])  # d/dx of the sum of first derivatives: a Hessian-row sum
    second = grad(first_total, xs) if isinstance(first_total, Value) else (0.0, 0.0, 0.0)

    ts = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    t_out = f(ts)
    t_grads = torch.autograd.grad(t_out, ts, create_graph=True, allow_unused=True)
    t_grads = [g if g is not None else torch.zeros((), dtype=torch.float64) for g in t_grads]
    t_total = sum(t_grads)
    if t_total.requires_grad:
        t_second = torch.autograd.grad(t_total, ts, allow_unused=True)
        t_second = [0.0 if g is None else g.item() for g in t_second]
    else:
        t_second = [0.0, 0.0, 0.0]

    assert _rel_close(out.data, t_out.item())
    for ours, theirs in zip(grads, t_grads):
        assert _rel_close(ours.data, theirs.item())
    for ours, theirs in zip(second, t_second):
        assert _rel_close(ours, theirs, tol=1e-9)
