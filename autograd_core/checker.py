"""The gradient checker: ``check_gradient`` and ``assert_gradient``, for any function of floats or arrays.

    from autograd_core import check_gradient
    check_gradient(f, x, grad=g)          # f(x) a number, g(x) the claimed gradient, of x's shape
    check_gradient(f, torch_x)            # the claim is PyTorch's autograd (a custom Function's backward)
    check_gradient(f, jax_x)              # the claim is jax.grad(f)
    check_gradient(f, [1.0, 2.0])         # f of a list of this engine's Values: the claim is its grad

``x`` is a float, a list of floats, or a numpy, PyTorch or JAX array of any
shape (see ``frameworks.py``). Vector-valued ``f`` are checked through a
claimed ``jacobian=`` (its rows are the outputs) or ``vjp=`` (``vjp(x, u)``,
u times the Jacobian). ``gradcheck`` and ``gradgradcheck`` are this checker's
form for this engine's Value functions: they build the columns and call
``check_columns``, as ``check_gradient`` does.

Each entry (a "column": one input moved, the others held) is first checked by
a forward difference, ``(f(x + h e_j) - f(x)) / h`` with ``h ~ sqrt(eps)``:
n + 1 evaluations of f for n inputs when every entry agrees with the claim
within the tolerance and the difference is precise enough to tell. Only an
entry that disagrees is swept: central differences on the stencil of
``finite_differences.py`` at shrinking steps, which tell a wrong derivative
(it stays off as the step shrinks: not truncation) from a kink (one-sided
slopes that differ and stay put) and from noise (slopes that grow as the step
shrinks, or an f that gives two values at one point: it fails, saying so).
A noisy f that is deterministic is retried at larger steps before it fails.
Float32 and float16 inputs are judged at their own precision (their machine
epsilon sets the steps, the rounding allowed, and rtol's default).

With many inputs (more than ``PROJECT_ABOVE``) the gradient is checked along
random directions first (``projections`` Gaussian directions v: the claim's
``g . v`` against the derivative of ``f(x + t v)``): an error vector e is
missed by one direction with probability at most ``sqrt(2/pi) * tol / |e|``.
When a direction disagrees, every entry is checked to name the wrong ones.
"""

from __future__ import annotations

import html
import math
import numbers
import os
import random
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .errors import short_repr
from .finite_differences import EPSILON, METHODS, Estimate, ProbeFailed, default_step, derivative_along

__all__ = [
    "check_gradient",
    "assert_gradient",
    "check_columns",
    "Column",
    "GradcheckError",
    "GradcheckResult",
    "GradcheckRow",
    "PROJECT_ABOVE",
]

# More inputs than this: check along random directions first (each costs one evaluation, not n).
PROJECT_ABOVE = 256
_PROJECTIONS = 8

# rtol's default by precision: float64 as gradcheck's, float32 and float16 by their machine epsilon.
_RTOL = {"float64": 1e-6, "float32": 2e-3, "float16": 3e-2, "bfloat16": 1e-1}

# The steps of the sweep shown for a wrong entry, as multiples of the first step: 64 down to 1/64.
_SWEEP = (64.0, 8.0, 1.0, 1 / 8, 1 / 64)


class GradcheckRow(NamedTuple):
    """One checked derivative."""

    name: str  # "df/dx", or "d2f/dx dy" for a second derivative
    analytic: float  # the claim (from reverse mode, or the claimed gradient)
    numeric: float  # from finite differences
    abs_error: float  # |analytic - numeric|
    rel_error: float  # abs_error / |numeric| (inf when numeric is 0 and they differ)
    passed: bool
    step: float  # the finite-difference step used
    kink: tuple[float, float] | None  # (left, right) one-sided slopes when f is not smooth here
    settled: bool = True  # False when the numeric estimate still changed with the smallest step
    noisy: bool = False  # f is noisy here (slopes that grow as the step shrinks, or a non-deterministic f)
    sweep: tuple[tuple[float, float], ...] = ()  # (step, central difference) from large to small, for a wrong entry
    complex_step: float | None = None  # the complex-step estimate, a second opinion (complex_step=True)

    @property
    def status(self) -> str:
        """'ok', 'FAIL', 'kink' (passes), 'FAIL (kink)' or 'FAIL (noise)'."""
        if self.noisy:
            return "FAIL (noise)"
        if self.kink is None:
            return "ok" if self.passed else "FAIL"
        return "kink" if self.passed else "FAIL (kink)"

    @property
    def diagnosis(self) -> str:
        """'ok', 'kink' (the claim lies between the one-sided slopes), 'wrong', 'wrong at a kink' or 'noise'."""
        if self.noisy:
            return "noise"
        if not self.passed:
            return "wrong" if self.kink is None else "wrong at a kink"
        return "ok" if self.kink is None else "kink"


