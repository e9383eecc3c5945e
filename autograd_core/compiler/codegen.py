"""Code generation: a ``Trace`` written out as one Python program, in one of three shapes.

Every program is the same lines: the forward pass one line per live node (from
``Op.forward_expr``, or a call of the op's forward through the program's
globals), then the backward pass in the order ``backward()`` visits the nodes,
one ``g_parent = / += g_node * local`` line per edge (the local derivative
from ``Op.derivative_exprs``, or a call of a user op's ``local_grads``). What
differs is around them:

* ``mode``: ``"call"`` is a function of one example's numbers; ``"rows"`` loops
  over a batch's examples inside the function, parameters read once and their
  gradients summed in locals; ``"arrays"`` runs once over a batch held as one
  numpy array per input (``arrays.py`` gives the elementwise helpers);
* ``layout``: a graph of up to ``INLINE_LIMIT`` nodes is one function whose
  variables are locals (the fast form); a bigger one is a list ``v`` of values
  and ``g`` of gradients (``P`` and ``G`` for the parameters) updated by block
  functions of ``BLOCK_LINES`` lines each. CPython compiles small functions in
  time and memory proportional to their length, a single huge one in neither,
  so blocks keep compiling linear; a long run of parameters in a ``sum`` is
  written as one slice and one loop, not one line per term.

``Program`` compiles and keeps the result, and knows which node each line
belongs to, so that a failing call can name the op and the line.
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
import re
from typing import Any, Callable, Iterator, NamedTuple

from ..ops import RULE_HELPERS, Op
from ..value import Value
from .layers import Layer, find_layers
from .names import GRAD_PREFIX, MATRIX_PREFIX
from .trace import Trace

__all__ = ["Program", "Bindings", "SCALAR_BINDINGS", "ExampleError", "is_atom", "is_elementwise", "INLINE_LIMIT", "BLOCK_LINES"]

INLINE_LIMIT = 5000  # live nodes; above it the program is written in blocks
BLOCK_LINES = 200  # lines per block function
_RUN = 8  # parameters in a row that a sum reads as one slice
_FUSE_DEPTH = 3  # how deep one line's expression may nest the expressions of fused nodes
_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


# ------------------------------------------------------------ expressions
def _literal(x: float) -> str:
    """A float as source text; negative ones in parentheses so they substitute safely."""
    text = repr(float(x))
    return f"({text})" if text.startswith("-") else text


@functools.lru_cache(maxsize=None)
def _names_in(expr: str) -> frozenset[str]:
    """The identifiers an expression uses."""
    return frozenset(_IDENTIFIER.findall(expr))


@functools.lru_cache(maxsize=None)
def _names_count(expr: str, name: str) -> int:
    """How many times ``name`` appears in ``expr``."""
    return _IDENTIFIER.findall(expr).count(name)


@functools.lru_cache(maxsize=None)
def _template(expr: str, names: tuple[str, ...]) -> str:
    """A table expression as a format string, each of ``names`` a numbered field: 'x * y' -> '{0} * {1}'."""
    index = {name: i for i, name in enumerate(names)}
    escaped = expr.replace("{", "{{").replace("}", "}}")
    return _IDENTIFIER.sub(lambda m: "{%d}" % index[m.group(0)] if m.group(0) in index else m.group(0), escaped)


@functools.lru_cache(maxsize=None)
def _factor_template(expr: str, names: tuple[str, ...]) -> str:
    """``_template``, parenthesized unless the expression is an atom (operands are atoms, so it stays one)."""
    template = _template(expr, names)
    return template if is_atom(expr) else f"({template})"


def _parenthesized(expr: str) -> bool:
    """True when ``expr`` is one pair of parentheses around everything: ``(-1.0)``, not ``(a) * (b)``."""
    depth = 0
    for i, char in enumerate(expr):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i == len(expr) - 1 and char == ")"
    return False


@functools.lru_cache(maxsize=None)
def is_atom(expr: str) -> bool:
    """True for a name, a number, a call or a subscript: it can be an operand without parentheses."""
    node = ast.parse(expr, mode="eval").body
    return isinstance(node, (ast.Name, ast.Call, ast.Subscript, ast.Attribute, ast.Constant)) or _parenthesized(expr)


@functools.lru_cache(maxsize=None)
def is_elementwise(expr: str) -> bool:
    """True when ``expr`` is arithmetic and calls only (no ``if``, comparison or ``and``): numpy arrays can run it."""
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call, ast.Load, ast.operator,
               ast.unaryop, ast.Tuple, ast.Starred)
    return all(isinstance(node, allowed) for node in ast.walk(ast.parse(expr, mode="eval")))


def _times(upstream: str, local: str) -> str:
    """``upstream * local``; a local derivative of 1 or -1 is written as the upstream alone, or negated."""
    if local == "1.0":
        return upstream
    if local in ("-1.0", "(-1.0)"):
        return f"-{upstream}"
    return f"{upstream} * {local}"


class Dialect(NamedTuple):
    """How lines are written for one kind of variable: plain floats, or numpy arrays."""

    name: str
    accumulate: str  # a gradient's later contributions: "{0} += {1}" (floats) or "{0} = {0} + {1}" (arrays)
    sum_into: str  # a contribution {1} = upstream {2} x local {3} to a parameter's gradient, summed over a batch
    forward_expr: Callable[[Op], "str | None"]  # the op's forward as an expression, if this dialect can use it


SCALAR_DIALECT = Dialect("scalar", "{0} += {1}", "{0} += {1}", lambda op: op.forward_expr)
# Arrays are added out of place: an in-place += would also change an array another gradient still holds.
# A parameter's gradient is summed over the examples at once: one dot product instead of a product and a sum.
ARRAY_DIALECT = Dialect("arrays", "{0} = {0} + {1}", "{0} += batch_dot({2}, {3}, n)",
                        lambda op: op.forward_expr if op.forward_expr and is_elementwise(op.forward_expr) else None)


# ---------------------------------------------------------------- layouts
class _Inline:
    """One function; every node a local variable named after it."""

    blocked = False

    def __init__(self, trace: Trace) -> None:
        self.trace = trace

    def value(self, node: Value) -> str:
        return self.trace.names[node] if node in self.trace.live else _literal(node.data)

    def grad(self, node: Value) -> str:
        return GRAD_PREFIX + self.trace.names[node]

    def read(self, frame_locals: dict, node: Value) -> Any:
        """The number ``node`` held in a running program's frame."""
        if node not in self.trace.live:
            return node.data
        return frame_locals.get(self.trace.names[node], node.data)


