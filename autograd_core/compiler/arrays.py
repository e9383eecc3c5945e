"""The numpy side of ``compile``: one generated program run over a whole batch, one array per variable.

Every line of a generated program is elementwise, so the program that runs on
one example's floats also runs on arrays holding every example's value of
each variable. What differs is bound here, from the op table: each op's
numpy form (its row's ``numpy`` column, ``np.tanh(x)``) and each rule
helper's (``RULE_HELPERS_NUMPY``; the ones that branch, such as ``step``,
are ``np.where`` with the same choice at the kink and for nan). Where a
forward that checks its domain gives a result that is not finite, the op's
own float forward is run on that example to raise the error a single call
raises (``ExampleError`` carries the example's index); user ops and anything
without an array form run elementwise through their float functions, which is
slow but exact.
numpy is imported here only, when a program over arrays is first needed.
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Any, Callable

import numpy as np

from ..ops import RULE_HELPERS, RULE_HELPERS_NUMPY, Op
from .codegen import Bindings, ExampleError
from .expressions import is_elementwise

__all__ = ["ARRAY_BINDINGS"]


def _as_arrays(args: tuple[Any, ...]) -> tuple[list[np.ndarray], int]:
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


def _elementwise_tuple(local_grads: Callable[..., tuple[Any, ...]]) -> Callable[..., tuple[np.ndarray, ...]]:
    """A user op's ``local_grads`` run on every example: one array per input."""
    def run(*args: Any) -> tuple[np.ndarray, ...]:
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


_NUMPY_NAMESPACE = {"np": np}


@functools.lru_cache(maxsize=None)
def _numpy_function(expr: str, params: str) -> Callable[..., Any]:
    """A numpy form from the op table (``"np.tanh(x)"``) as a function, run with numpy's warnings off.

    The forms choose with ``np.where``, so the branch not taken may divide by
    zero or overflow; the results are checked where it matters (``_checked``).
    """
    function = eval(f"lambda {params}: {expr}", _NUMPY_NAMESPACE)  # noqa: S307 - the op table's own text

    def run(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return function(*args)

    return run


def _forward(op: Op) -> Callable[..., Any]:
    """An op's forward over arrays, from its row: the numpy form, else the forward expression, else per example."""
    if op.numpy_expr is not None:
        params = f"*{op.inputs[0]}" if op.variadic else ", ".join(op.inputs)
        array_forward = _numpy_function(op.numpy_expr, params)
        # A forward written as an expression cannot fail on floats; the others check their domain.
        return array_forward if op.forward_expr is not None else _checked(array_forward, op.forward)
    if op.forward_expr is not None and is_elementwise(op.forward_expr):
        return op.forward  # arithmetic: arrays run it as it is
    return _elementwise(op.forward)


def _helper(name: str, helper: Callable[..., Any]) -> Callable[..., Any]:
    """A rule helper over arrays: its numpy form from ``RULE_HELPERS_NUMPY``, else the float helper per example."""
    expr = RULE_HELPERS_NUMPY.get(name)
    if expr is None:
        return _elementwise(helper)
    return _numpy_function(expr, ", ".join(inspect.signature(helper).parameters))


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
     **{name: _helper(name, helper) for name, helper in RULE_HELPERS.items()}},
    _forward, lambda op: _elementwise_tuple(op.local_grads))
