"""The trace: ``f`` run once on input Values, and everything code generation reads, worked out once.

``TracedGraph(f, example_inputs)`` calls ``f`` on input Values and keeps the graph it
built. Its constructor, and nothing else, works out:

* ``order``: every node, parents first (``topological_order``, parents in
  argument order), the output's graph then any auxiliary outputs';
* ``params``: the leaves that existed before ``f`` ran (a model's weights).
  ``f`` runs a second time: the leaves both runs reach are parameters, leaves
  made anew in each run are constants;
* ``live``: the nodes that depend on an input or a parameter; the others are
  constants, written into the code as literals;
* ``names``: one identifier per live node, its name by the engine's one
  naming rule (``notation.node_names``: the label, else ``v1, v2, ...``) made
  identifier-safe (``names.py``), and ``functions``: the global name the code
  calls each op's forward (and a user op's ``local_grads``) by, chosen after
  the nodes' names so that an op's function gives way to a label (``tanh``);
* ``guards`` and ``kinks``.

Guards need no frame inspection. A comparison or truth test of a Value
(``x * w > 0``, ``max(a, b)``, ``if loss:``) is noted by the Value itself
while the trace runs (``MODE.compared``) and becomes a ``ValueGuard``: at each
call the compared nodes are recomputed from the call's inputs with the ops'
forwards, and a comparison that comes out differently traces ``f`` again.
A comparison of the numbers taken out of the inputs (``x.data > 0``) is a
``Guard``: each input is a ``TracedInput``, a ``Value`` whose public
``.data`` is, while the trace runs, a ``RecordingFloat`` that records the
comparisons made on it. The engine reads a node's number through
its private slot, never through ``.data``, so the ops' own domain checks
(``x <= 0`` in log) are not recorded: only the comparisons of ``f`` are.

Two traces are compared node by node (``first_difference``): that is how
``compile`` sees that ``f`` is random and how ``check`` sees another path.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple, SupportsFloat

from ..backprop import topological_order
from ..checks import as_float
from ..define import input_names
from ..modes import MODE, enable_grad
from ..notation import node_names
from ..ops import RULE_HELPERS, Op
from ..value import Value
from .names import Namer, identifier

__all__ = ["TracedGraph", "TracedInput", "Guard", "ValueGuard", "Kink", "TraceMismatchError", "CODE_NAMES"]

# Every name the generated code uses for itself; no node may be given one of these.
CODE_NAMES = frozenset(
    {
        "True",
        "False",
        "None",
        "params",
        "P",
        "G",
        "v",
        "g",
        "n",
        "row",
        "rows",
        "outputs",
        "input_grads",
        "auxes",
        "BLOCKS",
        "block",
        "np",
        "inf",
        "nan",
        "batch_dot",
        "broadcast",
        "matmul",
        "layer_sums",
        "local_grads_",
        "_",
        "sum",
        "zip",
        "range",
        "len",
        "float",
        "tuple",
        "list",
        "abs",
        *RULE_HELPERS,  # the builtins it calls
    }
)
# Readable global names for the ops whose names are symbols.
_SYMBOL_NAMES = {"/": "div", "**": "power", "pow": "power", "+": "add", "-": "sub", "*": "mul"}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class TraceMismatchError(RuntimeError):
    """A call's inputs make ``f`` build another graph than the one that was compiled."""


class Guard(NamedTuple):
    """A comparison ``f`` made on an input's ``.data`` during the trace, and its result then."""

    input: int  # which input
    op: str  # "<", "<=", ">", ">=", "==" or "!="
    other: float | int | Fraction  # the number it was compared with, exactly (ignored when other_input is set)
    other_input: int | None  # or the other input it was compared with
    result: bool

    def holds(self, inputs: Sequence[float]) -> bool:
        """True when the comparison gives the traced result on these inputs."""
        other = self.other if self.other_input is None else inputs[self.other_input]
        return _COMPARE[self.op](inputs[self.input], other) == self.result

    def describe(self, names: Sequence[str]) -> str:
        other = _number_text(self.other) if self.other_input is None else names[self.other_input]
        return f"{names[self.input]} {self.op} {other} was {self.result}"