class _Blocked:
    """Values in the list ``v``, gradients in ``g``; parameters' in ``P`` and ``G``."""

    blocked = True

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.param_index = {p: i for i, p in enumerate(trace.params)}
        self.slot: dict[Value, int] = {x: i for i, x in enumerate(trace.inputs)}
        for node in trace.order:
            if node in trace.live and node not in self.param_index and node not in self.slot:
                self.slot[node] = len(self.slot)

    def value(self, node: Value) -> str:
        if node not in self.trace.live:
            return _literal(node.data)
        index = self.param_index.get(node)
        return f"v[{self.slot[node]}]" if index is None else f"P[{index}]"

    def grad(self, node: Value) -> str:
        index = self.param_index.get(node)
        return f"g[{self.slot[node]}]" if index is None else f"G[{index}]"

    def read(self, frame_locals: dict, node: Value) -> Any:
        if node not in self.trace.live:
            return node.data
        index = self.param_index.get(node)
        try:
            return frame_locals["v"][self.slot[node]] if index is None else frame_locals["P"][index]
        except (KeyError, IndexError):
            return node.data

    def runs(self, parents: tuple[Value, ...]) -> Iterator[tuple[int, int] | Value]:
        """A sum's parents, with each run of ``_RUN`` or more consecutive parameters as (first, stop)."""
        i = 0
        while i < len(parents):
            start = self.param_index.get(parents[i])
            j = i + 1
            if start is not None:
                while j < len(parents) and self.param_index.get(parents[j]) == start + (j - i):
                    j += 1
            if j - i >= _RUN:
                yield (start, start + (j - i))
            else:
                yield from parents[i:j]
            i = j


# ------------------------------------------------------------------ lines
class _Line(NamedTuple):
    text: str
    node: Value | None  # the node whose op the line computes, for error messages
    backward: bool


def _local_expr(op: Op, j: int) -> str | None:
    """The table's expression for d out / d input ``j`` (None for a user op)."""
    if op.derivative_exprs is None:
        return None
    return op.derivative_exprs[0] if op.variadic else op.derivative_exprs[j]