class GradcheckResult:
    """The outcome of a check: truthy when every derivative passes; ``str()`` is a table."""

    def __init__(
        self,
        function: str,
        order: int,
        point: Sequence[tuple[str, float]],
        rows: list[GradcheckRow],
        *,
        method: str,
        atol: float,
        rtol: float,
        allow_kinks: bool,
        nondeterministic: tuple[float, float] | None = None,
        title: str = "",
        where: str = "",
        evaluations: int | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        self.function, self.order, self.point, self.rows = function, order, tuple(point), rows
        self.method, self.atol, self.rtol, self.allow_kinks = method, atol, rtol, allow_kinks
        self.nondeterministic = nondeterministic  # f's two different values at the point, when it gave two
        self.title = title or ("gradcheck" if order == 1 else "gradgradcheck")
        self.where = where or ", ".join(f"{name}={value!r}" for name, value in self.point)
        self.evaluations = evaluations  # how many times f was evaluated (check_gradient counts them)
        self.notes = list(notes)

    def __bool__(self) -> bool:
        return all(row.passed for row in self.rows)

    @property
    def failures(self) -> list[GradcheckRow]:
        """The rows that failed."""
        return [row for row in self.rows if not row.passed]

    @property
    def kinks(self) -> list[GradcheckRow]:
        """The rows where f has a kink at the input (or within the smallest step)."""
        return [row for row in self.rows if row.kink is not None and not row.noisy]

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.function} order={self.order}: "
            f"{len(self.rows) - len(self.failures)}/{len(self.rows)} passed>"
        )

    def __str__(self) -> str:
        return "\n".join(_report(self))

    def _repr_html_(self) -> str:
        """The report in a notebook: the header as text, the table and its notes in a fixed-width block."""
        lines = _report(self)
        header, rest = lines[:2], lines[3:]
        return (
            "<div><p>"
            + "<br>".join(html.escape(line.strip()) for line in header)
            + "</p><pre>"
            + html.escape("\n".join(rest))
            + "</pre></div>"
        )


class GradcheckError(AssertionError):
    """A gradient check failed; the message is the table of every derivative, and ``.result`` holds it.

    An ``AssertionError``, so that pytest reports it as a failed test showing the table.
    """

    def __init__(self, result: GradcheckResult) -> None:
        super().__init__(str(result))
        self.result = result


GradcheckError.__module__ = "autograd_core"  # tracebacks say autograd_core.GradcheckError, as it is imported

# A table longer than this shows its failing and kink rows, and says how many others passed.
_SHOWN_ROWS = 24


def _report(result: GradcheckResult) -> list[str]:
    """The lines of the report: a header, one row per derivative, then the notes."""
    noisy = sum(1 for row in result.failures if row.noisy)
    wrong, total = len(result.failures) - noisy, len(result.rows)
    problems = ([f"{wrong} of {total} derivatives wrong"] if wrong else []) + (
        [f"{noisy} of {total} cannot be checked (f is noisy)"] if noisy else []
    )
    verdict = f"FAILED: {'; '.join(problems)}" if problems else "all passed"
    cost = "" if result.evaluations is None else f"; {result.evaluations} evaluations of f"
    lines = [
        f"{result.title} of {result.function} at ({result.where}): {verdict}",
        f"  {result.method} differences; a derivative passes when |analytic - numeric| <= atol + rtol*|numeric|"
        f" (atol={result.atol:g}, rtol={result.rtol:g}){cost}",
        "",
    ]
    rows = result.rows
    if len(rows) > _SHOWN_ROWS:
        rows = [row for row in rows if row.status != "ok"][:_SHOWN_ROWS] or rows[:3]
    complex_step = any(row.complex_step is not None for row in rows)
    header: tuple[str, ...] = ("derivative", "analytic", "numeric", "abs error", "rel error", "step", "result")
    header += ("complex step",) if complex_step else ()
    cells = [header] + [
        (
            row.name,
            f"{row.analytic:.12g}",
            f"{row.numeric:.12g}",
            f"{row.abs_error:.1e}",
            f"{row.rel_error:.1e}",
            f"{row.step:.1e}",
            row.status,
        )
        + ((f"{row.complex_step:.12g}" if row.complex_step is not None else "-",) if complex_step else ())
        for row in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(cells_row, widths)).rstrip() for cells_row in cells]
    if len(rows) < len(result.rows):
        lines.append(f"  ... and {len(result.rows) - len(rows)} more derivatives, all ok")
    return lines + _notes(result) + [f"  {note}" for note in result.notes]