class ValueGuard:
    """A comparison (or truth test) ``f`` made on a Value during the trace, and its result then.

    ``holds`` recomputes the compared Values from a call's inputs by the ops'
    forwards (a parameter's or any other leaf's number is read at the call,
    so updates are seen), then compares them again.
    """

    def __init__(self, left: Value, op: str, right: Any, result: bool, inputs: Sequence[Value], text: str) -> None:
        self.left, self.op, self.right, self.result, self.text = left, op, right, result, text
        self.order = topological_order([left, right] if isinstance(right, Value) else left)
        self.position = {x: i for i, x in enumerate(inputs)}

    def holds(self, inputs: Sequence[float]) -> bool:
        """True when the comparison gives the traced result on these inputs (False where a node has no value)."""
        numbers: dict[Value, float] = {}
        try:
            for node in self.order:
                if node.op is None:
                    i = self.position.get(node)
                    numbers[node] = node._data if i is None else inputs[i]
                else:
                    numbers[node] = node.op.forward(*[numbers[p] for p in node.parents])
        except (ArithmeticError, ValueError):
            return False  # traced again: the interpreted call raises the engine's error
        right = numbers[self.right] if isinstance(self.right, Value) else self.right
        return _COMPARE[self.op](numbers[self.left], right) == self.result

    def describe(self, names: Sequence[str]) -> str:
        return f"{self.text} was {self.result}"

    def __repr__(self) -> str:
        return f"<ValueGuard: {self.describe(())}>"


class Kink(NamedTuple):
    """A branching node (relu, abs): compiled as a branch, evaluated at every call."""

    name: str  # its variable in the generated source
    op: Op  # the op (relu, abs); its name is `op.name`
    traced_input: float  # the op's input in the trace (the side of the kink it was traced on)


# ------------------------------------------------------------------ guards
class _GuardLog:
    """The comparisons made on the inputs' ``.data`` while a trace runs, with their results."""

    def __init__(self) -> None:
        self.recording = True
        self.results: dict[tuple[int, str, float | int | Fraction, int | None], bool] = {}

    def record(self, index: int, op: str, other: Any, result: bool) -> None:
        if not self.recording:
            return
        key = (index, op, 0.0, other.input_index) if isinstance(other, RecordingFloat) else (index, op, other, None)
        self.results.setdefault(key, result)

    def guards(self) -> tuple[Guard, ...]:
        return tuple(Guard(*key, result) for key, result in self.results.items())


def exact_number(x: Any) -> float | int | Fraction | None:
    """``x`` as a Python number with exactly its value, or None if it is no real number: a float when one holds
    it exactly, else an int or a Fraction.

    numpy's scalars, ``Fraction`` and ``Decimal`` become the number they hold,
    so that a guard compares with it as ``f`` did: ``2**53 + 1`` stays an int
    (a float would round it), ``Fraction(1, 3)`` a Fraction.
    """
    if type(x) is float:
        return x
    if isinstance(x, numbers.Integral):
        exact: float | int | Fraction = int(x)
    elif isinstance(x, numbers.Rational):
        exact = Fraction(int(x.numerator), int(x.denominator))
    elif isinstance(x, (numbers.Real, Decimal)):
        try:
            ratio: Any = x  # numbers.Real promises no as_integer_ratio; float32, longdouble and Decimal have one
            exact = Fraction(*ratio.as_integer_ratio())  # exactly, when finite
        except (OverflowError, ValueError, AttributeError, TypeError):
            try:
                return float(x)  # infinities and nan
            except (ValueError, TypeError):  # a signalling nan
                return None
    else:
        return None
    try:
        as_float = float(exact)
    except OverflowError:
        return exact
    return as_float if as_float == exact else exact