@functools.lru_cache(maxsize=None)
def _backward_reads(op: Op) -> tuple[tuple[bool, tuple[int, ...]], ...]:
    """For each input j of a table op: whether d out / d input j reads ``out``, and which inputs it reads."""
    reads = []
    for expr in op.derivative_exprs:
        names = _names_in(expr)
        reads.append(("out" in names, tuple(k for k, name in enumerate(op.inputs) if name in names)))
    return tuple(reads)


class _Lines:
    """The forward and backward lines of one trace, in one layout and dialect.

    Two savings, planned once here, for the programs that are run rather than
    read (a batch's, or a graph too big to read; ``compact``). A node whose value only its one consumer's
    forward line reads (a neuron's product, read by its sum; not by any
    backward line) is not given a variable: its expression is written into
    that line (at most ``_FUSE_DEPTH`` deep). And a node whose one consumer's
    local derivative is 1 (the terms of a sum, the inputs of ``+``) has that
    consumer's gradient, so it gets no line of its own.
    """

    def __init__(self, trace: Trace, layout: _Inline | _Blocked, dialect: Dialect, summed: set[Value],
                 compact: bool) -> None:
        self.trace, self.layout, self.dialect = trace, layout, dialect
        self.summed = summed  # gradients that start at 0.0 before the lines (parameters summed over a batch)
        self.fused, self.aliased, layers = self._plan() if compact else (set(), set(), [])
        self._layers = {layer.sums[0]: (i, layer) for i, layer in enumerate(layers)}  # by its first sum
        self._in_layers = {node for layer in layers for node in (*layer.sums, *layer.replaced, *layer.activations)}

    def _plan(self) -> tuple[set[Value], set[Value], list[Layer]]:
        """(the nodes written into their consumer's line, the nodes whose gradient is their consumer's, and,
        over arrays, the layers computed as one matrix product)."""
        live, forward_expr = self.trace.live, self.dialect.forward_expr
        uses: dict[Value, int] = {}
        last_edge: dict[Value, tuple[bool, bool]] = {}  # node -> (fusable into, local derivative is 1)
        read_back: set[Value] = set()
        for node in self.trace.order:
            op = node.operation
            if op is None or node not in live:
                continue
            expr = forward_expr(op)
            for j, parent in enumerate(node.parents):
                if parent in live:
                    uses[parent] = uses.get(parent, 0) + 1
                    once = op.variadic or expr is None or _names_count(expr, op.inputs[j]) == 1
                    last_edge[parent] = (once, _local_expr(op, j) == "1.0")
            read_back.update(self._read_by_backward(node))
        layers = find_layers(self.trace, uses) if self.dialect is ARRAY_DIALECT and not self.layout.blocked else []
        kept = {self.trace.output, *self.trace.aux}  # and the layers' own nodes: never fused
        kept.update(node for layer in layers for node in (*layer.sums, *layer.replaced, *layer.inputs, *layer.activations))
        fused: set[Value] = set()
        depth: dict[Value, int] = {}
        for node in self.trace.order:
            op = node.operation
            if (op is None or node not in live or node in kept or uses.get(node) != 1 or node in read_back
                    or forward_expr(op) is None or not last_edge[node][0]):
                continue
            level = 1 + max((depth.get(p, 0) for p in node.parents), default=0)
            if level <= _FUSE_DEPTH:
                fused.add(node)
                depth[node] = level
        aliased = {node for node, (_, unit) in last_edge.items()
                   if unit and uses[node] == 1 and node.operation is not None and node not in self.summed}
        return fused, aliased, layers

    def _read_by_backward(self, node: Value) -> list[Value]:
        """The nodes whose values ``node``'s backward lines read."""
        op, parents, live = node.operation, node.parents, self.trace.live
        if op.derivative_exprs is None:  # a user op's local_grads gets every input and the output
            return [*parents, node]
        if op.variadic:  # one expression in xi (the input) and out, for every input
            names = _names_in(op.derivative_exprs[0])
            return ([node] if "out" in names else []) + ([p for p in parents if p in live] if "xi" in names else [])
        read = []
        for j, (out, inputs) in enumerate(_backward_reads(op)):
            if parents[j] in live:
                if out:
                    read.append(node)
                read.extend(parents[k] for k in inputs)
        return read

    # ------------------------------------------------------------ forward
    def forward(self) -> Iterator[_Line]:
        value, live, fused = self.layout.value, self.trace.live, self.fused
        expressions: dict[Value, str] = {}  # fused nodes waiting for their consumer
        for node in self.trace.order:
            if node.operation is None or node not in live:
                continue
            if node in self._in_layers:
                if node in self._layers:
                    for text in self._layer_forward(*self._layers[node]):
                        yield _Line(text, node, False)
                continue
            expr = self._forward_expr(node, expressions)
            if node in fused:
                expressions[node] = f"({expr})"
            else:
                yield _Line(f"{value(node)} = {expr}", node, False)

    def _operands(self, node: Value, expressions: dict[Value, str]) -> list[str]:
        value = self.layout.value
        if node.operation.variadic and self.layout.blocked:
            return [f"*P[{part[0]}:{part[1]}]" if isinstance(part, tuple) else expressions.pop(part, None) or value(part)
                    for part in self.layout.runs(node.parents)]
        return [expressions.pop(p, None) or value(p) for p in node.parents]

    def _forward_expr(self, node: Value, expressions: dict[Value, str]) -> str:
        op = node.operation
        args = self._operands(node, expressions)
        expr = self.dialect.forward_expr(op)
        if op.variadic:
            packed = f"({', '.join(args)},)"
            return _template(expr, op.inputs).format(packed) if expr else f"{self.trace.functions[op]}(*{packed})"
        if expr is not None:
            return _template(expr, op.inputs).format(*args)
        return f"{self.trace.functions[op]}({', '.join(args)})"

    # ----------------------------------------------------------- backward
    def backward(self) -> Iterator[_Line]:
        trace, layout = self.trace, self.layout
        if trace.output not in trace.live:
            return
        seen = set(self.summed)
        shared: dict[Value, str] = {}  # aliased node -> the gradient it shares with its consumer
        yield _Line(f"{layout.grad(trace.output)} = 1.0", None, True)
        order = trace.order
        for i in range(trace.output_graph_size - 1, -1, -1):  # aux outputs' own nodes have no gradient
            node = order[i]
            if node.operation is None or node not in trace.live:
                continue
            if node in self._in_layers:
                if node in self._layers:  # the layer's last sum in this order: every sum's gradient is complete
                    for text in self._layer_backward(*self._layers[node], shared, seen):
                        yield _Line(text, node, True)
                continue
            upstream = shared.pop(node, None) or layout.grad(node)
            for text in self._edges(node, upstream, seen, shared):
                yield _Line(text, node, True)

    def _edges(self, node: Value, upstream: str, seen: set[Value], shared: dict[Value, str]) -> Iterator[str]:
        """One line per live parent: its gradient = or += this node's gradient times the local derivative."""
        op, layout, live = node.operation, self.layout, self.trace.live
        out = layout.value(node)
        if op.variadic and layout.blocked:
            yield from self._variadic_edges(node, upstream, out, seen, shared)
            return
        args = [layout.value(p) for p in node.parents]
        if op.variadic:
            template = _factor_template(op.derivative_exprs[0], ("xi", "out"))
            locals_ = [template.format(arg, out) for arg in args]
        elif op.derivative_exprs is not None:
            names = (*op.inputs, "out")
            locals_ = [_factor_template(expr, names).format(*args, out) for expr in op.derivative_exprs]
        else:  # a user op: its own local_grads, once for all its inputs
            yield f"local_grads_ = {self.trace.local_grads_functions[op]}({', '.join([*args, out])})"
            locals_ = [f"local_grads_[{i}]" for i in range(len(args))]
        for parent, local in zip(node.parents, locals_):
            if parent in self.aliased:
                shared[parent] = upstream
            elif parent in live:
                yield self._add(parent, upstream, local, seen)

    def _variadic_edges(self, node: Value, upstream: str, out: str, seen: set[Value],
                        shared: dict[Value, str]) -> Iterator[str]:
        """A sum's edges in the blocked layout: a run of parameters is one loop over its slice of ``G``."""
        template = _factor_template(node.operation.derivative_exprs[0], ("xi", "out"))
        for part in self.layout.runs(node.parents):
            if isinstance(part, tuple):
                local = template.format("P[i]", out)
                contribution = _times(upstream, local)
                yield f"for i in range({part[0]}, {part[1]}): {self.dialect.sum_into.format('G[i]', contribution, upstream, local)}"
            elif part in self.aliased:
                shared[part] = upstream
            elif part in self.trace.live:
                yield self._add(part, upstream, template.format(self.layout.value(part), out), seen)

    # ------------------------------------------------------------- layers
    def _layer_forward(self, index: int, layer: Layer) -> Iterator[str]:
        """Z = W @ X + b for the whole layer; each sum is a row of Z (or Z goes through its activation whole)."""
        value, mm = self.layout.value, MATRIX_PREFIX
        rows = ", ".join(f"({', '.join(value(w) for w in row)},)" for row in layer.weights)
        if layer.input_layer is None:
            yield f"{mm}X{index} = np.stack(({', '.join(value(x) for x in layer.inputs)},))"
        else:  # the previous layer's activations, computed as one matrix
            yield f"{mm}X{index} = {mm}A{layer.input_layer}"
        yield f"{mm}W{index} = np.array(({rows},))"
        bias = ""
        if any(b is not None for b in layer.biases):
            bias = f" + np.array(({', '.join(value(b) if b is not None else '0.0' for b in layer.biases)},))[:, None]"
        yield f"{mm}Z{index} = {mm}W{index} @ {mm}X{index}{bias}"
        if layer.activation is None:
            yield f"{', '.join(value(s) for s in layer.sums)}, = {mm}Z{index}"
        else:
            yield f"{mm}A{index} = {self._apply(layer.activation, f'{mm}Z{index}')}"

    def _apply(self, op: Op, operand: str) -> str:
        """``op`` applied to one operand, as its forward line would write it."""
        expr = self.dialect.forward_expr(op)
        return _template(expr, op.inputs).format(operand) if expr else f"{self.trace.functions[op]}({operand})"

    def _layer_backward(self, index: int, layer: Layer, shared: dict[Value, str], seen: set[Value]) -> Iterator[str]:
        """The weights' gradients G @ X.T, the biases' G summed, the inputs' W.T @ G, G the sums' gradients."""
        grad, mm = self.layout.grad, MATRIX_PREFIX
        if layer.activation is None:
            upstream = [shared.pop(s, None) or grad(s) for s in layer.sums]
            yield f"{mm}G{index} = np.stack(({', '.join(f'broadcast({g}, n)' for g in upstream)},))"
        else:  # the next layer's input gradients times the activation's local derivative, as matrices
            op = layer.activation
            local = _factor_template(op.derivative_exprs[0], (*op.inputs, "out")).format(f"{mm}Z{index}", f"{mm}A{index}")
            yield f"{mm}G{index} = {_times(f'{mm}GX{layer.next_layer}', local)}"
        yield f"{mm}GW{index} = {mm}G{index} @ {mm}X{index}.T"
        for i, row in enumerate(layer.weights):
            for j, w in enumerate(row):
                yield f"{grad(w)} += {mm}GW{index}[{i}, {j}]"
        if any(b is not None for b in layer.biases):
            yield f"{mm}GB{index} = {mm}G{index}.sum(axis=1)"
            for i, b in enumerate(layer.biases):
                if b is not None:
                    yield f"{grad(b)} += {mm}GB{index}[{i}]"
        yield f"{mm}GX{index} = {mm}W{index}.T @ {mm}G{index}"
        if layer.input_layer is None:
            for j, x in enumerate(layer.inputs):
                yield self._add(x, f"{mm}GX{index}[{j}]", "1.0", seen)

    def _add(self, parent: Value, upstream: str, local: str, seen: set[Value]) -> str:
        """``parent``'s gradient gets ``upstream * local``: the first contribution sets it, later ones add."""
        target, contribution = self.layout.grad(parent), _times(upstream, local)
        if parent in self.summed:  # a parameter's gradient, summed over a batch's examples
            return self.dialect.sum_into.format(target, contribution, upstream, local)
        if parent in seen:
            return self.dialect.accumulate.format(target, contribution)
        seen.add(parent)
        return f"{target} = {contribution}"


