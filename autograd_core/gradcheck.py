"""``gradcheck`` and ``gradgradcheck``: compare reverse-mode derivatives with finite differences.

    from autograd_core import gradcheck
    gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])     # raises GradcheckError on a mismatch

``f`` takes ``Value``s and returns a ``Value``; the inputs are plain numbers.
The analytic derivatives come from ``grad`` (``create_graph=True`` for the
second ones); the numeric ones from ``f`` evaluated on nearby points in float64
(see ``finite_differences.py`` for the step and the kink test). Each derivative
passes when

    |analytic - numeric| <= atol + rtol * |numeric|

with atol=1e-8, rtol=1e-6 by default: a derivative 0.1% off fails (PyTorch's
float64 defaults, atol=1e-5 and rtol=1e-3, let it pass), while a right one
passes with room to spare: on the built-in ops the central difference is
within 4e-9 of the true derivative, relative (5e-12 typically).

Kinks: where ``f`` is not differentiable at the input (relu or abs at 0), the
one-sided slopes disagree and no single number is "the" derivative. Near a
kink the step shrinks (up to 512x) until it no longer reaches across it, and
the derivative beside the kink is checked as usual; a kink that stays within
the smallest step is reported as "kink", with both one-sided slopes. It
passes when the analytic value lies between the one-sided slopes (any value
there is a valid subgradient-style choice, e.g. relu'(0) = 0) and fails when it
lies outside; pass ``allow_kinks=False`` to count every kink as a failure.

Noise is not a kink: a random term in ``f``, or digits lost to rounding
inside it, also makes the one-sided slopes disagree, but they grow as the step
shrinks instead of staying put. Such a derivative is reported as "FAIL
(noise)", as is every derivative of an ``f`` that gives two different values
at the same point (it is evaluated there twice).
"""

from __future__ import annotations

import inspect
import math
import numbers
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .backprop import grad
from .checker import Column, GradcheckError, GradcheckResult, GradcheckRow, check_columns, function_name
from .define import input_names
from .errors import short_repr
from .finite_differences import METHODS
from .value import Value

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "GradcheckResult", "GradcheckRow"]


def _validated(
    f: Callable[..., Any], inputs: Any, eps: Any, atol: Any, rtol: Any, method: Any, caller: str
) -> list[float]:
    """Check the arguments; return the inputs as floats."""
    if not callable(f):
        raise TypeError(f"{caller}: f must be a function of Values, got {type(f).__name__} {f!r}")
    if isinstance(inputs, Value):
        raise TypeError(f"{caller}: inputs are plain numbers, got a Value; pass its number, {inputs!r}.data")
    if isinstance(inputs, numbers.Real):
        inputs = [inputs]
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Iterable):
        raise TypeError(f"{caller}: inputs must be a list of numbers, got {type(inputs).__name__} {inputs!r}")
    values = list(inputs)
    if not values:
        raise ValueError(f"{caller}: inputs is empty; give one number per input of f")
    for i, v in enumerate(values):
        if isinstance(v, Value):
            raise TypeError(f"{caller}: inputs are plain numbers, but inputs[{i}] is {v!r}; pass its .data")
        if not isinstance(v, numbers.Real):
            raise TypeError(f"{caller}: inputs[{i}] must be a real number, got {type(v).__name__} {short_repr(v)}")
        if v < -sys.float_info.max or not v <= sys.float_info.max:  # nan, inf, or an int too large for math.isfinite
            raise ValueError(
                f"{caller}: inputs[{i}] is {short_repr(v)}; derivatives can only be checked at finite points"
            )
    if method not in METHODS:
        raise ValueError(f"{caller}: method must be one of {sorted(METHODS)}, got {method!r}")
    for what, v in (("atol", atol), ("rtol", rtol)):
        if not isinstance(v, numbers.Real) or v < 0 or not math.isfinite(v):
            raise ValueError(f"{caller}: {what} must be a finite number >= 0, got {v!r}")
    if eps is not None and (not isinstance(eps, numbers.Real) or eps <= 0 or not math.isfinite(eps)):
        raise ValueError(f"{caller}: eps (the step) must be a finite number > 0, or None, got {eps!r}")
    try:
        inspect.signature(f).bind(*values)
    except TypeError as exc:
        raise TypeError(f"{caller}: f cannot take {len(values)} input(s): {exc}") from None
    except ValueError:  # no signature to check (some builtins)
        pass
    return [float(v) for v in values]


