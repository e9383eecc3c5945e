"""How ops and node names read in text: one rule for every printout.

Error messages, ``explain`` and the player (``viz``), forward mode's steps and
the chain rule as a formula all write an op applied to its operands, and a
node's name after a ``d`` or a ``∂``. They share these few functions, so a
name is put in parentheses the same way everywhere (``dL/dx[0]`` but
``dL/d(a * b)``, which must never read as ``(dL/da) * b``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

__all__ = ["INFIX", "is_word", "symbol", "written", "dotted", "factor"]

INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "pow": "**"}
"""The ops written between their two operands, and their symbol (``pow`` is ``**`` too)."""

_WORD_PUNCTUATION = str.maketrans("", "", "._#'[]")


def is_word(name: str) -> bool:
    """True for a name that reads as one symbol: ``a``, ``x[0]``, ``layers.0.neurons.1.w.0``, ``sum#2``."""
    return name.translate(_WORD_PUNCTUATION).isalnum()


def symbol(name: str) -> str:
    """A name as one symbol: itself, or in parentheses when it is an expression (``(a * b)``)."""
    return name if is_word(name) else f"({name})"


def dotted(name: str) -> str:
    """A node's tangent (forward mode): a dot over a one-letter name (``ȧ``, ``v̇1``), else ``(name)˙``."""
    if re.fullmatch(r"[^\W\d_]\d*", name):  # NFC: one precomposed character where there is one (ẋ)
        return unicodedata.normalize("NFC", name[0] + "\u0307") + name[1:]
    return f"({name})\u02d9"


def factor(number: str) -> str:
    """A number written as a factor of a product: in parentheses when negative (``1 · (-3)``)."""
    return f"({number})" if number.startswith("-") else number


def written(op: str, operands: Sequence[str], call_operands: Sequence[str] | None = None) -> str:
    """An op applied to its operands as text: ``a * b``, ``a - (-2)``, ``-a``, ``tanh(n)``.

    ``call_operands``, when given, are used inside a call's parentheses, where
    an operand needs none of its own (``tanh(w * x + b)``).
    """
    if op in INFIX and len(operands) == 2:
        return f"{operands[0]} {INFIX[op]} {factor(operands[1])}"
    if op == "neg" and len(operands) == 1:
        return f"-{operands[0]}"
    return f"{op}({', '.join(operands if call_operands is None else call_operands)})"
