"""``Value``: a scalar that records the operation and parents that produced it.

A node is five slots: ``data``, ``grad``, ``label``, the ``Op`` that made it
and the ordered tuple of its parents. There is no per-node closure, so a graph
holds no reference cycles: Python frees it by reference counting as soon as the
last reference goes, and the cyclic garbage collector has nothing to find (it
is what makes micrograd slow). The derivatives live in ``ops.OPS``; the chain
rule lives in ``backprop.py``.
"""

from __future__ import annotations

import functools
import numbers
import threading
from typing import Any

from .errors import DivisionByZeroError, DomainError, describe
from .ops import OPS, Op

__all__ = ["Value", "no_grad", "enable_grad", "is_grad_enabled"]

_ADD, _SUB, _MUL, _DIV, _NEG = OPS["+"], OPS["-"], OPS["*"], OPS["/"], OPS["neg"]
_POW_CONST, _POW = OPS["**"], OPS["pow"]


class _GradMode(threading.local):
    """Whether ops record the graph, per thread (each thread starts enabled)."""

    enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when ops in this thread record their parents (outside ``no_grad``)."""
    return _mode.enabled


class no_grad:
    """Context manager (and decorator) inside which ops record no graph, in this thread.

    Results computed inside are leaves: they have data but no parents, so
    nothing flows back through them. Nesting is safe; the previous mode is
    restored on exit, even when an exception leaves the block.
    """

    _enable = False

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        _mode.enabled = self._enable

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Context manager that turns graph recording back on inside a ``no_grad`` block."""

    _enable = True


def _node(data: float, op: Op, parents: tuple) -> "Value":
    """Make the result node of an op; a leaf when graph recording is off."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _mode.enabled:
        out._op = op
        out._parents = parents
    else:
        out._op = None
        out._parents = ()
    return out


def apply(op: Op, *inputs: "Value") -> "Value":
    """Run ``op`` forward on the inputs' data and record the node (errors name the inputs).

    The general path, for user-defined ops: it also checks that the forward
    returned a real number. Built-in ops take ``_unary``/``_binary``.
    """
    try:
        data = op.forward(*[x.data for x in inputs])
    except (ValueError, ArithmeticError) as exc:
        raise _op_error(op, inputs, exc) from None
    if type(data) is not float:
        if not isinstance(data, numbers.Real):
            raise TypeError(f"op {op.name!r} returned {type(data).__name__} {data!r}, expected a real number")
        data = float(data)
    return _node(data, op, inputs)


def _unary(op: Op, x: "Value") -> "Value":
    """A built-in one-input op (its forward returns a float)."""
    try:
        return _node(op.forward(x.data), op, (x,))
    except (ValueError, ArithmeticError) as exc:
        raise _op_error(op, (x,), exc) from None


def _binary(op: Op, x: "Value", y: "Value") -> "Value":
    """A built-in two-input op (its forward returns a float)."""
    try:
        return _node(op.forward(x.data, y.data), op, (x, y))
    except (ValueError, ArithmeticError) as exc:
        raise _op_error(op, (x, y), exc) from None


_INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "pow": "**"}


def _call_text(name: str, inputs) -> tuple[str, str]:
    """How an op's call reads in an error: the call with its values, and where each input came from."""
    if name in _INFIX and len(inputs) == 2:
        shown = f"{inputs[0].data!r} {_INFIX[name]} {inputs[1].data!r}"
    else:
        shown = f"{name}({', '.join(repr(x.data) for x in inputs)})"
    where = "; ".join(f"input {i + 1} is {describe(x)}" for i, x in enumerate(inputs))
    return shown, where


def _op_error(op: Op, inputs: tuple, exc: Exception) -> Exception:
    """The error for an op whose forward failed, naming the op, the values and the nodes."""
    shown, where = _call_text(op.name, inputs)
    message = f"{shown}: {exc}; {where}"
    if isinstance(exc, ZeroDivisionError):
        return DivisionByZeroError(message)
    if isinstance(exc, OverflowError):
        return OverflowError(message)
    return DomainError(message)


def _lift(x: Any) -> "Value | None":
    """``x`` as a Value: itself, a constant leaf for a real number, None for anything else."""
    if isinstance(x, Value):
        return x
    if type(x) is float or type(x) is int or isinstance(x, numbers.Real):
        return _node(float(x), None, ())
    return None


