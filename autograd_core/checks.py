"""Checking what users pass: a real number for ``data``, ``grad`` and operands, a str for labels.

Real numbers (int, bool, Fraction, numpy's) are accepted, and so is anything
with a ``__float__`` that is not complex (``numpy.bool_``, ``Decimal``). The
errors say what was needed and what came, cut short so that a 400-digit int or
a megabyte string cannot fill the screen.
"""

from __future__ import annotations

import numbers
from typing import Any

from .errors import short_repr

__all__ = ["as_float", "check_label"]


def as_float(x: Any, needs: str) -> float:
    """``x`` as a float, or a TypeError/OverflowError that starts with ``needs``.

    ``needs`` reads like "Value(data) needs a real number".
    """
    if (
        isinstance(x, (str, bytes))
        or not hasattr(type(x), "__float__")
        or (isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real))
    ):
        raise _not_a_number(x, needs)
    try:
        return float(x)
    except TypeError:  # a Value's __float__ refuses (so that it is never turned into a number by accident)
        raise _not_a_number(x, needs) from None
    except OverflowError:
        raise OverflowError(
            f"{needs} that fits in a float (at most about 1.8e308), got {type(x).__name__} {short_repr(x)}"
        ) from None


def _not_a_number(x: Any, needs: str) -> TypeError:
    """The TypeError for ``x``, which is no real number; a Value is told how to give its number."""
    hint = " (use .data to copy a Value's number, or .detach())" if hasattr(x, "data") else ""
    return TypeError(f"{needs}, got {type(x).__name__} {short_repr(x)}{hint}")


def check_label(label: object) -> str:
    """``label`` itself if it is a str; a TypeError naming what came otherwise."""
    if not isinstance(label, str):
        raise TypeError(f"Value label must be a str, got {type(label).__name__} {short_repr(label)}")
    return label
