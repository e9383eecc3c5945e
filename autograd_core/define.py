"""``define_op``: turn a float function and its local derivatives into a graph op.

    @define_op(lambda x, out: 1 - out * out)        # d out / d x
    def my_tanh(x):                                 # forward, on floats
        return math.tanh(x)

The op goes through exactly the same machinery as the built-in ones (an ``Op``
whose ``local_grads`` the chain rule in ``backprop.py`` calls), so it works
with ``backward()``, ``grad(..., create_graph=True)``, ``no_grad()`` and the
drawings. Derivative functions get the op's inputs and output: floats in a
first-order pass, ``Value``s under ``create_graph=True``, so one written with
``Value`` arithmetic has second derivatives too.

A derivative may be written three ways:

* plain arithmetic (``1 - out * out``): works on floats and Values alike;
* ``Value`` methods (``x.sigmoid()``): a float has no ``.sigmoid``, so in a
  first-order pass such a derivative is called once more on ``Value`` copies of
  its arguments (no graph is recorded) and its number is used;
* ``math`` functions (``math.cos(x)``): fine for first derivatives; asking for
  a second one (``grad(..., create_graph=True)``) raises a ``TypeError`` that
  says to rewrite it with Value methods.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable
from typing import Any

from .errors import DivisionByZeroError, DomainError, describe, short_repr
from .modes import no_grad
from .ops import Op
from .value import Value, _lift, apply

__all__ = ["define_op", "input_names"]


def _positional_count(func: Callable[..., Any], what: str) -> int | None:
    """How many positional arguments ``func`` takes; None when it takes ``*args``."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    required_kw = [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
    if required_kw:
        raise TypeError(f"define_op: {what} has required keyword-only arguments {required_kw}")
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _accepts(func: Callable[..., Any], n: int) -> bool:
    """Whether ``func`` can be called with ``n`` positional arguments (True when it has no signature)."""
    try:
        inspect.signature(func).bind(*range(n))
    except TypeError:
        return False
    except ValueError:
        return True
    return True


def input_names(f: Callable[..., Any], n: int) -> list[str]:
    """Names for ``f``'s ``n`` inputs: its positional parameter names, else x0, x1, ...

    The one reader of a function's input names (define_op names an op's
    inputs with it, gradcheck its table rows, compile its generated arguments).
    """
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:n]
    return names if len(names) == n and len(set(names)) == n else [f"x{i}" for i in range(n)]


class _Derivatives:
    """``local_grads(*inputs, out)`` for a user op: one call per derivative, results checked, errors named.

    A derivative that fails, or returns something that is not a number,
    raises an error naming the op, the derivative (d out / d which input)
    and the point: the backward pass calls it far from where it was written.
    """

    def __init__(self, derivatives: tuple[Callable[..., Any], ...], op_name: str, names: tuple[str, ...]) -> None:
        self.derivatives, self.op_name, self.names = derivatives, op_name, names
        # Derivatives found to need Values (they called a Value method on a float), by index.
        self.needs_values = [False] * len(derivatives)

    def __call__(self, *args: Any) -> tuple[Any, ...]:
        first_order = not isinstance(args[-1], Value)  # floats in, floats out; else Values, for create_graph
        return tuple(self._one(index, args, first_order) for index in range(len(self.derivatives)))

    def _one(self, index: int, args: tuple[Any, ...], first_order: bool) -> Any:
        try:
            result = self._call(index, args, first_order)
        except (ValueError, ArithmeticError) as exc:  # DomainError, ZeroDivisionError, OverflowError, ...
            raise self._error(index, args, f"raised {type(exc).__name__}: {exc}", _family(exc)) from exc
        except TypeError as exc:
            if not first_order:  # most likely math.* on a Value: say how to write it instead
                raise self._error(
                    index,
                    args,
                    f"cannot be computed on Values, so the op's second derivative is "
                    f"unavailable ({exc}); write the derivative with Value arithmetic and "
                    "methods (x.exp(), x.tanh(), ...) instead of math functions",
                    TypeError,
                ) from None
            raise self._error(index, args, f"raised TypeError: {exc}", TypeError) from exc
        if isinstance(result, Value):
            return result._data if first_order else result
        if not isinstance(result, numbers.Real):
            raise self._error(
                index,
                args,
                f"returned {type(result).__name__} {short_repr(result)}; a derivative must return a number or a Value",
                TypeError,
            )
        try:
            return float(result)
        except OverflowError:
            raise self._error(
                index, args, f"returned {type(result).__name__} too large for a float", OverflowError
            ) from None

    def _call(self, index: int, args: tuple[Any, ...], first_order: bool) -> Any:
        """Derivative ``index`` at ``args``; on floats, a Value method is retried on Values (no graph)."""
        d = self.derivatives[index]
        if not first_order:
            return d(*args)
        if not self.needs_values[index]:
            try:
                return d(*args)
            except AttributeError:  # e.g. x.sigmoid() on a float: call it on Values from now on
                self.needs_values[index] = True
        with no_grad():
            return d(*[Value(a) for a in args])

    def _error(self, index: int, args: tuple[Any, ...], what: str, kind: type[Exception]) -> Exception:
        """``kind``: 'derivative 1 of op 'f' (d out/dx) <what>, at f(x=-1.0) = 2.0' and, on Values, the nodes."""
        values = [a._data if isinstance(a, Value) else a for a in args]
        at = ", ".join(f"{name}={value!r}" for name, value in zip(self.names, values))
        message = (
            f"derivative {index + 1} of op {self.op_name!r} (d out/d{self.names[index]}) {what}, "
            f"at {self.op_name}({at}) = {values[-1]!r}"
        )
        if isinstance(args[-1], Value):
            message += "; " + "; ".join(f"input {k + 1} is {describe(a)}" for k, a in enumerate(args[:-1]))
        return kind(message)


