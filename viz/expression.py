"""Safe arithmetic expressions: the command line's ``tanh(w*x + b)`` -> a graph of Values, and exercise answers.

The text is parsed with ``ast`` and checked against a whitelist before anything
is computed: numbers, names, ``+ - * / **``, unary minus (and plus), calls of
the engine's functions by name, and ``sum(...)`` of any number of terms.
Math as people write it is read first (``as_python``): ``^`` is a power (as
sympy's ``convert_xor`` reads it), ``·`` and ``×`` multiply, ``÷`` divides,
``−`` is minus, ``²`` and ``³`` are powers; error columns count in the text
as typed. The
functions are the ops the op table writes as calls (``tanh(x)``), looked up in
``autograd_core.OPS`` when the text is checked, so a new row is a new function.
Anything else (attribute access, other calls, lambdas, subscripts, strings,
...) is rejected with a one-line ``ExpressionError``; nothing is ever passed
to ``eval``. ``evaluate_expression`` builds the command line's graph; ``value_of`` gives
the number of a student's answer (``viz.exercise``), names bound to numbers.

Checking and evaluating walk the tree with an explicit stack, not recursion,
so the depth of an expression is limited only by Python's parser (about
2,900 levels: a chain of 2,900 ``+``); a longer sum is written ``sum(...)``.
"""

from __future__ import annotations

import ast
import math
import re
import sys
from collections.abc import Collection, Iterator, Mapping
from itertools import chain, count

from autograd_core import Op, Value
from autograd_core.ops import OPS
from autograd_core.value import apply

__all__ = [
    "FUNCTIONS",
    "SUM",
    "ExpressionError",
    "as_python",
    "parse_expression",
    "evaluate_expression",
    "value_of",
    "names_in",
]


class _Functions(Mapping[str, Op]):
    """The functions expressions may call, by name: the ops the table writes as calls, read from it on each use.

    ``FUNCTIONS`` holds the ops of a fixed number of inputs (``tanh``, ...);
    the variadic ones (``sum``) are called the same way with any number.
    """

    def __init__(self, variadic: bool) -> None:
        self._variadic = variadic

    def _current(self) -> dict[str, Op]:
        return {op.call_name: op for op in OPS.values() if op.call_name and op.variadic == self._variadic}

    def __getitem__(self, name: str) -> Op:
        return self._current()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


FUNCTIONS: Mapping[str, Op] = _Functions(variadic=False)
_VARIADIC: Mapping[str, Op] = _Functions(variadic=True)
SUM = next(iter(_VARIADIC))  # "sum", the table's function of any number of terms: sum(a*b, c, 2)
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
    ast.List: "a list in square brackets",
    ast.ListComp: "a list in square brackets",
    ast.Set: "a set in braces",
    ast.SetComp: "a set in braces",
    ast.Dict: "a dict in braces",
    ast.DictComp: "a dict in braces",
    ast.GeneratorExp: "a for-loop",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_OPERATORS = {  # the operators an expression refuses, as they are typed
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
}
_OPERATOR_HINTS = {"//": "; to divide, write /", "%": "; to divide, write /"}
_MATH = {  # math as people type it -> Python: the power, the times and minus signs, superscripts
    "^": "**",
    "·": "*",
    "⋅": "*",
    "∙": "*",
    "×": "*",
    "÷": "/",
    "−": "-",
    "²": "**2",
    "³": "**3",
}
_ALLOWED = "numbers, names, + - * /, ^ or ** for a power, and the functions"
_LABEL_LIMIT = 24  # longer sub-expressions get a generated name in drawings
_SHOWN_NAMES = 5  # how many names an error message lists
_OUTPUT_NAMES = ("L", "out", "result")
TOO_DEEP = (
    "the expression is nested too deeply for Python's parser (about 2,900 levels); "
    "write a long sum as sum(a, b, c, ...)"
)


class ExpressionError(ValueError):
    """An expression the command line cannot or will not compute."""


def _some(names: list[str]) -> str:
    """The first few names, quoted, and how many more there are: a message stays one readable line."""
    shown = ", ".join(map(repr, names[:_SHOWN_NAMES]))
    return shown + (f" and {len(names) - _SHOWN_NAMES} more" if len(names) > _SHOWN_NAMES else "")


