"""Errors the engine raises, and the helpers that name a node or a value in a message.

Every error an op raises names the operation, the offending value and the node
it came from, so a student reading a traceback knows which part of the
expression went wrong without opening the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .notation import written

__all__ = ["DomainError", "DivisionByZeroError", "NonFiniteError", "describe", "short_repr", "call_text", "op_error"]


class DomainError(ValueError):
    """An op was applied to a value outside its domain, e.g. ``log(0)``."""


class DivisionByZeroError(DomainError, ZeroDivisionError):
    """Division by zero (``x / 0`` or ``0 ** -1``): both a ValueError and a ZeroDivisionError."""


class NonFiniteError(FloatingPointError):
    """Inside ``detect_anomaly``: an op or a gradient became nan or infinite (an ``ArithmeticError``)."""


def describe(node: object) -> str:
    """Name a node for an error message: its label when it has one, else its data."""
    label = getattr(node, "label", "")
    data = getattr(node, "data", node)
    if label:
        return f"'{label}' (data={data!r})"
    op = getattr(node, "op", None)  # the Op that made it (its str is its name); None for a leaf
    return f"an unlabelled {f'result of {op}' if op is not None else 'input'} (data={data!r})"


def short_repr(x: object, limit: int = 40) -> str:
    """``repr(x)`` cut to ``limit`` characters, for any value a user can pass.

    A message must not fill the screen (a 400-digit int, a megabyte string)
    nor fail while it is being made: an int past Python's 4,300 digits has no
    repr, a list nested 100,000 deep overflows the recursion limit.
    """
    try:
        text = repr(x)
    except (ValueError, RecursionError):
        return f"<{type(x).__name__} too large to show>"
    return text if len(text) <= limit else f"{text[: limit - 12]}... ({len(text)} characters)"


def call_text(name: str, inputs: Iterable[Any]) -> tuple[str, str]:
    """How an op's call reads in an error: the call with its values, and where each input came from."""
    inputs = tuple(inputs)
    shown = written(name, [repr(x._data) for x in inputs])
    where = "; ".join(f"input {i + 1} is {describe(x)}" for i, x in enumerate(inputs))
    return shown, where


def op_error(op: Any, inputs: Iterable[Any], exc: Exception) -> Exception:
    """The error for an op whose forward failed, naming the op, the values and the nodes.

    A ``ZeroDivisionError`` becomes ``DivisionByZeroError``, an ``OverflowError``
    stays one, anything else becomes ``DomainError``.
    """
    shown, where = call_text(op.name, inputs)
    message = f"{shown}: {exc}; {where}"
    if isinstance(exc, ZeroDivisionError):
        return DivisionByZeroError(message)
    if isinstance(exc, OverflowError):
        return OverflowError(message)
    return DomainError(message)
