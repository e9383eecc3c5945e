"""The one table of primitive operations: one row per op, everything about it in that row.

Every node in a graph points at one ``Op`` from this table (or one made by
``define_op``). A row says, for its op:

* ``forward``: the value, computed on plain floats, raising a clear
  ``DomainError``/``OverflowError`` outside the op's domain;
* the local derivatives d out / d input, one per input in the order of the
  node's parents, as Python expressions in the inputs and ``out``;
* ``written``: how an expression writes it (``tanh(x)``, ``x / y``); the
  expression parsers (``python -m viz "tanh(w*x + b)"``, exercise answers)
  accept the name of every op written as a call;
* ``numpy``: its forward over numpy arrays (``np.tanh(x)``), for
  ``compile(...).batch_arrays``;
* ``sympy``: its forward over sympy symbols (``sp.tanh(x)``), for ``to_sympy``;
* ``draws``: where property tests (``autograd_core.hypothesis_strategies``)
  draw its inputs: the domain (``x > 0``), kept where floats behave.

Everything else reads the table when it runs: ``backward()``, ``grad()``,
forward mode, the code generator, ``to_sympy``, the strategies and the
parsers. So a new built-in op is one new row (and a one-line ``Value`` method
if it should have one). The derivatives are written once: ``local_grads`` is
compiled from them, and ``autograd_core.compile`` pastes the same text into
the code it generates. The chain rule itself (upstream gradient times local
derivative, accumulated into each parent) lives in one place only,
``backprop.py``.

In a first-order backward pass the rules receive floats; under
``grad(..., create_graph=True)`` they receive the graph's own ``Value`` nodes,
so the expressions use arithmetic and the helpers in ``RULE_HELPERS``
(``cos``, ``step``, ...), which work on both. The derivatives are then graphs
themselves and can be differentiated again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .errors import DivisionByZeroError, DomainError

__all__ = ["Op", "OPS", "RULE_HELPERS", "RULE_HELPERS_NUMPY", "data_of", "row"]

_NUMBER = (float, int)
_CALL = re.compile(r"([A-Za-z_]\w*)\(.*\)")  # a written form that is a call: tanh(x), sum(*x)


class Op:
    """A primitive operation: its name, inputs, float forward and local-derivative rule.

    Attributes:
        name: shown in graphs and errors ("*", "tanh", ...).
        inputs: the names of its inputs, in parent order ("x", "y"); a
            variadic op (``sum``) has one name standing for every input.
        forward: the float function, ``forward(*inputs)``.
        forward_expr: the forward as an expression in the input names, when
            it is one (None for forwards that check their domain).
        local_grads: ``local_grads(*inputs, out)`` -> one derivative per input.
        derivative_exprs: the built-in derivatives as expressions in the input
            names and ``out`` (None for user ops); a variadic op has one
            expression, the same for every input.
        variadic: True when the op takes any number of inputs (``sum``).
        kink: the input value where the derivative jumps (0.0 for relu and
            abs), or None for ops that are differentiable wherever defined.
        written: how an expression writes the op, in its input names
            (``"tanh(x)"``, ``"x / y"``, ``"sum(*x)"``); None for user ops.
        numpy_expr: the forward over numpy arrays, an expression in the input
            names and ``np`` (None: the forward expression runs on arrays as
            it is, or, if it cannot, the float forward runs per example).
        sympy_expr: the forward over sympy symbols, in the input names and
            ``sp`` (None: the forward expression, which sympy reads as it is).
        draws: where property tests draw the inputs, as a condition on the
            input names (``"x > 0"``, ``"y != 0"``, ``"c == 2"``; ``""`` for
            anywhere), or None for user ops.
    """

    __slots__ = (
        "name",
        "inputs",
        "forward",
        "forward_expr",
        "local_grads",
        "derivative_exprs",
        "variadic",
        "kink",
        "source",
        "written",
        "numpy_expr",
        "sympy_expr",
        "draws",
    )

    def __init__(
        self,
        name: str,
        inputs: tuple[str, ...],
        forward: Callable[..., float],
        local_grads: Callable[..., tuple[Any, ...]],
        *,
        forward_expr: str | None = None,
        derivative_exprs: tuple[str, ...] | None = None,
        variadic: bool = False,
        kink: float | None = None,
        source: tuple[str, str] | None = None,
        written: str | None = None,
        numpy_expr: str | None = None,
        sympy_expr: str | None = None,
        draws: str | None = None,
    ) -> None:
        self.name = name
        self.inputs = inputs
        self.forward = forward
        self.forward_expr = forward_expr
        self.local_grads = local_grads
        self.derivative_exprs = derivative_exprs
        self.variadic = variadic
        self.kink = kink
        self.source = source  # (module, qualname) of a define_op function, so the op pickles by reference
        self.written = written
        self.numpy_expr = numpy_expr
        self.sympy_expr = sympy_expr
        self.draws = draws

    def __repr__(self) -> str:
        return f"Op({self.name!r}, inputs={self.inputs})"

    def __str__(self) -> str:
        """The op's name, so ``f"{node.op}"`` reads ``tanh``."""
        return self.name

    @property
    def call_name(self) -> str | None:
        """The name expressions call the op by (``"tanh"`` for ``tanh(x)``); None for an operator or a user op."""
        called = _CALL.fullmatch(self.written or "")
        return called.group(1) if called else None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by reference: a built-in op by its name in ``OPS``, a ``define_op`` op by its function."""
        if OPS.get(self.name) is self:
            return (_builtin_op, (self.name,))
        if self.source is not None and "<" not in self.source[1]:  # not a lambda's or a local function's
            return (_defined_op, self.source)
        raise TypeError(
            f"op {self.name!r} cannot be pickled: it is neither built in nor made by define_op "
            "on a module-level function"
        )


def _builtin_op(name: str) -> Op:
    """The built-in op called ``name`` (how a pickled op is found again)."""
    return OPS[name]


def _defined_op(module: str, qualname: str) -> Op:
    """The op of the ``define_op`` function ``module.qualname`` (how a pickled user op is found again)."""
    import importlib

    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    op: Op = target.op
    return op


def data_of(x: Any) -> float:
    """The float inside ``x``: ``x`` itself for a number, ``x.data`` for a Value."""
    return x if isinstance(x, _NUMBER) else x._data


# ------------------------------------------------------------- rule helpers
# Functions the derivative expressions may call. Each works on floats and on
# Values; the ones that are piecewise constant return plain floats. Their
# arguments are typed Any: this file cannot name Value (value.py imports it).


def cos(x: Any) -> Any:
    """cos on a float, or the graph op on a Value."""
    return math.cos(x) if isinstance(x, _NUMBER) else x.cos()


def sin(x: Any) -> Any:
    """sin on a float, or the graph op on a Value."""
    return math.sin(x) if isinstance(x, _NUMBER) else x.sin()


def log(x: Any) -> Any:
    """log on a float, or the graph op on a Value."""
    return math.log(x) if isinstance(x, _NUMBER) else x.log()


def exp(x: Any) -> Any:
    """exp on a float, or the graph op on a Value."""
    return math.exp(x) if isinstance(x, _NUMBER) else x.exp()


def step(x: Any) -> float:
    """1.0 where x > 0, else 0.0: relu's derivative, with 0 at the kink."""
    return 1.0 if data_of(x) > 0 else 0.0


