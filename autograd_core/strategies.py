"""Hypothesis strategies: random well-conditioned expressions, and points to evaluate them at.

    from hypothesis import given
    from autograd_core.strategies import expressions_and_points
    from autograd_core.testing import assert_gradients_close

    @given(expressions_and_points(n_inputs=2))
    def test_my_engine(case):
        expression, point = case
        assert_gradients_close(expression, point)

An ``Expression`` is callable on ``Value``s (it builds a graph) and on plain
floats (it computes with ``math``, independently of the engine), so the same
object serves reverse mode and finite differences. The expressions are built
to be smooth and well-conditioned everywhere: log, sqrt and division only see
arguments kept >= 0.5 (``log(a*a + 1)``, ``sqrt(a*a + 0.5)``, ``a / (b*b + 1)``),
relu and abs only see positive ones (no kinks), exp only bounded ones, and
points are drawn from [-2, 2]. Every op in ``autograd_core.OPS`` and every
reflected operator appears.

This module imports hypothesis; it is not imported by ``autograd_core``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from hypothesis import strategies as st

from .compiler import is_atom
from .value import Value

__all__ = ["Expression", "expressions", "points", "expressions_and_points"]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


_ON_FLOATS: dict[str, Callable[[float], float]] = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "tanh": math.tanh, "sigmoid": _sigmoid,
    "relu": lambda x: max(x, 0.0), "sin": math.sin, "cos": math.cos,
}


def _method(name: str) -> Callable[[Any], Any]:
    """A function that calls ``x.name()`` on a Value and the math function on a float."""
    on_float = _ON_FLOATS[name]

    def call(x: Any) -> Any:
        return getattr(x, name)() if isinstance(x, Value) else on_float(x)

    call.__name__ = name
    return call


def _sum(*terms: Any) -> Any:
    """The n-ary sum node on Values; the same sum, left to right, on floats."""
    if any(isinstance(t, Value) for t in terms):
        return Value.sum(terms)
    total = 0.0
    for t in terms:
        total += t
    return total


_exp, _log, _sqrt, _tanh, _sigm, _relu, _sin, _cos = (
    _method(name) for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos")
)


# (text, function): each safe for any real argument, smooth, and of modest growth.
# In the text, an argument that is not a name or a call is put in parentheses.
_UNARY: list[tuple[str, Callable[[Any], Any]]] = [
    ("tanh({a})", _tanh),
    ("sigmoid({a})", _sigm),
    ("sin({a})", _sin),
    ("cos({a})", _cos),
    ("exp(tanh({a}))", lambda a: _exp(_tanh(a))),
    ("log({a}*{a} + 1)", lambda a: _log(a * a + 1)),
    ("sqrt({a}*{a} + 0.5)", lambda a: _sqrt(a * a + 0.5)),
    ("relu({a}*{a} + 0.25)", lambda a: _relu(a * a + 0.25)),
    ("abs({a}*{a} + 0.25)", lambda a: abs(a * a + 0.25)),
    ("{a}**2", lambda a: a**2),
    ("-{a}", lambda a: -a),
    ("1.5 - {a}", lambda a: 1.5 - a),  # reflected -
    ("2 / ({a}*{a} + 1)", lambda a: 2 / (a * a + 1)),  # reflected /
    ("1.5 ** tanh({a})", lambda a: 1.5 ** _tanh(a)),  # reflected **
    ("0.5 * {a} + 1", lambda a: 0.5 * a + 1),  # reflected * and +
]
_BINARY: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("{a} + {b}", lambda a, b: a + b),
    ("{a} - {b}", lambda a, b: a - b),
    ("{a} * {b}", lambda a, b: a * b),
    ("{a} / ({b}*{b} + 1)", lambda a, b: a / (b * b + 1)),
    ("({a}*{a} + 1) ** tanh({b})", lambda a, b: (a * a + 1) ** _tanh(b)),  # Value exponent
    ("sum({a}, {a}*{b}, 0.5)", lambda a, b: _sum(a, a * b, 0.5)),  # the n-ary sum
]
_CONSTANTS = (0.5, 1.5, -2.0, 3.0)


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


@st.composite
def _tree(draw: st.DrawFn, n_inputs: int, depth: int) -> tuple[str, Callable[[Sequence[Any]], Any]]:
    """(text, function of the input tuple) for a random tree at most ``depth`` deep."""
    kind = draw(st.sampled_from(("leaf", "unary", "binary"))) if depth > 0 else "leaf"
    if kind == "leaf":
        if draw(st.integers(0, 4)) == 0:
            c = draw(st.sampled_from(_CONSTANTS))
            return repr(c), lambda args: c
        i = draw(st.integers(0, n_inputs - 1))
        return f"x{i}", lambda args: args[i]
    operands = [draw(_tree(n_inputs, depth - 1)) for _ in range(1 if kind == "unary" else 2)]
    texts = [t if is_atom(t) else f"({t})" for t, _ in operands]
    if kind == "unary":
        (template, op), ((_, a),) = draw(st.sampled_from(_UNARY)), operands
        return template.format(a=texts[0]), lambda args: op(a(args))
    (template, op), ((_, a), (_, b)) = draw(st.sampled_from(_BINARY)), operands
    return template.format(a=texts[0], b=texts[1]), lambda args: op(a(args), b(args))


def expressions(n_inputs: int = 2, max_depth: int = 3) -> st.SearchStrategy[Expression]:
    """Random smooth expressions in x0 .. x{n_inputs-1}, at most ``max_depth`` operations deep."""
    if n_inputs < 1 or max_depth < 0:
        raise ValueError(f"expressions: need n_inputs >= 1 and max_depth >= 0, got {n_inputs}, {max_depth}")
    return _tree(n_inputs, max_depth).map(lambda tree: Expression(tree[0], tree[1], n_inputs))


def points(n_inputs: int, bound: float = 2.0) -> st.SearchStrategy[list[float]]:
    """Lists of ``n_inputs`` floats in [-bound, bound] (no nan, inf or subnormals)."""
    number = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return st.lists(number, min_size=n_inputs, max_size=n_inputs)


def expressions_and_points(n_inputs: int | None = None, max_depth: int = 3) -> st.SearchStrategy[
        tuple[Expression, list[float]]]:
    """(expression, point) pairs; ``n_inputs`` of 1 to 3 when not given."""
    counts = st.integers(1, 3) if n_inputs is None else st.just(n_inputs)
    return counts.flatmap(lambda n: st.tuples(expressions(n, max_depth), points(n)))
