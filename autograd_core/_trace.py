"""Tracing for ``compile``: run ``f`` on Values, compare two graphs, record guards on the inputs.

A trace is ``f`` run once on input ``Value``s with graph recording on; the
graph is then the list of its nodes in topological order. ``_signature`` turns
that list into plain comparable data (ops, parent positions, constants), so two
traces can be compared: that is how ``compile`` tells parameters from constants
and how ``check`` sees that ``f`` took another path.

Guards are the cheap check. During the first trace each input's ``.data`` is a
``_TracedFloat``: a float whose comparisons (``x.data > 0``, ``if x.data:``,
``max(x.data, 1.0)``) are recorded with their results. A compiled call first
re-evaluates them on its own inputs; if one comes out differently, ``f`` may
take another path, and the call traces ``f`` again to find out. Only
comparisons made directly on an input's ``.data`` are seen: not numbers
derived from it (``x.data * 2 > 1``, ``int(x.data)``), not the ``.data`` of
other nodes or of parameters.
"""

from __future__ import annotations

import inspect
import numbers
import operator
import os
import sys
from typing import Any, Callable, NamedTuple

from .ops import OPS, Op
from .value import Value, enable_grad

__all__ = ["TraceMismatchError", "Guard"]


class TraceMismatchError(RuntimeError):
    """A call's inputs make ``f`` build another graph than the one that was compiled."""



# ------------------------------------------------------------------ guards
_ENGINE_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}


class Guard(NamedTuple):
    """A comparison ``f`` made on an input's ``.data`` during the trace, and its result then."""

    input: int  # which input
    op: str  # "<", "<=", ">", ">=", "==" or "!="
    other: float  # the number it was compared with (ignored when other_input is set)
    other_input: int | None  # or the other input it was compared with
    result: bool

    def holds(self, inputs: tuple[float, ...]) -> bool:
        """True when the comparison gives the traced result on these inputs."""
        other = self.other if self.other_input is None else inputs[self.other_input]
        return _COMPARE[self.op](inputs[self.input], other) == self.result

    def describe(self, names: tuple[str, ...]) -> str:
        other = repr(self.other) if self.other_input is None else names[self.other_input]
        return f"{names[self.input]} {self.op} {other} was {self.result}"


class _GuardLog:
    """The comparisons of one trace, with the code that made each; recording stops when the trace ends."""

    def __init__(self) -> None:
        self.active = True
        self.entries: dict[tuple, tuple[bool, Any]] = {}

    def record(self, index: int, op: str, other: Any, result: Any) -> None:
        if not self.active or not isinstance(result, bool):
            return
        if isinstance(other, _TracedFloat):
            key = (index, op, 0.0, other._index)
        elif isinstance(other, numbers.Real):
            key = (index, op, float(other), None)
        else:
            return
        self.entries.setdefault(key, (result, sys._getframe(2).f_code))  # 2: the comparing code

    def guards(self, order: list[Value]) -> tuple[Guard, ...]:
        """The comparisons made by ``f``, not by the forwards of the ops in the graph (``x <= 0`` in log)."""
        ops = [node.operation for node in order if node.operation is not None] + list(OPS.values())
        in_ops = {op.forward.__code__ for op in ops if hasattr(op.forward, "__code__")}
        return tuple(Guard(*key, result) for key, (result, code) in self.entries.items()
                     if code not in in_ops and not code.co_filename.startswith(_ENGINE_FOLDER))


class _TracedFloat(float):
    """An input's ``.data`` during the first trace: a float that records its comparisons."""

    __slots__ = ("_log", "_index")
    __hash__ = float.__hash__

    def __new__(cls, value: float, log: _GuardLog, index: int) -> "_TracedFloat":
        self = super().__new__(cls, value)
        self._log, self._index = log, index
        return self

    def __bool__(self) -> bool:
        result = float.__ne__(self, 0.0)
        self._log.record(self._index, "!=", 0.0, result)
        return result

    def __repr__(self) -> str:
        return float.__repr__(self)


def _recording(op: str, compare: Callable[[float, Any], Any]) -> Callable[[_TracedFloat, Any], Any]:
    def method(self: _TracedFloat, other: Any) -> Any:
        result = compare(self, other)
        self._log.record(self._index, op, other, result)
        return result

    method.__name__ = compare.__name__
    return method


for _op, _name in (("<", "__lt__"), ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__"),
                   ("==", "__eq__"), ("!=", "__ne__")):
    setattr(_TracedFloat, _name, _recording(_op, getattr(float, _name)))


def _traced_inputs(numbers_: list[float], labels: list[str], log: _GuardLog | None) -> list[Value]:
    """Input Values for a trace; with a log, their ``.data`` records comparisons."""
    inputs = [Value(x, label) for x, label in zip(numbers_, labels)]
    if log is not None:
        for i, x in enumerate(inputs):
            x._data = _TracedFloat(x.data, log, i)  # a float subclass: .data would convert it
    return inputs


# ------------------------------------------------------------------- tracing
def _parameter_names(f: Callable[..., Any], count: int) -> list[str]:
    """Labels for the input Values: ``f``'s positional parameter names, then x0, x1, ..."""
    try:
        params = inspect.signature(f).parameters.values()
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):  # builtins without a signature
        names = []
    return names[:count] + [f"x{i}" for i in range(len(names), count)]


def _run(f: Callable[..., Any], inputs: list[Value], name: str) -> Value:
    """Call ``f`` on Values with graph recording on; the output must be one Value."""
    with enable_grad():
        out = f(*inputs)
    if isinstance(out, Value):
        return out
    hint = ""
    if isinstance(out, (tuple, list)):
        hint = "; compile differentiates one scalar output: return one Value (a sum, or one output at a time)"
    elif isinstance(out, numbers.Real):
        hint = "; build the result from the input Values (x * 2), not from their .data"
    raise TypeError(f"compile: {name}() must return a Value, got {type(out).__name__} {out!r}{hint}")


def _leaves_left_to_right(root: Value) -> list[Value]:
    """The leaves under ``root`` in reading order (``w * x + b``: w, x, b)."""
    leaves, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.parents:
            stack.extend(reversed(node.parents))
        else:
            leaves.append(node)
    return leaves


def _needs_grad(order: list[Value], live_leaves: set[Value]) -> set[Value]:
    """The nodes that depend on an input or a parameter; the rest are constants."""
    live = set()
    for node in order:
        parents = node.parents
        if (node in live_leaves) if not parents else any(p in live for p in parents):
            live.add(node)
    return live


def _signature(order: list[Value], inputs: list[Value], param_index: dict[Value, int]) -> list[tuple]:
    """The graph as comparable data: one entry per node, parents as positions in ``order``."""
    position = {node: i for i, node in enumerate(order)}
    input_index = {x: i for i, x in enumerate(inputs)}
    live = _needs_grad(order, set(input_index) | set(param_index))
    entries = []
    for node in order:
        if node not in live:
            entries.append(("constant", repr(node.data)))
        elif node in input_index:
            entries.append(("input", input_index[node]))
        elif node in param_index:
            entries.append(("parameter", param_index[node]))
        else:
            entries.append((node.operation, tuple(position[p] for p in node.parents)))
    return entries


def _show(entry: tuple | None) -> str:
    if entry is None:
        return "nothing"
    kind, detail = entry
    if isinstance(kind, Op):
        return f"op {kind.name!r} of nodes {list(detail)}"
    return f"{kind} {detail}"


def _first_difference(old: list[tuple], new: list[tuple]) -> str:
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a != b:
            return f"node {i} was {_show(a)} when compiled, now {_show(b)}"
    return "no difference"


