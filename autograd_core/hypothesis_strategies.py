"""Hypothesis strategies: random well-conditioned expressions over the op table, and points to evaluate them at.

    from hypothesis import given
    from autograd_core.hypothesis_strategies import expressions_and_points
    from autograd_core.testing import assert_gradients_close

    @given(expressions_and_points(n_inputs=2))
    def test_my_engine(case):
        expression, point = case
        assert_gradients_close(expression, point)

An ``Expression`` is callable on ``Value``s (it builds a graph) and on plain
floats (it computes with each op's float forward and Python's arithmetic,
without building a graph), so the same object serves reverse mode and finite
differences. Expressions are drawn from the op table as it is when the
strategy is made: every op in ``OPS``, each written as its row's ``written``
column says (``tanh(x)``, ``x / y``: a constant on the left of an operator
makes Python call the reflected one). Each input of an op is kept where the
row's ``tests draw`` column says, by a smooth map of the operand:

* a bound on one side, ``x > 0``: ``a*a + 0.5`` (0.5 clear of the bound, so
  log, sqrt and ``1 / x`` stay well conditioned);
* bounds on both sides, ``-1 <= x <= 1``: ``tanh(a)``, scaled to the interval;
* an excluded point, ``y != 0``, and an op's kink (relu and abs at 0): 0.5 or
  more to either side, ``a*a + 0.5`` or ``-0.5 - a*a``;
* given values, ``c == 2`` or ``c in (2, 3)``: a constant, one of them.

Points are drawn from [-2, 2]. This module imports hypothesis; it is not
imported by ``autograd_core``.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from hypothesis import strategies as st

from .compiler.expressions import is_atom, template
from .ops import OPS, Op
from .value import Value, apply

__all__ = ["Expression", "expressions", "points", "expressions_and_points", "inputs", "in_draws"]

MARGIN = 0.5  # how far the strategies keep an input from a one-sided bound, an excluded point or a kink
_CONSTANTS = (0.5, 1.5, -2.0, 3.0)
_BOUND = 2.0  # points, and the operands ``inputs`` maps into an op's draws, are in [-_BOUND, _BOUND]

Tree = tuple[str, Callable[[Sequence[Any]], Any]]  # an expression's text, and its function of the input tuple


class Expression:
    """A random expression of ``n_inputs`` inputs, callable on Values or on floats."""

    def __init__(self, text: str, function: Callable[[Sequence[Any]], Any], n_inputs: int) -> None:
        self.text = text
        self.n_inputs = n_inputs
        self._function = function
        self.__name__ = text  # so gradcheck's tables name the expression

    def __call__(self, *args: Any) -> Any:
        if len(args) != self.n_inputs:
            raise TypeError(f"{self.text} takes {self.n_inputs} input(s), got {len(args)}")
        result = self._function(args)
        if any(isinstance(a, Value) for a in args) and not isinstance(result, Value):
            return Value(result)  # an expression of constants only: a constant leaf
        return result

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


# ------------------------------------------------------ the "tests draw" column
class _Range(NamedTuple):
    """Where one input of an op is drawn: below, above, around or among these numbers."""

    low: float = -math.inf
    high: float = math.inf
    excluded: float | None = None
    choices: tuple[float, ...] | None = None


def _number(node: ast.expr, op: Op) -> float:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_number(node.operand, op)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    raise ValueError(f"op {op.name!r}: tests draw {op.draws!r}: {ast.unparse(node)!r} is not a number")


_FLIPPED = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}


@functools.cache
def _ranges(op: Op) -> dict[str, _Range]:
    """The op's ``draws`` condition read as one range per input (``"x > 0 and y != 0"``)."""
    ranges = {name: _Range() for name in op.inputs}
    if not op.draws:
        parts: list[ast.expr] = []
    else:
        body = ast.parse(op.draws, mode="eval").body
        parts = body.values if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And) else [body]
    for part in parts:
        if not isinstance(part, ast.Compare):
            raise ValueError(f"op {op.name!r}: tests draw {op.draws!r}: {ast.unparse(part)!r} is not a comparison")
        operands = [part.left, *part.comparators]
        for left, compare, right in zip(operands, part.ops, operands[1:]):
            kind = type(compare)
            if not isinstance(left, ast.Name):  # 0 < x: read as x > 0
                left, right, kind = right, left, _FLIPPED.get(kind, kind)
            if not isinstance(left, ast.Name) or left.id not in ranges:
                raise ValueError(
                    f"op {op.name!r}: tests draw {op.draws!r}: compare an input ({', '.join(op.inputs)}) with numbers"
                )
            old = ranges[left.id]
            if kind is ast.In and isinstance(right, (ast.Tuple, ast.List)):
                ranges[left.id] = old._replace(choices=tuple(_number(e, op) for e in right.elts))
            elif kind is ast.Eq:
                ranges[left.id] = old._replace(choices=(_number(right, op),))
            elif kind is ast.NotEq:
                ranges[left.id] = old._replace(excluded=_number(right, op))
            elif kind in (ast.Gt, ast.GtE):
                ranges[left.id] = old._replace(low=_number(right, op))
            elif kind in (ast.Lt, ast.LtE):
                ranges[left.id] = old._replace(high=_number(right, op))
            else:
                raise ValueError(
                    f"op {op.name!r}: tests draw {op.draws!r}: {type(compare).__name__} is not one of "
                    "< <= > >= == != in"
                )
    if op.kink is not None:  # keep off the kink, as off an excluded point
        ranges = {name: r._replace(excluded=op.kink) if r == _Range() else r for name, r in ranges.items()}
    return ranges