def _evaluate(f: Callable[..., Any], xs: list[Value], fname: str, caller: str) -> Value:
    """f(*xs), checked to be a finite Value."""
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(
            f"{caller}: {fname} returned {type(out).__name__} {out!r}, not a Value; f must build its "
            "result from the Values it is given (x.exp(), not math.exp(x))"
        )
    if not math.isfinite(out.data):
        at = ", ".join(f"{x.label}={x.data!r}" for x in xs)
        raise ValueError(f"{caller}: {fname}({at}) is {out.data!r}; derivatives can only be checked where f is finite")
    return out


def _first_order(
    f: Callable[..., Any], xs: list[Value], out: Value, fname: str, caller: str
) -> tuple[Callable[[list[Value]], list[float]], list[list[float]], list[list[str]]]:
    """f itself, to difference (its derivatives are the gradient), the analytic gradient, and the row names."""

    def g(inputs: list[Value]) -> list[float]:
        return [_evaluate(f, inputs, fname, caller).data]

    return g, [list(grad(out, xs))], [[f"df/d{x.label}" for x in xs]]


def _second_order(
    f: Callable[..., Any], xs: list[Value], out: Value, fname: str, caller: str
) -> tuple[Callable[[list[Value]], list[float]], list[list[float]], list[list[str]]]:
    """The gradient, to difference (its derivatives are the Hessian), the analytic Hessian, and the row names."""

    def g(inputs: list[Value]) -> list[float]:
        return list(grad(_evaluate(f, inputs, fname, caller), inputs))

    first = grad(out, xs, create_graph=True)
    return g, [list(grad(gi, xs)) for gi in first], [[f"d2f/d{a.label} d{b.label}" for b in xs] for a in xs]


def _moved(g: Callable[[list[Value]], list[float]], xs: list[Value], j: int) -> Callable[[float], list[float]]:
    """g with input j moved to t and the others held: the one-number function to difference.

    The held inputs are the same leaves at every call, so an evaluation costs
    f's own work, not a new Value per input: checking n inputs costs n columns
    of evaluations, not n columns of n.
    """
    label = xs[j].label

    def along(t: float) -> list[float]:
        inputs = xs.copy()
        inputs[j] = Value(t, label)
        return g(inputs)

    return along


def _check_unchanged(xs: list[Value], point: list[float], fname: str, caller: str) -> None:
    """Raise when f assigned to its inputs' ``.data``: they are held across evaluations (see ``_moved``)."""
    for x, value in zip(xs, point):
        if x.data != value:
            raise ValueError(
                f"{caller}: {fname} changed its input {x.label}: its .data was {value!r}, now "
                f"{x.data!r}; f must leave its inputs as given (compute with x.detach() or new Values)"
            )


