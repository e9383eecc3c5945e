"""Finite differences in float64: the step, the estimate, and the kink test behind ``gradcheck``.

A derivative is estimated from samples of a function on a small stencil around
``x``: ``x - h``, ``x - h/2``, ``x - h/4``, ``x``, ``x + h/4``, ``x + h/2``,
``x + h``. From these:

* central difference: ``D(h) = (f(x+h) - f(x-h)) / 2h``, error about
  ``h**2 * f'''/6`` from truncation plus ``eps * |f| / h`` from rounding,
  smallest for ``h ~ eps**(1/3)`` (about 6e-6), where it is ~1e-11 relative;
* Richardson extrapolation: ``(4 D(h/2) - D(h)) / 3`` cancels the ``h**2``
  term, leaving ``h**4``; with ``h ~ eps**(1/5)`` (about 7e-4) it is ~1e-13;
* the kink test. Each side of ``x`` gives a one-sided slope, extrapolated to
  step 0 (``2 R(h/2) - R(h)`` with ``R(s) = (f(x+s) - f(x)) / s``, and the
  same on the left). For a smooth ``f`` the two agree to ``O(h**3)``, and
  their difference ``d`` shrinks eightfold when the step halves. At a kink
  they differ by the jump in slope, whatever the step. So ``f`` is declared
  not smooth near ``x`` when ``d`` at step ``h/2`` is not one eighth of ``d``
  at step ``h``, by more than the checker's tolerance, the rounding noise
  (estimated from ``max |f|``) and a sixteenth of ``d`` itself.
* at a kink, the slopes reported are the outermost secants, over
  ``[x - h, x - h/2]`` and ``[x + h/2, x + h]``: beyond a kink that lies within
  ``h/2`` of ``x``, they are the slopes on either side of it. An analytic value
  passes when it lies within the range of all six secants of the stencil,
  widened by their change over half a step (the curvature of ``f``).
* noise is not a kink. Noise in ``f`` (a random term, or digits lost to
  rounding inside ``f``) also makes the one-sided slopes disagree, but its
  secants grow like ``noise / h`` as the step shrinks, while a kink's stay
  put: on a stencil 8x smaller they are averages of ``f'`` over parts of the
  larger stencil's intervals, so they lie within its range (up to curvature,
  tolerance and rounding). A jump in ``f`` (which ``gradgradcheck`` meets in
  the derivative of relu) makes the one secant across it grow, on one side of
  ``x`` only, or only the two next to ``x`` when the jump is at ``x``. So
  the estimate is marked noisy when, between two successive stencils, a
  secant away from ``x`` escapes the range on *both* sides of ``x``; a
  noisy derivative cannot pass.

Steps are powers of two, so ``x + h``, ``x + h/2`` and ``x + h/4`` are exact
in float64 for all but a few ``x`` (and off by one rounding at worst).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

__all__ = ["EPSILON", "METHODS", "default_step", "Estimate", "ProbeFailed", "derivative_along"]

EPSILON = sys.float_info.epsilon  # 2.2e-16, float64's machine epsilon

# The step exponent that balances truncation and rounding error for each method.
METHODS = {"central": 1 / 3, "richardson": 1 / 5}

# Offsets of the stencil, in units of h/4: x - h, x - h/2, x - h/4, x + h/4, x + h/2, x + h.
_OFFSETS = (-4, -2, -1, 1, 2, 4)

# Where f is not defined at x +- h (x near the edge of its domain), the step
# shrinks 16x at a time, at most 12 times, until f is defined on the stencil.
_SHRINKS, _SHRINK_FACTOR = 12, 16.0

# Where the estimate has not settled (f changes faster than the step) or f
# looks like it has a kink, the step shrinks 8x at a time, at most 3 times.
_REFINES, _REFINE_FACTOR = 3, 8.0

# Rounding noise in the kink test is about 32 * eps * max|f| / h; stay 10x above it.
_NOISE = 320.0


class ProbeFailed(Exception):
    """The function could not be evaluated (or was not finite) at a stencil point."""


class Estimate(NamedTuple):
    """What the stencil says about one derivative."""

    numeric: float  # the central (or Richardson) estimate
    half_step: float  # the same estimate from a step half as large
    settled: bool  # whether the two agree: the step is small enough for f
    left: float  # the slope left of x: (f(x - h/2) - f(x - h)) / (h/2)
    right: float  # the slope right of x: (f(x + h) - f(x + h/2)) / (h/2)
    low: float  # the range of the slopes seen on the stencil: at a kink,
    high: float  # an analytic value in it is a valid one-sided choice
    smooth: bool  # False when the one-sided slopes disagree like a kink's
    rounding: float  # the rounding noise in a slope at this step, from max |f|
    secants: tuple[float, ...]  # the six secants between neighbouring stencil points, left to right
    noisy: bool = False  # not smooth, and the slopes do not settle as the step shrinks: noise, not a kink


def default_step(x: float, method: str, epsilon: float = EPSILON) -> float:
    """eps**(1/3) * max(1, |x|) for central differences (eps**(1/5) for Richardson), as a power of two.

    ``epsilon`` is the machine epsilon of the precision f computes in (float64's by default).
    """
    return _power_of_two(epsilon ** METHODS[method] * max(1.0, abs(x)))


def _power_of_two(h: float) -> float:
    """The largest power of two <= h."""
    return 2.0 ** math.floor(math.log2(h))


def _estimate(
    samples: dict[int, float], h: float, method: str, atol: float, rtol: float, epsilon: float = EPSILON
) -> Estimate:
    """The derivative of one output from its samples at x + k*h/4 (k in _OFFSETS and 0)."""
    f = samples

    def central(k: int) -> float:  # D(k*h/4)
        return (f[k] - f[-k]) / (2 * k * h / 4)

    if method == "central":
        numeric, half_step = central(4), central(2)
    else:
        numeric, half_step = (4 * central(2) - central(4)) / 3, (4 * central(1) - central(2)) / 3

    def one_sided(sign: int, k: int) -> float:
        # Extrapolated one-sided slope 2 R(s/2) - R(s), s = k*h/4: (4 f(x±s/2) - 3 f(x) - f(x±s)) / ±s,
        # from differences, so that 4 f(x±s/2) cannot overflow near the largest floats.
        return (4 * (f[sign * k // 2] - f[0]) - (f[sign * k] - f[0])) / (sign * k * h / 4)

    left_h, right_h = one_sided(-1, 4), one_sided(1, 4)  # from steps h and h/2
    left_2, right_2 = one_sided(-1, 2), one_sided(1, 2)  # from steps h/2 and h/4
    d_h, d_2 = right_h - left_h, right_2 - left_2
    scale = max(abs(left_h), abs(right_h), abs(left_2), abs(right_2))
    noise = _NOISE * epsilon * max(abs(v) for v in f.values()) / h
    smooth = abs(d_2 - d_h / 8) <= max(atol + rtol * scale, noise, abs(d_h) / 16)
    # Halving the step changes a good estimate by much less than the tolerance.
    settled = abs(numeric - half_step) <= max((atol + rtol * abs(numeric)) / 4, noise / 8)

    # At a kink: the secants between neighbouring stencil points. Each is an
    # average of f' over its interval, so together they span the slopes on
    # both sides of the kink; the outermost ones are the slopes beyond it.
    secants = [(f[b] - f[a]) / ((b - a) * h / 4) for a, b in zip((-4, -2, -1, 0, 1, 2), (-2, -1, 0, 1, 2, 4))]
    # f' at x may differ from the nearest secant by about h/8 * f'' (curvature): allow for that.
    curvature = max(abs(secants[0] - secants[1]), abs(secants[5] - secants[4])) / 3
    return Estimate(
        numeric,
        half_step,
        settled,
        secants[0] + 0.0,
        secants[5] + 0.0,
        min(secants) - curvature,
        max(secants) + curvature,
        smooth,
        noise,
        tuple(secants),
    )


def _estimates(
    samples: dict[int, Sequence[float]],
    at_x: Sequence[float],
    h: float,
    method: str,
    atol: float,
    rtol: float,
    epsilon: float = EPSILON,
) -> list[Estimate]:
    """One ``Estimate`` per output of g, from g's samples on the stencil and its value at x."""
    samples = {0: at_x, **samples}
    return [
        _estimate({k: column[i] for k, column in samples.items()}, h, method, atol, rtol, epsilon)
        for i in range(len(at_x))
    ]


def _noisy(larger: Estimate, smaller: Estimate, atol: float, rtol: float) -> bool:
    """Whether secants of a stencil 8x smaller escape the larger one's range on both sides of x: noise.

    A kink's secants stay within the range (widened by the tolerance and the
    smaller step's rounding noise); a jump's grow on one side of x only, or
    in the two secants next to x, which are left out.
    """
    slack = atol + rtol * max(abs(larger.low), abs(larger.high)) + smaller.rounding
    low, high = larger.low - slack, larger.high + slack
    left, right = smaller.secants[:2], smaller.secants[4:]
    return any(not low <= v <= high for v in left) and any(not low <= v <= high for v in right)


def _sample(g: Callable[[float], Sequence[float]], x: float, offset: float) -> Sequence[float]:
    """g at x + offset; ProbeFailed when g raises a math error or is not finite there."""
    t = x + offset
    try:
        values = g(t)
    except (ArithmeticError, ValueError) as exc:  # DomainError, OverflowError, ZeroDivisionError
        raise ProbeFailed(f"at {t!r} ({type(exc).__name__}: {exc})") from None
    for v in values:
        if not math.isfinite(v):
            raise ProbeFailed(f"at {t!r} (the value is {v})")
    return values


def _stencil(g: Callable[[float], Sequence[float]], x: float, h: float) -> dict[int, Sequence[float]]:
    """g on the stencil around x (x itself excluded), keyed by offset in units of h/4."""
    if len({x, *(x + k * h / 4 for k in _OFFSETS)}) < len(_OFFSETS) + 1:  # floats near x are further apart
        raise ProbeFailed(f"at {x!r} a step of {h:.3g} does not move x (floats there are {math.ulp(x):.3g} apart)")
    return {k: _sample(g, x, k * h / 4) for k in _OFFSETS}


def derivative_along(
    g: Callable[[float], Sequence[float]],
    x: float,
    at_x: Sequence[float],
    h: float,
    method: str,
    atol: float,
    rtol: float,
    adapt: bool = True,
    epsilon: float = EPSILON,
) -> tuple[float, list[Estimate]]:
    """Estimate d g_i / d x for every output i of ``g`` (whose values at ``x`` are ``at_x``).

    ``g`` is a function of one number: in ``gradcheck``, f (or its gradient)
    with one input moved and the others held.

    Returns the step used and one ``Estimate`` per output. When ``g`` fails at
    a stencil point, ``x`` is within a step of the edge of g's domain (log
    near 0). The step then shrinks until g is defined on the stencil; the
    edge is about that far away, and g changes on that scale (log(x) near
    x = 1e-7 does on the scale of 1e-7), so the step becomes that distance
    times eps**(1/3) (for central differences), as it is |x| times eps**(1/3)
    away from edges. ``ProbeFailed`` says where and why when no step works.

    With ``adapt``, when the estimates at step h and at h/2 disagree (f changes
    faster than the step can follow, as sin(1000 x) does), or the slopes on
    either side disagree (a kink within the step, or what looks like one at
    this step), the step shrinks 8x, up to three times (512x in all). A kink
    near ``x`` then leaves the stencil and ``f'(x)`` is measured beside it; a
    kink that stays is at ``x``, within about 1e-8 * max(1, |x|), unless its
    slopes did not settle on the last stencil: then it is marked ``noisy``.

    ``epsilon`` is the machine epsilon of the precision g computes in: it sets
    the step near an edge and the rounding noise the kink test allows for.
    """
    step = h
    for _ in range(_SHRINKS + 1):
        try:
            samples = _stencil(g, x, step)
            break
        except ProbeFailed as exc:
            failure = exc
            step /= _SHRINK_FACTOR
    else:
        raise ProbeFailed(f"{failure}, even with the step reduced to {step * _SHRINK_FACTOR:.3g}")
    if step != h:  # near an edge: a step scaled to the distance from it, but one that still moves x
        step = min(step, max(_power_of_two(step * epsilon ** METHODS[method]), _power_of_two(16 * math.ulp(x))))
        samples = _stencil(g, x, step)
    # Estimates at step, step/8, ...: refined while f looks unsmooth (or, when adapting, unsettled). With
    # a given step (adapt=False) the finer stencils only serve to tell a kink from noise.
    stencils = [_estimates(samples, at_x, step, method, atol, rtol, epsilon)]
    while len(stencils) <= _REFINES and not all(e.smooth and (e.settled or not adapt) for e in stencils[-1]):
        finer_step = step / _REFINE_FACTOR ** len(stencils)
        try:
            finer = _stencil(g, x, finer_step)
        except ProbeFailed:
            break
        stencils.append(_estimates(finer, at_x, finer_step, method, atol, rtol, epsilon))
    chosen = len(stencils) - 1 if adapt else 0
    pairs = list(zip(stencils, stencils[1:]))
    return step / _REFINE_FACTOR**chosen, [
        e if e.smooth else e._replace(noisy=any(_noisy(big[i], small[i], atol, rtol) for big, small in pairs))
        for i, e in enumerate(stencils[chosen])
    ]