def sign(x: Any) -> float:
    """-1.0, 0.0 or 1.0: abs's derivative, with 0 at the kink."""
    d = data_of(x)
    return 1.0 if d > 0 else (-1.0 if d < 0 else 0.0)


def pow_dx(x: Any, y: Any) -> Any:
    """d(x**y)/dx = y * x**(y-1), with its limits at x = 0 where that formula fails."""
    xd, yd = data_of(x), data_of(y)
    if xd == 0 and yd < 1:
        # 0 for y == 0 (x**0 is constant), 1 for y == 1, infinite for 0 < y < 1.
        return 0.0 if yd == 0 else (1.0 if yd == 1 else math.inf)
    try:
        return y * x ** (y - 1)
    except OverflowError:  # |x ** (y - 1)| is past the largest float: the derivative is infinite
        odd = yd - 1 == int(yd - 1) and int(yd - 1) % 2 == 1
        return y * (-math.inf if xd < 0 and odd else math.inf)


def pow_dy(x: Any, out: Any) -> Any:
    """d(x**y)/dy = x**y * log(x): 0 at x = 0 (its limit), nan for x < 0 (as PyTorch)."""
    xd = data_of(x)
    if xd > 0:
        return out * log(x)
    return 0.0 if xd == 0 else math.nan


def sqrt_dx(out: Any) -> Any:
    """d sqrt(x)/dx = 0.5 / sqrt(x), infinite at x = 0."""
    return 0.5 / out if data_of(out) != 0 else math.inf


