"""Helpers for testing derivatives with pytest: ``assert_gradients_close``.

    from autograd_core.testing import assert_gradients_close

    def test_softplus():
        assert_gradients_close(softplus, [0.5])            # first derivatives
        assert_gradients_close(softplus, [0.5], order=2)   # and second ones

On failure it raises an ``AssertionError`` (a ``GradcheckError``) whose
message is the table of every derivative, so pytest's report shows which one
is wrong, by how much, and where. Property tests with random expressions:
``autograd_core.hypothesis_strategies`` (needs hypothesis).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .value import Value

__all__ = ["assert_gradients_close"]


def assert_gradients_close(
    f: Callable[..., Value], inputs: Sequence[float] | float, *, order: int = 1, **options: Any
) -> None:
    """Assert that f's derivatives at ``inputs`` match finite differences, up to ``order`` (1 or 2).

    ``options`` are ``gradcheck``'s (eps, atol, rtol, method, allow_kinks).
    With ``order=2`` both the first and the second derivatives are checked,
    and the failure message shows every failing table.
    """
    __tracebackhide__ = True  # pytest: show the caller's line, not this helper's
    if order not in (1, 2):
        raise ValueError(f"assert_gradients_close: order must be 1 or 2, got {order!r}")
    if "raise_exception" in options:
        raise TypeError("assert_gradients_close always raises on failure; use gradcheck(..., raise_exception=False)")
    checks = (gradcheck, gradgradcheck)[:order]
    results = [check(f, inputs, raise_exception=False, **options) for check in checks]
    failed = [result for result in results if not result]
    if failed:
        error = GradcheckError(failed[0])
        if len(failed) > 1:
            error.args = ("\n\n".join(str(result) for result in failed),)
        raise error