def in_draws(op: Op, *values: float) -> bool:
    """Whether ``values``, the op's inputs, satisfy its ``draws`` condition (every term of a variadic op)."""
    if not op.draws:
        return True
    rows = [{op.inputs[0]: v} for v in values] if op.variadic else [dict(zip(op.inputs, values))]
    return all(eval(op.draws, {}, names) for names in rows)  # noqa: S307 - the op table's own text


def _tanh(x: Any) -> Any:
    return x.tanh() if isinstance(x, Value) else math.tanh(x)


def _constant(c: float) -> Callable[[Sequence[Any]], float]:
    """The function of the input tuple that is ``c`` whatever the inputs."""
    return lambda args: c


def _into(r: _Range, op: Op, text: str, function: Callable[[Sequence[Any]], Any], below: bool) -> Tree:
    """An operand (``text``, ``function``) mapped smoothly into the range ``r`` (``below``: the side of a hole)."""
    a = text if is_atom(text) else f"({text})"
    low, high = r.low, r.high
    if math.isfinite(low) and math.isfinite(high):
        mid, half = (low + high) / 2, (high - low) / 2
        shown = f"tanh({text})" if (mid, half) == (0, 1) else f"{mid!r} + {half!r}*tanh({text})"
        return shown, lambda args: mid + half * _tanh(function(args))
    if r.excluded is not None and not (math.isfinite(low) or math.isfinite(high)):
        low, high = (-math.inf, r.excluded) if below else (r.excluded, math.inf)
    elif r.excluded is not None:
        raise ValueError(f"op {op.name!r}: tests draw {op.draws!r}: an excluded point and a bound on one input")
    if math.isfinite(low):
        start = low + MARGIN
        shown = f"{a}*{a} + {start!r}" if start >= 0 else f"{a}*{a} - {-start!r}"
        return shown, lambda args: function(args) * function(args) + start
    if math.isfinite(high):
        end = high - MARGIN
        return f"{end!r} - {a}*{a}", lambda args: end - function(args) * function(args)
    return text, function


# --------------------------------------------------------- an op, as written
@functools.cache
def _written(op: Op) -> Callable[..., Any]:
    """The op as its row writes it, on Values (a graph node) or on floats (its forward)."""
    if op.written is None:
        raise ValueError(f"op {op.name!r} has no written form, so random expressions cannot use it")

    def call(*args: Any) -> Any:
        if any(isinstance(a, Value) for a in args):
            return apply(op, *[a if isinstance(a, Value) else Value(a) for a in args])
        return op.forward(*args)

    params = f"*{op.inputs[0]}" if op.variadic else ", ".join(op.inputs)
    namespace = {op.call_name: call} if op.call_name else {}
    source = f"lambda {params}: {op.written}"
    function: Callable[..., Any] = eval(source, namespace)  # noqa: S307 - the op table's own text
    return function


