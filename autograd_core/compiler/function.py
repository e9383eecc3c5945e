"""``compile`` and ``CompiledFunction``: a trace's generated programs, called on numbers, with its checks.

``compile`` makes one ``TracedGraph`` and the program for single calls. A
``CompiledFunction`` calls it after the guards (or, with ``check=True``, a new
trace) have said the traced graph still applies, and turns an error raised
inside the generated code into the one the interpreted engine gives, naming
the op, its inputs and the generated line. The programs over a batch (a loop
over rows, or numpy arrays) are generated from the same trace the first time
they are asked for.
"""

from __future__ import annotations

import functools
import itertools
import numbers
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, SupportsFloat

from ..checks import as_float
from ..collector import cyclic_gc_paused
from ..errors import op_error, short_repr
from ..value import Value
from .codegen import SCALAR_BINDINGS, ExampleError, Program
from .trace import Guard, Kink, TracedGraph, TraceMismatchError, ValueGuard

__all__ = ["compile", "CompiledFunction", "BatchResult"]


class BatchResult(NamedTuple):
    """What a compiled function gives for a batch: per example, and the parameters' gradients summed."""

    outputs: Any  # one output per example (a list, or a numpy array)
    input_grads: Any  # per example, the gradient of each input (a list of tuples, or an array n x inputs)
    param_grads: tuple[float, ...]  # each parameter's gradient, summed over the examples
    aux: Any  # per example, the auxiliary outputs (has_aux=True), else empty


