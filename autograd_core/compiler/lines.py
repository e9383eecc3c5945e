"""The lines of a program: the forward pass one line per node, the backward pass one per edge.

``Lines`` writes them for one trace, in one layout and one dialect. A layout
says how a node's number and gradient are named: ``Inline``, a local variable
per node (one function, the fast form); ``Blocked``, a slot of the lists ``v``
and ``g`` (``P`` and ``G`` for the parameters), for graphs too big for one
function. For the programs that are run rather than read, ``Lines`` also
plans savings: values read only by their consumer's line are written into it,
gradients that are their consumer's are not copied, and over arrays a layer's
sums are one matrix product (``layers.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

from ..ops import Op
from ..value import Value
from .expressions import ARRAY_DIALECT, Dialect, factor_template, literal, names_count, names_in, template, times
from .layers import DenseLayer, find_layers
from .names import GRAD_PREFIX, MATRIX_PREFIX
from .trace import TracedGraph

__all__ = ["Line", "Lines", "Inline", "Blocked"]

_RUN = 8  # parameters in a row that a sum reads as one slice
_FUSE_DEPTH = 3  # how deep one line's expression may nest the expressions of fused nodes
_INTO, _UNIT = 1, 2  # an edge's flags: its value may be written into the line that reads it; its local is 1


# ---------------------------------------------------------------- layouts
class Inline:
    """One function; every node a local variable named after it."""

    blocked: Literal[False] = False

    def __init__(self, trace: TracedGraph) -> None:
        self.trace = trace

    def value(self, node: Value) -> str:
        return self.trace.names[node] if node in self.trace.live else literal(node.data)

    def grad(self, node: Value) -> str:
        return GRAD_PREFIX + self.trace.names[node]

    def read(self, frame_locals: dict[str, Any], node: Value) -> Any:
        """The number ``node`` held in a running program's frame."""
        if node not in self.trace.live:
            return node.data
        return frame_locals.get(self.trace.names[node], node.data)


class Blocked:
    """Values in the list ``v``, gradients in ``g``; parameters' in ``P`` and ``G``."""

    blocked: Literal[True] = True

    def __init__(self, trace: TracedGraph) -> None:
        self.trace = trace
        self.param_index = {p: i for i, p in enumerate(trace.params)}
        self.slot: dict[Value, int] = {x: i for i, x in enumerate(trace.inputs)}
        for node in trace.order:
            if node in trace.live and node not in self.param_index and node not in self.slot:
                self.slot[node] = len(self.slot)

    def value(self, node: Value) -> str:
        if node not in self.trace.live:
            return literal(node.data)
        index = self.param_index.get(node)
        return f"v[{self.slot[node]}]" if index is None else f"P[{index}]"

    def grad(self, node: Value) -> str:
        index = self.param_index.get(node)
        return f"g[{self.slot[node]}]" if index is None else f"G[{index}]"

    def read(self, frame_locals: dict[str, Any], node: Value) -> Any:
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
            if start is not None and j - i >= _RUN:  # (a run is of parameters: start is set)
                yield (start, start + (j - i))
            else:
                yield from parents[i:j]
            i = j


# ------------------------------------------------------------------ lines
class Line(NamedTuple):
    text: str
    node: Value | None  # the node whose op the line computes, for error messages
    backward: bool


def _local_expr(op: Op, j: int) -> str | None:
    """The table's expression for d out / d input ``j`` (None for a user op)."""
    if op.derivative_exprs is None:
        return None
    return op.derivative_exprs[0] if op.variadic else op.derivative_exprs[j]


def _table_exprs(op: Op) -> tuple[str, ...]:
    """The derivative expressions of an op of the table (the only ops whose lines read them)."""
    if op.derivative_exprs is None:
        raise TypeError(f"op {op.name!r} is not an op of the table: it has no derivative expressions")
    return op.derivative_exprs


@functools.cache
def _backward_reads(op: Op) -> tuple[tuple[bool, tuple[int, ...]], ...]:
    """For each input j of a table op: whether d out / d input j reads ``out``, and which inputs it reads."""
    reads = []
    for expr in _table_exprs(op):
        names = names_in(expr)
        reads.append(("out" in names, tuple(k for k, name in enumerate(op.inputs) if name in names)))
    return tuple(reads)


@functools.cache
def _reads_values(op: Op) -> bool:
    """Whether any backward line of ``op`` reads an input's or the output's value (``+``'s do not)."""
    if op.derivative_exprs is None:
        return True
    return any(names & {"out", "xi", *op.inputs} for names in map(names_in, op.derivative_exprs))


