"""The numpy side of ``compile``: one generated program run over a whole batch, one array per variable.

Every line of a generated program is elementwise, so the program that runs on
one example's floats also runs on arrays holding every example's value of
each variable. What differs is bound here: the rule helpers and op forwards
that branch (``step``, relu) become ``numpy.where`` with the same choice at
the kink and for nan; the forwards that check their domain run as numpy
functions and, when a result is not finite, the op's own float forward is run
on that example to raise the error a single call raises (``ExampleError``
carries the example's index); user ops and anything without an array form
run elementwise through their float functions, which is slow but exact.
numpy is imported here only, when a program over arrays is first needed.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..ops import RULE_HELPERS, Op
from .codegen import Bindings, ExampleError
from .expressions import is_elementwise

__all__ = ["ARRAY_BINDINGS"]


def _as_arrays(args: tuple) -> tuple[list, int]:
    n = max((len(a) for a in args if isinstance(a, np.ndarray) and a.ndim), default=1)
    return [a if isinstance(a, np.ndarray) and a.ndim else np.full(n, float(a)) for a in args], n


def _elementwise(function: Callable[..., Any]) -> Callable[..., np.ndarray]:
    """``function`` of floats run on every example; an error is raised with the example's index."""
    def run(*args: Any) -> np.ndarray:
        columns, n = _as_arrays(args)
        out = np.empty(n)
        for i, values in enumerate(zip(*[c.tolist() for c in columns])):
            try:
                out[i] = function(*values)
            except (ValueError, ArithmeticError, TypeError, AttributeError) as exc:
                raise ExampleError(i, exc) from None
        return out

    return run


def _elementwise_tuple(local_grads: Callable[..., tuple]) -> Callable[..., tuple]:
    """A user op's ``local_grads`` run on every example: one array per input."""
    def run(*args: Any) -> tuple:
        columns, n = _as_arrays(args)
        rows = []
        for i, values in enumerate(zip(*[c.tolist() for c in columns])):
            try:
                rows.append(local_grads(*values))
            except (ValueError, ArithmeticError, TypeError, AttributeError) as exc:
                raise ExampleError(i, exc) from None
        return tuple(np.array(column, dtype=float) for column in zip(*rows))

    return run


def _checked(array_forward: Callable[..., Any], forward: Callable[..., float]) -> Callable[..., Any]:
    """``array_forward``, and where its result is not finite, the float ``forward`` to raise the op's own error."""
    def run(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            result = array_forward(*args)
        finite = np.isfinite(result)
        if not finite.all():
            columns, _ = _as_arrays(args)
            for i in np.flatnonzero(~np.atleast_1d(finite)).tolist():
                try:
                    forward(*[float(c[i]) for c in columns])
                except (ValueError, ArithmeticError) as exc:
                    raise ExampleError(i, exc) from None
        return result

    return run


def _sigmoid(x: Any) -> Any:
    e = np.exp(-np.abs(x))  # as the float forward: exp never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# Array forms of the built-in forwards that are not elementwise expressions.
_FORWARDS: dict[str, Callable[..., Any]] = {
    "/": np.divide, "**": np.power, "pow": np.power, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "tanh": np.tanh, "sigmoid": _sigmoid, "sin": np.sin, "cos": np.cos, "abs": np.abs,
    # fmax takes 0.0 over nan, as the float relu does; + 0.0 makes relu(-0.0) 0.0, not -0.0.
    "relu": lambda x: np.fmax(x, 0.0) + 0.0,
}


def _pow_dx(x: Any, y: Any) -> Any:
    with np.errstate(all="ignore"):
        general = y * np.power(x, y - 1.0)
    at_zero = np.where(y == 0, 0.0, np.where(y == 1, 1.0, math.inf))
    return np.where((x == 0) & (y < 1), at_zero, general)


def _pow_dy(x: Any, out: Any) -> Any:
    with np.errstate(all="ignore"):
        positive = out * np.log(np.where(x > 0, x, 1.0))
    return np.where(x > 0, positive, np.where(x == 0, 0.0, math.nan))


def _sqrt_dx(out: Any) -> Any:
    with np.errstate(all="ignore"):
        return np.where(out != 0, 0.5 / np.where(out != 0, out, 1.0), math.inf)


# Array forms of the rule helpers, with the float helpers' choices at kinks and for nan.
_HELPERS: dict[str, Callable[..., Any]] = {
    "step": lambda x: np.asarray(x > 0, dtype=float),  # 0.0 for nan, as the float step
    "sign": lambda x: np.asarray(x > 0, dtype=float) - np.asarray(x < 0, dtype=float),
    "cos": np.cos, "sin": np.sin, "log": np.log,
    "pow_dx": _pow_dx, "pow_dy": _pow_dy, "sqrt_dx": _sqrt_dx,
}


def _forward(op: Op) -> Callable[..., Any]:
    """The array form of a built-in op's forward; a user op's float forward run elementwise."""
    array_forward = _FORWARDS.get(op.name) if op.derivative_exprs is not None else None
    if array_forward is None:
        if op.forward_expr is not None and is_elementwise(op.forward_expr):
            return op.forward  # arithmetic: arrays run it as it is
        return _elementwise(op.forward)
    # A forward written as an expression cannot fail on floats; the others check their domain.
    return array_forward if op.forward_expr is not None else _checked(array_forward, op.forward)


def batch_dot(upstream: Any, local: Any, n: int) -> float:
    """``upstream * local`` summed over the batch's ``n`` examples (a number is the same for every example)."""
    if np.ndim(upstream) and np.ndim(local):
        return float(np.dot(upstream, local))
    if np.ndim(upstream):
        return float(np.sum(upstream)) * float(local)
    if np.ndim(local):
        return float(upstream) * float(np.sum(local))
    return float(upstream) * float(local) * n


def broadcast(x: Any, n: int) -> np.ndarray:
    """``x`` as an array of the batch's length (a variable that is the same for every example is one number)."""
    return np.broadcast_to(np.asarray(x, dtype=float), (n,))


ARRAY_BINDINGS = Bindings(
    {"inf": math.inf, "nan": math.nan, "np": np, "batch_dot": batch_dot, "broadcast": broadcast,
     **{name: _HELPERS.get(name) or _elementwise(helper) for name, helper in RULE_HELPERS.items()}},
    _forward, lambda op: _elementwise_tuple(op.local_grads))