def _number_text(x: float | int | Fraction) -> str:
    """A guard's number as text; an int too long to print whole (Python refuses past 4300 digits) by its size."""
    if isinstance(x, int) and x.bit_length() > 128:
        return f"{'-' if x < 0 else ''}(an int of {x.bit_length()} bits)"
    return repr(x)


class RecordingFloat(float):
    """An input's ``.data`` during a trace: a float that records its comparisons (``x.data > 0``).

    A comparison with any real number is made exactly (``exact_number``) and
    recorded. numpy hands the comparisons it is asked first
    (``np.float64(0) < x.data``) to ``__array_ufunc__``, which records them
    the same way. Python's own ``Fraction`` and ``Decimal`` on the left
    (``Fraction(0) < x.data``) answer themselves and are not seen; ``check=True``
    finds what they change.
    """

    __slots__ = ("log", "input_index")
    __hash__ = float.__hash__

    log: _GuardLog
    input_index: int

    def __new__(cls, value: float, log: _GuardLog, index: int) -> RecordingFloat:
        self = super().__new__(cls, value)
        self.log, self.input_index = log, index
        return self

    def __bool__(self) -> bool:
        result = float.__ne__(self, 0.0)
        self.log.record(self.input_index, "!=", 0.0, result)
        return result

    def __repr__(self) -> str:
        return float.__repr__(self)

    def compare(self, op: str, other: Any) -> Any:
        """``self op other``, recorded when ``other`` is a real number or another input's ``.data``."""
        if isinstance(other, RecordingFloat):
            result = _COMPARE[op](float(self), float(other))
        else:
            exact = exact_number(other)
            if exact is None:
                return NotImplemented
            result, other = _COMPARE[op](float(self), exact), exact  # float against int or Fraction: exact
        self.log.record(self.input_index, op, other, result)
        return result

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy's operators with this number: a comparison with one number is ``compare``'s, the rest numpy's
        on the plain float."""
        op = _UFUNC_COMPARISONS.get(getattr(ufunc, "__name__", ""))
        if op is not None and method == "__call__" and len(inputs) == 2 and not kwargs:
            a, b = inputs
            if a is self and getattr(b, "ndim", 0) == 0:
                return self.compare(op, b.item() if hasattr(b, "item") else b)
            if b is self and getattr(a, "ndim", 0) == 0:
                return self.compare(_MIRRORED[op], a.item() if hasattr(a, "item") else a)
        plain = [float(x) if isinstance(x, RecordingFloat) else x for x in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)


_UFUNC_COMPARISONS = {
    "less": "<",
    "less_equal": "<=",
    "greater": ">",
    "greater_equal": ">=",
    "equal": "==",
    "not_equal": "!=",
}
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}  # a < b is b > a


def _recording(op: str) -> Callable[[RecordingFloat, Any], Any]:
    def method(self: RecordingFloat, other: Any) -> Any:
        return self.compare(op, other)

    return method


for _op, _method in (
    ("<", "__lt__"),
    ("<=", "__le__"),
    (">", "__gt__"),
    (">=", "__ge__"),
    ("==", "__eq__"),
    ("!=", "__ne__"),
):
    setattr(RecordingFloat, _method, _recording(_op))


class TracedInput(Value):
    """An input of a traced ``f``: a Value whose public ``.data`` records the comparisons made on it."""

    __slots__ = ("_log", "_index")

    def __init__(self, data: float, label: str, log: _GuardLog | None, index: int) -> None:
        super().__init__(data, label)
        self._log, self._index = log, index

    @property
    def data(self) -> float:
        plain = self._data
        log = self._log
        return plain if log is None or not log.recording else RecordingFloat(plain, log, self._index)

    @data.setter
    def data(self, value: SupportsFloat) -> None:
        self._data = value if type(value) is float else as_float(value, "Value.data needs a real number")


# ------------------------------------------------------------------ tracing
def _run(f: Callable[..., Any], inputs: Sequence[Value], name: str, has_aux: bool) -> tuple[Value, tuple[Value, ...]]:
    """Call ``f`` on Values with graph recording on: its output, and its auxiliary outputs."""
    with enable_grad():
        result = f(*inputs)
    aux: Any = ()
    if has_aux:
        if not isinstance(result, tuple) or len(result) != 2:
            raise TypeError(
                f"compile: with has_aux=True, {name}() must return (output, aux), got "
                f"{type(result).__name__} {result!r}"
            )
        result, aux = result
        aux = (aux,) if isinstance(aux, Value) else tuple(aux)
        for i, a in enumerate(aux):
            if not isinstance(a, Value):
                raise TypeError(f"compile: {name}()'s aux output {i} must be a Value, got {type(a).__name__} {a!r}")
    if isinstance(result, Value):
        return result, aux
    hint = ""
    if isinstance(result, (tuple, list)):
        hint = (
            "; compile differentiates one scalar output: return one Value (a sum, or one output at a time), "
            "or (output, aux) with has_aux=True"
        )
    elif isinstance(result, numbers.Real):
        hint = "; build the result from the input Values (x * 2), not from their .data"
    raise TypeError(f"compile: {name}() must return a Value, got {type(result).__name__} {result!r}{hint}")


def _graph_order(roots: Sequence[Value]) -> tuple[list[Value], int]:
    """Every node under ``roots``, parents first: the first root's graph, then what the others add; and
    how many nodes the first root's graph has."""
    order = topological_order(roots[0])
    size = len(order)
    if len(roots) > 1:
        seen = set(order)
        for root in roots[1:]:
            for node in topological_order(root):
                if node not in seen:
                    seen.add(node)
                    order.append(node)
    return order, size