# ----------------------------------------------------------------- program
class _Unit(NamedTuple):
    """One compiled piece of a program: its source and where its lines are in the whole."""

    text: str
    code: Any  # the compiled function's code object
    first_line: int  # of the whole program's source
    nodes: list  # local line number - 1 -> the node the line computes (or None)
    backward_from: int  # the first local line number of the backward pass


class Program:
    """A trace compiled to one Python function in one mode (``"call"``, ``"rows"`` or ``"arrays"``).

    Attributes:
        source: the generated code.
        function: the compiled function.
        layout: how variables are held (``read`` finds a node's number in a running frame).
    """

    def __init__(self, trace: Trace, mode: str, accumulate: bool, bindings: "Bindings") -> None:
        self.trace, self.mode, self.accumulate = trace, mode, accumulate
        self.layout = _Blocked(trace) if len(trace.live) > INLINE_LIMIT else _Inline(trace)
        dialect = ARRAY_DIALECT if mode == "arrays" else SCALAR_DIALECT
        summed = set(trace.params) if (mode != "call" or self.layout.blocked) else set()
        # A single call's program in one function is the one people read: one line per node and per edge.
        lines = _Lines(trace, self.layout, dialect, summed, compact=mode != "call" or self.layout.blocked)
        namespace = {**bindings.namespace, "params": trace.params}
        namespace.update((name, bindings.forward(op)) for op, name in trace.functions.items())
        namespace.update((name, bindings.local_grads(op)) for op, name in trace.local_grads_functions.items())
        writer = _BlockedWriter if self.layout.blocked else _InlineWriter
        self.units, self.function = writer(self, lines, namespace).write()
        self.source = "".join(unit.text for unit in self.units)
        self._by_code = {unit.code: unit for unit in self.units}
        self._fused = lines.fused

    def read(self, frame_locals: dict, node: Value) -> Any:
        """The number ``node`` holds in a running program's frame (a fused node's is computed again)."""
        if node in self._fused:
            return node.operation.forward(*[self.read(frame_locals, p) for p in node.parents])
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