def _notes(result: GradcheckResult) -> list[str]:
    """The lines under the table: why a row is wrong, noise, unreliable, or a kink."""
    lines = []
    if result.nondeterministic is not None:
        first, second = result.nondeterministic
        lines.append(
            f"  noise: {result.function} is not deterministic: evaluated twice at this point it gave "
            f"{first!r} and then {second!r}; finite differences of a random function mean nothing "
            f"(fix its seed, or check it without the random part)"
        )
    for row in result.failures:
        if row.noisy and result.nondeterministic is None and row.kink is not None:  # slopes that moved
            left, right = row.kink
            lines.append(
                f"  {row.name}: noise, not a kink: the one-sided slopes ({left:.6g} left, {right:.6g} right) "
                f"changed when the step shrank, where a kink's stay put; f is noisy here (a random term, "
                f"or digits lost to rounding inside f), so this derivative cannot be checked at this point"
            )
        elif not row.settled and row.kink is None:
            lines.append(
                f"  {row.name}: the numeric value is unreliable: it still changed when the step was halved "
                f"(f changes faster than the step, or loses digits to rounding); try another point or eps="
            )
        elif row.sweep and row.kink is None and not row.noisy:
            shown = ", ".join(f"{value:.6g} (step {step:.0e})" for step, value in row.sweep)
            values = [value for _, value in row.sweep]
            shrink = row.sweep[0][0] / row.sweep[-1][0]
            if max(values) - min(values) <= row.abs_error / 10:
                why = (
                    f"the numeric value settles as the step shrinks {shrink:.0f}x and the analytic one stays "
                    f"{row.abs_error:.3g} away from it, so this is not truncation error"
                )
            else:
                why = (
                    f"the numeric value moves by {max(values) - min(values):.3g} as the step shrinks {shrink:.0f}x, "
                    f"as much as the gap ({row.abs_error:.3g}): f changes faster than the steps, check with eps="
                )
            lines.append(f"  {row.name}: wrong: analytic {row.analytic:.6g}, numeric {shown}: {why}")
    for row in result.kinks:
        left, right = row.kink  # type: ignore[misc]  # result.kinks holds the rows whose kink is set
        if row.passed:
            why = "it lies between the one-sided slopes, a valid choice at a kink"
        elif not result.allow_kinks:
            why = "kinks count as failures (allow_kinks=False)"
        else:
            why = "it lies OUTSIDE the one-sided slopes, so it is wrong on both sides"
        lines.append(
            f"  {row.name}: a kink at this point (or within the step, {row.step:.1e}): the slope is "
            f"{left:.6g} from the left and {right:.6g} from the right; analytic {row.analytic:.6g}: {why}"
        )
    return lines


# ------------------------------------------------------------------ checking


def _row(
    name: str,
    analytic: float,
    estimate: Estimate,
    step: float,
    atol: float,
    rtol: float,
    allow_kinks: bool,
    rounding: float = 0.0,
) -> GradcheckRow:
    """Compare one analytic derivative with its finite-difference estimate (``rounding`` widens the tolerance)."""
    numeric = estimate.numeric
    abs_error = abs(analytic - numeric)
    if abs_error == 0:
        rel_error = 0.0
    else:
        rel_error = abs_error / abs(numeric) if numeric != 0 else math.inf
    if math.isnan(abs_error):
        abs_error, rel_error = math.inf, math.inf  # a nan or infinite analytic value never passes
    if estimate.smooth:
        return GradcheckRow(
            name,
            analytic,
            numeric,
            abs_error,
            rel_error,
            abs_error <= atol + rtol * abs(numeric) + rounding,
            step,
            None,
            estimate.settled,
        )
    slack = atol + rtol * max(abs(estimate.left), abs(estimate.right)) + rounding
    between = estimate.low - slack <= analytic <= estimate.high + slack
    return GradcheckRow(
        name,
        analytic,
        numeric,
        abs_error,
        rel_error,
        between and allow_kinks and not estimate.noisy,
        step,
        (estimate.left, estimate.right),
        estimate.settled,
        estimate.noisy,
    )


class Column(NamedTuple):
    """One input (or one direction) of f to difference along, with the claimed derivative of each output."""

    input: str  # the input's name ("x", "x[2]", or "v0" for a direction), for errors
    names: list[str]  # the row name of each output's derivative along this column
    start: float  # the input's value at the point (0.0 for a direction)
    scale: float  # sets the default step: |x_j|, or the largest |x_i| for a direction
    along: Callable[[float], Sequence[float]]  # the outputs with the input moved to t (others held)
    claimed: list[float]  # the claimed derivative of each output along this column