class _Run:
    """One call of ``f`` on traced inputs: the inputs, the outputs, every node, and the guards recorded."""

    def __init__(
        self,
        f: Callable[..., Any],
        example_inputs: Sequence[float],
        labels: Sequence[str],
        name: str,
        has_aux: bool,
        record_guards: bool,
    ) -> None:
        log = _GuardLog() if record_guards else None
        self.inputs = [TracedInput(x, label, log, i) for i, (x, label) in enumerate(zip(example_inputs, labels))]
        self.compared: list[tuple[Value, str, Any, bool]] = []  # the Values' own comparisons (Value.__lt__, ...)
        saved, MODE.compared = MODE.compared, (self.compared if record_guards else None)
        try:
            self.output, self.aux = _run(f, self.inputs, name, has_aux)
        finally:
            MODE.compared = saved
        if log is not None:
            log.recording = False
        self.guards = log.guards() if log is not None else ()
        self.order, self.output_graph_size = _graph_order((self.output, *self.aux))

    def live(self, params: Sequence[Value]) -> set[Value]:
        """The nodes of the graph that depend on an input or a parameter; the rest are constants."""
        sources: set[Value] = set(self.inputs)
        sources.update(params)
        live: set[Value] = set()
        add = live.add
        for node in self.order:
            if node in sources:
                add(node)
                continue
            for parent in node.parents:  # a leaf has none
                if parent in live:
                    add(node)
                    break
        return live

    def entry(self, i: int, live: set[Value], params: Sequence[Value]) -> tuple[Any, ...] | None:
        """Node ``i`` as comparable data (parents as positions in ``order``), for an error message."""
        if i >= len(self.order):
            return None
        node = self.order[i]
        if node not in live:
            return ("constant", repr(node.data))
        if node in self.inputs:
            return ("input", self.inputs.index(node))
        if node.op is None:
            return ("parameter", list(params).index(node))
        position = {n: k for k, n in enumerate(self.order[:i])}
        return (node.op, tuple(position[p] for p in node.parents))


