"""``Value``: a scalar that records the operation and parents that produced it.

A node is seven slots: its number, its gradient, its label, the ``Op`` that
made it (the op's *rule*: forward and local derivatives, from ``ops.OPS``),
its parents in argument order: ``_a`` and ``_b`` for the one- and two-input
ops that make almost every node, or ``_a`` holding the tuple of inputs of a
``sum`` (or of any op with three or more), and its ``place`` in a model (set
by the code that built it; the engine never reads it). Two parent slots
instead of a tuple make a node one object for the garbage collector instead
of two, and 133 bytes instead of 178.

There is no per-node closure, so a graph holds no reference cycles: Python
frees it by reference counting as soon as the last reference goes, and the
cyclic garbage collector has nothing to find (it is what makes micrograd
slow). Each node's chain-rule step is the method ``_backward``, micrograd's
name for it, computed from the op table; ``backward()`` (in ``backprop.py``)
orders the graph and calls it node by node.

The hot operators (``+ - *``) build their node inline: a function call per
node is a fifth of a training step.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import inspect
import math
import numbers
import threading
import traceback
from typing import Any, Callable, Iterable, Iterator

from .errors import DivisionByZeroError, DomainError, NonFiniteError, describe, short_repr
from .notation import written
from .ops import OPS, Op

__all__ = ["Value", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "apply", "op_error",
           "cyclic_gc_paused"]

_ADD, _SUB, _MUL, _DIV, _NEG, _SUM = OPS["+"], OPS["-"], OPS["*"], OPS["/"], OPS["neg"], OPS["sum"]
_POW_CONST, _POW = OPS["**"], OPS["pow"]
_isfinite = math.isfinite


# ------------------------------------------------------------- grad mode
class _GradMode(threading.local):
    """Per thread: whether ops record the graph, and whether they check for anomalies.

    ``fast`` is the one flag the inline operators read: True when they may
    record parents without any check. Inside ``no_grad`` or ``detect_anomaly``
    it is False and every op takes ``_record``, which does what the mode asks;
    so neither mode costs the common path anything.
    """

    enabled = True
    anomaly = 0  # depth of nested detect_anomaly blocks
    fast = True

    def __init__(self) -> None:
        self.saved: list[tuple[bool, int]] = []  # the modes to restore, innermost block last
        self.built_at: dict = {}  # under detect_anomaly: node -> the line of user code that built it


_mode = _GradMode()


def _set_mode(enabled: bool, anomaly: int) -> None:
    _mode.enabled, _mode.anomaly = enabled, anomaly
    _mode.fast = enabled and not anomaly


def is_grad_enabled() -> bool:
    """True when ops in this thread record their parents (outside ``no_grad``)."""
    return _mode.enabled


class _ModeBlock:
    """A context manager (and decorator) that sets this thread's mode for its block, then restores it.

    The mode to restore is kept on a per-thread stack, not on the instance, so
    one instance may be entered again inside its own block, or from two
    threads. As a decorator it wraps plain functions and generator functions
    (the mode holds while the generator's body runs, not while its caller
    does); coroutines are refused, since a per-thread mode would leak into
    other tasks at every ``await``.
    """

    def _mode_inside(self) -> tuple[bool, int]:
        raise NotImplementedError

    def __enter__(self) -> None:
        _mode.saved.append((_mode.enabled, _mode.anomaly))
        _set_mode(*self._mode_inside())

    def __exit__(self, *exc: object) -> None:
        _set_mode(*_mode.saved.pop())

    def __call__(self, func: Callable) -> Callable:
        name = f"{type(self).__name__}()"
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            raise TypeError(
                f"@{name} cannot decorate the coroutine {getattr(func, '__qualname__', func)!r}: the mode is per "
                f"thread, so it would leak into other tasks at every await; use `with {name}:` around code "
                "with no await inside")
        block = type(self)
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator(*args, **kwargs):
                return (yield from _generator_in_mode(func(*args, **kwargs), block))

            return generator

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with block():
                return func(*args, **kwargs)

        return wrapper


def _generator_in_mode(gen, block: type) -> Any:
    """Run ``gen`` with ``block``'s mode on while its body runs, and off while the caller's does."""
    with block():
        try:
            request = gen.send(None)
        except StopIteration as stop:
            return stop.value
    while True:
        try:
            response = yield request
        except GeneratorExit:
            with block():
                gen.close()
            raise
        except BaseException as exc:
            with block():
                try:
                    request = gen.throw(exc)
                except StopIteration as stop:
                    return stop.value
        else:
            with block():
                try:
                    request = gen.send(response)
                except StopIteration as stop:
                    return stop.value


class no_grad(_ModeBlock):
    """Context manager (and decorator) inside which ops record no graph, in this thread.

    Results computed inside are leaves: they have data but no parents, so
    nothing flows back through them. Nesting is safe; the previous mode is
    restored on exit, even when an exception leaves the block.
    """

    def _mode_inside(self) -> tuple[bool, int]:
        return False, _mode.anomaly


class enable_grad(_ModeBlock):
    """Context manager that turns graph recording back on inside a ``no_grad`` block."""

    def _mode_inside(self) -> tuple[bool, int]:
        return True, _mode.anomaly


class detect_anomaly(_ModeBlock):
    """Context manager: raise at the first op that makes a nan or inf, naming the op and the code.

    Inside it, an op whose result is nan while no input is nan, or infinite
    while every input is finite, raises ``NonFiniteError`` naming the op, its
    inputs' labels and numbers, and the line of your code that called it; and
    ``backward()`` raises at the first gradient that becomes nan or infinite,
    naming the node and the line that built it. It slows ops down several
    times (each records where it was called); outside it the engine pays
    nothing.
    """

    def _mode_inside(self) -> tuple[bool, int]:
        return _mode.enabled, _mode.anomaly + 1

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if not _mode.anomaly:
            _mode.built_at.clear()  # the outermost block: let the nodes go


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside the block, then restore its state.

    The engine's graphs hold no reference cycles, so reference counting frees
    them the moment they are dropped. While a big graph is alive, the
    collector, triggered by the allocations that build it, only rescans it
    again and again: ``nn.fit`` runs each step inside this, ``compile`` its
    traces and code generation. Cycles made inside are collected afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def anomaly_enabled() -> bool:
    """True inside ``detect_anomaly`` in this thread."""
    return _mode.anomaly > 0


_ENGINE_PACKAGE = __name__.rpartition(".")[0]


def user_code_line() -> str:
    """``file:line in function: source`` of the innermost caller outside this package ('' if none)."""
    for frame, lineno in traceback.walk_stack(None):
        if not frame.f_globals.get("__name__", "").startswith(_ENGINE_PACKAGE + "."):
            summary = traceback.FrameSummary(frame.f_code.co_filename, lineno, frame.f_code.co_name)
            source = f": {summary.line}" if summary.line else ""
            return f"{summary.filename}:{lineno} in {summary.name}{source}"
    return ""


def _check_anomaly(out: "Value", op: Op, inputs: tuple) -> None:
    """Under detect_anomaly: note where ``out`` was built; raise if it is its graph's first nan or inf."""
    _mode.built_at[out] = user_code_line()
    data = out._data
    if _isfinite(data):
        return
    numbers_in = [x._data for x in inputs]
    if data != data:
        first = not any(x != x for x in numbers_in)
    else:
        first = all(_isfinite(x) for x in numbers_in)
    if first:
        shown, where = _call_text(op.name, inputs)
        kind = "nan" if data != data else repr(data)
        raise NonFiniteError(f"detect_anomaly: {shown} = {kind}, the first {'nan' if kind == 'nan' else 'infinity'} "
                             f"of this graph; {where}; built at {_mode.built_at[out] or 'an unknown line'}")


