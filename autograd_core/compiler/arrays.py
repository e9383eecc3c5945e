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
from collections.abc import Callable
from typing import Any

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
    """``array_forward``, and wherever its result or an input is not finite, the float ``forward`` instead.

    There the float forward raises the op's own error, as a call does
    (``(-inf) ** -0.5``, which numpy answers 0.0), or gives the call's number.
    The arrays may be a layer's matrices (one column per example): the
    example's index is the last one.
    """

    def run(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            result = array_forward(*args)
            arrays = [np.asarray(a, dtype=float) for a in args]
            suspect = ~np.isfinite(result)
            for a in arrays:
                suspect = suspect | ~np.isfinite(a)
        if not suspect.any():
            return result
        shape = suspect.shape
        result = np.array(np.broadcast_to(result, shape), dtype=float)
        arrays = [np.broadcast_to(a, shape) for a in arrays]
        for index in zip(*np.nonzero(suspect)) if shape else [()]:
            try:
                result[index] = forward(*[float(a[index]) for a in arrays])
            except (ValueError, ArithmeticError) as exc:
                raise ExampleError(int(index[-1]) if index else 0, exc) from None
        return result

    return run


_NUMPY_NAMESPACE = {"np": np}


@functools.cache
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


_SAFE = 1e300  # sums of terms below this in size cannot overflow, added in any order


def batch_dot(upstream: Any, local: Any, n: int) -> float:
    """``upstream * local`` summed over the batch's ``n`` examples (a number is the same for every example).

    Each example's product is made first, as a call makes it (a product that
    overflows is inf here too; a dot product's fused multiply-add would not
    overflow), then the products are summed.
    """
    if np.ndim(upstream) or np.ndim(local):
        with np.errstate(all="ignore"):
            return float(np.sum(np.broadcast_to(np.multiply(upstream, local), (n,))))
    return float(upstream) * float(local) * n if n else 0.0


def matmul(A: Any, B: Any) -> np.ndarray:
    """``A @ B`` for a layer, equal to the engine's sums of products wherever they differ by more than rounding.

    The matrix product may fuse a multiply and an add, so a term that
    overflows to inf in the engine (``2 * 1e308``) does not there, and
    ``-inf + 2e308`` is -inf instead of nan. Where the terms are not finite or
    near the float's limit (``|A| @ |B|`` not below ``_SAFE``), each entry is
    the sum of its products made one by one, as the engine adds them.
    """
    with np.errstate(all="ignore"):
        product: np.ndarray = A @ B
        if A.size and B.size and float(np.abs(A).max()) * float(np.abs(B).max()) * A.shape[1] < _SAFE:
            return product  # every term and every partial sum is below _SAFE: no overflow in any order
        safe = np.abs(A) @ np.abs(B) < _SAFE  # False for nan and inf too
        if safe.all():
            return product
        exact = np.zeros(product.shape)
        for t in range(A.shape[1]):
            exact = exact + A[:, t : t + 1] * B[t : t + 1, :]
        return np.where(safe, product, exact)


def layer_sums(W: np.ndarray, X: np.ndarray, b: Any, order: tuple[int, ...], from_zero: bool) -> np.ndarray:
    """``W @ X + b`` as the engine computes each neuron's sum: its terms added one by one in ``order``.

    ``order`` lists the terms as each sum adds them: j < k is the product of
    ``W[:, j]`` and ``X[j]``, k the bias; a sum op starts at 0 (``from_zero``),
    a chain of ``+`` at its first term. Each step is one operation on an
    m x n matrix, so the sums are the engine's to the last bit (a matrix
    product adds in another order and may fuse a multiply and an add), which
    a relu's kink at 0 and every nan and inf need.
    """
    k, shape = W.shape[1], (W.shape[0], X.shape[1])
    total, term = np.zeros(shape), np.empty(shape)
    with np.errstate(all="ignore"):
        for position, j in enumerate(order):
            if j == k:
                term[...] = b[:, None]
            else:
                np.multiply(W[:, j : j + 1], X[j : j + 1, :], out=term)
            if position == 0 and not from_zero:
                total[...] = term  # a chain of + starts at its first term (-0.0 stays -0.0)
            else:
                np.add(total, term, out=total)
    return total


def broadcast(x: Any, n: int) -> np.ndarray:
    """``x`` as an array of the batch's length (a variable that is the same for every example is one number)."""
    return np.broadcast_to(np.asarray(x, dtype=float), (n,))


ARRAY_BINDINGS = Bindings(
    {
        "inf": math.inf,
        "nan": math.nan,
        "np": np,
        "batch_dot": batch_dot,
        "broadcast": broadcast,
        "matmul": matmul,
        "layer_sums": layer_sums,
        **{name: _helper(name, helper) for name, helper in RULE_HELPERS.items()},
    },
    _forward,
    lambda op: _elementwise_tuple(op.local_grads),
)
