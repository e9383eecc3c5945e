"""Grade a micrograd-style ``Value`` class written by a student: each mistake named, with the graph that shows it.

    from autograd_core.grading import check_value_class, assert_value_class
    report = check_value_class(MyValue)   # a Report; bool(report) is True when nothing is wrong
    print(report)                         # or show `report` in a notebook: a table
    assert_value_class(MyValue)           # raises AssertionError with the report (pytest, nbgrader, otter)

The class is the one micrograd's lecture builds: ``Value(data)`` (the
lecture's ``_children``, ``_op`` and ``label`` are never passed), ``.data``,
``.grad``, ``_prev``, ``_backward`` and ``backward()``, with whichever of
``+ - * / **``, unary minus, the reflected ops (``2 * a``), ``tanh``, ``exp``,
``relu`` and ``log`` it has. An op the class does not have is listed as not
written yet, not as wrong.

The grader runs small graphs, called probes: each is a few lines of code,
run once with the student's class as ``Value`` and once with
``autograd_core.Value``, and every number (each node's ``data`` and ``grad``)
is compared. A probe is built to tell one misconception from the others (a
node used twice, ``a * a``, tells ``=`` from ``+=``), so a wrong number names
the mistake, from ``CATALOGUE``. Some probes look at the graph instead:
``_prev`` holds both operands; a leaf keeps its own ``_backward``;
``backward()`` calls every ``_backward`` once, each after the nodes that use
it (recorded by wrapping each node's ``_backward``). A probe that relies on
something found wrong is not run (it would fail for that reason); the report
lists it as not checked yet.

Student code runs under a guard: a recursion limit a few hundred frames
above the caller's, and a trace function (``sys.settrace``) that counts the
lines the probe runs and stops it (raising inside the student's code) past
``lines_per_probe`` lines or ``seconds_per_probe`` seconds. What it prints is
counted, not shown. The tracer, the recursion limit, ``sys.stdout`` and
``sys.stderr`` are put back after every probe, also on KeyboardInterrupt.
What the guard cannot stop: code that does not run Python lines (``time.sleep``,
a long C-level loop such as ``sum(range(10**12))`` or ``math.factorial`` of a
huge number), a ``try``/bare ``except:`` that swallows the guard's exception
and goes on (Python turns the tracer off when it raises), code that starts
threads or processes, or writes to the real terminal (``sys.__stdout__``).
"""

from __future__ import annotations

import html
import math
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .value import Value

__all__ = [
    "check_value_class",
    "assert_value_class",
    "Report",
    "Finding",
    "Misconception",
    "CATALOGUE",
]


# ------------------------------------------------------------------ the catalogue
@dataclass(frozen=True)
class Misconception:
    """A mistake students make writing their own Value: its key, what goes wrong in their words, and a hint."""

    key: str
    message: str
    hint: str