RULE_HELPERS: dict[str, Callable[..., Any]] = {
    f.__name__: f for f in (cos, sin, log, exp, step, sign, pow_dx, pow_dy, sqrt_dx)
}

# The same helpers over numpy arrays, in the helpers' argument names, with their
# choices at the kinks and for nan (``batch_arrays`` runs them with numpy's
# warnings off: the branch ``np.where`` does not take may divide by zero).
RULE_HELPERS_NUMPY: dict[str, str] = {
    "cos":     "np.cos(x)",
    "sin":     "np.sin(x)",
    "log":     "np.log(x)",
    "exp":     "np.exp(x)",
    "step":    "np.where(x > 0, 1.0, 0.0)",  # 0.0 for nan, as the float step
    "sign":    "np.where(x > 0, 1.0, 0.0) - np.where(x < 0, 1.0, 0.0)",
    "pow_dx":  "np.where((x == 0) & (y < 1), np.where(y == 0, 0.0, np.where(y == 1, 1.0, np.inf)), "
               "y * np.power(x, y - 1.0))",
    "pow_dy":  "np.where(x > 0, out * np.log(np.where(x > 0, x, 1.0)), np.where(x == 0, 0.0, np.nan))",
    "sqrt_dx": "np.where(out != 0, 0.5 / np.where(out != 0, out, 1.0), np.inf)",
}  # fmt: skip


# ---------------------------------------------------------------- forwards
# The forwards that check their domain. Each raises with a short reason;
# Value adds the operation's inputs and their labels.


def _div(x: float, y: float) -> float:
    if y == 0:
        raise DivisionByZeroError("division by zero")
    return x / y


def _pow(x: float, y: float) -> float:
    if x == 0 and y < 0:
        raise DivisionByZeroError("zero cannot be raised to a negative power")
    if x < 0 and y != int(y):
        raise DomainError("a negative base needs an integer exponent (the result would be complex)")
    try:
        power: float = x**y  # real: the checks above leave out a negative base with a fractional exponent
    except OverflowError:
        raise OverflowError("the result is too large for a float") from None
    return power


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError("the result is too large for a float (exp overflows above x = 709.78)") from None


def _log(x: float) -> float:
    if x <= 0:
        raise DomainError("log is defined only for x > 0")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0:
        raise DomainError("sqrt is defined only for x >= 0")
    return math.sqrt(x)


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: exp(-|x|) <= 1.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def row(
    name: str,
    inputs: str,
    forward: str | Callable[..., float],
    derivatives: tuple[str, ...],
    written: str,
    numpy: str | None,
    sympy: str | None,
    draws: str,
    *,
    kink: float | None = None,
) -> Op:
    """An Op from one row of the table; the columns are described above ``OPS``.

    Inputs ``"*x"`` make a variadic op: its forward gets every input as the
    tuple ``x``, and its one derivative expression, in ``xi`` (the input) and
    ``out``, is each input's local derivative.
    """
    namespace = {"math": math, **RULE_HELPERS}
    forward_expr = forward if isinstance(forward, str) else None
    if inputs.startswith("*"):
        names: tuple[str, ...] = (inputs[1:],)
        if len(derivatives) != 1:
            raise TypeError(f"variadic op {name!r} needs one derivative expression, got {len(derivatives)}")
        args = f"*{names[0]}"
        each = eval(f"lambda xi, out: {derivatives[0]}", namespace)  # noqa: S307 - our own table

        def local_grads(*args: Any) -> tuple[Any, ...]:
            out = args[-1]
            return tuple([each(xi, out) for xi in args[:-1]])
    else:
        names = tuple(inputs.split())
        if len(derivatives) != len(names):
            raise TypeError(f"op {name!r} has {len(names)} inputs but {len(derivatives)} derivatives")
        args = ", ".join(names)
        local_grads = eval(f"lambda {args}, out: ({', '.join(derivatives)},)", namespace)  # noqa: S307 - our own table
    if isinstance(forward, str):
        on_floats: Callable[..., float] = eval(f"lambda {args}: {forward}", namespace)  # noqa: S307 - our own table
    else:
        on_floats = forward
    return Op(
        name,
        names,
        on_floats,
        local_grads,
        forward_expr=forward_expr,
        derivative_exprs=derivatives,
        variadic=inputs.startswith("*"),
        kink=kink,
        written=written,
        numpy_expr=numpy,
        sympy_expr=sympy,
        draws=draws,
    )


