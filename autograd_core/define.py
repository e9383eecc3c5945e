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
from typing import Any, Callable

from .ops import Op
from .value import Value, _lift, apply, no_grad

__all__ = ["define_op"]


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


def _input_names(forward: Callable[..., Any], arity: int) -> tuple[str, ...]:
    """The forward's parameter names (x, y, ... when it has no signature)."""
    try:
        names = [p.name for p in inspect.signature(forward).parameters.values()][:arity]
    except (TypeError, ValueError):
        names = []
    return tuple(names) if len(names) == arity else tuple(f"x{i}" for i in range(arity))


def _check_derivative_result(result: Any, index: int, op_name: str) -> None:
    if not isinstance(result, (Value, numbers.Real)):
        raise TypeError(f"derivative {index + 1} of op {op_name!r} returned {type(result).__name__} "
                        f"{result!r}; a derivative must return a number or a Value")


def _make_local_grads(derivatives: tuple[Callable[..., Any], ...], op_name: str) -> Callable[..., tuple]:
    """``local_grads(*inputs, out)`` for a user op: one call per derivative, results checked."""
    # Derivatives found to need Values (they called a Value method on a float).
    needs_values = [False] * len(derivatives)

    def on_floats(index: int, d: Callable[..., Any], args: tuple) -> float:
        if not needs_values[index]:
            try:
                result = d(*args)
            except AttributeError:  # e.g. x.sigmoid() on a float: retry on Values
                needs_values[index] = True
            else:
                _check_derivative_result(result, index, op_name)
                return result.data if isinstance(result, Value) else float(result)
        with no_grad():
            result = d(*[Value(a) for a in args])
        _check_derivative_result(result, index, op_name)
        return result.data if isinstance(result, Value) else float(result)

    def local_grads(*args: Any) -> tuple:
        if not isinstance(args[-1], Value):  # a first-order pass: floats in, floats out
            return tuple(on_floats(i, d, args) for i, d in enumerate(derivatives))
        results = tuple(d(*args) for d in derivatives)  # create_graph: Values in, graphs out
        for i, result in enumerate(results):
            _check_derivative_result(result, i, op_name)
        return results

    return local_grads


def define_op(*derivatives: Callable[..., Any], name: str | None = None) -> Callable[[Callable[..., float]], Callable[..., Value]]:
    """Decorator: make a differentiable op from a float forward and one derivative per input.

    Args:
        *derivatives: ``d(*inputs, out)`` for each input, in order, returning
            d out / d input.
        name: the op's name in graphs and errors (default: the function's name).

    Returns:
        A decorator; the decorated function takes Values or numbers and
        returns a Value whose ``op`` is the name. Its ``Op`` is at ``.op``.

    Raises:
        TypeError: at definition time, when the number of derivatives does not
            match the forward's arity, or a derivative takes the wrong number
            of arguments.
    """
    if not derivatives:
        raise TypeError("define_op needs one derivative function per input of the op, e.g. "
                        "@define_op(lambda x, out: ...) for a function of one input")
    for i, d in enumerate(derivatives):
        if not callable(d):
            raise TypeError(f"define_op: derivative {i + 1} must be callable, got {type(d).__name__} {d!r}")

    if name is not None and (not isinstance(name, str) or not name):
        raise TypeError(f"define_op: name must be a non-empty str, got {type(name).__name__} {name!r}")

    def decorate(forward: Callable[..., float]) -> Callable[..., Value]:
        if not callable(forward):
            raise TypeError(f"define_op must decorate a function, got {type(forward).__name__} {forward!r}")
        op_name = name or getattr(forward, "__name__", "op")
        arity = _positional_count(forward, f"forward {op_name!r}")
        if arity is None:
            raise TypeError(f"define_op: forward {op_name!r} must take a fixed number of inputs, not *args")
        if arity != len(derivatives):
            raise TypeError(f"define_op: {op_name!r} takes {arity} input(s) but {len(derivatives)} "
                            f"derivative function(s) were given; give one per input")
        for i, d in enumerate(derivatives):
            if not _accepts(d, arity + 1):
                taken = _positional_count(d, f"derivative {i + 1} of {op_name!r}")
                raise TypeError(f"define_op: derivative {i + 1} of {op_name!r} takes {taken} argument(s); "
                                f"it must take the {arity} input(s) and the output ({arity + 1} in all)")

        local_grads = _make_local_grads(tuple(derivatives), op_name)
        module, qualname = getattr(forward, "__module__", None), getattr(forward, "__qualname__", None)
        source = (module, qualname) if isinstance(module, str) and isinstance(qualname, str) else None
        op = Op(op_name, _input_names(forward, arity), forward, local_grads, source=source)

        @functools.wraps(forward)
        def op_function(*args: Any) -> Value:
            if len(args) != arity:
                raise TypeError(f"{op_name}() takes {arity} input(s), got {len(args)}")
            inputs = []
            for i, arg in enumerate(args):
                value = _lift(arg)
                if value is None:
                    raise TypeError(f"{op_name}() input {i + 1} must be a Value or a real number, "
                                    f"got {type(arg).__name__} {arg!r}")
                inputs.append(value)
            return apply(op, *inputs)  # a failing forward's error names the op and the inputs there

        op_function.__name__ = op_function.__qualname__ = op_name  # the op's name, also when name= is given
        op_function.op = op  # type: ignore[attr-defined]
        return op_function

    return decorate
