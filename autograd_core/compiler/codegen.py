"""Code generation: a ``TracedGraph`` written out as one Python program, in one of three shapes.

Every program is the same lines (``lines.py``): the forward pass one line per
live node, then the backward pass in the order ``backward()`` visits the
nodes, one ``g_parent = / += g_node * local`` line per edge. What differs is
around them:

* ``mode``: ``"call"`` is a function of one example's numbers; ``"rows"`` loops
  over a batch's examples inside the function, parameters read once and their
  gradients summed in locals; ``"arrays"`` runs once over a batch held as one
  numpy array per input (``arrays.py`` binds the elementwise helpers);
* layout: a graph of up to ``INLINE_LIMIT`` nodes is one function whose
  variables are locals (the fast form); a bigger one is a list ``v`` of values
  and ``g`` of gradients (``P`` and ``G`` for the parameters) updated by block
  functions of ``BLOCK_LINES`` lines each. CPython compiles small functions in
  time and memory proportional to their length, a single huge one in neither,
  so blocks keep compiling linear.

``Program`` compiles and keeps the result, and knows which node each line
belongs to, so that a failing call can name the op and the line.
"""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar

from ..ops import RULE_HELPERS, Op
from ..value import Value
from .expressions import ARRAY_DIALECT, SCALAR_DIALECT
from .lines import Blocked, Inline, Line, Lines
from .names import GRAD_PREFIX
from .trace import TracedGraph

__all__ = ["Program", "Bindings", "SCALAR_BINDINGS", "ExampleError", "INLINE_LIMIT", "BLOCK_LINES"]

INLINE_LIMIT = 5000  # live nodes; above it the program is written in blocks
BLOCK_LINES = 200  # lines per block function


class _Unit(NamedTuple):
    """One compiled piece of a program: its source and where its lines are in the whole."""

    text: str
    code: Any  # the compiled function's code object
    first_line: int  # of the whole program's source
    nodes: list[Value | None]  # local line number - 1 -> the node the line computes (or None)
    backward_from: int  # the first local line number of the backward pass


class Program:
    """A trace compiled to one Python function in one mode (``"call"``, ``"rows"`` or ``"arrays"``).

    Attributes:
        source: the generated code.
        function: the compiled function.
        layout: how variables are held (``read`` finds a node's number in a running frame).
    """

    def __init__(self, trace: TracedGraph, mode: str, accumulate: bool, bindings: Bindings) -> None:
        self.trace, self.mode, self.accumulate = trace, mode, accumulate
        self.layout = Blocked(trace) if len(trace.live) > INLINE_LIMIT else Inline(trace)
        dialect = ARRAY_DIALECT if mode == "arrays" else SCALAR_DIALECT
        summed = set(trace.params) if (mode != "call" or self.layout.blocked) else set()
        # A single call's program in one function is the one people read: one line per node and per edge.
        lines = Lines(trace, self.layout, dialect, summed, compact=mode != "call" or self.layout.blocked)
        namespace = {**bindings.namespace, "params": trace.params}
        namespace.update((name, bindings.forward(op)) for op, name in trace.functions.items())
        namespace.update((name, bindings.local_grads(op)) for op, name in trace.local_grads_functions.items())
        if self.layout.blocked:
            self.units, self.function = _BlockedWriter(self, self.layout, lines, namespace).write()
        else:
            self.units, self.function = _InlineWriter(self, lines, namespace).write()
        self.source = "".join(unit.text for unit in self.units)
        self._by_code = {unit.code: unit for unit in self.units}
        self._fused = lines.fused

    def read(self, frame_locals: dict[str, Any], node: Value) -> Any:
        """The number ``node`` holds in a running program's frame (a fused node's is computed again)."""
        op = node.op
        if node in self._fused and op is not None:  # (a fused node has an op)
            return op.forward(*[self.read(frame_locals, p) for p in node.parents])
        return self.layout.read(frame_locals, node)

    def locate(self, exc: BaseException) -> tuple[Any, int, _Unit] | None:
        """(frame, local line number, unit) of the generated line ``exc`` was raised in, or None."""
        tb = exc.__traceback__
        found = None
        while tb is not None:
            unit = self._by_code.get(tb.tb_frame.f_code)
            if unit is not None:
                found = (tb.tb_frame, tb.tb_lineno, unit)
            tb = tb.tb_next
        return found