CATALOGUE: dict[str, Misconception] = {
    m.key: m
    for m in (
        Misconception(
            "overwrite",
            "A node used twice gets its gradient overwritten, not accumulated (`=` where `+=` belongs).",
            "In _backward, add to each gradient: `self.grad += ...`. A node used twice gets a share from each use.",
        ),
        Misconception(
            "no_upstream",
            "The upstream gradient is left out of the chain rule (`self.grad += local` instead of `local * out.grad`).",
            "Multiply each local derivative by `out.grad`, the gradient that arrived at the op's output.",
        ),
        Misconception(
            "wrong_sign",
            "The local derivative has the wrong sign.",
            "d(a - b)/da = 1, d(a - b)/db = -1, d(-a)/da = -1.",
        ),
        Misconception(
            "power_rule",
            "The power rule is misapplied.",
            "d(x**k)/dx = k * x**(k - 1): `self.grad += k * self.data**(k - 1) * out.grad`.",
        ),
        Misconception(
            "quotient_rule",
            "The quotient rule is misapplied (the derivative with respect to the denominator).",
            "d(a / b)/da = 1 / b and d(a / b)/db = -a / b**2 (or write a / b as a * b**-1).",
        ),
        Misconception(
            "product_rule",
            "Each input of a product gets its own data as derivative: d(a * b)/da is b, not a.",
            "`self.grad += other.data * out.grad` and `other.grad += self.data * out.grad`.",
        ),
        Misconception(
            "input_for_output",
            "The input's data where the output's belongs in the derivative (tanh: 1 - t**2 with t the output; "
            "exp: the output itself).",
            "tanh'(x) = 1 - tanh(x)**2 = 1 - out.data**2; exp'(x) = exp(x) = out.data.",
        ),
        Misconception(
            "wrong_local",
            "A wrong local derivative.",
            "Check the op's derivative: d out / d input at the input's value.",
        ),
        Misconception(
            "wrong_forward",
            "The forward value is wrong: `out.data` is not what the op computes.",
            "Compute the op on the inputs' data, e.g. `Value(self.data * other.data, (self, other), '*')`.",
        ),
        Misconception(
            "no_topo_order",
            "backward() does not follow a topological order: a node passes its gradient on before all of it "
            "has arrived (or passes it on twice).",
            "Sort the nodes topologically (each node after the nodes it was made from, each once), then call "
            "`_backward` on them in reverse order.",
        ),
        Misconception(
            "stops_early",
            "backward() stops early: some nodes' `_backward` is never called.",
            "Call `_backward` on every node of the topological order, not only on the output.",
        ),
        Misconception(
            "no_seed",
            "The output's gradient is not seeded with 1 before the backward pass.",
            "In backward(), set `self.grad = 1.0` (d out / d out) before calling the nodes' `_backward`.",
        ),
        Misconception(
            "missing_reflected",
            "A number on the left fails (`2 * a`): the reflected op is missing.",
            "Python calls `a.__rmul__(2)` for `2 * a`: `def __rmul__(self, other): return self * other`.",
        ),
        Misconception(
            "reflected_order",
            "The reflected op swaps its operands (`2 - a` computes `a - 2`).",
            "In `__rsub__(self, other)` and `__rtruediv__(self, other)`, `other` is on the left: "
            "`return other + (-self)`, `return other * self**-1`.",
        ),
        Misconception(
            "not_wrapped",
            "A plain number is not wrapped in a Value (`a + 1` fails).",
            "`other = other if isinstance(other, Value) else Value(other)` at the top of the op.",
        ),
        Misconception(
            "missing_child",
            "An operand is missing from `_prev`, so the gradient never reaches the nodes under it.",
            "Pass every input as a child: `Value(..., (self, other), '+')`.",
        ),
        Misconception(
            "closure_wrong_node",
            "The `_backward` closure is attached to the wrong node (an input instead of the output).",
            "`out._backward = _backward`: the step belongs to the node the op made.",
        ),
        Misconception(
            "raises",
            "The code raises an error.",
            "Read the error and the line it names.",
        ),
        Misconception(
            "endless_recursion",
            "The code recurses without end (Python's recursion limit stopped it).",
            "A recursive walk needs a base case: a `visited` set, and leaves with no children.",
        ),
        Misconception(
            "too_long",
            "The code did not finish (the grader's time guard stopped it): a loop that never ends?",
            "Check the loop's condition: each node should be visited once.",
        ),
    )
}


# ------------------------------------------------------------------ findings and the report
@dataclass(frozen=True)
class Finding:
    """One mistake found: the op (None when not about one op), the misconception, the graph and its numbers.

    ``op`` is the op as you write it: ``"+"``, ``"-"``, ``"*"``, ``"/"``,
    ``"**"``, ``"neg"`` (unary minus), ``"tanh"``, ``"exp"``, ``"relu"``,
    ``"log"``, or a reflected method (``"__rmul__"``); ``graph`` is the
    smallest code that shows it (``Value`` is your class), ``expected`` what
    ``autograd_core.Value`` gives on it, ``obtained`` what your class gives;
    ``key`` is the entry of ``CATALOGUE``.
    """

    op: str | None
    message: str
    graph: str
    expected: str
    obtained: str
    hint: str
    key: str