def built_at(node: "Value") -> str:
    """Where ``node`` was built, if it was built inside ``detect_anomaly`` in this thread ('' otherwise)."""
    return _mode.built_at.get(node, "")


# ------------------------------------------------------------ making nodes
def _parents(a: Any, b: "Value | None") -> tuple:
    """The parents that the slots ``_a`` and ``_b`` hold, as a tuple in argument order."""
    if a is None:
        return ()
    if type(a) is tuple:
        return a
    return (a,) if b is None else (a, b)


def _record(out: "Value", op: Op, a: Any, b: "Value | None") -> "Value":
    """Record ``out``'s op and parents as the thread's mode asks (the path off the inline fast one)."""
    if _mode.enabled:
        out._rule, out._a, out._b = op, a, b
    else:
        out._rule = out._a = out._b = None
    if _mode.anomaly:
        _check_anomaly(out, op, _parents(a, b))
    return out


def _node(data: float, op: Op, a: Any, b: "Value | None") -> "Value":
    """The result node of an op: parents ``a`` (and ``b``), or ``a`` the tuple of a sum's inputs."""
    out = _new(Value)
    out._data = data
    out._grad = 0.0
    out._label = ""
    out.place = None
    if _mode.fast:
        out._rule, out._a, out._b = op, a, b
        return out
    return _record(out, op, a, b)