def _screen_step(column: Column, at_x: Sequence[float], epsilon: float, atol: float, rtol: float) -> float:
    """The forward difference's step: sqrt(eps) * max(1, |x|), or larger where f's rounding would hide the tolerance.

    Rounding makes the difference uncertain by about 2 eps |f| / h; the step
    grows until that is an eighth of the tolerance, up to the central step
    (eps**(1/3) * max(1, |x|)). Its truncation error, h |f''| / 2, is unknown:
    where it is too large the entry disagrees and is swept, never passed.
    """
    scale = max(1.0, abs(column.scale))
    tolerance = min(atol + rtol * abs(c) for c in column.claimed) if column.claimed else 0.0
    size = max(abs(v) for v in at_x)
    h = math.sqrt(epsilon) * scale
    if tolerance > 0 and math.isfinite(tolerance):
        h = max(h, min(16 * epsilon * size / tolerance, epsilon ** (1 / 3) * scale))
    return _power_of_two(h)


def _forward_rows(
    column: Column, at_x: Sequence[float], h: float, epsilon: float, atol: float, rtol: float
) -> list[GradcheckRow] | None:
    """The rows of a column from one forward difference, or None when it does not agree (or cannot tell)."""
    try:
        moved = column.along(column.start + h)
    except (ArithmeticError, ValueError, ProbeFailed):
        return None
    rows = []
    for name, claim, before, after in zip(column.names, column.claimed, at_x, moved):
        if not math.isfinite(after) or not math.isfinite(claim):
            return None
        numeric = (after - before) / h
        tolerance = atol + rtol * abs(numeric)
        rounding = 2 * epsilon * max(abs(before), abs(after)) / h
        error = abs(claim - numeric)
        if rounding > tolerance or error > tolerance + rounding:
            return None  # disagrees, or too imprecise to tell: sweep it
        rel = 0.0 if error == 0 else (error / abs(numeric) if numeric else math.inf)
        rows.append(GradcheckRow(name, claim, numeric, error, rel, True, h, None))
    return rows


def _central(column: Column, h: float) -> list[float] | None:
    """The central difference of every output at step h, or None where f cannot be evaluated."""
    try:
        right, left = column.along(column.start + h), column.along(column.start - h)
    except (ArithmeticError, ValueError, ProbeFailed):
        return None
    if not all(math.isfinite(v) for v in (*right, *left)):
        return None
    return [(r - v) / (2 * h) for r, v in zip(right, left)]


def _retry_larger(
    column: Column,
    i: int,
    row: GradcheckRow,
    first: float,
    at_x: Sequence[float],
    epsilon: float,
    atol: float,
    rtol: float,
) -> GradcheckRow:
    """A deterministic but noisy (or unsettled) f, retried at steps 4x to 1024x the first: rounding noise shrinks.

    At each step h the estimate is Richardson's, (4 D(h/2) - D(h)) / 3, whose
    truncation error shrinks like h**4, so a larger step costs little accuracy.
    The row passes when two successive steps agree with each other and with the claim.
    """
    previous = None
    for k in range(1, 6):
        h = first * 4.0**k
        wide, narrow = _central(column, h), _central(column, h / 2)
        if wide is None or narrow is None:
            break
        value = (4 * narrow[i] - wide[i]) / 3
        tolerance = atol + rtol * abs(value) + 4 * epsilon * max(abs(at_x[i]), 1e-300) / h
        if previous is not None and abs(value - previous) <= tolerance and abs(row.analytic - value) <= tolerance:
            error = abs(row.analytic - value)
            rel = 0.0 if error == 0 else (error / abs(value) if value else math.inf)
            return GradcheckRow(row.name, row.analytic, value, error, rel, True, h, None)
        previous = value
    return row


def _swept(column: Column, i: int, row: GradcheckRow, first: float) -> GradcheckRow:
    """A wrong row with the central differences at steps 64x down to 1/64 of the first step, for its note."""
    sweep = []
    for factor in _SWEEP:
        central = _central(column, first * factor)
        if central is not None:
            sweep.append((first * factor, central[i]))
    return row._replace(sweep=tuple(sweep))


