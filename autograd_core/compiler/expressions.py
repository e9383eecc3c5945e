"""Source text for generated code: the op table's expressions as templates, literals, and the two dialects.

A table expression such as ``"1.0 - out * out"`` becomes a format string with
one numbered field per name (``"1.0 - {0} * {0}"``), made once per expression
and cached, so writing a million lines substitutes operands by ``format``
rather than by parsing. A dialect says how a line is written for plain floats
or for numpy arrays (which cannot run ``x if x > 0 else 0.0``, and must not be
added to in place).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from typing import NamedTuple

from ..ops import Op

__all__ = [
    "Dialect",
    "SCALAR_DIALECT",
    "ARRAY_DIALECT",
    "is_atom",
    "is_elementwise",
    "literal",
    "names_in",
    "names_count",
    "template",
    "factor_template",
    "times",
]

_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


def literal(x: float) -> str:
    """A float as source text; negative ones in parentheses so they substitute safely."""
    text = repr(float(x))
    return f"({text})" if text.startswith("-") else text


@functools.cache
def names_in(expr: str) -> frozenset[str]:
    """The identifiers an expression uses."""
    return frozenset(_IDENTIFIER.findall(expr))


@functools.cache
def names_count(expr: str, name: str) -> int:
    """How many times ``name`` appears in ``expr``."""
    return _IDENTIFIER.findall(expr).count(name)


@functools.cache
def template(expr: str, names: tuple[str, ...]) -> str:
    """A table expression as a format string, each of ``names`` a numbered field: 'x * y' -> '{0} * {1}'."""
    index = {name: i for i, name in enumerate(names)}
    escaped = expr.replace("{", "{{").replace("}", "}}")
    return _IDENTIFIER.sub(lambda m: f"{{{index[m.group(0)]}}}" if m.group(0) in index else m.group(0), escaped)


@functools.cache
def factor_template(expr: str, names: tuple[str, ...]) -> str:
    """``template``, parenthesized unless the expression is an atom (operands are atoms, so it stays one)."""
    text = template(expr, names)
    return text if is_atom(expr) else f"({text})"


def _parenthesized(expr: str) -> bool:
    """True when ``expr`` is one pair of parentheses around everything: ``(-1.0)``, not ``(a) * (b)``."""
    depth = 0
    for i, char in enumerate(expr):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i == len(expr) - 1 and char == ")"
    return False


@functools.cache
def is_atom(expr: str) -> bool:
    """True for a name, a number, a call or a subscript: it can be an operand without parentheses."""
    node = ast.parse(expr, mode="eval").body
    return isinstance(node, (ast.Name, ast.Call, ast.Subscript, ast.Attribute, ast.Constant)) or _parenthesized(expr)


@functools.cache
def is_elementwise(expr: str) -> bool:
    """True when ``expr`` is arithmetic and calls only (no ``if``, comparison or ``and``): numpy arrays can run it."""
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.Name,
        ast.Constant,
        ast.Call,
        ast.Load,
        ast.operator,
        ast.unaryop,
        ast.Tuple,
        ast.Starred,
    )
    return all(isinstance(node, allowed) for node in ast.walk(ast.parse(expr, mode="eval")))


def times(upstream: str, local: str) -> str:
    """``upstream * local``; a local derivative of 1 or -1 is written as the upstream alone, or negated."""
    if local == "1.0":
        return upstream
    if local in ("-1.0", "(-1.0)"):
        return f"-{upstream}"
    return f"{upstream} * {local}"


class Dialect(NamedTuple):
    """How lines are written for one kind of variable: plain floats, or numpy arrays."""

    name: str
    accumulate: str  # a gradient's later contributions: "{0} += {1}" (floats) or "{0} = {0} + {1}" (arrays)
    sum_into: str  # a contribution {1} = upstream {2} x local {3} to a parameter's gradient, summed over a batch
    forward_expr: Callable[[Op], str | None]  # the op's forward as an expression, if this dialect can use it


SCALAR_DIALECT = Dialect("scalar", "{0} += {1}", "{0} += {1}", lambda op: op.forward_expr)
# Arrays are added out of place: an in-place += would also change an array another gradient still holds.
# A parameter's gradient is summed over the examples at once: one dot product instead of a product and a sum.
ARRAY_DIALECT = Dialect(
    "arrays",
    "{0} = {0} + {1}",
    "{0} += batch_dot({2}, {3}, n)",
    lambda op: op.forward_expr if op.forward_expr and is_elementwise(op.forward_expr) else None,
)