def _first_difference(old: _Run, old_live: set[Value], new: _Run, params: Sequence[Value]) -> str:
    """'' when the two runs built the same graph, else where they first differ.

    The runs are walked side by side, matching each node of ``old`` to the
    node of ``new`` at the same position: two nodes are the same when both are
    the same input, parameter or constant, or apply the same op to matched
    parents.
    """
    new_live = new.live(params)
    match: dict[Value, Value] = dict(zip(old.inputs, new.inputs))
    match.update((p, p) for p in params)
    for i, (a, b) in enumerate(zip(old.order, new.order)):  # noqa: B007 - i is read after a break
        a_live, b_live = a in old_live, b in new_live
        if a_live != b_live:
            break
        if not a_live:
            if repr(a.data) != repr(b.data):
                break
        elif a.op is None or b.op is None:
            if match.get(a) is not b:
                break
        elif a.op is not b.op or tuple([match.get(p) for p in a.parents]) != b.parents:
            break
        match[a] = b
    else:
        if len(old.order) == len(new.order):
            return ""
        i = min(len(old.order), len(new.order))
    mine, theirs = old.entry(i, old_live, params), new.entry(i, new_live, params)
    return f"node {i} was {_show(mine)} when compiled, now {_show(theirs)}"


class TracedGraph:
    """``f`` traced on ``example_inputs``: its nodes, parameters, live nodes, names, guards and kinks.

    Raises:
        TypeError: ``f`` does not return a Value, or ``params`` holds something else.
        ValueError: ``params`` lists a Value twice.
        TraceMismatchError: the two runs differ (``f`` is random), or ``params``
            misses a Value that ``f`` reaches.
    """

    def __init__(
        self,
        f: Callable[..., Any],
        example_inputs: Sequence[float],
        *,
        params: Sequence[Value] | None = None,
        has_aux: bool = False,
    ) -> None:
        self.f, self.has_aux = f, has_aux
        self.name = _function_name(f)
        self.input_names = input_names(f, len(example_inputs))
        run = _Run(f, example_inputs, self.input_names, self.name, has_aux, record_guards=True)
        again = _Run(f, example_inputs, self.input_names, self.name, has_aux, record_guards=False)
        self.inputs, self.output, self.aux, self.order = run.inputs, run.output, run.aux, run.order
        self.output_graph_size = run.output_graph_size  # order[:output_graph_size] is what the output depends on
        self.params = self._parameters(again, params)
        self.live = run.live(self.params)
        difference = _first_difference(run, self.live, again, self.params)
        if difference:
            raise TraceMismatchError(
                f"compile: {self.name}() built two different graphs on the same inputs "
                f"({difference}); compile needs a deterministic f"
            )
        self._run = run
        namer = Namer(CODE_NAMES | {self.name})
        self.names = self._node_names(namer)  # the user's names first: the code's own op functions give way
        self.functions, self.local_grads_functions = self._function_names(namer)
        self.guards: tuple[Guard | ValueGuard, ...] = (*run.guards, *self._value_guards(run.compared))
        self.kinks = tuple(
            Kink(self.names[node], node.op, float(node.parents[0].data))
            for node in self.order
            if node.op is not None and node.op.kink is not None and node in self.live
        )

    def _value_guards(self, compared: list[tuple[Value, str, Any, bool]]) -> tuple[ValueGuard, ...]:
        """A guard per distinct comparison of a Value made while ``f`` was traced."""
        guards: dict[tuple[Any, ...], ValueGuard] = {}
        for left, op, right, result in compared:
            key = (left, op, right if isinstance(right, Value) else ("number", right))
            if key not in guards:
                text = f"{self._shown(left)} {op} {self._shown(right)}"
                guards[key] = ValueGuard(left, op, right, result, self.inputs, text)
        return tuple(guards.values())

    def _shown(self, x: Any, depth: int = 0) -> str:
        """A compared Value by its name in the code (or label), else by its op and inputs; a number as written."""
        if not isinstance(x, Value):
            exact = exact_number(x)
            return _number_text(exact) if exact is not None else repr(x)
        name = self.names.get(x) or x.label
        if name:
            return name
        if x.op is None or depth >= 2:
            return repr(x._data)
        shown = [self._shown(p, depth + 1) for p in x.parents]
        if len(shown) == 2 and not x.op.name.isidentifier():  # + - * / **: written between
            return f"({shown[0]} {x.op.name} {shown[1]})"
        return f"{x.op.name}({', '.join(shown)})"

    def difference_on(self, inputs: Sequence[float]) -> str:
        """'' when ``f`` builds the traced graph on ``inputs`` too, else where the graphs first differ."""
        run = _Run(self.f, inputs, self.input_names, self.name, self.has_aux, record_guards=False)
        return _first_difference(self._run, self.live, run, self.params)

    def _parameters(self, again: _Run, given: Sequence[Value] | None) -> tuple[Value, ...]:
        """The leaves both runs reach, in reading order; or ``given``, checked against them."""
        leaves_again = {node for node in again.order if node.op is None}
        inputs = set(self.inputs)
        reached = [n for n in self.order if n.op is None and n in leaves_again and n not in inputs]
        if given is None:
            return tuple(reached)
        given = list(given)
        for i, p in enumerate(given):
            if not isinstance(p, Value):
                raise TypeError(f"compile: params[{i}] must be a Value, got {type(p).__name__} {p!r}")
        if len(set(given)) != len(given):
            twice = next(p for i, p in enumerate(given) if p in given[:i])
            raise ValueError(f"compile: params lists {twice!r} twice; its gradient would be counted twice")
        chosen = set(given)
        missing = [p for p in reached if p not in chosen]
        if missing:
            raise TraceMismatchError(
                f"compile: {self.name}() reaches {len(missing)} Value(s) not in params, e.g. "
                f"{missing[0]!r}; list every parameter, or leave params=None"
            )
        return tuple(given)

    def _function_names(self, namer: Namer) -> tuple[dict[Op, str], dict[Op, str]]:
        """The global names the code may call each op's forward by, and a user op's ``local_grads``."""
        forwards: dict[Op, str] = {}
        derivatives: dict[Op, str] = {}
        for node in self.order:
            op = node.op
            if op is None or op in forwards or node not in self.live:
                continue
            base = identifier(_SYMBOL_NAMES.get(op.name, op.name)) or "op"
            forwards[op] = namer.new(f"op_{base}" if base in namer.used else base)
            if op.derivative_exprs is None:  # a user op: its own local_grads, the engine's entry point
                derivatives[op] = namer.new(f"{base}_local_grads")
        return forwards, derivatives

    def _node_names(self, namer: Namer) -> dict[Value, str]:
        """One identifier per live node: its name by the engine's one rule (``notation.node_names``), made
        identifier-safe (``x[0]`` -> ``x_0``, ``a#2`` -> ``a_2``); inputs first, then in graph order.

        The inputs and the parameters are named even when unlabelled (``v3``),
        as variables; constants are literals and get no name.
        """
        variables = {*self.inputs, *self.params}
        in_graph = set(self.order)
        unreached = [x for x in (*self.inputs, *self.params) if x not in in_graph]  # the outputs do not use them
        rule = node_names([*self.order, *unreached], variables)
        names: dict[Value, str] = {x: namer.new(rule[x]) for x in self.inputs}
        for node in [*self.order, *unreached]:
            if node not in names and (node in self.live or node in variables):
                names[node] = namer.new(rule[node])
        return names


def _function_name(f: Callable[..., Any]) -> str:
    name = getattr(f, "__name__", "")
    return name if isinstance(name, str) and identifier(name) == name else "f"  # lambdas, callable objects


def _show(entry: tuple[Any, ...] | None) -> str:
    if entry is None:
        return "nothing"
    kind, detail = entry
    if isinstance(kind, Op):
        return f"op {kind.name!r} of nodes {list(detail)}"
    return f"{kind} {detail}"
