"""``detect_anomaly``: find the first op or gradient that turns a number into nan or infinity.

Outside the block the engine pays nothing: ``value.py`` makes nodes on its
fast path while ``MODE.fast`` is True, and inside the block it calls
``check_new_node`` for every node and ``checked_backward`` for the backward
pass. Each check names the op, its inputs' labels and numbers, and the line
of the user's code that built the node.
"""

from __future__ import annotations

import math
import threading
import traceback
from collections.abc import Sequence
from typing import Any

from .errors import NonFiniteError, call_text, describe
from .modes import MODE, ModeBlock

__all__ = [
    "detect_anomaly",
    "check_new_node",
    "checked_backward",
    "check_grad_step",
    "built_at",
    "user_code_line",
    "remembered_nodes",
]


class _BuiltAt(threading.local):
    """Per thread, under detect_anomaly: node -> the line of user code that built it."""

    def __init__(self) -> None:
        self.lines: dict[Any, str] = {}


_BUILT_AT = _BuiltAt()


class detect_anomaly(ModeBlock):
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
        return MODE.enabled, MODE.anomaly + 1

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if not MODE.anomaly:
            _BUILT_AT.lines.clear()  # the outermost block ends: let the nodes go


_ENGINE_PACKAGE = __name__.rpartition(".")[0]


def user_code_line() -> str:
    """``file:line in function: source`` of the innermost caller outside this package ('' if none)."""
    for frame, lineno in traceback.walk_stack(None):
        if not frame.f_globals.get("__name__", "").startswith(_ENGINE_PACKAGE + "."):
            summary = traceback.FrameSummary(frame.f_code.co_filename, lineno, frame.f_code.co_name)
            source = f": {summary.line}" if summary.line else ""
            return f"{summary.filename}:{lineno} in {summary.name}{source}"
    return ""


def built_at(node: Any) -> str:
    """Where ``node`` was built, if it was built inside ``detect_anomaly`` in this thread ('' otherwise)."""
    return _BUILT_AT.lines.get(node, "")


def remembered_nodes() -> int:
    """How many nodes this thread remembers the building line of (for tests: it must not grow step by step)."""
    return len(_BUILT_AT.lines)


def check_new_node(out: Any, op: Any, inputs: Sequence[Any]) -> None:
    """Note where ``out`` was built; raise if it is its graph's first nan or infinity."""
    _BUILT_AT.lines[out] = user_code_line()
    data = out._data
    if math.isfinite(data):
        return
    numbers_in = [x._data for x in inputs]
    if data != data:
        first = not any(x != x for x in numbers_in)
    else:
        first = all(math.isfinite(x) for x in numbers_in)
    if first:
        shown, where = call_text(op.name, inputs)
        kind = "nan" if data != data else repr(data)
        raise NonFiniteError(
            f"detect_anomaly: {shown} = {kind}, the first {'nan' if kind == 'nan' else 'infinity'} "
            f"of this graph; {where}; built at {built_at(out) or 'an unknown line'}"
        )


def checked_backward(order: Sequence[Any]) -> None:
    """The backward pass's steps, outputs first, stopping at the first gradient that becomes nan or infinite.

    After a pass that found nothing, the lines of its nodes are forgotten: the
    block would otherwise keep every node of every step alive until it ends.
    """
    for node in order:
        parents = node.parents
        before = [p.grad for p in parents]
        node._backward()
        for index, (parent, old) in enumerate(zip(parents, before)):
            if math.isfinite(parent.grad) or not math.isfinite(old):
                continue
            local = _local(node, index)
            where = built_at(node)
            raise NonFiniteError(
                f"detect_anomaly: in backward, the gradient of {describe(parent)} became {parent.grad!r} at the "
                f"step of node {describe(node)} (op {str(node.op)!r}): upstream gradient {node.grad!r} x local "
                f"derivative {local!r}" + (f"; the node was built at {where}" if where else "")
            )
    lines = _BUILT_AT.lines
    for node in order:
        lines.pop(node, None)


def check_grad_step(node: Any, parent: Any, upstream: Any, local: Any, before: Any, after: Any) -> None:
    """One step of ``grad()`` (floats, or Values with ``create_graph``): raise at a gradient that became nan or inf.

    The same rule as ``checked_backward``: a gradient that was finite (or not
    yet started) and is not any more, naming the node and its local derivative.
    """
    number = getattr(after, "data", after)
    started = getattr(before, "data", before)
    if math.isfinite(number) or (started is not None and not math.isfinite(started)):
        return
    where = built_at(node)
    raise NonFiniteError(
        f"detect_anomaly: in grad(), the gradient of {describe(parent)} became {number!r} at the step of node "
        f"{describe(node)} (op {node.op.name!r}): upstream gradient {getattr(upstream, 'data', upstream)!r} x local "
        f"derivative {getattr(local, 'data', local)!r}" + (f"; the node was built at {where}" if where else "")
    )


def _local(node: Any, index: int) -> float:
    """``d node / d parent`` for the node's parent at ``index``, from the op table."""
    parents = node.parents
    local: float = node.op.local_grads(*[p._data for p in parents], node._data)[index]
    return local