def as_python(text: str) -> tuple[str, list[int]]:
    """``text`` with math as people type it made Python (``1-out^2`` -> ``1-out**2``), and, for each character
    of the result and one past its end, the column of ``text`` it came from (so errors point at what was typed).
    """
    python: list[str] = []
    columns: list[int] = []
    for column, char in enumerate(text):
        written = _MATH.get(char, char)
        python.append(written)
        columns.extend([column] * len(written))
    columns.append(len(text))
    return "".join(python), columns


class _Source:
    """The Python text an expression was parsed from, and where each of its characters was typed."""

    def __init__(self, text: str) -> None:
        self.text, self.columns = as_python(text)
        self.encoded = self.text.encode(errors="surrogatepass")  # a lone surrogate is refused by the parser

    def column(self, byte_offset: int) -> int:
        """The typed column (1-based) of a byte offset into the Python text (``ast`` counts UTF-8 bytes)."""
        characters = len(self.encoded[:byte_offset].decode(errors="surrogatepass"))
        return self.columns[min(characters, len(self.columns) - 1)] + 1

    def where(self, node: ast.AST) -> str:
        """`` at column 3``: where ``node`` starts as typed; for an operator, the operator itself."""
        offset = getattr(node, "col_offset", None)
        if offset is None:
            return ""
        if isinstance(node, ast.BinOp) and node.left.end_col_offset is not None:
            offset = self._next_symbol(node.left.end_col_offset)
        elif isinstance(node, ast.Tuple) and node.elts and node.elts[0].end_col_offset is not None:
            offset = self._next_symbol(node.elts[0].end_col_offset)
        return f" at column {self.column(offset)}"

    def _next_symbol(self, offset: int) -> int:
        """The first byte at or after ``offset`` that is not a space or a closing bracket (an operator, a comma)."""
        while offset < len(self.encoded) and self.encoded[offset : offset + 1] in (b" ", b")", b"\t"):
            offset += 1
        return offset

    def segment(self, node: ast.AST) -> str:
        """The text of ``node`` as Python reads it (after ``as_python``)."""
        return ast.get_source_segment(self.text, node) or ""


def _callable() -> str:
    """The functions an expression may call, as a message lists them (read from the op table now)."""
    return ", ".join([*FUNCTIONS, *_VARIADIC])


def _reject(node: ast.AST, what: str, source: _Source, hint: str = "") -> ExpressionError:
    return ExpressionError(
        f"{what}{source.where(node)} is not allowed{hint}; expressions may use {_ALLOWED} {_callable()}"
    )


def _children(node: ast.expr) -> list[ast.expr]:
    """The operands of an allowed node, in reading order."""
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _operator(node: ast.UnaryOp | ast.BinOp, source: _Source) -> ExpressionError:
    """The error for an operator off the whitelist, named as it is typed (``%``), at its column."""
    symbol = _OPERATORS.get(type(node.op), type(node.op).__name__)
    return _reject(node, f"the operator {symbol}", source, _OPERATOR_HINTS.get(symbol, ""))


def _decimal_comma(parts: list[ast.expr], source: _Source) -> str:
    """``; write a decimal number with a point, 0.4468, not 0,4468`` when ``parts`` are digits either side of a
    comma; else ''."""
    digits = [source.segment(e) for e in parts]
    if len(digits) == 2 and re.fullmatch(r"[-+]?\d+", digits[0]) and digits[1].isdigit():
        return f"; write a decimal number with a point, {digits[0]}.{digits[1]}, not {digits[0]},{digits[1]}"
    return ""


def _comma(node: ast.Tuple, source: _Source) -> ExpressionError:
    """The error for a comma outside a call: ``0,4468`` is a number written with a decimal comma."""
    decimal = _decimal_comma(node.elts, source)
    if decimal:
        return ExpressionError(f"the comma{source.where(node)} is not a decimal point{decimal}")
    return _reject(node, "a comma", source, " (commas separate a function's arguments, inside its brackets)")