def _family(exc: Exception) -> type[Exception]:
    """The engine's error class for a math failure, as for a forward: the same families as ``op_error``."""
    if isinstance(exc, ZeroDivisionError):
        return DivisionByZeroError
    if isinstance(exc, OverflowError):
        return OverflowError
    return DomainError


def define_op(
    *derivatives: Callable[..., Any], name: str | None = None
) -> Callable[[Callable[..., float]], Callable[..., Value]]:
    """Decorator: make a differentiable op from a float forward and one derivative per input.

    Args:
        *derivatives: ``d(*inputs, out)`` for each input, in order, returning
            d out / d input.
        name: the op's name in graphs and errors (default: the function's name).

    Returns:
        A decorator; the decorated function takes Values or numbers and
        returns a Value whose ``op`` is this ``Op`` (``str(value.op)`` is its
        name); the decorated function has the ``Op`` at ``.op`` too.

    Raises:
        TypeError: at definition time, when the number of derivatives does not
            match the forward's arity, or a derivative takes the wrong number
            of arguments.
    """
    if not derivatives:
        raise TypeError(
            "define_op needs one derivative function per input of the op, e.g. "
            "@define_op(lambda x, out: ...) for a function of one input"
        )
    for i, d in enumerate(derivatives):
        if not callable(d):
            raise TypeError(f"define_op: derivative {i + 1} must be callable, got {type(d).__name__} {d!r}")

    if name is not None and (not isinstance(name, str) or not name):
        raise TypeError(f"define_op: name must be a non-empty str, got {type(name).__name__} {name!r}")

    def decorate(forward: Callable[..., float]) -> Callable[..., Value]:
        if not callable(forward):
            raise TypeError(f"define_op must decorate a function, got {type(forward).__name__} {forward!r}")
        op_name = name if name else getattr(forward, "__name__", "op")
        arity = _positional_count(forward, f"forward {op_name!r}")
        if arity is None:
            raise TypeError(f"define_op: forward {op_name!r} must take a fixed number of inputs, not *args")
        if arity != len(derivatives):
            raise TypeError(
                f"define_op: {op_name!r} takes {arity} input(s) but {len(derivatives)} "
                f"derivative function(s) were given; give one per input"
            )
        for i, d in enumerate(derivatives):
            if not _accepts(d, arity + 1):
                taken = _positional_count(d, f"derivative {i + 1} of {op_name!r}")
                raise TypeError(
                    f"define_op: derivative {i + 1} of {op_name!r} takes {taken} argument(s); "
                    f"it must take the {arity} input(s) and the output ({arity + 1} in all)"
                )

        names = tuple(input_names(forward, arity))
        module, qualname = getattr(forward, "__module__", None), getattr(forward, "__qualname__", None)
        source = (module, qualname) if isinstance(module, str) and isinstance(qualname, str) else None
        op = Op(op_name, names, forward, _Derivatives(tuple(derivatives), op_name, names), source=source)

        @functools.wraps(forward)
        def op_function(*args: Any) -> Value:
            if len(args) != arity:
                raise TypeError(f"{op_name}() takes {arity} input(s), got {len(args)}")
            inputs = []
            for i, arg in enumerate(args):
                try:
                    value = _lift(arg, f"op {op_name!r}")
                except OverflowError:  # an int no float can hold
                    raise OverflowError(
                        f"{op_name}() input {i + 1} is {type(arg).__name__} {short_repr(arg)}, too large for a float"
                    ) from None
                if value is None:
                    raise TypeError(
                        f"{op_name}() input {i + 1} must be a Value or a real number, "
                        f"got {type(arg).__name__} {short_repr(arg)}"
                    )
                inputs.append(value)
            return apply(op, *inputs)  # a failing forward's error names the op and the inputs there

        op_function.__name__ = op_function.__qualname__ = op_name  # the op's name, also when name= is given
        op_function.op = op  # type: ignore[attr-defined]  # a function attribute: the op this function applies
        return op_function

    return decorate