class Lines:
    """The forward and backward lines of one trace, in one layout and dialect.

    Two savings, planned once here, for the programs that are run rather than
    read (a batch's, or a graph too big to read; ``compact``). A node whose value only its one consumer's
    forward line reads (a neuron's product, read by its sum; not by any
    backward line) is not given a variable: its expression is written into
    that line (at most ``_FUSE_DEPTH`` deep). And a node whose one consumer's
    local derivative is 1 (the terms of a sum, the inputs of ``+``) has that
    consumer's gradient, so it gets no line of its own.
    """

    def __init__(
        self, trace: TracedGraph, layout: Inline | Blocked, dialect: Dialect, summed: set[Value], compact: bool
    ) -> None:
        self.trace, self.layout, self.dialect = trace, layout, dialect
        self.summed = summed  # gradients that start at 0.0 before the lines (parameters summed over a batch)
        self.fused, self.aliased, layers = self._plan() if compact else (set(), set(), [])
        self._layers = {layer.sums[0]: (i, layer) for i, layer in enumerate(layers)}  # by its first sum
        self._in_layers = {node for layer in layers for node in (*layer.sums, *layer.replaced, *layer.activations)}

    def _plan(self) -> tuple[set[Value], set[Value], list[DenseLayer]]:
        """(the nodes written into their consumer's line, the nodes whose gradient is their consumer's, and,
        over arrays, the layers computed as one matrix product)."""
        forward_expr = self.dialect.forward_expr
        uses, last_edge, read_back = self._readers()
        layers = find_layers(self.trace, uses) if self.dialect is ARRAY_DIALECT and not self.layout.blocked else []
        kept = {self.trace.output, *self.trace.aux}  # and the layers' own nodes: never fused
        kept.update(
            node for layer in layers for node in (*layer.sums, *layer.replaced, *layer.inputs, *layer.activations)
        )
        fused: set[Value] = set()
        depth: dict[Value, int] = {}
        for node in self.trace.order:
            op = node.op
            if (
                op is None
                or uses.get(node) != 1
                or not last_edge[node] & _INTO
                or node in read_back
                or node in kept
                or forward_expr(op) is None
            ):
                continue
            level = 1 + max((depth.get(p, 0) for p in node.parents), default=0)
            if level <= _FUSE_DEPTH:
                fused.add(node)
                depth[node] = level
        aliased = {
            node
            for node, edge in last_edge.items()
            if edge & _UNIT and uses[node] == 1 and node.op is not None and node not in self.summed
        }
        return fused, aliased, layers

    def _readers(self) -> tuple[dict[Value, int], dict[Value, int], set[Value]]:
        """How many live edges read each node; its last reading edge's flags (``_INTO``, ``_UNIT``); and the
        nodes whose value a backward line reads."""
        live = self.trace.live
        uses: dict[Value, int] = {}
        last_edge: dict[Value, int] = {}
        read_back: set[Value] = set()
        flags_of: dict[Op, tuple[int, ...]] = {}
        for node in self.trace.order:
            op = node.op
            if op is None or node not in live:
                continue
            flags = flags_of.get(op)
            if flags is None:
                flags = flags_of[op] = self._edge_flags(op)
            for j, parent in enumerate(node.parents):
                if parent in live:
                    uses[parent] = uses.get(parent, 0) + 1
                    last_edge[parent] = flags[0 if op.variadic else j]
            if _reads_values(op):
                read_back.update(self._read_by_backward(node, op))
        return uses, last_edge, read_back

    def _edge_flags(self, op: Op) -> tuple[int, ...]:
        """Per input of ``op``: ``_INTO`` if its value may be written into the op's line (it appears there once),
        ``_UNIT`` if its local derivative is 1. A variadic op has one entry for all its inputs."""
        expr = self.dialect.forward_expr(op)
        flags = []
        for j in range(1 if op.variadic else len(op.inputs)):
            once = op.variadic or expr is None or names_count(expr, op.inputs[j]) == 1
            flags.append((_INTO if once else 0) | (_UNIT if _local_expr(op, j) == "1.0" else 0))
        return tuple(flags)

    def _read_by_backward(self, node: Value, op: Op) -> list[Value]:
        """The nodes whose values ``node``'s backward lines read (``op``: the node's op)."""
        parents, live = node.parents, self.trace.live
        if op.derivative_exprs is None:  # a user op's local_grads gets every input and the output
            return [*parents, node]
        if op.variadic:  # one expression in xi (the input) and out, for every input
            names = names_in(op.derivative_exprs[0])
            return ([node] if "out" in names else []) + ([p for p in parents if p in live] if "xi" in names else [])
        read = []
        for j, (out, inputs) in enumerate(_backward_reads(op)):
            if parents[j] in live:
                if out:
                    read.append(node)
                read.extend(parents[k] for k in inputs)
        return read

    # ------------------------------------------------------------ forward
    def forward(self) -> Iterator[Line]:
        value, live, fused = self.layout.value, self.trace.live, self.fused
        expressions: dict[Value, str] = {}  # fused nodes waiting for their consumer
        for node in self.trace.order:
            op = node.op
            if op is None or node not in live:
                continue
            if node in self._in_layers:
                if node in self._layers:
                    for text in self._layer_forward(*self._layers[node]):
                        yield Line(text, node, False)
                continue
            expr = self._forward_expr(node, op, expressions)
            if node in fused:
                expressions[node] = f"({expr})"
            else:
                yield Line(f"{value(node)} = {expr}", node, False)

    def _operands(self, node: Value, op: Op, expressions: dict[Value, str]) -> list[str]:
        layout = self.layout
        value = layout.value
        if op.variadic and layout.blocked:
            return [
                f"*P[{part[0]}:{part[1]}]" if isinstance(part, tuple) else expressions.pop(part, "") or value(part)
                for part in layout.runs(node.parents)
            ]
        return [expressions.pop(p, "") or value(p) for p in node.parents]

    def _forward_expr(self, node: Value, op: Op, expressions: dict[Value, str]) -> str:
        args = self._operands(node, op, expressions)
        expr = self.dialect.forward_expr(op)
        if op.variadic:
            packed = f"({', '.join(args)},)"
            return template(expr, op.inputs).format(packed) if expr else f"{self.trace.functions[op]}(*{packed})"
        if expr is not None:
            return template(expr, op.inputs).format(*args)
        return f"{self.trace.functions[op]}({', '.join(args)})"

    # ----------------------------------------------------------- backward
    def backward(self) -> Iterator[Line]:
        trace, layout = self.trace, self.layout
        if trace.output not in trace.live:
            return
        seen = set(self.summed)
        shared: dict[Value, str] = {}  # aliased node -> the gradient it shares with its consumer
        seed = layout.grad(trace.output)
        if trace.output in self.summed:  # the output is a parameter: it adds 1 per example to its batch's sum
            yield Line(self.dialect.sum_into.format(seed, "1.0", "1.0", "1.0"), None, True)
        else:
            yield Line(f"{seed} = 1.0", None, True)
        order = trace.order
        for i in range(trace.output_graph_size - 1, -1, -1):  # aux outputs' own nodes have no gradient
            node = order[i]
            op = node.op
            if op is None or node not in trace.live:
                continue
            if node in self._in_layers:
                if node in self._layers:  # the layer's last sum in this order: every sum's gradient is complete
                    for text in self._layer_backward(*self._layers[node], shared, seen):
                        yield Line(text, node, True)
                continue
            upstream = shared.pop(node, "") or layout.grad(node)
            for text in self._edges(node, op, upstream, seen, shared):
                yield Line(text, node, True)

    def _edges(self, node: Value, op: Op, upstream: str, seen: set[Value], shared: dict[Value, str]) -> Iterator[str]:
        """One line per live parent: its gradient = or += this node's gradient times the local derivative."""
        layout, live = self.layout, self.trace.live
        out = layout.value(node)
        if op.variadic and layout.blocked:
            yield from self._variadic_edges(node, op, layout, upstream, out, seen, shared)
            return
        args = [layout.value(p) for p in node.parents]
        if op.variadic:
            each = factor_template(_table_exprs(op)[0], ("xi", "out"))
            locals_ = [each.format(arg, out) for arg in args]
        elif op.derivative_exprs is not None:
            names = (*op.inputs, "out")
            locals_ = [factor_template(expr, names).format(*args, out) for expr in op.derivative_exprs]
        else:  # a user op: its own local_grads, once for all its inputs
            yield f"local_grads_ = {self.trace.local_grads_functions[op]}({', '.join([*args, out])})"
            locals_ = [f"local_grads_[{i}]" for i in range(len(args))]
        for parent, local in zip(node.parents, locals_):
            if parent in self.aliased:
                shared[parent] = upstream
            elif parent in live:
                yield self._add(parent, upstream, local, seen)

    def _variadic_edges(
        self, node: Value, op: Op, layout: Blocked, upstream: str, out: str, seen: set[Value], shared: dict[Value, str]
    ) -> Iterator[str]:
        """A sum's edges in the blocked layout: a run of parameters is one loop over its slice of ``G``."""
        each = factor_template(_table_exprs(op)[0], ("xi", "out"))
        for part in layout.runs(node.parents):
            if isinstance(part, tuple):
                local = each.format("P[i]", out)
                contribution = times(upstream, local)
                line = self.dialect.sum_into.format("G[i]", contribution, upstream, local)
                yield f"for i in range({part[0]}, {part[1]}): {line}"
            elif part in self.aliased:
                shared[part] = upstream
            elif part in self.trace.live:
                yield self._add(part, upstream, each.format(layout.value(part), out), seen)

    # ------------------------------------------------------------- layers
    def _layer_forward(self, index: int, layer: DenseLayer) -> Iterator[str]:
        """Z = W @ X + b for the whole layer; each sum is a row of Z (or Z goes through its activation whole)."""
        value, mm = self.layout.value, MATRIX_PREFIX
        rows = ", ".join(f"({', '.join(value(w) for w in row)},)" for row in layer.weights)
        if layer.input_layer is None:
            yield f"{mm}X{index} = np.stack(({', '.join(value(x) for x in layer.inputs)},))"
        else:  # the previous layer's activations, computed as one matrix
            yield f"{mm}X{index} = {mm}A{layer.input_layer}"
        yield f"{mm}W{index} = np.array(({rows},))"
        bias = "None"
        if any(b is not None for b in layer.biases):
            bias = f"np.array(({', '.join(value(b) for b in layer.biases if b is not None)},))"  # all or none
        yield f"{mm}Z{index} = layer_sums({mm}W{index}, {mm}X{index}, {bias}, {layer.order!r}, {layer.from_zero!r})"
        if layer.activation is None:
            yield f"{', '.join(value(s) for s in layer.sums)}, = {mm}Z{index}"
        else:
            yield f"{mm}A{index} = {self._apply(layer.activation, f'{mm}Z{index}')}"

    def _apply(self, op: Op, operand: str) -> str:
        """``op`` applied to one operand, as its forward line would write it."""
        expr = self.dialect.forward_expr(op)
        return template(expr, op.inputs).format(operand) if expr else f"{self.trace.functions[op]}({operand})"

    def _layer_backward(
        self, index: int, layer: DenseLayer, shared: dict[Value, str], seen: set[Value]
    ) -> Iterator[str]:
        """The weights' gradients G @ X.T, the biases' G summed, the inputs' W.T @ G, G the sums' gradients."""
        grad, mm = self.layout.grad, MATRIX_PREFIX
        if layer.activation is None:
            upstream = [shared.pop(s, "") or grad(s) for s in layer.sums]
            yield f"{mm}G{index} = np.stack(({', '.join(f'broadcast({g}, n)' for g in upstream)},))"
        else:  # the next layer's input gradients times the activation's local derivative, as matrices
            op = layer.activation
            local = factor_template(_table_exprs(op)[0], (*op.inputs, "out")).format(f"{mm}Z{index}", f"{mm}A{index}")
            yield f"{mm}G{index} = {times(f'{mm}GX{layer.next_layer}', local)}"
        yield f"{mm}GW{index} = matmul({mm}G{index}, {mm}X{index}.T).tolist()"  # lists of floats, not numpy scalars
        for i, row in enumerate(layer.weights):
            for j, w in enumerate(row):
                yield f"{grad(w)} += {mm}GW{index}[{i}][{j}]"
        if any(b is not None for b in layer.biases):
            yield f"{mm}GB{index} = {mm}G{index}.sum(axis=1).tolist()"
            for i, b in enumerate(layer.biases):
                if b is not None:
                    yield f"{grad(b)} += {mm}GB{index}[{i}]"
        yield f"{mm}GX{index} = matmul({mm}W{index}.T, {mm}G{index})"
        if layer.input_layer is None:
            for j, x in enumerate(layer.inputs):
                yield self._add(x, f"{mm}GX{index}[{j}]", "1.0", seen)

    def _add(self, parent: Value, upstream: str, local: str, seen: set[Value]) -> str:
        """``parent``'s gradient gets ``upstream * local``: the first contribution sets it, later ones add."""
        target, contribution = self.layout.grad(parent), times(upstream, local)
        if parent in self.summed:  # a parameter's gradient, summed over a batch's examples
            return self.dialect.sum_into.format(target, contribution, upstream, local)
        if parent in seen:
            return self.dialect.accumulate.format(target, contribution)
        seen.add(parent)
        return f"{target} = {contribution}"