@dataclass(frozen=True, repr=False)
class Report:
    """What ``check_value_class`` found: ``findings``, and what was checked, not written, not checked.

    ``bool(report)`` is True when there is no finding; ``str(report)`` is the
    readable report; in a notebook the report shows as a table.
    """

    class_name: str
    findings: tuple[Finding, ...]
    checked: tuple[str, ...]  # the ops the class has, in the order they were checked
    not_written: tuple[str, ...]  # the ops it does not have (yet)
    not_checked: tuple[str, ...]  # probes not run because of a finding they rely on, with the reason
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return not self.findings

    def __repr__(self) -> str:
        count = len(self.findings)
        return f"<Report on {self.class_name}: {count} finding{'' if count == 1 else 's'}>"

    def keys(self) -> list[tuple[str, str | None]]:
        """(misconception key, op) of every finding, in order."""
        return [(f.key, f.op) for f in self.findings]

    def _summary(self) -> str:
        count = len(self.findings)
        verdict = "no finding" if not count else f"{count} finding{'s' if count > 1 else ''}"
        lines = [f"{self.class_name}: {verdict}"]
        lines.append("checked: " + (" ".join(self.checked) or "nothing"))
        if self.not_written:
            lines.append("not written yet: " + " ".join(self.not_written))
        return "\n".join(lines)

    def __str__(self) -> str:
        parts = [self._summary()]
        for i, f in enumerate(self.findings, 1):
            graph = "\n".join("       " + line for line in f.graph.splitlines())
            parts.append(
                f"{i}. [{f.op if f.op is not None else 'backward'}] {f.message}\n"
                f"   graph:\n{graph}\n"
                f"   expected: {f.expected}\n"
                f"   obtained: {f.obtained}\n"
                f"   hint: {f.hint}"
            )
        if self.not_checked:
            parts.append(
                "not checked until the findings above are fixed:\n" + "\n".join(f"- {p}" for p in self.not_checked)
            )
        parts.extend(self.notes)
        return "\n\n".join(parts)

    def _repr_markdown_(self) -> str:
        summary = self._summary().replace("\n", "  \n")
        if not self.findings:
            return summary
        rows = ["| op | misconception | graph | expected | obtained | hint |", "| --- | --- | --- | --- | --- | --- |"]
        for f in self.findings:
            graph = "; ".join(f.graph.splitlines())
            cells = [f.op or "backward", f.message, f"`{graph}`", f.expected, f.obtained, f.hint]
            rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return summary + "\n\n" + "\n".join(rows)

    def _repr_html_(self) -> str:
        e = html.escape
        summary = "<br>".join(e(line) for line in self._summary().splitlines())
        out = [f"<p>{summary}</p>"]
        if self.findings:
            out.append("<table><tr><th>op</th><th>misconception</th><th>graph</th><th>expected</th>")
            out.append("<th>obtained</th><th>hint</th></tr>")
            for f in self.findings:
                out.append(
                    f"<tr><td>{e(f.op or 'backward')}</td><td>{e(f.message)}</td><td><pre>{e(f.graph)}</pre></td>"
                    f"<td>{e(f.expected)}</td><td>{e(f.obtained)}</td><td>{e(f.hint)}</td></tr>"
                )
            out.append("</table>")
        if self.not_checked:
            out.append("<p>not checked until the findings above are fixed: " + e("; ".join(self.not_checked)) + "</p>")
        out.extend(f"<p>{e(note)}</p>" for note in self.notes)
        return "\n".join(out)


# ------------------------------------------------------------------ the guard
class GuardStop(BaseException):
    """Raised inside student code by the time guard (a BaseException, so `except Exception:` lets it through)."""


class _Printed:
    """Stands in for sys.stdout and sys.stderr while student code runs: counts what it prints, keeps the start."""

    def __init__(self) -> None:
        self.count = 0
        self.start = ""

    def write(self, text: str) -> int:
        self.count += len(text)
        if len(self.start) < 200:
            self.start += text[: 200 - len(self.start)]
        return len(text)

    def flush(self) -> None:
        """Nothing to flush."""


class _Guard:
    """A context manager that runs student code with a recursion limit and a line and time budget."""

    def __init__(self, lines: int, seconds: float, printed: _Printed) -> None:
        self.lines, self.seconds, self.printed = lines, seconds, printed
        self.count = 0
        self.deadline = 0.0
        self.stopped = ""

    def _trace(self, frame: Any, event: str, arg: Any) -> Callable[..., Any]:
        return self._line

    def _line(self, frame: Any, event: str, arg: Any) -> Callable[..., Any]:
        if event == "line":
            self.count += 1
            if self.count > self.lines:
                self.stopped = f"more than {self.lines} lines run"
                raise GuardStop(self.stopped)
            if self.count % 64 == 0 and time.perf_counter() > self.deadline:
                self.stopped = f"more than {self.seconds:g} s"
                raise GuardStop(self.stopped)
        return self._line

    def __enter__(self) -> _Guard:
        self.old = (sys.gettrace(), sys.getrecursionlimit(), sys.stdout, sys.stderr)
        depth = 0
        frame: Any = sys._getframe()
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        sys.setrecursionlimit(depth + 400)
        sys.stdout = sys.stderr = self.printed  # a writer: write() and flush()
        self.deadline = time.perf_counter() + self.seconds
        sys.settrace(self._trace)
        return self

    def __exit__(self, *exc: object) -> None:
        trace, limit, stdout, stderr = self.old
        sys.settrace(trace)
        sys.setrecursionlimit(limit)
        sys.stdout, sys.stderr = stdout, stderr