def _compile_unit(
    program: Program,
    text: str,
    first_line: int,
    nodes: list[Value | None],
    backward_from: int,
    namespace: dict[str, Any],
    name: str,
) -> tuple[_Unit, Callable[..., Any]]:
    """Compile one piece of source and bind it in ``namespace``; the unit keeps which node each line computes."""
    filename = f"<compiled {program.trace.name}, from line {first_line}>"
    exec(builtins.compile(text, filename, "exec"), namespace)  # noqa: S102 - our own generated code
    function = namespace[name]
    return _Unit(text, function.__code__, first_line, nodes, backward_from), function


class _InlineWriter:
    """The program as one function whose variables are locals."""

    def __init__(self, program: Program, lines: Lines, namespace: dict[str, Any]) -> None:
        self.program, self.trace, self.lines, self.namespace = program, program.trace, lines, namespace
        self.text: list[str] = []
        self.nodes: list[Value | None] = []
        self.with_grad = _with_grad(program.trace)

    def emit(self, text: str, depth: int = 1, node: Value | None = None) -> None:
        self.text.append("    " * depth + text + "\n")
        self.nodes.append(node)

    def write(self) -> tuple[list[_Unit], Callable[..., tuple[Any, ...]]]:
        trace, program, names = self.trace, self.program, self.trace.names
        mode = program.mode
        inputs = [names[x] for x in trace.inputs]
        header = {"call": ", ".join(inputs), "rows": "rows", "arrays": ", ".join(["n", *inputs])}[mode]
        function_name = trace.name if mode == "call" else f"{trace.name}_{mode}"
        self.emit(f"def {function_name}({header}):", 0)
        for guard in trace.guards:
            self.emit(f"# traced where {guard.describe(inputs)}: a call where that changes is traced again")
        reached = [p for p in trace.params if p in trace.live]  # the parameters the outputs (and aux) depend on
        if reached:
            self.emit(
                "# parameters: read "
                + (
                    "at every call, so that updates are seen"
                    if mode == "call"
                    else "once, so that updates made before the call are seen"
                )
            )
            for i, p in enumerate(trace.params):
                if p in reached:
                    self.emit(f"{names[p]} = params[{i}].data")
            for p in self.lines.summed:
                if p in reached and p in self.with_grad:
                    self.emit(f"{GRAD_PREFIX}{names[p]} = 0.0")
        depth = 1
        if mode == "rows":
            self.emit("outputs, input_grads, auxes = [], [], []")
            self.emit(f"for {'(' + ', '.join(inputs) + ',)' if inputs else '_'} in rows:")
            depth = 2
        backward_from = self._body(depth)
        self._finish([p for p in reached if p in self.with_grad], depth)
        unit, function = _compile_unit(
            program, "".join(self.text), 1, self.nodes, backward_from, self.namespace, function_name
        )
        return [unit], function

    def _body(self, depth: int) -> int:
        lines, backward_from = self.lines, None
        forward = list(lines.forward())
        if forward:
            self.emit("# forward: one line per node", depth)
            for line in forward:
                self.emit(line.text, depth, line.node)
        for line in lines.backward():
            if backward_from is None:
                self.emit(
                    "# backward: nodes in reverse topological order, g_parent += g_node * d node / d parent", depth
                )
                backward_from = len(self.nodes) + 1
            self.emit(line.text, depth, line.node)
        return backward_from or len(self.nodes) + 1

    def _finish(self, reached: list[Value], depth: int) -> None:
        """The end of the program: gradients added into ``.grad`` (``reached``: the parameters that have one)."""
        trace, program, layout = self.trace, self.program, self.program.layout
        grads = [layout.grad(x) if x in self.with_grad else "0.0" for x in trace.inputs]
        param_grads = [layout.grad(p) if p in reached else "0.0" for p in trace.params]
        out, aux = layout.value(trace.output), [layout.value(a) for a in trace.aux]
        if program.mode == "rows":
            self.emit(f"outputs.append({out})", depth)
            self.emit(f"input_grads.append(({', '.join(grads)}{',' if grads else ''}))", depth)
            if aux:
                self.emit(f"auxes.append(({', '.join(aux)},))", depth)
        if program.mode == "arrays":
            out, aux, grads = (
                f"broadcast({out}, n)",
                [f"broadcast({a}, n)" for a in aux],
                [f"broadcast({g}, n)" for g in grads],
            )
        if program.accumulate and reached:
            self.emit("# parameters: gradients added into .grad, as backward() does")
            for i, p in enumerate(trace.params):
                if p in reached:
                    self.emit(f"params[{i}].grad += {layout.grad(p)}")
        self.emit(_return(program, out, grads, param_grads, aux))


