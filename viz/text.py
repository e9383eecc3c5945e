"""Numbers and formulas as text, shared by the drawings, ``explain`` and the player."""

from __future__ import annotations

import math

from .trace import Trace, TracedNode

__all__ = ["format_number", "operand", "formula", "says_more", "d_name"]

_INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "pow": "**"}


def format_number(x: float) -> str:
    """Four decimals (``-3.0000``); scientific notation where that would hide the number."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0.0000"  # also for -0.0
    if abs(x) >= 1e6 or abs(x) < 1e-4:
        return f"{x:.4e}"
    return f"{x:.4f}"


def _is_word(name: str) -> bool:
    """True for names that read as one symbol: ``a``, ``layers.0.neurons.1.w.0``, ``sum#2``."""
    return name.replace(".", "").replace("_", "").replace("#", "").replace("'", "").isalnum()


def operand(node: TracedNode) -> str:
    """How a parent appears in a formula: its name (in parentheses unless one word), or its number for a constant."""
    if node.kind == "constant":
        return f"{node.value.data:g}"
    return node.name if _is_word(node.name) else f"({node.name})"


def formula(trace: Trace, node: TracedNode) -> str:
    """The op that made ``node`` as a formula: ``c = a * b``, ``o = tanh(n)``; a leaf gives its name."""
    op = node.value.op
    if not op:
        return node.name
    parents = [trace.nodes[p] for p in node.parents]
    args = [operand(p) for p in parents]
    if op in _INFIX and len(args) == 2:
        right = args[1] if not args[1].startswith("-") else f"({args[1]})"
        return f"{node.name} = {args[0]} {_INFIX[op]} {right}"
    if op == "neg" and len(args) == 1:
        return f"{node.name} = -{args[0]}"
    plain = [f"{p.value.data:g}" if p.kind == "constant" else p.name for p in parents]  # no parentheses in calls
    return f"{node.name} = {op}({', '.join(plain)})"


def says_more(text: str) -> bool:
    """False for a formula that only repeats its name (``w * x = w * x``: the label is the formula)."""
    name, _, rhs = text.partition(" = ")
    strip = str.maketrans("", "", "() ")
    return bool(rhs) and name.translate(strip) != rhs.translate(strip)


def d_name(name: str) -> str:
    """A node name as it follows a ``d``: ``da``, or ``d(w * x)`` when it is not one word."""
    return f"d{name}" if _is_word(name) else f"d({name})"