# ------------------------------------------------------------------ the probes
_METHODS = {
    "+": "__add__",
    "*": "__mul__",
    "**": "__pow__",
    "neg": "__neg__",
    "-": "__sub__",
    "/": "__truediv__",
    "tanh": "tanh",
    "exp": "exp",
    "relu": "relu",
    "log": "log",
    "__radd__": "__radd__",
    "__rmul__": "__rmul__",
    "__rsub__": "__rsub__",
    "__rtruediv__": "__rtruediv__",
}
_BINARY = ("+", "*", "-", "/")
_UNARY = {"**": "{} ** 3", "neg": "-{}", "tanh": "{}.tanh()", "exp": "{}.exp()", "relu": "{}.relu()", "log": "{}.log()"}
_UNARY_INPUT = {"**": 2.0, "neg": 2.0, "tanh": 0.5, "exp": 0.5, "relu": 2.0, "log": 2.0}
_REFLECTED = {"__radd__": "+", "__rmul__": "*", "__rsub__": "-", "__rtruediv__": "/"}
_OP_ORDER = ("+", "*", "**", "neg", "-", "/", "tanh", "exp", "relu", "log", *_REFLECTED)
_FORMULA = {
    "+": "d(a + b)/da = 1, d(a + b)/db = 1",
    "*": "d(a * b)/da = b, d(a * b)/db = a",
    "-": "d(a - b)/da = 1, d(a - b)/db = -1",
    "/": "d(a / b)/da = 1 / b, d(a / b)/db = -a / b**2",
    "**": "d(x**k)/dx = k * x**(k - 1)",
    "neg": "d(-x)/dx = -1",
    "tanh": "d tanh(x)/dx = 1 - tanh(x)**2",
    "exp": "d exp(x)/dx = exp(x)",
    "relu": "d relu(x)/dx = 1 for x > 0, 0 for x < 0",
    "log": "d log(x)/dx = 1 / x",
}

Numbers = dict[str, float]
Signature = Callable[[dict[str, Any]], list[Numbers]]  # reference namespace -> the numbers a mistake would give


@dataclass(frozen=True)
class _Probe:
    """A graph written as code, what it checks, and the misconceptions its numbers tell apart."""

    name: str  # unique, e.g. "+ reuse"
    title: str  # for the not-checked list, e.g. "a node used twice in +"
    op: str | None
    code: str
    kind: str  # "forward" (data only), "structure" (data and graph), "numbers" (data and gradients) or "order"
    uses: tuple[str, ...]  # the ops it needs written
    needs: tuple[str, ...] = ()  # probes that must pass for this one to say anything
    signatures: tuple[tuple[str, Signature], ...] = ()
    otherwise: str = "wrong_local"  # the misconception when the numbers are wrong and no signature fits
    on_error: str = "raises"  # the misconception when the code raises an error
    result: str = "out"  # the node the op under test made


def _locals(node: Value) -> tuple[float, ...]:
    """The local derivatives of a reference node, one per parent (from the op table)."""
    assert node.op is not None
    return tuple(node.op.local_grads(*[p.data for p in node.parents], node.data))


# The numbers a misconception gives on a probe, from the reference graph `r` (name -> autograd_core.Value).
def _each_negated(*names: str) -> Signature:
    """One gradient with its sign flipped."""
    return lambda r: [{f"{n}.grad": -r[n].grad} for n in names if r[n].grad != 0]


def _own_data(r: dict[str, Any]) -> list[Numbers]:
    """d(a * b)/da taken as a (its own data), or d/db as b."""
    return [{"a.grad": r["a"].data}, {"b.grad": r["b"].data}]


def _tanh_of_input(r: dict[str, Any]) -> list[Numbers]:
    """1 - x**2 with x the input, for tanh's 1 - t**2."""
    return [{"a.grad": 1 - r["a"].data ** 2}]


def _exp_of_input(r: dict[str, Any]) -> list[Numbers]:
    """x, the input, for exp's derivative exp(x)."""
    return [{"a.grad": r["a"].data}]


def _local_only(leaves: tuple[str, ...]) -> Signature:
    """The op's local derivatives without the upstream gradient (h is the op's output)."""
    return lambda r: [{f"{n}.grad": g for n, g in zip(leaves, _locals(r["h"]))}]


def _swapped(s: str) -> Signature:
    """3 s a computed as a s 3."""
    return lambda r: [{"out.data": _forward(s, r["a"].data, 3.0)}]