def _compile_unit(program: Program, text: str, first_line: int, nodes: list, backward_from: int,
                  namespace: dict[str, Any], name: str) -> tuple[_Unit, Callable]:
    """Compile one piece of source and bind it in ``namespace``; the unit keeps which node each line computes."""
    filename = f"<compiled {program.trace.name}, from line {first_line}>"
    exec(builtins.compile(text, filename, "exec"), namespace)  # noqa: S102 - our own generated code
    function = namespace[name]
    return _Unit(text, function.__code__, first_line, nodes, backward_from), function


class _InlineWriter:
    """The program as one function whose variables are locals."""

    def __init__(self, program: Program, lines: _Lines, namespace: dict[str, Any]) -> None:
        self.program, self.trace, self.lines, self.namespace = program, program.trace, lines, namespace
        self.text: list[str] = []
        self.nodes: list = []

    def emit(self, text: str, depth: int = 1, node: Value | None = None) -> None:
        self.text.append("    " * depth + text + "\n")
        self.nodes.append(node)

    def write(self) -> tuple[list[_Unit], Callable]:
        trace, program, names = self.trace, self.program, self.trace.names
        mode = program.mode
        inputs = [names[x] for x in trace.inputs]
        header = {"call": ", ".join(inputs), "rows": "rows", "arrays": ", ".join(["n", *inputs])}[mode]
        function_name = trace.name if mode == "call" else f"{trace.name}_{mode}"
        self.emit(f"def {function_name}({header}):", 0)
        for guard in trace.guards:
            self.emit(f"# traced where {guard.describe(inputs)}: a call where that changes is traced again")
        reached = [p for p in trace.params if p in trace.live]  # the parameters the outputs depend on
        if reached:
            self.emit("# parameters: read " + ("at every call, so that updates are seen" if mode == "call" else
                                               "once, so that updates made before the call are seen"))
            for i, p in enumerate(trace.params):
                if p in reached:
                    self.emit(f"{names[p]} = params[{i}].data")
            for p in self.lines.summed:
                if p in reached:
                    self.emit(f"{GRAD_PREFIX}{names[p]} = 0.0")
        depth = 1
        if mode == "rows":
            self.emit("outputs, input_grads, auxes = [], [], []")
            self.emit(f"for {'(' + ', '.join(inputs) + ',)' if inputs else '_'} in rows:")
            depth = 2
        backward_from = self._body(depth)
        self._finish(reached, depth)
        unit, function = _compile_unit(program, "".join(self.text), 1, self.nodes, backward_from, self.namespace,
                                       function_name)
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
                self.emit("# backward: nodes in reverse topological order, g_parent += g_node * d node / d parent",
                          depth)
                backward_from = len(self.nodes) + 1
            self.emit(line.text, depth, line.node)
        return backward_from or len(self.nodes) + 1

    def _finish(self, reached: list[Value], depth: int) -> None:
        trace, program, layout = self.trace, self.program, self.program.layout
        grads = [layout.grad(x) if x in trace.live else "0.0" for x in trace.inputs]
        param_grads = [layout.grad(p) if p in reached else "0.0" for p in trace.params]
        out, aux = layout.value(trace.output), [layout.value(a) for a in trace.aux]
        if program.mode == "rows":
            self.emit(f"outputs.append({out})", depth)
            self.emit(f"input_grads.append(({', '.join(grads)}{',' if grads else ''}))", depth)
            if aux:
                self.emit(f"auxes.append(({', '.join(aux)},))", depth)
        if program.mode == "arrays":
            out, aux, grads = f"broadcast({out}, n)", [f"broadcast({a}, n)" for a in aux], \
                [f"broadcast({g}, n)" for g in grads]
        if program.accumulate and reached:
            self.emit("# parameters: gradients added into .grad, as backward() does")
            for i, p in enumerate(trace.params):
                if p in reached:
                    self.emit(f"params[{i}].grad += {layout.grad(p)}")
        self.emit(_return(program, out, grads, param_grads, aux))


