"""Grad modes: whether ops record the graph (``no_grad``, ``enable_grad``) and check it (``detect_anomaly``).

``detect_anomaly`` itself, a mode block like the others, is in ``anomaly.py``.

The mode is per thread. ``MODE.fast`` is the one flag the node-making code in
``value.py`` reads: True when an op may record its parents without any check.
Inside ``no_grad`` or ``detect_anomaly`` it is False, and ops take the slower
path that does what the mode asks, so neither mode costs the common path
anything.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

__all__ = ["MODE", "ModeBlock", "no_grad", "enable_grad", "is_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _Mode(threading.local):
    """This thread's mode: recording on or off, the depth of ``detect_anomaly`` blocks, and the fast flag."""

    enabled = True
    anomaly = 0  # depth of nested detect_anomaly blocks
    fast = True  # enabled and not anomaly: the one flag the ops read
    compared: list[tuple[Any, str, Any, bool]] | None = None
    """While the compiler traces ``f``: the comparisons and truth tests made on Values (each a guard of the
    compiled code), as (value, "<", other, result); None otherwise."""

    def __init__(self) -> None:
        self.saved: list[tuple[bool, int]] = []  # the modes to restore, innermost block last

    def set(self, enabled: bool, anomaly: int) -> None:
        self.enabled, self.anomaly = enabled, anomaly
        self.fast = enabled and not anomaly


MODE = _Mode()


def is_grad_enabled() -> bool:
    """True when ops in this thread record their parents (outside ``no_grad``)."""
    return MODE.enabled


class ModeBlock:
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
        MODE.saved.append((MODE.enabled, MODE.anomaly))
        MODE.set(*self._mode_inside())

    def __exit__(self, *exc: object) -> None:
        MODE.set(*MODE.saved.pop())

    def __call__(self, func: F) -> F:
        name = f"{type(self).__name__}()"
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            raise TypeError(
                f"@{name} cannot decorate the coroutine {getattr(func, '__qualname__', func)!r}: the mode is per "
                f"thread, so it would leak into other tasks at every await; use `with {name}:` around code "
                "with no await inside"
            )
        block = type(self)
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                return (yield from _generator_in_mode(func(*args, **kwargs), block))

            return generator  # type: ignore[return-value]  # a wrapper with func's signature

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with block():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # a wrapper with func's signature


def _generator_in_mode(gen: Generator[Any, Any, Any], block: type[ModeBlock]) -> Generator[Any, Any, Any]:
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
        except BaseException as exc:  # noqa: BLE001 - all go on to gen, as in `yield from`
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


class no_grad(ModeBlock):
    """Context manager (and decorator) inside which ops record no graph, in this thread.

    Results computed inside are leaves: they have data but no parents, so
    nothing flows back through them. Nesting is safe; the previous mode is
    restored on exit, even when an exception leaves the block.
    """

    def _mode_inside(self) -> tuple[bool, int]:
        return False, MODE.anomaly


class enable_grad(ModeBlock):
    """Context manager (and decorator) that turns graph recording back on inside a ``no_grad`` block."""

    def _mode_inside(self) -> tuple[bool, int]:
        return True, MODE.anomaly