def apply(op: Op, *inputs: "Value") -> "Value":
    """Run ``op`` forward on the inputs' data and record the node (errors name the inputs).

    The general path, for user-defined ops and any ``Op``: it checks that the
    forward returned a real number. Built-in ops take faster paths.
    """
    try:
        data = op.forward(*[x._data for x in inputs])
    except (ValueError, ArithmeticError) as exc:
        raise op_error(op, inputs, exc) from None
    except (TypeError, AttributeError) as exc:  # a bug in the forward: say which op, on which inputs
        shown, where = _call_text(op.name, inputs)
        hint = " (the forward gets plain floats: use math.exp(x), not x.exp())" if (
            isinstance(exc, AttributeError) and "'float' object" in str(exc)) else ""
        raise TypeError(f"{shown}: the forward failed: {exc}{hint}; {where}") from exc
    if type(data) is not float:
        try:
            data = _as_float(data, f"the forward of op {op.name!r} must return a real number")
        except (TypeError, OverflowError) as exc:
            shown, where = _call_text(op.name, inputs)
            raise type(exc)(f"{shown}: {exc}; {where}") from None
    if len(inputs) == 2 and not op.variadic:
        return _node(data, op, inputs[0], inputs[1])
    if len(inputs) == 1 and not op.variadic:
        return _node(data, op, inputs[0], None)
    return _node(data, op, tuple(inputs), None)


def _unary(op: Op, x: "Value") -> "Value":
    """A built-in one-input op (its forward returns a float)."""
    try:
        data = op.forward(x._data)
    except (ValueError, ArithmeticError) as exc:
        raise op_error(op, (x,), exc) from None
    return _node(data, op, x, None)


def _binary(op: Op, x: "Value", y: "Value") -> "Value":
    """A built-in two-input op (its forward returns a float)."""
    try:
        data = op.forward(x._data, y._data)
    except (ValueError, ArithmeticError) as exc:
        raise op_error(op, (x, y), exc) from None
    return _node(data, op, x, y)


def _call_text(name: str, inputs) -> tuple[str, str]:
    """How an op's call reads in an error: the call with its values, and where each input came from."""
    shown = written(name, [repr(x.data) for x in inputs])
    where = "; ".join(f"input {i + 1} is {describe(x)}" for i, x in enumerate(inputs))
    return shown, where


def op_error(op: Op, inputs: Iterable, exc: Exception) -> Exception:
    """The error for an op whose forward failed, naming the op, the values and the nodes.

    A ``ZeroDivisionError`` becomes ``DivisionByZeroError``, an ``OverflowError``
    stays one, anything else becomes ``DomainError``.
    """
    shown, where = _call_text(op.name, tuple(inputs))
    message = f"{shown}: {exc}; {where}"
    if isinstance(exc, ZeroDivisionError):
        return DivisionByZeroError(message)
    if isinstance(exc, OverflowError):
        return OverflowError(message)
    return DomainError(message)


def _as_float(x: Any, needs: str) -> float:
    """``x`` as a float, or a TypeError/OverflowError that starts with ``needs``.

    Real numbers (int, bool, Fraction, numpy's) are accepted, and so is
    anything with a ``__float__`` that is not complex (``numpy.bool_``,
    ``Decimal``). ``needs`` reads like "Value(data) needs a real number".
    """
    if isinstance(x, (Value, str, bytes)) or not hasattr(type(x), "__float__") or (
            isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real)):
        hint = " (use .data to copy a Value's number, or .detach())" if isinstance(x, Value) else ""
        raise TypeError(f"{needs}, got {type(x).__name__} {short_repr(x)}{hint}")
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(f"{needs} that fits in a float (at most about 1.8e308), got "
                            f"{type(x).__name__} {short_repr(x)}") from None


def _lift(x: Any, op: str = "a Value op") -> "Value | None":
    """``x`` as a Value: itself, a constant leaf for a real number, None for anything else.

    ``op`` names the operation in the error for a number too large for a float.
    """
    if isinstance(x, Value):
        return x
    if type(x) is float or type(x) is int or isinstance(x, numbers.Real):
        out = _new(Value)
        out._data = x if type(x) is float else _as_float(x, f"an operand of {op} needs a real number")
        out._grad = 0.0
        out._label = ""
        out.place = None
        out._rule = out._a = out._b = None
        return out
    return None