def _return(program: Program, out: str, grads: list[str], param_grads: list[str], aux: list[str]) -> str:
    """The return line: (output, gradients[, aux]) for a call; (outputs, input_grads, param_grads, auxes) for a batch."""
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

    def __init__(self, program: Program, lines: _Lines, namespace: dict[str, Any]) -> None:
        self.program, self.trace, self.lines, self.namespace = program, program.trace, lines, namespace
        self.units: list[_Unit] = []
        self.line = 1  # the next line number of the whole source

    def write(self) -> tuple[list[_Unit], Callable]:
        blocks = []
        head = self._head_text()
        self.line += head.count("\n")
        pending: list[_Line] = []
        for line in _chain(self.lines.forward(), self.lines.backward()):
            pending.append(line)
            if len(pending) == BLOCK_LINES:
                blocks.append(self._block(pending))
                pending = []
        if pending:
            blocks.append(self._block(pending))
        self.namespace["BLOCKS"] = tuple(blocks)
        unit, function = _compile_unit(self.program, head, 1, [None] * head.count("\n"), 10**12, self.namespace,
                                       self._function_name())
        return [unit, *self.units], function

    def _function_name(self) -> str:
        mode = self.program.mode
        return self.trace.name if mode == "call" else f"{self.trace.name}_{mode}"

    def _block(self, lines: list[_Line]) -> Callable:
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
        trace, program, layout = self.trace, self.program, self.program.layout
        mode, n_inputs = program.mode, len(trace.inputs)
        inputs = [trace.names[x] for x in trace.inputs]
        header = {"call": ", ".join(inputs), "rows": "rows", "arrays": ", ".join(["n", *inputs])}[mode]
        body = [f"v = [0.0] * {len(layout.slot)}", f"g = [0.0] * {len(layout.slot)}",
                "P = [p.data for p in params]", "G = [0.0] * len(P)"]
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
            out, grads, aux = f"broadcast({out}, n)", [f"broadcast({x}, n)" for x in grads], \
                [f"broadcast({a}, n)" for a in aux]
        if program.accumulate:
            body.append("for p, gradient in zip(params, G):")
            body.append("    p.grad += gradient")
        body.append(_return(program, out, grads, ["*G"], aux))
        guards = [f"# traced where {guard.describe(trace.input_names)}: a call where that changes is traced again"
                  for guard in trace.guards]
        return f"def {self._function_name()}({header}):\n" + "".join(f"    {line}\n" for line in guards + body)


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


class Bindings(NamedTuple):
    """What a program's global names stand for: helpers, and each op's forward and ``local_grads``."""

    namespace: dict[str, Any]
    forward: Callable[[Op], Callable]
    local_grads: Callable[[Op], Callable]


# Plain floats: the rule helpers and the ops' own functions work on them as they are.
SCALAR_BINDINGS = Bindings({"inf": math.inf, "nan": math.nan, **RULE_HELPERS}, lambda op: op.forward,
                           lambda op: op.local_grads)


class ExampleError(Exception):
    """An op failed on one example of a batch: its index, and the error a single call would have raised."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error
