"""Code generation for ``compile``: one traced graph written out as one Python function.

``_Generator`` names every node (after its label, else v0, v1, ...), writes
the forward half one line per node from ``Op.forward_expr`` (or a call of the
op's forward through the function's globals), then the backward half in the
order ``backward()`` visits the nodes, one ``g_parent = / += g_node * local``
line per edge, with the local derivative from ``Op.derivative_exprs`` (or a
call of a user op's ``local_grads``). It remembers which node each line
belongs to, so that a failing call can name the op.
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import re
from typing import Any, Callable, Iterable, NamedTuple

from ._trace import _needs_grad
from .ops import RULE_HELPERS
from .value import Value

__all__ = ["Kink"]


class Kink(NamedTuple):
    """A branching node (relu, abs): compiled as a branch, evaluated at every call."""

    name: str  # its variable in the generated source
    op: str  # the op's name
    traced_input: float  # the op's input in the trace (the side of the kink it was traced on)


# Helpers whose value jumps at 0: an op whose derivative uses one has a kink.
_BRANCHING_HELPERS = frozenset({"step", "sign"})
# Readable global names for the ops whose names are symbols.
_SYMBOL_NAMES = {"/": "div", "**": "power", "pow": "power", "+": "add", "-": "sub", "*": "mul"}
_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
# CPython 3.11+ puts frames on a per-thread stack of 16 KiB chunks, mapping a new chunk
# when a frame does not fit and unmapping it when that frame returns. A generated
# function with thousands of variables can fill its chunk, and then every call it makes
# (step(), tanh(), ...) maps and unmaps memory: measured 4x slower, depending only on
# the caller's depth. A generator's frame lives in the generator object instead, so
# above this many variables the generated function is a generator.
_MAX_FRAME_VARIABLES = 500


def _identifier(text: str) -> str:
    """``text`` as a Python identifier: 'layers.0.w.1' -> 'layers_0_w_1'."""
    name = re.sub(r"\W", "_", text)
    if name[:1].isdigit():
        name = "_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name if name.isidentifier() else ""


class _Namer:
    """Unique identifiers: the first of a base keeps it, later ones get _1, _2, ..."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.used = set(reserved)
        self.auto = 0

    def new(self, base: str) -> str:
        base = _identifier(base)
        if not base:
            while f"v{self.auto}" in self.used:
                self.auto += 1
            base = f"v{self.auto}"
        name, suffix = base, 0
        while name in self.used:
            suffix += 1
            name = f"{base}_{suffix}"
        self.used.add(name)
        return name


def _literal(x: float) -> str:
    """A float as source text; negative ones in parentheses so they substitute safely."""
    text = repr(float(x))
    return f"({text})" if text.startswith("-") else text


def _substitute(expr: str, names: dict[str, str]) -> str:
    """Replace the op's input names (and ``out``) in a table expression by operands."""
    return _IDENTIFIER.sub(lambda m: names.get(m.group(0), m.group(0)), expr)


def _parenthesized(expr: str) -> bool:
    """True when ``expr`` is one pair of parentheses around everything: ``(-1.0)``, not ``(a) * (b)``."""
    depth = 0
    for i, char in enumerate(expr):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i == len(expr) - 1 and char == ")"
    return False


@functools.lru_cache(maxsize=None)
def _is_atom(expr: str) -> bool:
    """True for a name, a number, a call or a subscript: it can follow ``*`` without parentheses."""
    node = ast.parse(expr, mode="eval").body
    return isinstance(node, (ast.Name, ast.Call, ast.Subscript, ast.Attribute, ast.Constant)) or _parenthesized(expr)


def _factor(template: str, names: dict[str, str]) -> str:
    """A table expression with its operands put in, parenthesized unless it is an atom.

    Substituting a name by an operand keeps an atom an atom (operands are names
    or literals, negative ones parenthesized), so the template decides.
    """
    expr = _substitute(template, names)
    return expr if _is_atom(template) else f"({expr})"


