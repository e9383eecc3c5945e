"""Helpers shared by the test modules: float64 finite differences, tools that CI must have, random functions,
and running a block as a user without root's rights."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator

import pytest

from autograd_core import define_op


def central_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float:
    """(f(x+h) - f(x-h)) / 2h, with a step relative to |x| (error about 1e-10 for smooth f)."""
    h = h if h is not None else 1e-5 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


def close(a: float, b: float, rel: float = 1e-7, abs_: float = 1e-9) -> bool:
    """|a - b| <= abs_ + rel * |b|, and both infinite or nan the same way."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= abs_ + rel * abs(b)


IN_CI = bool(os.environ.get("CI"))

# How the browser tests launch Debian's Chromium: headless, no sandbox (CI runs as root), nothing fetched in the
# background.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_tool(found: bool, what: str, install: str) -> None:
    """Skip (developer machine) or fail (CI) when ``what`` is not installed."""
    if found:
        return
    message = f"{what} is not installed ({install})"
    if IN_CI:
        pytest.fail(f"{message}: make test installs it, so CI must have it", pytrace=False)
    pytest.skip(message)


def lecture_neuron(x1, x2, w1, w2, b):
    """The neuron of micrograd's lecture, o = tanh(x1*w1 + x2*w2 + b), on Values (n and o labelled)."""
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


LECTURE_POINT = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


@define_op(lambda x, out: x.sigmoid())  # d softplus / dx = sigmoid(x), written with a Value method
def softplus(x: float) -> float:
    """A user-defined op for the tests: log(1 + e**x), without overflow."""
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def functions_and_points(n_outputs: int | None = None):
    """A hypothesis strategy of (f, point): f returns random expressions of 1 to 3 inputs, plus a user op.

    With ``n_outputs=1``, f returns one Value; otherwise a list of 1 to 3
    (``n_outputs`` when given). The first output has ``softplus(x0 * x_last)``
    added, so every function also goes through a ``define_op`` op.
    """
    from hypothesis import strategies as st

    from autograd_core.hypothesis_strategies import expressions, points

    @st.composite
    def cases(draw):
        n = draw(st.integers(1, 3))
        m = draw(st.integers(1, 3)) if n_outputs is None else n_outputs
        parts = [draw(expressions(n)) for _ in range(m)]

        def f(*xs):
            outs = [part(*xs) for part in parts]
            outs[0] = outs[0] + softplus(xs[0] * xs[-1])
            return outs[0] if n_outputs == 1 else outs

        f.__name__ = " ; ".join(part.text for part in parts)
        return f, draw(points(n))

    return cases()


NOBODY = 65534  # an unprivileged user and group, for the file tests that need one


@contextlib.contextmanager
def as_user_without_root_rights() -> Iterator[None]:
    """Run the block with nobody's effective ids when the tests run as root (root may write anything)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