def _with_grad(trace: TracedGraph) -> set[Value]:
    """The live nodes of the output's own graph: the ones the backward pass gives a gradient variable.

    An input or parameter read only by the aux outputs, or every node when the
    output is a constant, has none: its gradient is the number 0.0.
    """
    if trace.output not in trace.live:
        return set()
    return trace.live.intersection(trace.order[: trace.output_graph_size])


def _return(program: Program, out: str, grads: list[str], param_grads: list[str], aux: list[str]) -> str:
    """The return line.

    (output, gradients[, aux]) for a call; (outputs, input_grads, param_grads, auxes) for a batch.
    """

    def packed(items: list[str]) -> str:
        return f"({', '.join(items)}{',' if len(items) == 1 else ''})"

    if program.mode == "call":
        gradients = grads if program.accumulate else [*grads, *param_grads]
        return f"return {out}, {packed(gradients)}" + (f", {packed(aux)}" if program.trace.has_aux else "")
    if program.mode == "rows":
        return f"return outputs, input_grads, {packed(param_grads)}, auxes"
    return f"return {out}, {packed(grads)}, {packed(param_grads)}, {packed(aux)}"


class _BlockedWriter:
    """The program as block functions of ``BLOCK_LINES`` lines over the lists ``v``, ``g``, ``P``, ``G``."""

    def __init__(self, program: Program, layout: Blocked, lines: Lines, namespace: dict[str, Any]) -> None:
        self.program, self.trace, self.lines, self.namespace = program, program.trace, lines, namespace
        self.layout = layout  # the program's
        self.units: list[_Unit] = []
        self.line = 1  # the next line number of the whole source

    def write(self) -> tuple[list[_Unit], Callable[..., tuple[Any, ...]]]:
        blocks = []
        head = self._head_text()
        self.line += head.count("\n")
        pending: list[Line] = []
        for line in _merged(_chain(self.lines.forward(), self.lines.backward())):
            pending.append(line)
            if len(pending) == BLOCK_LINES:
                blocks.append(self._block(pending))
                pending = []
        if pending:
            blocks.append(self._block(pending))
        self.namespace["BLOCKS"] = tuple(blocks)
        unit, function = _compile_unit(
            self.program, head, 1, [None] * head.count("\n"), 10**12, self.namespace, self._function_name()
        )
        return [unit, *self.units], function

    def _function_name(self) -> str:
        mode = self.program.mode
        return self.trace.name if mode == "call" else f"{self.trace.name}_{mode}"

    def _block(self, lines: list[Line]) -> Callable[..., Any]:
        text = f"def block({self._block_args()}):\n" + "".join(f"    {line.text}\n" for line in lines)
        nodes = [None, *(line.node for line in lines)]
        backward_from = next((i + 2 for i, line in enumerate(lines) if line.backward), 10**12)
        unit, function = _compile_unit(self.program, text, self.line, nodes, backward_from, self.namespace, "block")
        self.units.append(unit)
        self.line += len(lines) + 1
        return function

    def _block_args(self) -> str:
        return "v, g, P, G, n" if self.program.mode == "arrays" else "v, g, P, G"

    def _head_text(self) -> str:
        """The function that holds the lists and runs the blocks."""
        trace, program, layout = self.trace, self.program, self.layout
        mode, n_inputs = program.mode, len(trace.inputs)
        inputs = [trace.names[x] for x in trace.inputs]
        header = {"call": ", ".join(inputs), "rows": "rows", "arrays": ", ".join(["n", *inputs])}[mode]
        body = [
            f"v = [0.0] * {len(layout.slot)}",
            f"g = [0.0] * {len(layout.slot)}",
            "P = [p.data for p in params]",
            "G = [0.0] * len(P)",
        ]
        run = ["for block in BLOCKS:", f"    block({self._block_args()})"]
        out = layout.value(trace.output)
        grads = [layout.grad(x) for x in trace.inputs]
        aux = [layout.value(a) for a in trace.aux]
        if mode == "rows":
            body += ["outputs, input_grads, auxes = [], [], []", "for row in rows:"]
            if n_inputs:
                body.append(f"    {', '.join(f'v[{layout.slot[x]}]' for x in trace.inputs)}, = row")
            body += ["    " + line for line in run]
            body += [f"    outputs.append({out})", f"    input_grads.append(({''.join(g + ', ' for g in grads)}))"]
            if aux:
                body.append(f"    auxes.append(({''.join(a + ', ' for a in aux)}))")
        else:
            body += [f"v[{layout.slot[x]}] = {name}" for x, name in zip(trace.inputs, inputs)] + run
        if mode == "arrays":
            out, grads, aux = (
                f"broadcast({out}, n)",
                [f"broadcast({x}, n)" for x in grads],
                [f"broadcast({a}, n)" for a in aux],
            )
        if program.accumulate:
            body.append("for p, gradient in zip(params, G):")
            body.append("    p.grad += gradient")
        body.append(_return(program, out, grads, ["*G"], aux))
        guards = [
            f"# traced where {guard.describe(trace.input_names)}: a call where that changes is traced again"
            for guard in trace.guards
        ]
        return f"def {self._function_name()}({header}):\n" + "".join(f"    {line}\n" for line in guards + body)