def check_columns(
    columns: Sequence[Column],
    at_x: Sequence[float],
    *,
    evaluate_again: Callable[[], Sequence[float]],
    epsilon: float = EPSILON,
    eps: float | None,
    atol: float,
    rtol: float,
    method: str,
    allow_kinks: bool,
    screen: bool,
    fname: str,
    caller: str,
) -> tuple[list[list[GradcheckRow]], tuple[float, float] | None]:
    """THE checker: the rows of every column (outer list) and output (inner), and f's two values if it is random.

    ``screen``: a forward difference first (one evaluation per column); only
    the columns it does not settle are swept. Without it (gradcheck) every
    column is swept. ``evaluate_again`` re-evaluates f at the point, once,
    before the first sweep: a random f is noise, never a kink.
    """
    rows: list[list[GradcheckRow] | None] = []
    for column in columns:
        h = float(eps) if eps is not None else _screen_step(column, at_x, epsilon, atol, rtol)
        rows.append(_forward_rows(column, at_x, h, epsilon, atol, rtol) if screen else None)
    nondeterministic = None
    if any(r is None for r in rows):
        again = evaluate_again()
        differ = [(a, b) for a, b in zip(at_x, again) if a != b]
        if differ:
            nondeterministic = differ[0]
    for j, column in enumerate(columns):
        if rows[j] is not None:
            continue
        h = float(eps) if eps is not None else default_step(column.scale, method, epsilon)
        try:
            step, estimates = derivative_along(
                column.along, column.start, at_x, h, method, atol, rtol, adapt=eps is None, epsilon=epsilon
            )
        except ProbeFailed as exc:
            raise ValueError(
                f"{caller}: {fname} cannot be evaluated near {column.input}={column.start!r}: "
                f"{exc}; check a point further from the edge of its domain"
            ) from None
        allowance = 0.0 if not screen else 10 * epsilon * max(abs(v) for v in at_x) / step
        column_rows = []
        for i, (name, claim, estimate) in enumerate(zip(column.names, column.claimed, estimates)):
            row = _row(name, claim, estimate, step, atol, rtol, allow_kinks, allowance)
            if screen and nondeterministic is None and (row.noisy or (not row.passed and not row.settled)):
                row = _retry_larger(column, i, row, h, at_x, epsilon, atol, rtol)
            if screen and not row.passed and row.kink is None and not row.noisy:
                row = _swept(column, i, row, h)
            column_rows.append(row)
        rows[j] = column_rows
    if nondeterministic is not None:
        rows = [[row._replace(passed=False, noisy=True) for row in column_rows or []] for column_rows in rows]
    return [column_rows or [] for column_rows in rows], nondeterministic


def _power_of_two(h: float) -> float:
    """The largest power of two <= h."""
    return 2.0 ** math.floor(math.log2(h))


# ------------------------------------------------------------ check_gradient


def function_name(f: Callable[..., Any]) -> str:
    """f's name for the report; a lambda is named by its file and line."""
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None)
    code = getattr(f, "__code__", None)
    if name is not None and name.endswith("<lambda>") and code is not None:
        return f"<lambda> ({os.path.basename(code.co_filename)}:{code.co_firstlineno})"
    return name if name is not None else repr(f)


def _options(eps: Any, atol: Any, rtol: Any, method: Any, caller: str) -> None:
    """Check the numeric options."""
    if method not in METHODS:
        raise ValueError(f"{caller}: method must be one of {sorted(METHODS)}, got {method!r}")
    for what, v in (("atol", atol), ("rtol", rtol)):
        if v is not None and (not isinstance(v, numbers.Real) or v < 0 or not math.isfinite(v)):
            raise ValueError(f"{caller}: {what} must be a finite number >= 0, got {v!r}")
    if eps is not None and (not isinstance(eps, numbers.Real) or eps <= 0 or not math.isfinite(eps)):
        raise ValueError(f"{caller}: eps (the step) must be a finite number > 0, or None, got {eps!r}")