def _check(
    f: Callable[..., Any],
    inputs: Any,
    order: int,
    eps: Any,
    atol: float,
    rtol: float,
    method: str,
    allow_kinks: bool,
    raise_exception: bool,
) -> GradcheckResult:
    caller = "gradcheck" if order == 1 else "gradgradcheck"
    point = _validated(f, inputs, eps, atol, rtol, method, caller)
    fname, names = function_name(f), input_names(f, len(point))
    xs = [Value(v, label) for v, label in zip(point, names)]
    out = _evaluate(f, xs, fname, caller)
    # A random f looks like a function with kinks everywhere: evaluate it twice to tell.
    again = _evaluate(f, xs, fname, caller).data
    _check_unchanged(xs, point, fname, caller)
    nondeterministic = None if again == out.data else (out.data, again)
    g, analytic, row_names = (_first_order if order == 1 else _second_order)(f, xs, out, fname, caller)
    at_point = g(xs)
    if not all(math.isfinite(v) for v in at_point):  # only a gradient can be infinite here
        raise ValueError(
            f"{caller}: the gradient of {fname} at the point is {at_point}; "
            "second derivatives can only be checked where it is finite"
        )
    columns = [
        Column(names[j], [names_i[j] for names_i in row_names], x, x, _moved(g, xs, j), [a[j] for a in analytic])
        for j, x in enumerate(point)
    ]
    per_column, _ = check_columns(
        columns,
        at_point,
        evaluate_again=lambda: at_point,  # f was evaluated twice above
        eps=eps,
        atol=atol,
        rtol=rtol,
        method=method,
        allow_kinks=allow_kinks,
        screen=False,
        fname=fname,
        caller=caller,
    )
    _check_unchanged(xs, point, fname, caller)
    rows = [per_column[j][i] for i in range(len(analytic)) for j in range(len(point))]
    if nondeterministic is not None:
        rows = [row._replace(passed=False, noisy=True) for row in rows]
    result = GradcheckResult(
        fname,
        order,
        list(zip(names, point)),
        rows,
        method=method,
        atol=atol,
        rtol=rtol,
        allow_kinks=allow_kinks,
        nondeterministic=nondeterministic,
    )
    if raise_exception and not result:
        raise GradcheckError(result)
    return result


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float] | float,
    *,
    eps: float | None = None,
    atol: float = 1e-8,
    rtol: float = 1e-6,
    raise_exception: bool = True,
    method: str = "central",
    allow_kinks: bool = True,
) -> GradcheckResult:
    """Check f's reverse-mode gradient against finite differences at ``inputs``.

    Args:
        f: takes one ``Value`` per input and returns a ``Value``.
        inputs: the point, as numbers (one number for a function of one input).
        eps: the finite-difference step for every input; by default a step
            relative to each input, about eps**(1/3) * max(1, |x|) with eps
            float64's machine epsilon (eps**(1/5) for Richardson).
        atol, rtol: a derivative passes when |analytic - numeric| <= atol + rtol * |numeric|.
        raise_exception: raise ``GradcheckError`` (whose message is the table) on failure.
        method: "central" differences, or "richardson" (extrapolated: about
            100x more accurate for smooth f, twice the evaluations of f).
        allow_kinks: whether a kink passes when the analytic value lies between
            the one-sided slopes (the default) or always fails.

    Returns:
        A ``GradcheckResult``, truthy when every derivative passes; ``str()`` of it is the table.

    Raises:
        GradcheckError: a derivative is wrong (when ``raise_exception``).
        TypeError: f is not callable, cannot take the inputs, or returns something other than a Value;
            an input is not a number.
        ValueError: an input or f's value is not finite, f is undefined near the point, or a bad option.
    """
    return _check(f, inputs, 1, eps, atol, rtol, method, allow_kinks, raise_exception)


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float] | float,
    *,
    eps: float | None = None,
    atol: float = 1e-8,
    rtol: float = 1e-6,
    raise_exception: bool = True,
    method: str = "central",
    allow_kinks: bool = True,
) -> GradcheckResult:
    """Check f's second derivatives (the Hessian, via ``grad(create_graph=True)``) against finite differences.

    The numeric Hessian differentiates the analytic gradient, so this checks
    that the second derivatives agree with the first ones; check those with
    ``gradcheck``. Every entry d2f/dx_i dx_j is checked, both sides of the
    diagonal. Arguments, result and errors as for ``gradcheck``.
    """
    return _check(f, inputs, 2, eps, atol, rtol, method, allow_kinks, raise_exception)