def _applied(op: Op, operands: Sequence[Tree]) -> Tree:
    """(text, function) of ``op`` applied to operands already in its draws."""
    functions = [f for _, f in operands]
    written = _written(op)
    if op.call_name is not None:  # a call's arguments need no parentheses
        texts = [t for t, _ in operands]
    else:  # an operator's operands do, unless they are atoms
        texts = [t if is_atom(t) else f"({t})" for t, _ in operands]
    if op.variadic:
        text = f"{op.call_name}({', '.join(texts)})"
    else:
        text = template(op.written, op.inputs).format(*texts)
    return text, lambda args: written(*[f(args) for f in functions])


@st.composite
def _operands(draw: st.DrawFn, op: Op, operand: Callable[[], st.SearchStrategy[Tree]]) -> list[Tree]:
    """One operand per input of ``op`` (1 to 3 for a variadic op), each mapped into its input's draws."""
    ranges = _ranges(op)
    names = [op.inputs[0]] * draw(st.integers(1, 3)) if op.variadic else list(op.inputs)
    trees: list[Tree] = []
    for name in names:
        r = ranges[name]
        if r.choices is not None:
            c = draw(st.sampled_from(r.choices))
            trees.append((repr(c), _constant(c)))
        else:
            text, function = draw(operand())
            trees.append(_into(r, op, text, function, below=r.excluded is not None and draw(st.booleans())))
    return trees


@st.composite
def _tree(draw: st.DrawFn, n_inputs: int, depth: int, ops: tuple[str, ...]) -> Tree:
    """(text, function of the input tuple) for a random tree at most ``depth`` deep."""
    if depth > 0 and draw(st.integers(0, 2)) > 0:  # an op two times in three
        op = OPS[draw(st.sampled_from(ops))]
        return _applied(op, draw(_operands(op, lambda: _tree(n_inputs, depth - 1, ops))))
    if draw(st.integers(0, 4)) == 0:
        c = draw(st.sampled_from(_CONSTANTS))
        return repr(c), _constant(c)
    i = draw(st.integers(0, n_inputs - 1))
    return f"x{i}", lambda args: args[i]


def expressions(
    n_inputs: int = 2, max_depth: int = 3, ops: Sequence[str] | None = None
) -> st.SearchStrategy[Expression]:
    """Random smooth expressions in x0 .. x{n_inputs-1}, at most ``max_depth`` operations deep.

    ``ops`` names the ops to draw from (default: every op in ``OPS`` now).
    """
    if n_inputs < 1 or max_depth < 0:
        raise ValueError(f"expressions: need n_inputs >= 1 and max_depth >= 0, got {n_inputs}, {max_depth}")
    names = tuple(OPS) if ops is None else tuple(ops)
    unknown = [name for name in names if name not in OPS]
    if unknown or not names:
        raise ValueError(f"expressions: ops {unknown or names} are not in OPS; the ops are {', '.join(OPS)}")
    for name in names:
        _ranges(OPS[name])  # a draws condition the strategies cannot read fails here, not inside hypothesis
    return _tree(n_inputs, max_depth, names).map(lambda tree: Expression(tree[0], tree[1], n_inputs))


def points(n_inputs: int, bound: float = _BOUND) -> st.SearchStrategy[list[float]]:
    """Lists of ``n_inputs`` floats in [-bound, bound] (no nan, inf or subnormals)."""
    number = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return st.lists(number, min_size=n_inputs, max_size=n_inputs)


def inputs(op: Op) -> st.SearchStrategy[tuple[float, ...]]:
    """Inputs for ``op`` alone, drawn where its row's ``draws`` says (1 to 3 of them for a variadic op)."""

    def number() -> st.SearchStrategy[Tree]:
        return points(1).map(lambda p: (repr(p[0]), _constant(p[0])))

    return _operands(op, number).map(lambda trees: tuple(float(f(())) for _, f in trees))


def expressions_and_points(
    n_inputs: int | None = None, max_depth: int = 3
) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """(expression, point) pairs; ``n_inputs`` of 1 to 3 when not given."""
    counts = st.integers(1, 3) if n_inputs is None else st.just(n_inputs)
    return counts.flatmap(lambda n: st.tuples(expressions(n, max_depth), points(n)))