def _check_node(node: ast.AST, source: _Source) -> None:
    """Raise ExpressionError when this node (not its operands) is outside the whitelist."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _reject(node, f"the constant {node.value!r}", source)
        if not abs(node.value) <= sys.float_info.max:  # 1e400 reads as inf; a 400-digit int overflows a float
            raise ExpressionError(f"the number{source.where(node)} is too large for a float (at most about 1.8e308)")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _operator(node, source)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise _operator(node, source)
    elif isinstance(node, ast.Call):
        _check_call(node, source)
    elif isinstance(node, ast.Tuple):
        raise _comma(node, source)
    elif not isinstance(node, ast.Name):
        raise _reject(node, _FORBIDDEN.get(type(node), f"a {type(node).__name__} expression"), source)


def _function(name: str) -> Op | None:
    """The op an expression calls by ``name`` (``tanh``, ``sum``), from the op table; None for no such function."""
    return FUNCTIONS.get(name) or _VARIADIC.get(name)


def _check_call(node: ast.Call, source: _Source) -> None:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(
            f"calling {ast.unparse(node.func)!r}{source.where(node)} is not allowed; only "
            f"{_callable()} can be called, by name"
        )
    name = node.func.id
    op = _function(name)
    if op is None:
        raise ExpressionError(f"unknown function {name!r}{source.where(node)}; the functions are {_callable()}")
    if op.variadic:
        if node.keywords or not node.args:
            raise ExpressionError(f"{name}() takes one or more terms, e.g. {name}(a*b, c, 2){source.where(node)}")
        return
    if node.keywords or len(node.args) != len(op.inputs):
        example = f"{name}({', '.join(op.inputs)})"
        count = "exactly one argument" if len(op.inputs) == 1 else f"exactly {len(op.inputs)} arguments"
        decimal = _decimal_comma(node.args, source)
        raise ExpressionError(f"{name}() takes {count}, e.g. {example}{source.where(node)}{decimal}")


def _check(tree: ast.Expression, source: _Source) -> None:
    """Raise ExpressionError for the first node outside the whitelist (depth-first, left to right)."""
    stack: list[ast.AST] = [tree.body]
    while stack:
        node = stack.pop()
        _check_node(node, source)
        stack.extend(reversed(_children(node)))


def _syntax_hint(text: str) -> str:
    """A hint for the syntax errors students make: ``2x`` for ``2*x``."""
    glued = re.search(r"(?<![\w.])(\d+\.?\d*)([^\W\d]\w*)", text)
    if glued and not re.fullmatch(r"[eE][+-]?\d*|[jJ]", glued.group(2)):
        return f"; write {glued.group(1)}*{glued.group(2)} for {glued.group(0)}"
    return ""


def parse_expression(text: str) -> ast.Expression:
    """Parse and check ``text`` (math as typed read first: ``as_python``); ExpressionError for syntax errors
    and anything off the whitelist."""
    if not text.strip():
        raise ExpressionError("the expression is empty")
    source = _Source(text.strip())
    try:
        tree = ast.parse(source.text, mode="eval")
    except SyntaxError as exc:
        col = f" at column {source.columns[min(exc.offset - 1, len(source.columns) - 1)] + 1}" if exc.offset else ""
        raise ExpressionError(f"syntax error{col}: {exc.msg}{_syntax_hint(source.text)}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(TOO_DEEP) from None
    except ValueError as exc:  # a NUL, or a lone surrogate (UnicodeEncodeError), which Python's parser cannot read
        raise ExpressionError(f"{text.strip()[:40]!r} holds a character an expression cannot: {exc}") from None
    _check(tree, source)
    return tree


def names_in(tree: ast.AST) -> list[str]:
    """The variable names an expression uses, in reading order (function names excluded)."""
    names: dict[str, None] = {}
    stack = [tree.body if isinstance(tree, ast.Expression) else tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            names.setdefault(node.id, None)
        stack.extend(reversed(_children(node)))
    return list(names)


def _constant(node: ast.expr) -> float | None:
    """The number of a literal, or of a negated literal (``-2``); None for anything else."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -float(node.operand.value)
    return None


def _operands_first(body: ast.expr) -> list[ast.expr]:
    """The nodes of a checked expression, each after its operands, left to right (a literal such as -2 is one)."""
    order, stack = [], [body]
    while stack:
        node = stack.pop()
        order.append(node)
        if _constant(node) is None:
            stack.extend(_children(node))
    order.reverse()
    return order