def _probes() -> list[_Probe]:
    """Every probe, in the order they run (a probe runs after the probes it needs)."""
    probes: list[_Probe] = []
    ab = "a = Value(2.0)\nb = Value(-3.0)\n"
    graphs: dict[str, tuple[str, tuple[str, ...]]] = {s: (ab + f"out = a {s} b\n", ("a", "b")) for s in _BINARY}
    for op, form in _UNARY.items():
        graphs[op] = (f"a = Value({_UNARY_INPUT[op]!r})\nout = {form.format('a')}\n", ("a",))
    ops = [op for op in _OP_ORDER if op in graphs]
    # 1. Each op's forward value and its graph: out._prev reaches the operands; the step is the output's.
    for op in ops:
        probes.append(_Probe(f"{op} structure", f"the graph {op} builds", op, graphs[op][0], "structure", (op,)))
    # 2. backward() itself: the seed, then the order of the steps on graphs made with * (or +, without *).
    probes.append(_Probe("seed", "the seed", None, "a = Value(2.0)\na.backward()\n", "numbers", (), (), (), "no_seed"))
    for s in ("*", "+"):
        order_graphs = {
            "diamond": ab + f"c = Value(0.5)\nh = a {s} b\nleft = h {s} c\nright = h {s} b\nout = left {s} right\n",
            "shortcut": ab + f"c = Value(0.5)\nh1 = a {s} b\nh2 = h1 {s} c\nh3 = h2 {s} c\nout = h3 {s} h1\n",
        }
        for name, code in order_graphs.items():
            probes.append(
                _Probe(f"order {name}", f"backward() on a {name}", None, code + "out.backward()\n", "order", (s,),
                       (f"{s} structure",), otherwise="no_topo_order")
            )  # fmt: skip
    order = ("order diamond", "order shortcut")
    # 3. Each op's local derivatives, on leaves.
    for op in ops:
        code, leaves = graphs[op]
        signatures: list[tuple[str, Signature]] = []
        otherwise = {"/": "quotient_rule", "**": "power_rule"}.get(op, "wrong_local")
        if op in ("-", "neg"):
            signatures.append(("wrong_sign", _each_negated(*leaves)))
        if op == "*":
            signatures.append(("product_rule", _own_data))
        if op == "tanh":
            signatures.append(("input_for_output", _tanh_of_input))
        if op == "exp":
            signatures.append(("input_for_output", _exp_of_input))
        probes.append(
            _Probe(f"{op} basic", f"the gradients of {op}", op, code + "out.backward()\n", "numbers", (op,),
                   (f"{op} structure", "seed", *order), tuple(signatures), otherwise)
        )  # fmt: skip
    # 4. A plain number on the right, then on the left (the reflected ops).
    for s in _BINARY:
        probes.append(
            _Probe(f"{s} number", f"a number operand of {s}", s, f"a = Value(2.0)\nout = a {s} 3\n", "forward", (s,),
                   on_error="not_wrapped")
        )  # fmt: skip
    for r, s in _REFLECTED.items():
        probes.append(
            _Probe(r, f"{r} (3 {s} a)", r, f"a = Value(2.0)\nout = 3 {s} a\n", "forward", (s, r),
                   (f"{s} number",),
                   (("reflected_order", _swapped(s)),),
                   on_error="missing_reflected")
        )  # fmt: skip
    # 5. The upstream gradient: the op's output feeds a product, so out.grad is not 1.
    for op in ops:
        if op in _BINARY:
            code = ab + f"c = Value(4.0)\nh = a {op} b\nout = h * c\nout.backward()\n"
            leaves = ("a", "b")
        else:
            code = f"a = Value({_UNARY_INPUT[op]!r})\nc = Value(4.0)\nh = {_UNARY[op].format('a')}\nout = h * c\n"
            code += "out.backward()\n"
            leaves = ("a",)
        probes.append(
            _Probe(f"{op} upstream", f"the upstream gradient in {op}", op, code, "numbers", (op, "*"),
                   tuple(dict.fromkeys((f"{op} basic", "* basic"))), (("no_upstream", _local_only(leaves)),),
                   "no_upstream", result="h")
        )  # fmt: skip
    # 6. A node used twice: by two nodes, and twice by one.
    uses: tuple[str, ...]
    needs: tuple[str, ...]
    for op in ops:
        if op in _BINARY:
            # `=` in either line of the op's _backward loses a share of a.grad
            code = f"a = Value(-1.5)\nh = a {op} a\nout = h {op} a\nout.backward()\n"
            uses, needs = (op,), (f"{op} upstream",)
        else:
            code = f"a = Value({_UNARY_INPUT[op]!r})\nh = {_UNARY[op].format('a')}\nout = h * a\nout.backward()\n"
            uses, needs = (op, "*"), (f"{op} upstream", "* reuse")
        # Everything else about the op is right by now: a wrong number here is a lost share.
        probes.append(
            _Probe(f"{op} reuse", f"a node used twice in {op}", op, code, "numbers", uses, needs, (), "overwrite",
                   result="h")
        )  # fmt: skip
    return probes


def _forward(s: str, x: float, y: float) -> float:
    """x s y for the four binary operators."""
    return {"+": x + y, "-": x - y, "*": x * y, "/": x / y}[s]


_PROBES = _probes()
_LAST = {probe.name: probe for probe in _PROBES}
_START = _Probe("start", "a leaf", None, "", "numbers", ())


# ------------------------------------------------------------------ running a probe
@dataclass
class _Failure:
    """Why a probe failed: the misconception, and what was expected and obtained."""

    key: str
    expected: str
    obtained: str
    op: str | None = None  # for an error: the op whose code raised it (or was missing), when it can be told


def _fmt(x: object) -> str:
    return f"{x:.6g}" if isinstance(x, float) else repr(x)