def check_gradient(
    f: Callable[[Any], Any],
    x: Any,
    grad: Callable[[Any], Any] | None = None,
    *,
    jacobian: Callable[[Any], Any] | None = None,
    vjp: Callable[[Any, Any], Any] | None = None,
    eps: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    method: str = "central",
    allow_kinks: bool = True,
    projections: int | None = None,
    seed: int = 0,
    complex_step: bool = False,
    raise_exception: bool = False,
) -> GradcheckResult:
    """Check a claimed derivative of ``f`` at ``x`` against finite differences, entry by entry.

    Args:
        f: takes x (of x's kind, shape and dtype) and returns a number, or a
            vector for ``jacobian=`` / ``vjp=``.
        x: a float, a list of floats, or a numpy, PyTorch or JAX array of any
            shape, float64, float32 or float16.
        grad: ``grad(x)``, the claimed gradient, of x's shape. Without a claim
            (no grad, jacobian or vjp) the framework's own derivative is checked:
            PyTorch's autograd for a tensor, ``jax.grad`` for a JAX array, and
            for plain numbers this engine's, with f a function of Values (a
            Value for a float, a list of Values for a list).
        jacobian: ``jacobian(x)``, the claimed Jacobian of a vector-valued f,
            of shape (outputs, inputs) (or f's shape followed by x's).
        vjp: ``vjp(x, u)``, the claimed ``u @ J`` for an output weight u of
            f's shape: checked for each output (u the unit vectors) up to 4
            outputs, else for ``projections`` (default 4) random u.
        eps: a fixed step; by default relative to each input and to x's precision.
        atol, rtol: an entry passes when |claim - numeric| <= atol + rtol*|numeric|
            (plus the rounding noise of f at the step). rtol defaults to 1e-6 for
            float64, 2e-3 for float32, 3e-2 for float16; atol to 1e-3*rtol
            times the largest claimed entry.
        method: "central" or "richardson" for the sweep.
        allow_kinks: a claim between the one-sided slopes at a kink passes.
        projections: check the gradient along this many random directions
            first (default: 8 when x has more than 256 entries, else none);
            every entry is checked when a direction disagrees.
        seed: the seed of the random directions.
        complex_step: also estimate each entry by the complex step
            ``Im f(x + ih) / h`` where f accepts complex numbers (floats,
            numpy, PyTorch): shown as a second opinion, never the verdict
            (it is silently wrong through abs, maximum, where).
        raise_exception: raise ``GradcheckError`` on failure.

    Returns:
        A ``GradcheckResult``: truthy when every entry passes; ``str()`` is the
        table; ``.evaluations`` counts the evaluations of f.
    """
    caller = "check_gradient"
    if not callable(f):
        raise TypeError(f"{caller}: f must be a function, got {type(f).__name__} {short_repr(f)}")
    claims = [name for name, c in (("grad", grad), ("jacobian", jacobian), ("vjp", vjp)) if c is not None]
    if len(claims) > 1:
        raise TypeError(f"{caller}: give one claim, not {' and '.join(claims)}")
    for name, c in (("grad", grad), ("jacobian", jacobian), ("vjp", vjp)):
        if c is not None and not callable(c):
            raise TypeError(f"{caller}: {name}= must be a function of x, got {type(c).__name__} {short_repr(c)}")
    if projections is not None and (not isinstance(projections, int) or projections < 1):
        raise ValueError(f"{caller}: projections must be a whole number >= 1, or None, got {projections!r}")
    from .frameworks import floats, point_of

    point = point_of(x, framework_claim=not claims)
    _options(eps, atol, rtol, method, caller)
    fname, names, n = function_name(f), point.names(), len(point.values)
    evaluations = 0

    def call(values: Sequence[float]) -> list[float]:
        nonlocal evaluations
        evaluations += 1
        if point.kind == "value":
            from .value import Value

            xs = [Value(v, name) for v, name in zip(values, names)]
            return floats(f(xs[0] if not point.shape else xs), f"{fname}(x)")
        return point.evaluate(f, values, f"{fname}(x)")

    at_x = call(point.values)
    for v in at_x:
        if not math.isfinite(v):
            raise ValueError(f"{caller}: {fname}(x) is {at_x}; derivatives can only be checked where f is finite")
    m = len(at_x)
    if m != 1 and not (jacobian or vjp or not claims):
        raise ValueError(f"{caller}: {fname}(x) has {m} values, not one: pass jacobian= or vjp= for a vector-valued f")
    claimed, out_names, weights = _claim(point, f, fname, grad, jacobian, vjp, m, n, projections, seed, caller)
    evaluate = call
    if weights is not None:  # vjp: the scalar u . f(x) for each u
        evaluate = lambda values: [sum(w * v for w, v in zip(u, call(values))) for u in weights]  # noqa: E731 - one line
        at_x = [sum(w * v for w, v in zip(u, at_x)) for u in weights]
    rtol = _RTOL[point.dtype] if rtol is None else float(rtol)
    if atol is None:
        atol = 1e-3 * rtol * max((abs(c) for row in claimed for c in row if math.isfinite(c)), default=0.0)
    options = dict(epsilon=point.epsilon, eps=eps, atol=atol, rtol=rtol, method=method, allow_kinks=allow_kinks)

    def column(j: int) -> Column:
        def along(t: float) -> list[float]:
            if not point.representable(t):
                raise ProbeFailed(f"at {t!r}, which is not a {point.dtype} number")
            values = list(point.values)
            values[j] = t
            return evaluate(values)

        return Column(
            names[j],
            [f"d{o}/d{names[j]}" for o in out_names],
            point.values[j],
            point.values[j],
            along,
            [r[j] for r in claimed],
        )

    notes = []
    # Directions in x (a vjp's projections= are its output weights instead).
    count = projections if projections is not None and vjp is None else (_PROJECTIONS if n > PROJECT_ABOVE else 0)
    projected_ok = False
    if count:
        directions, verdict = _projected(point, evaluate, at_x, claimed, out_names, count, seed, options, fname)
        projected_ok = all(row.passed for row in directions)
        notes.append(verdict)
    if projected_ok:
        rows = directions
        nondeterministic = None
    else:
        per_column, nondeterministic = check_columns(
            [column(j) for j in range(n)],
            at_x,
            evaluate_again=lambda: evaluate(point.values),
            screen=True,
            fname=fname,
            caller=caller,
            **options,  # type: ignore[arg-type]  # the options' types are checked above
        )
        rows = [per_column[j][i] for i in range(len(out_names)) for j in range(n)]
        if count:
            notes.append("every entry was then checked, to name the wrong ones")
    if complex_step and not projected_ok:
        rows, note = _complex_step(point, f, rows, weights, n, fname)
        notes.append(note)
    result = GradcheckResult(
        fname,
        1,
        list(zip(names, point.values)),
        rows,
        method="forward, then " + method if eps is None else f"step {eps:g}",
        atol=atol,
        rtol=rtol,
        allow_kinks=allow_kinks,
        nondeterministic=nondeterministic,
        title=caller,
        where=point.describe()
        + "; claim: "
        + (_claimed_by(claims[0], grad or jacobian or vjp) if claims else _own_claim(point)),
        evaluations=evaluations,
        notes=notes,
    )
    if raise_exception and not result:
        raise GradcheckError(result)
    return result


