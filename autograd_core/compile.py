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
  compiled function always takes the path the example inputs took; the graph
  does not show it. Two checks:

  - guards, always on and cheap: the comparisons ``f`` makes directly on its
    inputs' ``.data`` are recorded in the trace (``.guards``) and re-evaluated
    at every call; when one comes out differently, the call traces ``f`` again
    and raises ``TraceMismatchError`` if the graph differs. Comparisons on
    numbers computed from an input (``x.data * 2 > 1``), on other nodes' or on
    parameters' ``.data``, ``int(x.data)``, and values taken out of the graph
    (``x * x.data``, ``no_grad``) are not seen;
  - ``check=True`` (or ``fn.check(*inputs)``) traces ``f`` again on every
    call's inputs and raises ``TraceMismatchError`` when the graph differs
    (another path, another constant, another parameter). It sees everything
    that changes the graph, and costs one interpreted call: use it in tests.
"""

from __future__ import annotations

import builtins
import itertools
import linecache
import numbers
from typing import Any, Callable, Sequence

from ._codegen import Kink, _Generator
from ._trace import (
    Guard,
    TraceMismatchError,
    _first_difference,
    _GuardLog,
    _leaves_left_to_right,
    _parameter_names,
    _run,
    _signature,
    _traced_inputs,
)
from .backprop import topological_order
from .value import Value, op_error

__all__ = ["compile", "CompiledFunction", "Kink", "Guard", "TraceMismatchError"]

_counter = itertools.count()


# ----------------------------------------------------------------- the result
class CompiledFunction:
    """``f`` compiled: call it on numbers to get ``(output, gradients)``.

    Attributes:
        source: the generated Python function.
        input_names: the names of its inputs, in call order.
        params: the parameter Values: the ``params`` given to ``compile``,
            or those the trace reached, in reading order (``w * x + b``: w, b).
        kinks: the branching nodes (relu, abs), each with its traced input.
        guards: the comparisons ``f`` made on its inputs' ``.data`` in the
            trace; a call on which one comes out differently traces ``f``
            again and raises ``TraceMismatchError`` if the graph differs.
        accumulate: True when parameter gradients are added into ``.grad``.
    """

    def __init__(self, f: Callable[..., Any], name: str, input_names: list[str], params: list[Value],
                 generator: _Generator, source: str, signature: list[tuple], guards: tuple[Guard, ...],
                 check: bool) -> None:
        self.source = source
        self.input_names = tuple(input_names)
        self.params = tuple(params)
        self.kinks = generator.kinks()
        self.guards = guards
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
        elif self.guards:
            for guard in self.guards:
                if not guard.holds(inputs):
                    described = guard.describe(self.input_names)
                    self._retrace(inputs, f"in the trace {described}, not on these inputs")
                    break
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
        self._retrace(self._as_floats(inputs), "")

    def _retrace(self, inputs: tuple[float, ...], why: str) -> None:
        values = _traced_inputs(list(inputs), list(self.input_names), None)
        order = topological_order(_run(self._f, values, self.name))
        signature = _signature(order, values, self._param_index)
        if signature != self._signature:
            raise TraceMismatchError(
                f"{self.name}({', '.join(map(repr, inputs))}) builds another graph than the compiled trace "
                f"({_first_difference(self._signature, signature)}{'; ' + why if why else ''}): f's Python "
                "control flow or constants depend on the input data; compile it for these inputs, or keep it "
                "interpreted")

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
        values = [frame_locals.get(self._generator.var.get(p), p.data) for p in node.parents]
        if kind == "forward" and isinstance(exc, (ValueError, ArithmeticError)):
            shown = [Value(v, self._generator.var.get(p, "")) for v, p in zip(values, node.parents)]
            error = op_error(node.operation, shown, exc)  # the message the interpreted engine gives
            message = f"{error} ({where})"
        else:
            error = exc
            what = "op" if kind == "forward" else "the derivative of op"
            message = f"{what} {node.operation.name!r} failed at ({', '.join(map(repr, values))}): {exc} ({where})"
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
        ValueError: ``params`` lists a Value twice.
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
    # The first one also records the comparisons f makes on its inputs' .data.
    log = _GuardLog()
    inputs = _traced_inputs(list(example_inputs), labels, log)
    order = topological_order(_run(f, inputs, name))
    log.active = False
    guards = log.guards(order)
    inputs2 = _traced_inputs(list(example_inputs), labels, None)
    order2 = topological_order(_run(f, inputs2, name))
    leaves2 = {n for n in order2 if not n.parents}
    reached = [n for n in _leaves_left_to_right(order[-1]) if n in leaves2]
    if params is None:
        params = reached
    else:
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"compile: params[{i}] must be a Value, got {type(p).__name__} {p!r}")
        if len(set(params)) != len(params):
            twice = next(p for i, p in enumerate(params) if p in params[:i])
            raise ValueError(f"compile: params lists {twice!r} twice; its gradient would be counted twice")
        given = set(params)
        missing = [p for p in reached if p not in given]
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
    source = generator.source([guard.describe(tuple(labels)) for guard in guards])
    return CompiledFunction(f, name, labels, list(params), generator, source, signature, guards, check)