class CompiledFunction:
    """``f`` compiled: call it on numbers to get ``(output, gradients)``.

    Attributes:
        source: the generated Python function.
        input_names: the names of its inputs, in call order.
        params: the parameter Values: the ``params`` given to ``compile``,
            or those the trace reached, in reading order (``w * x + b``: w, b).
        kinks: the branching nodes (relu, abs), each with its traced input.
        guards: the comparisons ``f`` made in the trace: of Values
            themselves (``x * w > 0``, ``max(a, b)``, ``if loss:``; a
            ``ValueGuard``, recomputed from each call's inputs), and of its
            inputs' ``.data`` with any real number (int, float, Fraction,
            Decimal, numpy's scalars), kept exactly (a ``Guard``); a call on
            which one comes out differently traces ``f`` again and raises
            ``TraceMismatchError`` if the graph differs. A comparison on a
            number taken out of a node (a node's ``.data``, ``x.data * 2``)
            is not seen: ``check=True`` is.
        accumulate: True when parameter gradients are added into ``.grad``.
    """

    def __init__(self, trace: TracedGraph, accumulate: bool, check: bool) -> None:
        self.trace = trace
        self.name = trace.name
        self.input_names = tuple(trace.input_names)
        self.params = trace.params
        self.kinks: tuple[Kink, ...] = trace.kinks
        self.guards: tuple[Guard | ValueGuard, ...] = trace.guards
        self.accumulate = accumulate
        self._check = check
        self._program = Program(trace, "call", accumulate, SCALAR_BINDINGS)
        self.source = self._program.source
        self._function = self._program.function

    def __repr__(self) -> str:
        return (
            f"<CompiledFunction {self.name}({', '.join(self.input_names)}): "
            f"{len(self.trace.live)} nodes, {len(self.params)} parameters>"
        )

    def __call__(self, *inputs: float) -> tuple[Any, ...]:
        """``(output, gradients)``: one gradient per input, then (``accumulate=False``) per parameter.

        With ``has_aux=True``, ``(output, gradients, aux)``.
        """
        if len(inputs) != len(self.input_names):
            raise TypeError(
                f"compiled {self.name}() takes {len(self.input_names)} input(s) "
                f"({', '.join(self.input_names)}), got {len(inputs)}"
            )
        for x in inputs:
            if type(x) is not float:
                inputs = self._as_floats(inputs)
                break
        self._check_graph(inputs)
        try:
            return self._function(*inputs)
        except (ValueError, ArithmeticError, TypeError, AttributeError) as exc:
            raise _explained(self._program, exc) from None

    # ---------------------------------------------------------- batches
    @functools.cached_property
    def _rows_program(self) -> Program:
        return Program(self.trace, "rows", self.accumulate, SCALAR_BINDINGS)

    @functools.cached_property
    def _arrays_program(self) -> Program:
        from .arrays import ARRAY_BINDINGS  # numpy: only for programs over arrays

        return Program(self.trace, "arrays", self.accumulate, ARRAY_BINDINGS)

    def batch(self, rows: Sequence[Sequence[float]]) -> BatchResult:
        """Every row (one number per input) through one generated loop; parameters' gradients summed.

        Faster than a call per row: the loop is inside the generated function,
        the parameters are read once, and their gradients are summed in local
        variables (then added into ``.grad`` when ``accumulate``).
        """
        rows = list(rows)
        try:
            checked = [row if type(row) is tuple else tuple(row) for row in rows]
        except TypeError:  # a row that is not a sequence: the check below names it
            checked = []
        if (
            len(checked) != len(rows)
            or set(map(len, checked)) - {len(self.input_names)}
            or set(map(type, itertools.chain.from_iterable(checked))) - {float}
        ):
            checked = [self._row(row, index) for index, row in enumerate(rows)]  # one by one, only when needed
        rows = checked
        for row in rows:
            self._check_graph(row)
        try:
            return BatchResult(*self._rows_program.function(rows))
        except (ValueError, ArithmeticError, TypeError, AttributeError) as exc:
            raise _explained(self._rows_program, exc) from None

    def batch_arrays(self, X: Any) -> BatchResult:
        """The batch ``X`` (an array-like of shape examples x inputs) through one program over numpy arrays.

        Each variable of the program holds every example's value, so each line
        is one numpy operation for the whole batch. Returns numpy arrays:
        ``outputs`` (n,), ``input_grads`` (n, inputs), ``aux`` (n, aux outputs);
        ``param_grads`` are floats summed over the batch. Errors are the ones
        a call on the failing example raises, naming the example's index.
        """
        import numpy as np

        X = self._as_array(X)
        self._check_graph_arrays(X)
        columns = [np.ascontiguousarray(X[:, j]) for j in range(X.shape[1])]
        with np.errstate(all="ignore"):  # inf - inf is nan on floats too, without a warning
            try:
                out, grads, param_grads, aux = self._arrays_program.function(len(X), *columns)
            except (ValueError, ArithmeticError, TypeError, AttributeError, ExampleError) as exc:
                raise _explained(self._arrays_program, exc) from None  # which may compute a fused node again

        def stack(arrays: Sequence[Any]) -> np.ndarray:
            return np.column_stack(arrays) if arrays else np.empty((len(X), 0))

        return BatchResult(np.asarray(out), stack(grads), param_grads, stack(aux))

    # ---------------------------------------------------------- checking
    def check(self, *inputs: float) -> None:
        """Trace ``f`` again on these inputs; raise ``TraceMismatchError`` if its graph differs."""
        self._retrace(self._as_floats(inputs), "")

    def _check_graph(self, inputs: Sequence[float]) -> None:
        """``check=True``: trace again; else re-evaluate the guards, tracing again if one changed."""
        if self._check:
            self.check(*inputs)
            return
        for guard in self.guards:
            if not guard.holds(inputs):
                self._retrace(tuple(inputs), f"in the trace {guard.describe(self.input_names)}, not on these inputs")
                return

    def _check_graph_arrays(self, X: Any) -> None:
        """The guards (or ``check``) for every row of a batch; only rows where a guard changed are traced again."""
        if self._check:
            for row in X.tolist():
                self.check(*row)
            return
        changed: set[int] = set()
        for guard in self.guards:
            changed.update(i for i, row in enumerate(X.tolist()) if not guard.holds(row))
        for i in sorted(changed):
            self._check_graph(X[i].tolist())

    def _retrace(self, inputs: Sequence[float], why: str) -> None:
        difference = self.trace.difference_on(inputs)
        if difference:
            raise TraceMismatchError(
                f"{self.name}({', '.join(map(repr, inputs))}) builds another graph than the compiled trace "
                f"({difference}{'; ' + why if why else ''}): f's Python control flow or constants depend on the "
                "input data; compile it for these inputs, or keep it interpreted"
            )

    def _as_floats(self, inputs: Sequence[Any], example: int | None = None) -> tuple[float, ...]:
        """The inputs of one call (or of one ``example`` of a batch) as floats; errors name the input."""
        where = f"compiled {self.name}" + ("() input" if example is None else f": example {example}, input")
        floats = []
        for name, x in zip(self.input_names, inputs):
            if type(x) is float:
                floats.append(x)
                continue
            if isinstance(x, Value) or not isinstance(x, numbers.Real):
                raise TypeError(
                    f"{where} {name!r} must be a real number, got {type(x).__name__} {short_repr(x)}"
                    + (" (pass its .data)" if isinstance(x, Value) else "")
                )
            floats.append(as_float(x, f"{where} {name!r} needs a real number"))
        return tuple(floats)

    def _row(self, row: Any, index: int) -> tuple[float, ...]:
        """One row of a batch, checked as a call's inputs are: one real number per input, as floats."""
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise TypeError(
                f"compiled {self.name}: example {index} must be a row of {len(self.input_names)} "
                f"number(s) ({', '.join(self.input_names)}), got {type(row).__name__} {short_repr(row)}"
            )
        values: tuple[Any, ...] = row if type(row) is tuple else tuple(row)
        if len(values) != len(self.input_names):
            raise TypeError(
                f"compiled {self.name}: each row needs {len(self.input_names)} number(s) "
                f"({', '.join(self.input_names)}), got {short_repr(values)} (example {index})"
            )
        for x in values:
            if type(x) is not float:
                return self._as_floats(values, index)
        return values

    def _as_array(self, X: Any) -> Any:
        """``X`` as a float array of shape (examples, inputs); entries that are not real numbers are refused
        as a call refuses them (a string is not parsed, a complex number not cut to its real part)."""
        import numpy as np

        try:
            array: np.ndarray | None = np.asarray(X)
        except (ValueError, OverflowError):  # rows of different lengths; an int too large for numpy's
            array = np.asarray(X, dtype=object) if isinstance(X, Sequence) else None
        if array is None or array.ndim != 2 or array.shape[1] != len(self.input_names):
            shape = getattr(array, "shape", None)
            raise TypeError(
                f"compiled {self.name}: batch_arrays needs an array of shape (examples, "
                f"{len(self.input_names)}), got " + (f"shape {shape}" if shape is not None else f"{type(X).__name__}")
            )
        if array.dtype.kind in "fiub":  # floats, ints, unsigned ints, booleans: numbers already
            return array.astype(float, copy=False)
        return np.array([self._as_floats(row, index) for index, row in enumerate(array.tolist())], dtype=float)