def _apply(node: ast.expr, operands: list[Value]) -> Value:
    """The Value of one checked node from the Values of its operands."""
    if isinstance(node, ast.UnaryOp):
        return -operands[0] if isinstance(node.op, ast.USub) else operands[0]
    if isinstance(node, ast.Call):
        name = node.func.id  # checked: a function of the table
        return apply(FUNCTIONS.get(name) or _VARIADIC[name], *operands)  # a sum: one node with a parent per term
    left, right = operands
    symbol = _BINARY[type(node.op)]
    if symbol == "+":
        return left + right
    if symbol == "-":
        return left - right
    if symbol == "*":
        return left * right
    if symbol == "/":
        return left / right
    exponent = _constant(node.right)
    return left ** (exponent if exponent is not None else right)  # x ** 2: a constant exponent


def _build(body: ast.expr, variables: Mapping[str, Value]) -> Value:
    """The graph of a checked expression; intermediate nodes are labelled with their text when it is short."""
    values: dict[ast.expr, Value] = {}
    sizes: dict[ast.expr, int] = {}  # nodes in each sub-expression: each writes at least one character
    for node in _operands_first(body):
        number = _constant(node)
        if number is not None:
            values[node], sizes[node] = Value(number), 1
            continue
        if isinstance(node, ast.Name):
            values[node], sizes[node] = variables[node.id], 1
            continue
        operands = _children(node)
        result = _apply(node, [values[o] for o in operands])
        sizes[node] = 1 + sum(sizes[o] for o in operands)
        if result.parents and not result.label and sizes[node] <= _LABEL_LIMIT:
            text = ast.unparse(node)  # a short sub-expression, so this is cheap
            if len(text) <= _LABEL_LIMIT:
                result.label = text
        values[node] = result
    return values[body]


def _output_name(taken: Collection[str]) -> str:
    """A name for the output that no input has: L, out, result, then L2, L3, ..."""
    return next(name for name in chain(_OUTPUT_NAMES, (f"L{i}" for i in count(2))) if name not in taken)


def value_of(text: str, bindings: Mapping[str, float]) -> float:
    """The number of ``text`` with names bound to numbers (an exercise's answer): the same whitelist and ops.

    Names ``text`` does not use may be bound; a name it uses that is not
    bound is an ExpressionError listing the ones that are. Keys are names as
    Python reads them (NFKC-normalised), since ``ast`` normalises the text's.

    Raises:
        ExpressionError: bad syntax, anything off the whitelist, an unbound name.
        DomainError, ArithmeticError: no value at these numbers (``log(0)``, ``1/0``).
    """
    tree = parse_expression(text)
    used = names_in(tree)
    unknown = [n for n in used if n not in bindings]
    if unknown:
        allowed = ", ".join(bindings) if bindings else "none: write a number"
        raise ExpressionError(
            f"{'name' if len(unknown) == 1 else 'names'} {_some(unknown)} unknown here; "
            f"the names you can use are {allowed}"
        )
    return _build(tree.body, {name: Value(bindings[name], name) for name in used}).data


def evaluate_expression(text: str, values: Mapping[str, float]) -> Value:
    """Build the graph of ``text`` with each name a labelled leaf; the output is labelled ``L``.

    The output gets a name no input has (``out`` when an input is called
    ``L``; L2, L3, ... when L, out and result are all inputs), so a gradient is never reported under an
    input's name.

    Raises:
        ExpressionError: bad syntax, anything off the whitelist, an undefined
            name, or a value given for a name the expression does not use.
        DomainError, OverflowError: a value outside an op's domain (``log(0)``).
    """
    tree = parse_expression(text)
    used = names_in(tree)
    missing = [n for n in used if n not in values]
    if missing:
        example = " ".join(f"{n}=1.0" for n in missing[:_SHOWN_NAMES])
        known = "; functions must be called, e.g. exp(x)" if any(_function(n) for n in missing) else ""
        raise ExpressionError(
            f"{'name' if len(missing) == 1 else 'names'} {_some(missing)} "
            f"not defined; give {'it a value' if len(missing) == 1 else 'them values'}, e.g. {example}{known}"
        )
    unused = [n for n in values if n not in used]
    if unused:
        shown = text.strip() if len(text.strip()) <= 60 else f"{text.strip()[:50]}... ({len(text.strip())} characters)"
        raise ExpressionError(f"{_some(unused)} given a value but not used in the expression {shown!r}")
    for name, number in values.items():
        if not math.isfinite(number):
            raise ExpressionError(f"{name}={number!r}: values must be finite numbers")
    variables = {name: Value(values[name], name) for name in used}
    root = _build(tree.body, variables)
    if root.parents:
        root.label = _output_name(variables)
    return root
