"""Safe arithmetic expressions for the command line: ``tanh(w*x + b)`` -> a graph of Values.

The text is parsed with ``ast`` and checked against a whitelist before anything
is computed: numbers, names, ``+ - * / **``, unary minus (and plus), and calls
of the engine's functions by name. Anything else (attribute access, other
calls, lambdas, subscripts, strings, ...) is rejected with a one-line
``ExpressionError``; nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import math
from typing import Callable, Mapping

from autograd_core import Value

__all__ = ["FUNCTIONS", "ExpressionError", "parse_expression", "evaluate", "names_in"]

FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "sin": Value.sin,
    "cos": Value.cos,
    "sqrt": Value.sqrt,
    "abs": Value.__abs__,
}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.Subscript: "indexing",
    ast.Compare: "comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if-else",
    ast.NamedExpr: "assignment (:=)",
    ast.JoinedStr: "an f-string",
    ast.Starred: "unpacking (*)",
    ast.Await: "await",
}
_LABEL_LIMIT = 24  # longer sub-expressions get a generated name in drawings
_OUTPUT_NAMES = ("L", "out", "result")
_ALLOWED = "numbers, names, + - * / **, unary minus and the functions " + ", ".join(FUNCTIONS)


class ExpressionError(ValueError):
    """An expression the command line cannot or will not compute."""


def _where(node: ast.AST) -> str:
    col = getattr(node, "col_offset", None)
    return f" at column {col + 1}" if col is not None else ""


def _reject(node: ast.AST, what: str) -> ExpressionError:
    return ExpressionError(f"{what}{_where(node)} is not allowed; expressions may use {_ALLOWED}")


def _check(node: ast.AST) -> None:
    """Raise ExpressionError for the first node outside the whitelist (depth-first, left to right)."""
    if isinstance(node, ast.Expression):
        return _check(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _reject(node, f"the constant {node.value!r}")
        return None
    if isinstance(node, ast.Name):
        return None
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _reject(node, f"the operator {type(node.op).__name__}")
        return _check(node.operand)
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise _reject(node, f"the operator {type(node.op).__name__}")
        _check(node.left)
        return _check(node.right)
    if isinstance(node, ast.Call):
        return _check_call(node)
    raise _reject(node, _FORBIDDEN.get(type(node), f"a {type(node).__name__} expression"))


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(
            f"calling {ast.unparse(node.func)!r}{_where(node)} is not allowed; only "
            f"{', '.join(FUNCTIONS)} can be called, by name"
        )
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name!r}{_where(node)}; the functions are {', '.join(FUNCTIONS)}")
    if node.keywords or len(node.args) != 1:
        raise ExpressionError(f"{name}() takes exactly one argument, e.g. {name}(x){_where(node)}")
    _check(node.args[0])


def parse_expression(text: str) -> ast.Expression:
    """Parse and check ``text``; ExpressionError for syntax errors and anything off the whitelist."""
    if not text.strip():
        raise ExpressionError("the expression is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
        _check(tree)
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"syntax error{col}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    return tree


def names_in(tree: ast.AST) -> list[str]:
    """The variable names an expression uses, in reading order (function names excluded)."""
    names: dict[str, None] = {}

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            names.setdefault(node.id, None)
            return
        children = node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
        for child in children:
            visit(child)

    visit(tree)
    return list(names)


def _constant(node: ast.expr) -> float | None:
    """The number of a literal, or of a negated literal (``-2``); None for anything else."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -float(node.operand.value)
    return None


class _Evaluator:
    """Builds the graph of a checked expression; intermediate nodes are labelled with their text."""

    def __init__(self, variables: Mapping[str, Value]) -> None:
        self.variables = variables

    def __call__(self, node: ast.expr) -> Value:
        number = _constant(node)
        if number is not None:
            return Value(number)
        if isinstance(node, ast.Name):
            return self.variables[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self(node.operand)
            result = -operand if isinstance(node.op, ast.USub) else operand
        elif isinstance(node, ast.BinOp):
            left = self(node.left)
            exponent = _constant(node.right) if isinstance(node.op, ast.Pow) else None
            right = exponent if exponent is not None else self(node.right)  # x ** 2: a constant exponent
            symbol = _BINARY[type(node.op)]
            if symbol == "+":
                result = left + right
            elif symbol == "-":
                result = left - right
            elif symbol == "*":
                result = left * right
            elif symbol == "/":
                result = left / right
            else:
                result = left**right
        else:  # a checked call of one of FUNCTIONS
            result = FUNCTIONS[node.func.id](self(node.args[0]))
        if result.parents and not result.label:
            text = ast.unparse(node)
            if len(text) <= _LABEL_LIMIT:
                result.label = text
        return result


def evaluate(text: str, values: Mapping[str, float]) -> Value:
    """Build the graph of ``text`` with each name a labelled leaf; the output is labelled ``L``.

    Raises:
        ExpressionError: bad syntax, anything off the whitelist, an undefined
            name, or a value given for a name the expression does not use.
        DomainError, OverflowError: a value outside an op's domain (``log(0)``).
    """
    tree = parse_expression(text)
    used = names_in(tree)
    missing = [n for n in used if n not in values]
    if missing:
        example = " ".join(f"{n}=1.0" for n in missing)
        known = "; functions must be called, e.g. exp(x)" if any(n in FUNCTIONS for n in missing) else ""
        raise ExpressionError(f"{'name' if len(missing) == 1 else 'names'} {', '.join(map(repr, missing))} "
                              f"not defined; give {'it a value' if len(missing) == 1 else 'them values'}, e.g. {example}{known}")
    unused = [n for n in values if n not in used]
    if unused:
        raise ExpressionError(f"{', '.join(map(repr, unused))} given a value but not used in the expression {text.strip()!r}")
    for name, number in values.items():
        if not math.isfinite(number):
            raise ExpressionError(f"{name}={number!r}: values must be finite numbers")
    variables = {name: Value(values[name], name) for name in used}
    try:
        root = _Evaluator(variables)(tree.body)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    if root.parents:
        root.label = next((n for n in _OUTPUT_NAMES if n not in variables), "")
    return root
