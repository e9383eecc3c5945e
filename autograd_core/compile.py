"""``compile``: trace a function once and write its graph out as straight-line Python.

    from autograd_core import compile

    def neuron(w, x, b):
        return (w * x + b).tanh()

    fn = compile(neuron, (0.5, 2.0, -1.0))
    out, (dw, dx, db) = fn(0.3, 1.5, 0.1)     # plain floats in, plain floats out
    print(fn.source)                          # the chain rule, one line per node

A scalar graph engine pays for every node it builds on every call. ``compile``
builds the graph once, on ``Value``s, then generates one Python function: a
forward half with one line per node, and a backward half that walks the nodes
in the order ``backward()`` does and writes ``g_parent += g_node * local`` for
every edge. The lines come from the op table itself (``Op.forward_expr`` and
``Op.derivative_exprs``; ops whose forward checks its domain, and user ops from
``define_op``, are called through the generated function's globals), so no
derivative is written twice and the arithmetic is the engine's own: outputs and
gradients are the ones ``backward()`` computes, in the same order.

What the trace sees:

* Leaves that exist before ``f`` runs and are reached again by a second trace
  (an ``nn`` model's weights, any ``Value`` ``f`` closes over) are
  *parameters*: their ``.data`` is read at every call, so optimizer updates are
  seen, and their gradients are added into ``.grad`` as ``backward()`` does.
* Leaves made while ``f`` runs (``x + 1``, ``Value(2.0)`` inside ``f``) and
  nodes computed only from them are *constants*, written into the source as
  literals.
* Branching ops (relu, abs) are compiled as branches, so they stay exact on
  either side of their kink; ``.kinks`` lists them.
* Python control flow in ``f`` that reads ``.data`` (``if x.data > 0``),
  numbers taken out of a ``Value`` (``x * x.data``) and results computed under
  ``no_grad`` are baked into the trace, as with ``torch.jit.trace``: the
  compiled function always takes the path the example inputs took. That
  cannot be seen from the graph. ``check=True`` (or ``fn.check(*inputs)``)
  traces ``f`` again on a call's inputs and raises ``TraceMismatchError`` when
  the graph differs (another path, another constant, another parameter); it
  costs one interpreted call, so use it while testing.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import itertools
import keyword
import linecache
import math
import numbers
import re
from typing import Any, Callable, Iterable, NamedTuple, Sequence

from .backprop import topological_order
from .ops import RULE_HELPERS, Op
from .value import Value, _op_error, enable_grad

__all__ = ["compile", "CompiledFunction", "Kink", "TraceMismatchError"]


class TraceMismatchError(RuntimeError):
    """A call's inputs make ``f`` build another graph than the one that was compiled."""


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
_counter = itertools.count()
# CPython 3.11+ puts frames on a per-thread stack of 16 KiB chunks, mapping a new chunk
# when a frame does not fit and unmapping it when that frame returns. A generated
# function with thousands of variables can fill its chunk, and then every call it makes
# (step(), tanh(), ...) maps and unmaps memory: measured 4x slower, depending only on
# the caller's depth. A generator's frame lives in the generator object instead, so
# above this many variables the generated function is a generator.
_MAX_FRAME_VARIABLES = 500


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
        if node._parents:
            stack.extend(reversed(node._parents))
        else:
            leaves.append(node)
    return leaves


def _needs_grad(order: list[Value], live_leaves: set[Value]) -> set[Value]:
    """The nodes that depend on an input or a parameter; the rest are constants."""
    live = set()
    for node in order:
        parents = node._parents
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
            entries.append((node._op, tuple(position[p] for p in node._parents)))
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


# ------------------------------------------------------------ code generation
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
        namer = _Namer({*keyword.kwlist, *self.globals, "True", "False", "None"})
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
            op = node._op
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

    def source(self) -> str:
        args = ", ".join(self.var[x] for x in self.inputs)
        reads = [f"{self.var[p]} = params[{i}].data" for i, p in enumerate(self.params) if p in self.live]
        if reads:
            self.emit("# parameters: read at every call, so that updates are seen")
            for line in reads:
                self.emit(line)
        if any(node._parents and node in self.live for node in self.order):
            self.emit("# forward: one line per node")
        for node in self.order:
            if node._parents and node in self.live:
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
        op = node._op
        args = [self.operand(p) for p in node._parents]
        if op.forward_expr is not None:
            return _substitute(op.forward_expr, dict(zip(op.inputs, args)))
        return f"{self._forward_names[id(op)]}({', '.join(args)})"

    def _backward(self) -> None:
        seen: set[Value] = set()
        for node in reversed(self.order):
            parents = node._parents
            if not parents or node not in self.live:
                continue
            op = node._op
            args = [self.operand(p) for p in parents]
            call_args = ", ".join([*args, self.var[node]])
            if op.derivative_exprs is not None:
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
            op = node._op
            if op is None or node not in self.live or not op.derivative_exprs:
                continue
            used = {name for expr in op.derivative_exprs for name in _IDENTIFIER.findall(expr)}
            if used & _BRANCHING_HELPERS:
                found.append(Kink(self.var[node], op.name, node._parents[0].data))
        return tuple(found)