class _Generator:
    """Writes the function for one trace, and remembers which node each line belongs to."""

    def __init__(self, func_name: str, order: list[Value], inputs: list[Value], params: list[Value],
                 input_names: list[str], accumulate: bool) -> None:
        self.order, self.inputs, self.params = order, inputs, params
        self.live = _needs_grad(order, set(inputs) | set(params))
        self.globals: dict[str, Any] = {"params": params, "inf": math.inf, "nan": math.nan, **RULE_HELPERS}
        self.lines: list[str] = []
        self.line_nodes: dict[int, tuple[str, Value]] = {}  # line number -> ("forward"|"backward", node)
        self._forward_names: dict[int, str] = {}  # id(op) -> the global its forward is called by
        self._derivative_names: dict[int, str] = {}  # id(op) -> the global its local_grads is called by
        namer = _Namer({*keyword.kwlist, *self.globals, "True", "False", "None", "sum"})  # sum: the builtin
        self._name_functions(namer)
        self.func_name = namer.new(func_name) if _identifier(func_name) else namer.new("compiled")
        self.reserved = len(namer.used)
        self.var: dict[Value, str] = {}
        for x, name in zip(inputs, input_names):
            self.var[x] = namer.new(name)
        output = order[-1]
        param_index = {p: i for i, p in enumerate(params)}
        for node in order:
            if node in self.live and node not in self.var:
                default = f"p{param_index[node]}" if node in param_index else ("out" if node is output else "")
                self.var[node] = namer.new(node.label or default)
        self.grad = {node: namer.new("g_" + self.var[node]) for node in order if node in self.live}
        self.namer = namer
        self.accumulate = accumulate

    def _name_functions(self, namer: _Namer) -> None:
        """Global names for the forward and derivative functions the source calls."""
        for node in self.order:
            op = node.operation
            if op is None or id(op) in self._forward_names or node not in self.live:
                continue
            base = _SYMBOL_NAMES.get(op.name, op.name)
            if op.forward_expr is None:
                self._forward_names[id(op)] = self._bind(namer, base, op.forward)
            if op.derivative_exprs is None:
                # A user op: its local_grads is the engine's own entry point (it checks
                # the results and retries derivatives written with Value methods).
                self._derivative_names[id(op)] = self._bind(namer, f"{base}_local_grads", op.local_grads)

    def _bind(self, namer: _Namer, base: str, function: Callable[..., Any]) -> str:
        """A global name for ``function``: one per function (``**`` and ``pow`` share one)."""
        for name, bound in self.globals.items():
            if bound is function and name not in RULE_HELPERS:
                return name
        base = _identifier(base) or "op"
        name = namer.new(f"op_{base}" if base in namer.used else base)
        self.globals[name] = function
        return name

    def operand(self, node: Value) -> str:
        return self.var[node] if node in self.live else _literal(node.data)

    def emit(self, line: str, kind: str = "", node: Value | None = None) -> None:
        self.lines.append("    " + line)
        if node is not None:
            self.line_nodes[len(self.lines) + 1] = (kind, node)  # +1: the def line is line 1

    def source(self, guards: list[str]) -> str:
        args = ", ".join(self.var[x] for x in self.inputs)
        for guard in guards:
            self.emit(f"# traced where {guard}: a call where that changes is traced again")
        reads = [f"{self.var[p]} = params[{i}].data" for i, p in enumerate(self.params) if p in self.live]
        if reads:
            self.emit("# parameters: read at every call, so that updates are seen")
            for line in reads:
                self.emit(line)
        if any(node.parents and node in self.live for node in self.order):
            self.emit("# forward: one line per node")
        for node in self.order:
            if node.parents and node in self.live:
                self.emit(f"{self.var[node]} = {self._forward(node)}", "forward", node)
        output = self.order[-1]
        if output in self.live:
            self.emit("# backward: nodes in reverse topological order, g_parent += g_node * d node / d parent")
            self.emit(f"{self.grad[output]} = 1.0")
            self._backward()
        grads = [self.grad.get(x, "0.0") for x in self.inputs]
        param_grads = [self.grad.get(p, "0.0") for p in self.params]
        if self.accumulate and any(p in self.grad for p in self.params):
            self.emit("# parameters: gradients added into .grad, as backward() does")
            for i, p in enumerate(self.params):
                if p in self.grad:
                    self.emit(f"params[{i}].grad += {self.grad[p]}")
        else:
            grads += param_grads
        result = ", ".join(grads) + ("," if len(grads) == 1 else "")
        variables = len(self.namer.used) - self.reserved
        self.yields = variables > _MAX_FRAME_VARIABLES
        if self.yields:
            self.emit(f"# yield, not return: a generator's frame lives on the heap; a plain function's {variables}")
            self.emit("# variables can fill CPython's frame stack, and then every call it makes maps new memory")
        self.emit(f"{'yield' if self.yields else 'return'} {self.operand(output)}, ({result})")
        return f"def {self.func_name}({args}):\n" + "\n".join(self.lines) + "\n"

    def _forward(self, node: Value) -> str:
        op = node.operation
        args = [self.operand(p) for p in node.parents]
        if op.variadic:  # sum(x) of the tuple of its inputs
            return _substitute(op.forward_expr, {op.inputs[0]: f"({', '.join(args)},)"})
        if op.forward_expr is not None:
            return _substitute(op.forward_expr, dict(zip(op.inputs, args)))
        return f"{self._forward_names[id(op)]}({', '.join(args)})"

    def _backward(self) -> None:
        seen: set[Value] = set()
        for node in reversed(self.order):
            parents = node.parents
            if not parents or node not in self.live:
                continue
            op = node.operation
            args = [self.operand(p) for p in parents]
            call_args = ", ".join([*args, self.var[node]])
            if op.variadic:  # one derivative expression, in each input xi
                locals_ = [_factor(op.derivative_exprs[0], {"xi": arg, "out": self.var[node]}) for arg in args]
            elif op.derivative_exprs is not None:
                names = dict(zip(op.inputs, args), out=self.var[node])
                locals_ = [_factor(expr, names) for expr in op.derivative_exprs]
            else:
                tuple_name = self.namer.new(f"l_{self.var[node]}")
                self.emit(f"{tuple_name} = {self._derivative_names[id(op)]}({call_args})", "backward", node)
                locals_ = [f"{tuple_name}[{i}]" for i in range(len(parents))]
            for parent, local in zip(parents, locals_):
                if parent not in self.live:
                    continue
                sign = "+=" if parent in seen else "="
                seen.add(parent)
                self.emit(f"{self.grad[parent]} {sign} {self.grad[node]} * {local}", "backward", node)

    def kinks(self) -> tuple[Kink, ...]:
        found = []
        for node in self.order:
            op = node.operation
            if op is None or node not in self.live or not op.derivative_exprs:
                continue
            used = {name for expr in op.derivative_exprs for name in _IDENTIFIER.findall(expr)}
            if used & _BRANCHING_HELPERS:
                found.append(Kink(self.var[node], op.name, float(node.parents[0].data)))
        return tuple(found)


