"""Errors the engine raises, and the one helper that names a node in a message.

Every error an op raises names the operation, the offending value and the node
it came from, so a student reading a traceback knows which part of the
expression went wrong without opening the engine.
"""

from __future__ import annotations

__all__ = ["DomainError", "DivisionByZeroError", "NonFiniteError", "describe"]


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
    op = getattr(node, "op", "")
    return f"an unlabelled {'result of ' + op if op else 'input'} (data={data!r})"