# The table: one row per primitive, in the order the expression parsers list
# the functions. Derived operations (reflected operators such as ``2 - x``,
# unary ``+``) are one-liners on Value with no derivative code. The columns:
#   name, inputs    shown in graphs; "*x" takes any number of inputs
#   forward         on floats: an expression, or a function that checks the domain (below)
#   d out / d input one expression per input, in the inputs and ``out``
#   written         how an expression writes it; an op written as a call is a function the parsers accept
#   numpy, sympy    the forward over arrays and over symbols (None: the forward expression serves)
#   tests draw      the condition property tests draw the inputs under ("": anywhere): the domain,
#                   narrowed where an op grows fast (exp, pow's exponent) so that nothing overflows
#   kink=           where the derivative jumps: relu'(0) = abs'(0) = 0, the subgradients PyTorch picks
OPS: dict[str, Op] = {op.name: op for op in [
    #   name        inputs  forward                 d out / d input                      written        numpy                              sympy                                   tests draw
    row("+",        "x y",  "x + y",                ("1.0", "1.0"),                      "x + y",       None,                              None,                                   ""),
    row("-",        "x y",  "x - y",                ("1.0", "-1.0"),                     "x - y",       None,                              None,                                   ""),
    row("*",        "x y",  "x * y",                ("y", "x"),                          "x * y",       None,                              None,                                   ""),
    row("/",        "x y",  _div,                   ("1.0 / y", "-out / y"),             "x / y",       "np.divide(x, y)",                 "x / y",                                "y != 0"),
    row("neg",      "x",    "-x",                   ("-1.0",),                           "-x",          None,                              None,                                   ""),
    # x ** c with a constant exponent: c is a constant leaf; it gets 0.
    row("**",       "x c",  _pow,                   ("pow_dx(x, c)", "0.0"),             "x ** c",      "np.power(x, c)",                  "x**c",                                 "c == 2"),
    # x ** y with a Value exponent: both get a gradient.
    row("pow",      "x y",  _pow,                   ("pow_dx(x, y)", "pow_dy(x, out)"),  "x ** y",      "np.power(x, y)",                  "x**y",                                 "x > 0 and -1 <= y <= 1"),
    row("exp",      "x",    _exp,                   ("out",),                            "exp(x)",      "np.exp(x)",                       "sp.exp(x)",                            "-1 <= x <= 1"),
    row("log",      "x",    _log,                   ("1.0 / x",),                        "log(x)",      "np.log(x)",                       "sp.log(x)",                            "x > 0"),
    row("tanh",     "x",    math.tanh,              ("1.0 - out * out",),                "tanh(x)",     "np.tanh(x)",                      "sp.tanh(x)",                           ""),
    # Over arrays, sigmoid is exp(-log(1 + e^-x)), which never overflows (as the float forward's two branches).
    row("sigmoid",  "x",    _sigmoid,               ("out * (1.0 - out)",),              "sigmoid(x)",  "np.exp(-np.logaddexp(0.0, -x))",  "1 / (1 + sp.exp(-x))",                 ""),
    # relu(nan) is nan, as in micrograd and PyTorch (the test is x <= 0, false for nan); over arrays maximum
    # keeps nan too, and + 0.0 makes relu(-0.0) 0.0, not -0.0.
    row("relu",     "x",    "0.0 if x <= 0 else x", ("step(x)",),                        "relu(x)",     "np.maximum(x, 0.0) + 0.0",        "sp.Piecewise((x, x > 0), (0, True))",  "", kink=0.0),
    row("sin",      "x",    math.sin,               ("cos(x)",),                         "sin(x)",      "np.sin(x)",                       "sp.sin(x)",                            ""),
    row("cos",      "x",    math.cos,               ("-sin(x)",),                        "cos(x)",      "np.cos(x)",                       "sp.cos(x)",                            ""),
    row("sqrt",     "x",    _sqrt,                  ("sqrt_dx(out)",),                   "sqrt(x)",     "np.sqrt(x)",                      "sp.sqrt(x)",                           "x >= 0"),
    row("abs",      "x",    abs,                    ("sign(x)",),                        "abs(x)",      "np.abs(x)",                       "sp.Abs(x)",                            "", kink=0.0),
    # n-ary: the sum of any number of inputs (a neuron's w . x + b), added left to right; each derivative is 1.
    row("sum",      "*x",   "sum(x)",               ("1.0",),                            "sum(*x)",     None,                              "sp.Add(*x)",                           ""),
]}  # fmt: skip