# ----------------------------------------------------------------- the result
class CompiledFunction:
    """``f`` compiled: call it on numbers to get ``(output, gradients)``.

    Attributes:
        source: the generated Python function.
        input_names: the names of its inputs, in call order.
        params: the parameter Values: the ``params`` given to ``compile``,
            or those the trace reached, in reading order (``w * x + b``: w, b).
        kinks: the branching nodes (relu, abs), each with its traced input.
        accumulate: True when parameter gradients are added into ``.grad``.
    """

    def __init__(self, f: Callable[..., Any], name: str, input_names: list[str], params: list[Value],
                 generator: _Generator, source: str, signature: list[tuple], check: bool) -> None:
        self.source = source
        self.input_names = tuple(input_names)
        self.params = tuple(params)
        self.kinks = generator.kinks()
        self.accumulate = generator.accumulate
        self.name = name
        self._f = f
        self._check = check
        self._signature = signature
        self._param_index = {p: i for i, p in enumerate(params)}
        self._line_nodes = generator.line_nodes
        self._generator = generator
        filename = f"<autograd_core.compile {name} #{next(_counter)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks show it
        namespace = dict(generator.globals)
        exec(builtins.compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated code
        self._function = namespace[generator.func_name]
        self._yields = generator.yields
        self._code = self._function.__code__
        self._lines = source.splitlines()

    def __repr__(self) -> str:
        return (f"<CompiledFunction {self.name}({', '.join(self.input_names)}): "
                f"{len(self._generator.live)} nodes, {len(self.params)} parameters>")

    def __call__(self, *inputs: float) -> tuple[float, tuple[float, ...]]:
        """``(output, gradients)``: one gradient per input, then (``accumulate=False``) per parameter."""
        if len(inputs) != len(self.input_names):
            raise TypeError(f"compiled {self.name}() takes {len(self.input_names)} input(s) "
                            f"({', '.join(self.input_names)}), got {len(inputs)}")
        for x in inputs:
            if type(x) is not float:
                inputs = self._as_floats(inputs)
                break
        if self._check:
            self.check(*inputs)
        try:
            if self._yields:
                return next(self._function(*inputs))
            return self._function(*inputs)
        except (ValueError, ArithmeticError, TypeError, AttributeError) as exc:
            raise self._explain(exc) from None

    def _as_floats(self, inputs: Sequence[Any]) -> tuple[float, ...]:
        for name, x in zip(self.input_names, inputs):
            if isinstance(x, Value) or not isinstance(x, numbers.Real):
                raise TypeError(f"compiled {self.name}() input {name!r} must be a real number, got "
                                f"{type(x).__name__} {x!r}" + (" (pass its .data)" if isinstance(x, Value) else ""))
        return tuple(float(x) for x in inputs)

    def check(self, *inputs: float) -> None:
        """Trace ``f`` again on these inputs; raise ``TraceMismatchError`` if its graph differs."""
        values = [Value(x, label) for x, label in zip(self._as_floats(inputs), self.input_names)]
        order = topological_order(_run(self._f, values, self.name))
        signature = _signature(order, values, self._param_index)
        if signature != self._signature:
            raise TraceMismatchError(
                f"{self.name}({', '.join(map(repr, inputs))}) builds another graph than the compiled trace "
                f"({_first_difference(self._signature, signature)}): f's Python control flow or "
                "constants depend on the input data; compile it for these inputs, or keep it interpreted")

    def _explain(self, exc: Exception) -> Exception:
        """The error of a failed call, naming the op, its inputs and the generated line."""
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code is not self._code:
            tb = tb.tb_next
        if tb is None or tb.tb_lineno not in self._line_nodes:
            return exc
        kind, node = self._line_nodes[tb.tb_lineno]
        where = f"line {tb.tb_lineno} of compiled {self.name}: {self._lines[tb.tb_lineno - 1].strip()}"
        frame_locals = tb.tb_frame.f_locals
        values = [frame_locals.get(self._generator.var.get(p), p.data) for p in node._parents]
        if kind == "forward" and isinstance(exc, (ValueError, ArithmeticError)):
            shown = [Value(v, self._generator.var.get(p, "")) for v, p in zip(values, node._parents)]
            error = _op_error(node._op, shown, exc)  # the message the interpreted engine gives
            message = f"{error} ({where})"
        else:
            error = exc
            what = "op" if kind == "forward" else "the derivative of op"
            message = f"{what} {node._op.name!r} failed at ({', '.join(map(repr, values))}): {exc} ({where})"
        try:
            return type(error)(message)
        except Exception:  # an exception type that needs other arguments: keep it as it is
            return exc


# -------------------------------------------------------------------- compile
def compile(  # noqa: A001 - the package's name for it; shadows the builtin only here
    f: Callable[..., Value],
    example_inputs: Sequence[float],
    *,
    params: Sequence[Value] | None = None,
    accumulate: bool = True,
    check: bool = False,
) -> CompiledFunction:
    """Trace ``f`` on ``example_inputs`` and compile its forward and backward pass to Python.

    Args:
        f: a function of numbers-as-Values returning one Value.
        example_inputs: one number per argument of ``f``, used for the trace.
        params: the parameter Values, in the order wanted for ``fn.params``
            (default: every Value that ``f`` reaches and did not make, in
            reading order: for ``w * x + b``, w then b). A parameter ``f``
            does not reach gets gradient 0.
        accumulate: True (the default): each call adds the parameters'
            gradients into their ``.grad``, as ``backward()`` does, and
            ``gradients`` holds the inputs' only. False: ``.grad`` is not
            touched and ``gradients`` holds the inputs' then the parameters'.
        check: trace ``f`` again at every call and raise
            ``TraceMismatchError`` if the graph differs (slow; for testing).

    Returns:
        A ``CompiledFunction``: ``fn(*numbers) -> (output, gradients)``, with
        ``fn.source`` the generated code.

    Raises:
        TypeError: ``f`` does not return a Value, ``example_inputs`` are not
            numbers, or ``params`` are not Values.
        TraceMismatchError: two traces on the same inputs differ (``f`` is
            random), or ``params`` misses a Value the trace reached.
    """
    name = getattr(f, "__name__", "")
    name = name if isinstance(name, str) and name.isidentifier() else "f"  # lambdas, callable objects
    if isinstance(example_inputs, (str, bytes)) or not isinstance(example_inputs, Sequence):
        raise TypeError(f"compile: example_inputs must be a sequence of numbers, e.g. (2.0,) for a "
                        f"function of one input; got {type(example_inputs).__name__} {example_inputs!r}")
    for i, x in enumerate(example_inputs):
        if isinstance(x, Value) or not isinstance(x, numbers.Real):
            raise TypeError(f"compile: example input {i} must be a real number, got {type(x).__name__} {x!r}"
                            + (" (pass its .data: compile makes its own input Values)" if isinstance(x, Value) else ""))
    labels = _parameter_names(f, len(example_inputs))

    # Two traces: the leaves both reach are the parameters; leaves made anew are constants.
    traces = []
    for _ in range(2):
        inputs = [Value(x, label) for x, label in zip(example_inputs, labels)]
        traces.append((inputs, topological_order(_run(f, inputs, name))))
    (inputs, order), (inputs2, order2) = traces
    leaves2 = {n for n in order2 if not n._parents}
    reached = [n for n in _leaves_left_to_right(order[-1]) if n in leaves2]
    if params is None:
        params = reached
    else:
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"compile: params[{i}] must be a Value, got {type(p).__name__} {p!r}")
        missing = [p for p in reached if p not in set(params)]
        if missing:
            raise TraceMismatchError(f"compile: {name}() reaches {len(missing)} Value(s) not in params, e.g. "
                                     f"{missing[0]!r}; list every parameter, or leave params=None")
    param_index = {p: i for i, p in enumerate(params)}
    signature = _signature(order, inputs, param_index)
    second = _signature(order2, inputs2, param_index)
    if signature != second:
        raise TraceMismatchError(f"compile: {name}() built two different graphs on the same inputs "
                                 f"({_first_difference(signature, second)}); compile needs a deterministic f")
    generator = _Generator(name, order, inputs, list(params), labels, accumulate)
    source = generator.source()
    return CompiledFunction(f, name, labels, list(params), generator, source, signature, check)