# ------------------------------------------------------------------ Value
class Value:
    """A scalar node in a computation graph.

    Args:
        data: a real number (int, float, bool or any ``numbers.Real``), stored as float.
        label: a name shown in drawings and error messages.

    ``place`` (default None, settable) says where this node sits in a model,
    set by the code that built it (nn sets an ``nn.Place``); the engine never
    reads it.

    ``grad`` starts at 0.0. ``backward()`` fills it: leaves accumulate across
    calls until you reset them (as in PyTorch); interior nodes hold the
    gradient of the latest ``backward()`` only, so calling it twice never
    doubles them. ``op`` and ``parents`` are read-only. For code written
    against micrograd: ``_prev`` is the set of parents, ``_op`` the op's name
    and ``_backward()`` the node's chain-rule step.

    Values hash by identity and define no ``__eq__``, so they can be kept in
    sets and dicts; compare ``.data`` to compare numbers.
    """

    __slots__ = ("_data", "_grad", "_label", "_rule", "_a", "_b", "place")

    def __init__(self, data: numbers.Real, label: str = "") -> None:
        if type(data) is not float:
            data = _as_float(data, "Value(data) needs a real number")
        if type(label) is not str:
            _check_label(label)
        self._data = data
        self._grad = 0.0
        self._label = label
        self._rule: Op | None = None
        self._a: Any = None
        self._b: Value | None = None
        self.place: object = None

    # ------------------------------------------------------------ fields
    @property
    def data(self) -> float:
        """The number this node holds (assignable: a real number, stored as float)."""
        return self._data

    @data.setter
    def data(self, value: numbers.Real) -> None:
        self._data = value if type(value) is float else _as_float(value, "Value.data needs a real number")

    @property
    def grad(self) -> float:
        """d output / d this node, filled by ``backward()`` (assignable: a real number, stored as float)."""
        return self._grad

    @grad.setter
    def grad(self, value: numbers.Real) -> None:
        self._grad = value if type(value) is float else _as_float(value, "Value.grad needs a real number")

    @property
    def label(self) -> str:
        """The name shown in drawings and error messages (assignable: a str)."""
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        if type(value) is not str:
            _check_label(value)
        self._label = value

    @property
    def op(self) -> str:
        """The name of the operation that made this node; '' for a leaf."""
        rule = self._rule
        return rule.name if rule is not None else ""

    @property
    def operation(self) -> Op | None:
        """The ``Op`` that made this node (its forward and local derivatives); None for a leaf."""
        return self._rule

    @property
    def parents(self) -> tuple["Value", ...]:
        """The nodes this one was computed from, in argument order."""
        return _parents(self._a, self._b)

    # micrograd's names, so code written for it (and its lecture) runs unchanged.
    @property
    def _prev(self) -> set["Value"]:
        """micrograd's name: the set of parents."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's name: the op's name as a string, '' for a leaf."""
        return self.op

    def _backward(self) -> None:
        """This node's chain-rule step: ``parent.grad += local * self.grad`` for each parent.

        ``local`` is d self / d parent, from the op table. ``backward()``
        calls this for every node, outputs first; calling it by hand, node by
        node, runs the backward pass one step at a time (as in micrograd's
        lecture). A leaf has no step.
        """
        a, b = self._a, self._b
        if b is not None:  # two parents: + - * / ** and most nodes of a graph
            local_a, local_b = self._rule.local_grads(a._data, b._data, self._data)
            a._grad += local_a * self._grad
            b._grad += local_b * self._grad
        elif a is None:  # a leaf
            return
        elif type(a) is tuple:  # a sum, or an op of three or more inputs: the same step for each
            upstream = self._grad
            for parent, local in zip(a, self._rule.local_grads(*[p._data for p in a], self._data)):
                parent._grad += local * upstream
        else:  # one parent: tanh, exp, relu, ...
            (local,) = self._rule.local_grads(a._data, self._data)
            a._grad += local * self._grad

    def __repr__(self) -> str:
        label = f", label={self._label!r}" if self._label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}{label})"

    # ----------------------------------------------------- copying, pickling
    def __reduce__(self) -> tuple:
        return (_rebuild, (self._data, self._grad, self._label, self._rule, self._a, self._b, self.place))

    def __deepcopy__(self, memo: dict) -> "Value":
        """A copy of the whole graph under this node, made without recursion (graphs can be deep)."""
        from .backprop import topological_order

        for node in topological_order(self):
            if id(node) in memo:
                continue
            copy = _rebuild(node._data, node._grad, node._label, node._rule, None, None, node.place)
            a, b = node._a, node._b
            if type(a) is tuple:
                copy._a = tuple(memo[id(p)] for p in a)
            elif a is not None:
                copy._a = memo[id(a)]
                copy._b = None if b is None else memo[id(b)]
            memo[id(node)] = copy
        return memo[id(self)]

    # ------------------------------------------------------------ operators
    # The hottest ops build their node inline; the rest go through _node.
    def __add__(self, other: Any) -> "Value":
        if type(other) is not Value:
            other = _lift(other, "+")
            if other is None:
                return NotImplemented
        out = _new(Value)
        out._data = self._data + other._data
        out._grad = 0.0
        out._label = ""
        out.place = None
        if _mode.fast:
            out._rule, out._a, out._b = _ADD, self, other
            return out
        return _record(out, _ADD, self, other)

    def __mul__(self, other: Any) -> "Value":
        if type(other) is not Value:
            other = _lift(other, "*")
            if other is None:
                return NotImplemented
        out = _new(Value)
        out._data = self._data * other._data
        out._grad = 0.0
        out._label = ""
        out.place = None
        if _mode.fast:
            out._rule, out._a, out._b = _MUL, self, other
            return out
        return _record(out, _MUL, self, other)

    def __sub__(self, other: Any) -> "Value":
        if type(other) is not Value:
            other = _lift(other, "-")
            if other is None:
                return NotImplemented
        return _node(self._data - other._data, _SUB, self, other)

    def __truediv__(self, other: Any) -> "Value":
        other = _lift(other, "/")
        return NotImplemented if other is None else _binary(_DIV, self, other)

    def __pow__(self, other: Any) -> "Value":
        if isinstance(other, Value):
            return _binary(_POW, self, other)
        exponent = _lift(other, "**")
        return NotImplemented if exponent is None else _binary(_POW_CONST, self, exponent)

    def __neg__(self) -> "Value":
        return _node(-self._data, _NEG, self, None)

    # Derived operations: one line each, no derivative code of their own.
    def __radd__(self, other: Any) -> "Value":  # other + self
        return self + other

    def __rmul__(self, other: Any) -> "Value":  # other * self
        return self * other

    def __rsub__(self, other: Any) -> "Value":  # other - self
        other = _lift(other, "-")
        return NotImplemented if other is None else other - self

    def __rtruediv__(self, other: Any) -> "Value":  # other / self
        other = _lift(other, "/")
        return NotImplemented if other is None else other / self

    def __rpow__(self, other: Any) -> "Value":  # other ** self
        other = _lift(other, "**")
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

    @staticmethod
    def sum(terms: Iterable[Any]) -> "Value":
        """One node for the sum of ``terms`` (Values or numbers), added left to right.

        Unlike Python's ``sum``, which builds a chain of ``+`` nodes, this is one
        ``sum`` node whose parents are the terms, each with local derivative 1:
        a neuron's ``w . x + b`` draws as its products feeding one node. An
        empty sum is the constant 0.
        """
        inputs = []
        for i, term in enumerate(terms):
            value = _lift(term, "Value.sum")
            if value is None:
                raise TypeError(f"Value.sum: term {i} is {type(term).__name__} {short_repr(term)}, "
                                "expected a Value or a real number")
            inputs.append(value)
        if not inputs:
            return _lift(0.0)
        return _node(_SUM.forward(*[x._data for x in inputs]), _SUM, tuple(inputs), None)

    def detach(self) -> "Value":
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self._data, self._label)

    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on, by the chain rule.

        Leaves accumulate (``+=``) across calls until reset; interior nodes
        are set to their gradient from this call.
        """
        from .backprop import backward

        backward(self, grad)


def _check_label(label: object) -> None:
    if not isinstance(label, str):
        raise TypeError(f"Value label must be a str, got {type(label).__name__} {short_repr(label)}")


def _rebuild(data: float, grad: float, label: str, rule: Op | None, a: Any, b: "Value | None",
             place: object = None) -> Value:
    """A node from its fields (how a pickled or copied Value is made again)."""
    out = _new(Value)
    out._data, out._grad, out._label, out._rule, out._a, out._b = data, grad, label, rule, a, b
    out.place = place
    return out


_new = object.__new__