def _claimed_by(kind: str, claim: Any) -> str:
    """'grad=loss_grad': the claim's keyword and its function's name."""
    return f"{kind}={function_name(claim)}"


def _own_claim(point: Any) -> str:
    """Whose derivative is checked when none is claimed."""
    return {"torch": "PyTorch autograd", "jax": "jax.grad", "value": "this engine's grad"}.get(point.kind, "")


def _claim(
    point: Any,
    f: Callable[[Any], Any],
    fname: str,
    grad: Callable[[Any], Any] | None,
    jacobian: Callable[[Any], Any] | None,
    vjp: Callable[[Any, Any], Any] | None,
    m: int,
    n: int,
    projections: int | None,
    seed: int,
    caller: str,
) -> tuple[list[list[float]], list[str], list[list[float]] | None]:
    """The claimed derivatives (one row per output), the outputs' names, and the output weights of a vjp."""
    from .frameworks import floats

    names = ["f"] if m == 1 else [f"f[{i}]" for i in range(m)]
    if grad is not None:
        rows = [floats(grad(point.build(point.values)), "grad(x), the claimed gradient,")]
    elif jacobian is not None:
        flat = floats(jacobian(point.build(point.values)), "jacobian(x)")
        if len(flat) != m * n:
            raise ValueError(
                f"{caller}: jacobian(x) has {len(flat)} entries; f has {m} outputs and x {n} entries, so it needs "
                f"{m * n} ({m} x {n})"
            )
        rows = [flat[i * n : (i + 1) * n] for i in range(m)]
    elif vjp is not None:
        count = m if m <= 4 and projections is None else (projections or 4)
        rng = random.Random(seed)
        weights = (
            [[1.0 if k == i else 0.0 for k in range(m)] for i in range(m)]
            if count == m and projections is None
            else [[rng.gauss(0, 1) for _ in range(m)] for _ in range(count)]
        )
        out = f(point.build(point.values))
        rows = []
        for u in weights:
            rows.append(floats(vjp(point.build(point.values), _like(out, u)), "vjp(x, u)"))
        names = (
            [f"f[{i}]" for i in range(m)] if count == m and projections is None else [f"(u{k}.f)" for k in range(count)]
        )
        for row in rows:
            if len(row) != n:
                raise ValueError(f"{caller}: vjp(x, u) has {len(row)} entries; x has {n}")
        return rows, names, weights
    else:
        rows = point.own_jacobian(f, fname)
        if len(rows) != m:
            raise ValueError(f"{caller}: the derivative of {fname} has {len(rows)} rows; f has {m} outputs")
    for row in rows:
        if len(row) != n:
            raise ValueError(f"{caller}: the claimed gradient has {len(row)} entries; x has {n} (shape {point.shape})")
    return rows, names, None


