"""Helpers shared by the test modules: float64 finite differences, tools that CI must have."""

from __future__ import annotations

import math
import os
from typing import Callable

import pytest


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


def require_tool(found: bool, what: str, install: str) -> None:
    """Skip (developer machine) or fail (CI) when ``what`` is not installed."""
    if found:
        return
    message = f"{what} is not installed ({install})"
    if IN_CI:
        pytest.fail(f"{message}: make test installs it, so CI must have it", pytrace=False)
    pytest.skip(message)
