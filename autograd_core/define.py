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
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from .ops import Op
from .value import Value, _lift, apply

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


def _input_names(forward: Callable[..., Any], arity: int) -> tuple[str, ...]:
    """The forward's parameter names (x, y, ... when it has no signature)."""
    try:
        names = [p.name for p in inspect.signature(forward).parameters.values()][:arity]
    except (TypeError, ValueError):
        names = []
    return tuple(names) if len(names) == arity else tuple(f"x{i}" for i in range(arity))


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

    def decorate(forward: Callable[..., float]) -> Callable[..., Value]:
        op_name = name or getattr(forward, "__name__", "op")
        arity = _positional_count(forward, f"forward {op_name!r}")
        if arity is None:
            raise TypeError(f"define_op: forward {op_name!r} must take a fixed number of inputs, not *args")
        if arity != len(derivatives):
            raise TypeError(f"define_op: {op_name!r} takes {arity} input(s) but {len(derivatives)} "
                            f"derivative function(s) were given; give one per input")
        for i, d in enumerate(derivatives):
            taken = _positional_count(d, f"derivative {i + 1} of {op_name!r}")
            if taken is not None and taken != arity + 1:
                raise TypeError(f"define_op: derivative {i + 1} of {op_name!r} takes {taken} argument(s); "
                                f"it must take the {arity} input(s) and the output ({arity + 1} in all)")

        def local_grads(*args: Any) -> tuple:
            return tuple(d(*args) for d in derivatives)

        op = Op(op_name, _input_names(forward, arity), forward, local_grads, derivatives=tuple(derivatives))

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
            return apply(op, *inputs)

        op_function.op = op  # type: ignore[attr-defined]
        return op_function

    return decorate