_T = TypeVar("_T")


def _chain(*iterables: Iterable[_T]) -> Iterator[_T]:
    for iterable in iterables:
        yield from iterable


_PARAMETER_ADD = re.compile(r"G\[(\d+)\] \+= (.*)")
_MERGE = 8  # consecutive parameters given the same contribution that become one loop
_END = Line("", None, False)  # after the last line: ends the last run


def _merged(lines: Iterator[Line]) -> Iterator[Line]:
    """``lines``, with each run of ``G[k] += same`` for consecutive k written as one loop.

    Python's ``sum`` of a million parameters gives each the same gradient, one
    line apiece; as a loop it is one line. ``same`` reads no ``G``, so adding
    it in a loop adds the same number.
    """
    run: list[tuple[int, str, Line]] = []
    for line in _chain(lines, [_END]):
        match = _PARAMETER_ADD.fullmatch(line.text)
        if (
            match
            and "G[" not in match.group(2)
            and run
            and match.group(2) == run[-1][1]
            and (len(run) == 1 or int(match.group(1)) - run[-1][0] == run[-1][0] - run[-2][0])
            and abs(int(match.group(1)) - run[-1][0]) == 1
        ):
            run.append((int(match.group(1)), match.group(2), line))
            continue
        if len(run) >= _MERGE:
            first, last, step = run[0][0], run[-1][0], run[1][0] - run[0][0]
            yield Line(f"for i in range({first}, {last + step}, {step}): G[i] += {run[0][1]}", run[0][2].node, True)
        else:
            yield from (entry[2] for entry in run)
        run = [(int(match.group(1)), match.group(2), line)] if match and "G[" not in match.group(2) else []
        if not run and line is not _END:
            yield line


class Bindings(NamedTuple):
    """What a program's global names stand for: helpers, and each op's forward and ``local_grads``."""

    namespace: dict[str, Any]
    forward: Callable[[Op], Callable[..., Any]]
    local_grads: Callable[[Op], Callable[..., Any]]


# Plain floats: the rule helpers and the ops' own functions work on them as they are.
SCALAR_BINDINGS = Bindings(
    {"inf": math.inf, "nan": math.nan, **RULE_HELPERS}, lambda op: op.forward, lambda op: op.local_grads
)


class ExampleError(Exception):
    """An op failed on one example of a batch: its index, and the error a single call would have raised."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error