class Value:
    """A scalar node in a computation graph.

    Args:
        data: a real number (int, float, bool or any ``numbers.Real``), stored as float.
        label: a name shown in drawings and error messages.

    ``grad`` starts at 0.0. ``backward()`` fills it: leaves accumulate across
    calls until you reset them (as in PyTorch); interior nodes hold the
    gradient of the latest ``backward()`` only, so calling it twice never
    doubles them. ``op`` and ``parents`` are read-only.

    Values hash by identity and define no ``__eq__``, so they can be kept in
    sets and dicts; compare ``.data`` to compare numbers.
    """

    __slots__ = ("data", "grad", "label", "_op", "_parents")

    def __init__(self, data: numbers.Real, label: str = "") -> None:
        if type(data) is not float:
            if isinstance(data, Value) or not isinstance(data, numbers.Real):
                raise TypeError(
                    f"Value(data) needs a real number, got {type(data).__name__} {data!r}"
                    + (" (use .data to copy a Value's number, or .detach())" if isinstance(data, Value) else "")
                )
            data = float(data)
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op: Op | None = None
        self._parents: tuple[Value, ...] = ()

    @property
    def op(self) -> str:
        """The name of the operation that made this node; '' for a leaf."""
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple["Value", ...]:
        """The nodes this one was computed from, in argument order."""
        return self._parents

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # The hottest ops build their node inline; the rest go through ``apply``.
    def __add__(self, other: Any) -> "Value":
        if type(other) is not Value:
            other = _lift(other)
            if other is None:
                return NotImplemented
        return _node(self.data + other.data, _ADD, (self, other))

    def __mul__(self, other: Any) -> "Value":
        if type(other) is not Value:
            other = _lift(other)
            if other is None:
                return NotImplemented
        return _node(self.data * other.data, _MUL, (self, other))

    def __sub__(self, other: Any) -> "Value":
        if type(other) is not Value:
            other = _lift(other)
            if other is None:
                return NotImplemented
        return _node(self.data - other.data, _SUB, (self, other))

    def __truediv__(self, other: Any) -> "Value":
        other = _lift(other)
        return NotImplemented if other is None else _binary(_DIV, self, other)

    def __pow__(self, other: Any) -> "Value":
        if isinstance(other, Value):
            return _binary(_POW, self, other)
        exponent = _lift(other)
        return NotImplemented if exponent is None else _binary(_POW_CONST, self, exponent)

    def __neg__(self) -> "Value":
        return _node(-self.data, _NEG, (self,))

    # Derived operations: one line each, no derivative code of their own.
    def __radd__(self, other: Any) -> "Value":  # other + self
        return self + other

    def __rmul__(self, other: Any) -> "Value":  # other * self
        return self * other

    def __rsub__(self, other: Any) -> "Value":  # other - self
        other = _lift(other)
        return NotImplemented if other is None else other - self

    def __rtruediv__(self, other: Any) -> "Value":  # other / self
        other = _lift(other)
        return NotImplemented if other is None else other / self

    def __rpow__(self, other: Any) -> "Value":  # other ** self
        other = _lift(other)
        return NotImplemented if other is None else _binary(_POW, other, self)

    def __pos__(self) -> "Value":  # +self
        return self

    def __abs__(self) -> "Value":
        return _unary(OPS["abs"], self)

    def exp(self) -> "Value":
        """e ** self."""
        return _unary(OPS["exp"], self)

    def log(self) -> "Value":
        """Natural logarithm; DomainError for data <= 0."""
        return _unary(OPS["log"], self)

    def sqrt(self) -> "Value":
        """Square root; DomainError for data < 0."""
        return _unary(OPS["sqrt"], self)

    def tanh(self) -> "Value":
        """Hyperbolic tangent."""
        return _unary(OPS["tanh"], self)

    def sigmoid(self) -> "Value":
        """1 / (1 + e ** -self), computed without overflow."""
        return _unary(OPS["sigmoid"], self)

    def relu(self) -> "Value":
        """max(0, self); its derivative at 0 is taken as 0."""
        return _unary(OPS["relu"], self)

    def sin(self) -> "Value":
        """Sine."""
        return _unary(OPS["sin"], self)

    def cos(self) -> "Value":
        """Cosine."""
        return _unary(OPS["cos"], self)

    def detach(self) -> "Value":
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)

    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on, by the chain rule.

        Leaves accumulate (``+=``) across calls until reset; interior nodes
        are set to their gradient from this call.
        """
        from .backprop import backward

        backward(self, grad)


_new = object.__new__