def _close(x: object, y: float) -> bool:
    try:
        return math.isclose(float(x), y, rel_tol=1e-7, abs_tol=1e-10)  # type: ignore[arg-type]  # any number
    except (TypeError, ValueError, OverflowError):
        return False


def _error_text(exc: BaseException) -> str:
    """The error and the last line of student code it came through ('in __add__, line 12')."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename not in (__file__, "<graph>")]
    where = ""
    if frames:
        last = frames[-1]
        where = f" (in {last.name}, line {last.lineno}" + (f": {last.line.strip()}" if last.line else "") + ")"
    return f"{type(exc).__name__}: {exc}{where}"


def _code_of(step: Any) -> Any:
    """The code object behind a `_backward` (a function, a lambda or a bound method), or None."""
    return getattr(step, "__code__", None) or getattr(getattr(step, "__func__", None), "__code__", None)


def _nodes(namespace: dict[str, Any]) -> dict[str, Value]:
    return {name: v for name, v in namespace.items() if isinstance(v, Value)}


class _Grader:
    """Runs the probes on one class, keeps what passed, collects the findings."""

    def __init__(self, cls: type, lines: int, seconds: float) -> None:
        self.cls, self.lines, self.seconds = cls, lines, seconds
        self.printed = _Printed()
        self.findings: list[Finding] = []
        self.passed: dict[str, bool] = {}
        self.not_checked: list[str] = []
        self.stops = 0
        self.leaf_step: Any = None  # the code of a new leaf's _backward

    def guarded(self) -> _Guard:
        return _Guard(self.lines, self.seconds, self.printed)

    def run(self, code: str, namespace: dict[str, Any]) -> BaseException | None:
        """Run probe code with the student's class under the guard; the error it raised, or None."""
        try:
            with self.guarded():
                exec(compile(code, "<graph>", "exec"), namespace)  # noqa: S102 - the grader's own probe text
        except GuardStop as stop:
            self.stops += 1
            return stop
        except Exception as exc:  # noqa: BLE001 - any error of student code is a finding, never the grader's crash
            return exc
        return None

    def error_failure(self, probe: _Probe, exc: BaseException) -> _Failure:
        if isinstance(exc, GuardStop):
            return _Failure("too_long", "it finishes", f"stopped after {exc}")
        if isinstance(exc, RecursionError):
            return _Failure("endless_recursion", "it finishes", _error_text(exc))
        key = probe.on_error
        if key == "missing_reflected" and probe.op is not None and _METHODS[probe.op] in vars(self.cls):
            key = "raises"  # the method is there, something it calls is not
        return _Failure(key, "no error", _error_text(exc), _failing_op(exc, self.cls))

    def student_number(self, namespace: dict[str, Any], quantity: str) -> object:
        name, attribute = quantity.split(".")
        try:
            with self.guarded():
                return getattr(namespace[name], attribute)
        except (Exception, GuardStop) as exc:  # noqa: BLE001 - a property of student code may raise anything
            return f"<{type(exc).__name__} reading {quantity}>"

    def numbers(
        self, probe: _Probe, ref: dict[str, Value], mine: dict[str, Any], grads: bool = True
    ) -> _Failure | None:
        expected: Numbers = {}
        for name, node in _nodes(ref).items():
            expected[f"{name}.data"] = node.data
        if grads:
            for name, node in _nodes(ref).items():
                expected[f"{name}.grad"] = node.grad
        obtained = {q: self.student_number(mine, q) for q in expected}
        wrong = [q for q in expected if not _close(obtained[q], expected[q])]
        if not wrong:
            return None

        def failure(key: str, shown: list[str]) -> _Failure:
            return _Failure(
                key,
                ", ".join(f"{q} = {_fmt(expected[q])}" for q in shown),
                ", ".join(f"{q} = {_fmt(obtained[q])}" for q in shown),
            )

        for key, signature in probe.signatures:
            for candidate in signature(ref):
                if candidate and all(_close(obtained[q], v) for q, v in candidate.items()):
                    return failure(key, wrong)
        data = [q for q in wrong if q.endswith(".data")]
        if data:
            return failure("wrong_forward", data)
        if "out.grad" in wrong or (probe.name == "seed" and "a.grad" in wrong):
            return failure("no_seed", ["out.grad" if "out.grad" in wrong else "a.grad"])
        return failure(probe.otherwise, wrong)

    def structure(self, probe: _Probe, ref: dict[str, Value], mine: dict[str, Any]) -> _Failure | None:
        found = self.numbers(probe, ref, mine, grads=False)
        if found is not None:
            return found
        out, names = mine["out"], {id(v): n for n, v in mine.items()}
        try:
            with self.guarded():
                children = list(out._prev)
        except (Exception, GuardStop):  # noqa: BLE001 - no _prev (or a broken one): nothing to check here
            return None
        wanted = [n for n in ("a", "b") if n in ref and ref[n] in ref["out"].parents]
        try:
            with self.guarded():
                reached = {id(node) for node in _walk(out)}
        except (Exception, GuardStop):  # noqa: BLE001 - a broken _prev: nothing to check here
            return None
        missing = [n for n in wanted if id(mine[n]) not in reached]
        if missing:
            held = ", ".join(
                sorted(names.get(id(c), "a node of data " + _fmt(getattr(c, "data", "?"))) for c in children)
            )
            return _Failure(
                "missing_child",
                f"{' and '.join(wanted)} reached from out by _prev",
                f"out._prev holds {held or 'nothing'}",
            )
        for name in wanted:
            if _code_of(getattr(mine[name], "_backward", None)) is not self.leaf_step:
                return _Failure(
                    "closure_wrong_node",
                    f"{name}._backward is a leaf's (it does nothing)",
                    f"{name}._backward is the op's step",
                )
        return None

    def order(self, probe: _Probe, ref: dict[str, Value], mine: dict[str, Any]) -> _Failure | None:
        """Run backward() with every interior node's `_backward` wrapped, and check the order of the calls."""
        *build, last = probe.code.rstrip("\n").splitlines()
        error = self.run("\n".join(build), mine)
        if error is not None:
            return self.error_failure(probe, error)
        interior = [n for n, v in _nodes(ref).items() if v.op is not None]
        calls: list[str] = []
        try:
            for name in interior:
                node = mine[name]
                node._backward = _recorder(name, node._backward, calls)
        except (AttributeError, TypeError):  # _backward is not an attribute (a method, __slots__): check the numbers
            again: dict[str, Any] = {"Value": self.cls, "math": math}
            error = self.run(probe.code, again)
            return (
                self.error_failure(probe, error) if error is not None else self.numbers(probe, ref, again, grads=True)
            )
        error = self.run(last, mine)
        if error is not None:
            return self.error_failure(probe, error)
        users = {n: [u for u in interior if any(p is ref[n] for p in ref[u].parents)] for n in interior}
        never = [n for n in interior if n not in calls]
        if never:
            return _Failure("stops_early", f"{', '.join(interior)}: one step each", f"never called: {', '.join(never)}")
        twice = [n for n in interior if calls.count(n) > 1]
        if twice:
            return _Failure("no_topo_order", "each node's step once", f"called twice: {', '.join(twice)}")
        for n in interior:
            early = [u for u in users[n] if calls.index(u) > calls.index(n)]
            if early:
                return _Failure(
                    "no_topo_order",
                    f"{n}'s step after {' and '.join(users[n])}'s (they add to {n}.grad)",
                    f"{n}'s step before {' and '.join(early)}'s",
                )
        return None

    def probe(self, probe: _Probe) -> None:
        ref: dict[str, Any] = {"Value": Value, "math": math}
        exec(compile(probe.code, "<graph>", "exec"), ref)  # noqa: S102 - the grader's own probe text
        mine: dict[str, Any] = {"Value": self.cls, "math": math}
        failure: _Failure | None
        if probe.kind == "order":
            failure = self.order(probe, ref, mine)
        else:
            error = self.run(probe.code, mine)
            if error is not None:
                failure = self.error_failure(probe, error)
            elif probe.kind == "structure":
                failure = self.structure(probe, ref, mine)
            elif probe.kind == "forward":
                failure = self.numbers(probe, ref, mine, grads=False)
            else:
                failure = self.numbers(probe, ref, mine)
        self.passed[probe.name] = failure is None
        if failure is None:
            return
        if probe.op is not None and failure.key not in ("too_long", "endless_recursion"):
            faulty = {f.op for f in self.findings if f.op is not None}
            if failure.op in faulty and failure.op != probe.op:
                built_from = [str(failure.op)]
            else:
                built_from = self.built_from(mine.get(probe.result), probe.op, failure.key)
            if built_from:
                self.not_checked.append(f"{probe.title} (built from {', '.join(built_from)}, which has a finding)")
                return
        if any(f.key == failure.key and f.op == probe.op for f in self.findings):
            return
        m = CATALOGUE[failure.key]
        hint = m.hint
        if failure.key in ("wrong_local", "wrong_forward") and probe.op in _FORMULA:
            hint = _FORMULA[probe.op] + "."
        self.findings.append(
            Finding(probe.op, m.message, probe.code.rstrip("\n"), failure.expected, failure.obtained, hint, failure.key)
        )

    def built_from(self, out: Any, op: str, key: str) -> list[str]:
        """Other ops with a finding that explains `key`, whose nodes `out` is built from (read from `_op` labels).

        A wrong forward value is explained only by an op whose forward is wrong
        (or fails); a wrong gradient by any finding.
        """
        forward = {"wrong_forward", "reflected_order", "not_wrapped", "missing_reflected", "raises"}
        faulty = {f.op for f in self.findings if f.op is not None and (key not in forward or f.key in forward)}
        found: list[str] = []
        try:
            with self.guarded():
                for node in _walk(out):
                    label = str(getattr(node, "_op", "")).lower()
                    for other in faulty - {op}:
                        if other not in found and (label == other or (other == "**" and label.startswith("**"))):
                            found.append(other)
        except (Exception, GuardStop):  # noqa: BLE001 - a broken _prev: nothing to learn from it
            return found
        return found


_UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for (\S+): '(\w+)'")
_BY_METHOD = {method: op for op, method in _METHODS.items()}


def _failing_op(exc: BaseException, cls: type) -> str | None:
    """The op an error comes from: the reflected op Python found missing, or the op method it was raised in."""
    missing = _UNSUPPORTED.match(str(exc))
    if missing and missing.group(2) != cls.__name__:
        return {"+": "__radd__", "-": "__rsub__", "*": "__rmul__", "/": "__rtruediv__"}.get(missing.group(1))
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    return _BY_METHOD.get(frames[-1].name) if frames else None


def _walk(out: Any) -> Iterator[Any]:
    """The student's nodes under `out`, by `_prev`, each once (at most 100)."""
    seen: set[int] = set()
    stack = [out]
    while stack and len(seen) < 100:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(getattr(node, "_prev", ()))


def _recorder(name: str, step: Callable[[], Any], calls: list[str]) -> Callable[[], Any]:
    """`step`, writing `name` in `calls` first."""

    def recorded() -> Any:
        calls.append(name)
        return step()

    return recorded


# ------------------------------------------------------------------ the public functions
def check_value_class(cls: type, *, lines_per_probe: int = 100_000, seconds_per_probe: float = 1.0) -> Report:
    """Probe a micrograd-style Value class and return a ``Report`` of every misconception found.

    Args:
        cls: the class, used as ``cls(data)`` with ``.data``, ``.grad``, ``_prev``,
            ``_backward`` and ``backward()``, and its ops.
        lines_per_probe, seconds_per_probe: the time guard: each probe stops
            (and is reported) past this many lines of Python or seconds.
    """
    grader = _Grader(cls, lines_per_probe, seconds_per_probe)
    name = getattr(cls, "__name__", repr(cls))
    written = [op for op in _OP_ORDER if getattr(cls, _METHODS[op], None) is not None]
    written += [r for r, s in _REFLECTED.items() if s in written and r not in written]  # missing: a finding
    leaf: dict[str, Any] = {"Value": cls}
    code = "a = Value(2.0)\nparts = a.data, a.grad, a._backward, a.backward\n"
    error = grader.run(code, leaf)
    if error is not None:
        failure = grader.error_failure(_START, error)
        hint = "The class needs `Value(data)`, `.data`, `.grad`, `_backward` and `backward()`."
        grader.findings.append(
            Finding(
                None, CATALOGUE[failure.key].message, code.rstrip(), "no error", failure.obtained, hint, failure.key
            )
        )
    else:
        grader.leaf_step = _code_of(leaf["a"]._backward)
        blocked_by: dict[str, list[str]] = {}
        for probe in _PROBES:
            if probe.name in grader.passed or any(op not in written for op in probe.uses):
                continue  # run already (the order graphs with + when there is no *), or an op not written
            blocked = [n for n in probe.needs if not grader.passed.get(n, False)]
            if grader.stops >= 3:
                blocked = ["the time guard stopped 3 probes"]
            elif blocked and not all(n in grader.passed for n in blocked):
                continue  # needs an op that is not written
            if blocked and _LAST[probe.name] is not probe:
                continue  # another graph checks the same (the order of the steps, on + instead of *)
            if blocked:
                blocked_by.setdefault(", ".join(blocked), []).append(probe.title)
                continue
            grader.probe(probe)
        for reason, titles in blocked_by.items():
            shown = "; ".join(titles[:4]) + (f" and {len(titles) - 4} more" if len(titles) > 4 else "")
            grader.not_checked.append(f"{shown} (needs: {reason})")
    notes = []
    if grader.printed.count:
        first = grader.printed.start.splitlines()[0] if grader.printed.start.strip() else ""
        notes.append(
            f"the class printed {grader.printed.count} characters while graded (not shown; first line: {first!r})"
        )
    order = [op for op in _OP_ORDER if op in written]
    not_written = tuple(op for op in _OP_ORDER if op not in written)
    return Report(name, tuple(grader.findings), tuple(order), not_written, tuple(grader.not_checked), tuple(notes))


def assert_value_class(cls: type, **guard: Any) -> None:
    """Raise ``AssertionError`` with the report when ``check_value_class`` finds anything (pytest, nbgrader, otter)."""
    report = check_value_class(cls, **guard)
    if not report:
        raise AssertionError("\n" + str(report))