def _explained(program: Program, exc: BaseException) -> BaseException:
    """The error of a failed call, naming the op, its inputs, the example (in a batch) and the generated line."""
    located = program.locate(exc)
    index = exc.index if isinstance(exc, ExampleError) else None
    error = exc.error if isinstance(exc, ExampleError) else exc
    if located is None:
        return error
    frame, lineno, unit = located
    node = unit.nodes[lineno - 1] if lineno - 1 < len(unit.nodes) else None
    if node is None or node.op is None:  # a line that computes no node's op
        return error
    if index is None and program.mode == "rows":
        index = len(frame.f_locals.get("outputs", ()))  # the rows done so far
    line = unit.first_line + lineno - 1
    where = (
        f"example {index}; " if index is not None else ""
    ) + f"line {line} of compiled {program.trace.name}: {unit.text.splitlines()[lineno - 1].strip()}"
    values = [_element(program.read(frame.f_locals, p), index) for p in node.parents]
    error_type: type[BaseException]
    if lineno < unit.backward_from and isinstance(error, (ValueError, ArithmeticError)):
        shown = [Value(v, program.trace.names.get(p, "")) for v, p in zip(values, node.parents)]
        engine_error = op_error(node.op, shown, error)  # the error the interpreted engine raises
        message, error_type = f"{engine_error} ({where})", type(engine_error)
    else:
        what = "op" if lineno < unit.backward_from else "the derivative of op"
        message = f"{what} {node.op.name!r} failed at ({', '.join(map(repr, values))}): {error} ({where})"
        error_type = type(error)
    try:
        return error_type(message)
    except Exception:  # noqa: BLE001 - an exception type that needs other arguments: keep it as it is
        return error


def _element(value: Any, index: int | None) -> float:
    """One example's number from a variable that may hold a whole batch."""
    if index is not None and hasattr(value, "ndim") and value.ndim:
        return float(value[index])
    return float(value) if isinstance(value, numbers.Real) or hasattr(value, "ndim") else value


def compile(
    f: Callable[..., Value],
    example_inputs: Sequence[SupportsFloat],
    *,
    params: Sequence[Value] | None = None,
    accumulate: bool = True,
    check: bool = False,
    has_aux: bool = False,
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
        has_aux: ``f`` returns ``(output, aux)``, ``aux`` a Value or a list of
            Values computed along the way (a model's score beside its loss):
            calls return their numbers too, and nothing is differentiated
            through them.

    Returns:
        A ``CompiledFunction``: ``fn(*numbers) -> (output, gradients)``, with
        ``fn.source`` the generated code; ``fn.batch(rows)`` and
        ``fn.batch_arrays(X)`` run a whole batch.

    Raises:
        TypeError: ``f`` does not return a Value, ``example_inputs`` are not
            numbers, or ``params`` are not Values.
        ValueError: ``params`` lists a Value twice.
        TraceMismatchError: two traces on the same inputs differ (``f`` is
            random), or ``params`` misses a Value the trace reached.
    """
    if isinstance(example_inputs, (str, bytes)) or not isinstance(example_inputs, Sequence):
        raise TypeError(
            f"compile: example_inputs must be a sequence of numbers, e.g. (2.0,) for a "
            f"function of one input; got {type(example_inputs).__name__} {example_inputs!r}"
        )
    for i, x in enumerate(example_inputs):
        if isinstance(x, Value) or not isinstance(x, numbers.Real):
            raise TypeError(
                f"compile: example input {i} must be a real number, got {type(x).__name__} {x!r}"
                + (" (pass its .data: compile makes its own input Values)" if isinstance(x, Value) else "")
            )
    point = [as_float(x, f"compile: example input {i} needs a real number") for i, x in enumerate(example_inputs)]
    with cyclic_gc_paused():  # the trace holds the whole graph; the collector would only rescan it
        trace = TracedGraph(f, point, params=params, has_aux=has_aux)
        return CompiledFunction(trace, accumulate, check)