def _like(out: Any, u: list[float]) -> Any:
    """The weights u in f's output type and shape (numpy, PyTorch, JAX or a list), for vjp(x, u)."""
    from .frameworks import Point, _framework

    framework = _framework(out)
    if not framework:
        return list(u)
    shape = tuple(out.shape)
    dtype = str(out.dtype).replace("torch.", "")
    return Point(out, framework, list(u), shape, dtype if dtype in _RTOL else "float64").build(u)


def _projected(
    point: Any,
    evaluate: Callable[[Sequence[float]], list[float]],
    at_x: Sequence[float],
    claimed: list[list[float]],
    out_names: list[str],
    count: int,
    seed: int,
    options: dict[str, Any],
    fname: str,
) -> tuple[list[GradcheckRow], str]:
    """The rows of ``count`` random Gaussian directions, and the note on the chance of missing a wrong entry."""
    rng = random.Random(seed)
    n = len(point.values)
    scale = max(abs(v) for v in point.values)
    columns = []
    for k in range(count):
        v = [rng.gauss(0.0, 1.0) for _ in range(n)]

        def along(t: float, v: list[float] = v) -> list[float]:
            return evaluate([x + t * d for x, d in zip(point.values, v)])

        claims = [sum(c * d for c, d in zip(row, v)) for row in claimed]
        columns.append(Column(f"v{k}", [f"d{o}/dv{k}" for o in out_names], 0.0, scale, along, claims))
    per_column, _ = check_columns(
        columns,
        at_x,
        evaluate_again=lambda: evaluate(point.values),
        screen=True,
        fname=fname,
        caller="check_gradient",
        **options,
    )
    rows = [row for column_rows in per_column for row in column_rows]
    tolerance = options["atol"] + options["rtol"] * max(abs(row.numeric) for row in rows)
    verdict = (
        f"checked along {count} random Gaussian directions v (g.v against the derivative of f(x + t v)): "
        f"an error e in the claim passes one direction with probability at most 0.8*tol/|e|, so an entry wrong "
        f"by 100*tol ({100 * tolerance:.1e}) or more is missed with probability below {0.008**count:.0e}"
    )
    return rows, verdict


def _complex_step(
    point: Any, f: Callable[[Any], Any], rows: list[GradcheckRow], weights: Any, n: int, fname: str
) -> tuple[list[GradcheckRow], str]:
    """Each row with its complex-step estimate Im f(x + ih e_j) / h, where f accepts complex numbers."""
    if point.kind not in ("float", "sequence", "numpy", "torch") or weights is not None or len(rows) != n:
        return rows, "complex step: not available for this input (floats, numpy or PyTorch, one output)"
    h = 1e-20 * max(1.0, max(abs(v) for v in point.values))
    estimates = []
    try:
        for j in range(n):
            values: list[complex] = [complex(v) for v in point.values]
            values[j] += complex(0.0, h)
            x = values[0] if point.kind == "float" else (values if point.kind == "sequence" else None)
            if x is None:
                x = point.build(values, complex_=True)
            out = f(x)
            estimates.append(_imaginary(out) / h)
    except (TypeError, ValueError, ArithmeticError, RuntimeError) as exc:
        return rows, f"complex step: {fname} does not accept complex numbers ({type(exc).__name__}: {exc})"
    disagree = [
        row.name
        for row, c in zip(rows, estimates)
        if abs(c - row.numeric) > 1e-4 * max(abs(c), abs(row.numeric), 1e-300) + 1e-12
    ]
    rows = [row._replace(complex_step=c) for row, c in zip(rows, estimates)]
    note = "complex step (Im f(x + ih) / h, h = 1e-20): a second opinion, not the verdict"
    if disagree:
        note += (
            f"; it disagrees with the finite differences on {', '.join(disagree[:5])}: trust the finite "
            "differences where f uses abs, maximum, where or comparisons (the complex step is wrong there)"
        )
    return rows, note


def _imaginary(out: Any) -> float:
    """The imaginary part of f's (complex) value."""
    if isinstance(out, complex):
        return float(out.imag)
    if hasattr(out, "imag"):
        imag = out.imag
        return float(imag.item() if hasattr(imag, "item") else imag)
    return 0.0


def assert_gradient(f: Callable[[Any], Any], x: Any, grad: Callable[[Any], Any] | None = None, **options: Any) -> None:
    """Assert that a claimed derivative of f at x matches finite differences (``check_gradient``'s arguments).

    On failure raises ``GradcheckError`` (an ``AssertionError``) whose message
    is the table, so pytest's report shows which entry is wrong and why.
    """
    __tracebackhide__ = True  # pytest: show the caller's line, not this helper's
    if "raise_exception" in options:
        raise TypeError("assert_gradient always raises on failure; use check_gradient(...) for the result")
    check_gradient(f, x, grad, raise_exception=True, **options)
