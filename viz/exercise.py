"""``exercise(root)``: the backward pass with its local derivatives hidden, for a student to supply, checked.

    ex = viz.exercise(L)
    print(ex.next.prompt)               # step 1 of 5: dL/dn += dL/dL · ∂L/∂n = 1.0000 · ? ...
    check = ex.answer(1, "1 - out**2")  # Check: right, the answer's number, the engine's
    ex.score                            # Score(right=1, answered=1, total=5)

There is a question per chain-rule step of the engine's backward pass
(``explain_steps``, from ``autograd_core.backward_steps``), in its order,
except the steps into constants, whose gradient nobody reads. The number an
answer is checked against is the step's own local derivative, the one
``backward()`` uses. An answer is a number or an expression, parsed and
computed by ``viz.expression`` (an ``ast`` whitelist, never ``eval``) with
names bound to numbers: the node's inputs and every other named node of the
graph by their names (``autograd_core.notation.node_names``; a name that is
not an identifier, ``x[0]``, ``w.1`` or ``x#2``, as ``x_0``, ``w_1`` or
``x_2``), and ``out`` as the node's own value. Each node has one name an
answer writes (``answer_names``): where two names would be written alike
(``x[0]`` and ``x_0``, ``x`` and ``𝑥``), a name that is an identifier as it
stands keeps it and the other gets a suffix (``x_0_2``), which the question
shows. A number is right when it agrees with the engine's to within half a
unit of its last written digit, and never looser than ``SIGNIFICANT_FIGURES``
(three) significant figures of the engine's number ("0" is right only where
it is 0). An expression is right when it agrees to three significant figures
at the step's point and at points where the leaves are moved (every node
recomputed, no input of relu or abs crossing its kink), so an answer that
equals the derivative at this point only is wrong. Questions are answered
in the backward pass's order, each once; an answer that cannot be read (a
syntax error, an unknown name) is not counted, so a typo costs nothing.

The same object serves the terminal (``run_in_terminal``, ``python -m viz
exercise``), tests, and the notebook widget (``viz.exercise_widget(ex)``),
which listens for each check (``on_check``) to show it.
"""

from __future__ import annotations

import ast
import keyword
import math
import random
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from typing import NamedTuple

from autograd_core import DivisionByZeroError, DomainError, Value
from autograd_core.notation import is_word
from autograd_core.ops import OPS

from .explain import ExplainedStep, chain_rule_head, explain_steps, leaf_gradients
from .expression import FUNCTIONS, SUM, ExpressionError, as_python, names_in, parse_expression, value_of
from .text import TIMES, format_number, formula, local_derivative, says_more
from .trace import Trace, TracedNode

__all__ = [
    "Exercise",
    "Question",
    "Check",
    "Score",
    "exercise",
    "run_in_terminal",
    "writable",
    "graph_names",
    "answer_names",
    "SIGNIFICANT_FIGURES",
]

SIGNIFICANT_FIGURES = 3
"""An answer must agree with the engine's number to this many significant figures at least (a number also
to within half a unit of its last written digit)."""
MOVED_POINTS = 3  # points where the leaves are moved, besides the step's own, at which an expression must agree
_ROUNDING = 1e-14  # relative to the numbers an expression reads: rounding, not a wrong answer
MAX_ANSWER = 1000  # characters: an answer is a formula, not a program
_EXACT = Context(prec=2 * MAX_ANSWER, Emin=MIN_EMIN, Emax=MAX_EMAX)  # a written number and a float, exactly
_RESERVED = {"out", SUM, *FUNCTIONS}  # names an answer cannot give a node: they mean something else there


class Score(NamedTuple):
    """How an exercise stands: answers right, answers given, questions in all."""

    right: int
    answered: int
    total: int

    def __str__(self) -> str:
        rest = f" ({self.answered} of {self.total} answered)" if self.answered < self.total else ""
        return f"{self.right} of {self.total} right{rest}"


@dataclass(frozen=True)
class Check:
    """One answer, checked: ``status`` is "right", "wrong" or "unreadable" (not counted; answer again)."""

    step: int
    answer: str
    status: str
    value: float | None  # the answer's number (None when it has none)
    expected: float  # the engine's local derivative
    message: str  # one line saying so, with the correct value after a wrong answer

    @property
    def right(self) -> bool:
        return self.status == "right"

    @property
    def counted(self) -> bool:
        """Whether the answer counts (a right or wrong answer); an unreadable one leaves the question open."""
        return self.status != "unreadable"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Question:
    """One hidden local derivative: the step it belongs to, what an answer may use, and the solution."""

    number: int  # 1, 2, ... in the backward pass's order
    total: int  # how many questions the exercise has
    explained: ExplainedStep  # the engine's step and its full line (shown once answered)
    hidden: str  # ``dL/da += dL/dc · ∂c/∂a = -1.0000 · ?``: the step with its local derivative hidden
    made: str  # ``c = a * b``: the node's formula (its name alone when the name is the formula: ``w * x``)
    asked: str  # ``∂c/∂a``
    names: dict[str, float]  # the names an answer may use and their numbers (``out`` among them)
    inputs: str  # ``a = 2.0000, b = -3.0000, out = c = -6.0000``: the node's inputs and value
    solution: str | None  # the op table's derivative in the node's names (``b``), when it can be written so
    written_as: Mapping[str, str] = field(default_factory=dict, repr=False)  # a name Python reads as another's
    moved: Callable[[], list[tuple[dict[str, float], float]]] = field(default=list, repr=False, compare=False)
    """The names' numbers and the engine's local derivative at points where the leaves are moved (computed once)."""

    @property
    def expected(self) -> float:
        """The engine's local derivative for this step (``backward_steps``)."""
        return self.explained.step.local

    @property
    def prompt(self) -> str:
        """The question as the terminal and the page show it: the step, the node's formula, its numbers."""
        where = f" ({self.explained.context})" if self.explained.context else ""
        return f"step {self.number} of {self.total}{where}: {self.hidden}\n  {self.made}, with {self.inputs}"

    @property
    def task(self) -> str:
        """``∂c/∂a = ?  where c = a * b, with ...``: the question alone, no upstream number (a worksheet's line)."""
        return f"{self.asked} = ?  where {self.made}, with {self.inputs}"

    @property
    def solved(self) -> str:
        """``∂c/∂a = b = -3.0000``: the answer, as a formula when the op table's can be written in these names."""
        number = format_number(self.expected)
        return f"{self.asked} = {self.solution} = {number}" if self.solution else f"{self.asked} = {number}"

    def check(self, text: str) -> Check:
        """The answer ``text`` checked against the engine's number (nothing is recorded: see ``Exercise.answer``)."""
        answer = text.strip()
        try:
            if len(answer) > MAX_ANSWER:
                raise ExpressionError(f"the answer is {len(answer)} characters long, more than {MAX_ANSWER}")
            self._check_spelling(answer)
            value = value_of(answer, self.names)
            tree = parse_expression(answer)
        except ExpressionError as exc:
            return Check(
                self.number,
                answer,
                "unreadable",
                None,
                self.expected,
                f"not understood, not counted: {exc}; answer with a number or an expression",
            )
        except DivisionByZeroError:
            return Check(
                self.number,
                answer,
                "unreadable",
                None,
                self.expected,
                f"your answer divides by zero, not counted: {answer} has no value; answer again",
            )
        except (DomainError, ArithmeticError) as exc:
            return Check(
                self.number,
                answer,
                "wrong",
                None,
                self.expected,
                f"wrong: {answer} has no value here ({exc}); {self.solved}",
            )
        used, written = names_in(tree), _written_number(as_python(answer)[0], tree)
        if written is not None:
            right = _number_agrees(written, value, self.expected)
        else:
            right = _agrees(value, self.expected, [abs(self.names[n]) for n in used])
        if right and used:
            elsewhere = self._wrong_elsewhere(answer, used)
            if elsewhere is not None:
                return Check(
                    self.number,
                    answer,
                    "wrong",
                    value,
                    self.expected,
                    f"wrong: {answer} = {format_number(value)} here, as {self.asked} is, but not "
                    f"{elsewhere}; {self.solved}",
                )
        if right:
            return Check(
                self.number,
                answer,
                "right",
                value,
                self.expected,
                f"right: {self.asked} = {answer} = {format_number(value)}",
            )
        return Check(
            self.number,
            answer,
            "wrong",
            value,
            self.expected,
            f"wrong: {answer} = {format_number(value)}, but {self.solved}",
        )

    def _check_spelling(self, answer: str) -> None:
        """An ExpressionError for a name written as the question does not show it (``𝑥``, which Python reads as x)."""
        for word in _WORD.findall(answer):
            if word in self.written_as:
                raise ExpressionError(
                    f"{word} is read as {unicodedata.normalize('NFKC', word)} here; write "
                    f"{word} as {self.written_as[word]}"
                )

    def _wrong_elsewhere(self, answer: str, used: list[str]) -> str | None:
        """Where the leaves are moved and ``answer`` (which reads ``used``) disagrees with the engine: said, or None."""
        for names, expected in self.moved():
            try:
                value = value_of(answer, names)
            except (DomainError, ArithmeticError):
                return (
                    f"where {_point(names, used)} ({answer} has no value there, "
                    f"{self.asked} = {format_number(expected)})"
                )
            if not _agrees(value, expected, [abs(names[n]) for n in used]):
                return (
                    f"where {_point(names, used)}: there {answer} = {format_number(value)} and "
                    f"{self.asked} = {format_number(expected)}"
                )
        return None


_WORD = re.compile(r"[^\W\d]\w*")


def _point(names: Mapping[str, float], used: list[str]) -> str:
    """``a = 2.2000, b = -3.1000``: the moved numbers of the names an answer reads."""
    return ", ".join(f"{name} = {format_number(names[name])}" for name in used)


def _three_figures(expected: float) -> Decimal:
    """Half a unit of the third significant figure of ``expected`` (0 for 0: then only 0 agrees)."""
    if expected == 0:
        return Decimal(0)
    return _EXACT.scaleb(Decimal(5), Decimal(expected).adjusted() - SIGNIFICANT_FIGURES)


def _written_number(answer: str, tree: ast.Expression) -> Decimal | None:
    """The answer's number as written (``-3.00``, ``(2.5e-5)``, ``- 3``), digits kept; None for an expression."""
    body, sign = tree.body, 1
    while isinstance(body, ast.UnaryOp) and isinstance(body.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(body.op, ast.USub) else sign
        body = body.operand
    if not isinstance(body, ast.Constant) or isinstance(body.value, bool) or not isinstance(body.value, (int, float)):
        return None
    text = (ast.get_source_segment(answer, body) or "").replace("_", "")
    if not re.fullmatch(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text):
        return None  # 0x10: a number, but not written in decimal digits
    return Decimal(text) if sign > 0 else Decimal(text).copy_negate()


def _number_agrees(written: Decimal, value: float, expected: float) -> bool:
    """A written number: within half a unit of its last digit of ``expected``, and to three significant figures."""
    if not (math.isfinite(value) and math.isfinite(expected)):
        return value == expected
    exponent = written.as_tuple().exponent  # an int: a written number is finite
    half_unit = _EXACT.scaleb(Decimal(5), int(exponent) - 1)
    return _EXACT.abs(_EXACT.subtract(written, Decimal(expected))) <= min(half_unit, _three_figures(expected))


def _agrees(value: float, expected: float, read: list[float]) -> bool:
    """An expression's number: to three significant figures of ``expected``, give or take the rounding of the
    numbers it ``read``; an infinite or nan derivative (sqrt at 0) only by being the same."""
    if not (math.isfinite(value) and math.isfinite(expected)):
        return value == expected or (math.isnan(value) and math.isnan(expected))
    rounding = _ROUNDING * max([1.0, abs(expected), *read])
    return abs(value - expected) <= float(_three_figures(expected)) + rounding


# ------------------------------------------------------------------ the names an answer may use


def writable(name: str) -> str | None:
    """How an answer writes a node's name: the name (as Python reads it), ``x_0`` for ``x[0]``, or None."""
    read = unicodedata.normalize("NFKC", name)
    if not is_word(name):
        return None  # an expression (``a * b``): write the expression itself, in the leaves' names
    if not read.isidentifier():
        read = re.sub(r"\W+", "_", read).strip("_")
    ok = read.isidentifier() and not keyword.iskeyword(read) and read not in _RESERVED
    return read if ok else None


def answer_names(graph: Trace, context: str | None) -> dict[int, str]:
    """The one name an answer writes each named node by (within ``context``): node index -> name, one-to-one.

    A node's name as ``writable`` writes it; where two nodes would be written
    alike (``x[0]`` and ``x_0``; ``x`` and ``𝑥``, which Python reads as x), a
    name that is an identifier as it stands keeps it, and the others get the
    first free suffix in the graph's order (``x_0_2``, ``x_0_3``).
    """
    wanted = {}
    for node in graph.nodes:
        key = writable(node.name_within(context)) if node.kind != "constant" else None
        if key is not None:
            wanted[node.index] = key
    keys: dict[int, str] = {}
    for index, key in wanted.items():  # the names written as they stand first
        if key == graph.nodes[index].name_within(context) and key not in keys.values():
            keys[index] = key
    taken = set(keys.values())
    for index, key in wanted.items():
        if index not in keys:
            name, suffix = key, 2
            while name in taken:
                name, suffix = f"{key}_{suffix}", suffix + 1
            keys[index] = name
            taken.add(name)
    return {index: keys[index] for index in wanted}  # in the graph's order


def graph_names(graph: Trace, context: str | None) -> dict[str, float]:
    """Every named node of the graph as an answer writes it (``answer_names``, within ``context``), with its number."""
    return {key: graph.nodes[index].value.data for index, key in answer_names(graph, context).items()}


def _names(graph: Trace, node: TracedNode, keys: Mapping[int, str], numbers: list[float]) -> dict[str, float]:
    """The names an answer about ``node`` may use, with ``numbers`` (one per node): its inputs first, every other
    named node of the graph (``keys``, from ``answer_names``), and out."""
    inputs = {keys[p]: numbers[p] for p in node.parents if p in keys}
    return {**inputs, **{k: numbers[i] for i, k in keys.items() if k not in inputs}, "out": numbers[node.index]}


def _inputs(graph: Trace, node: TracedNode, context: str | None, keys: Mapping[int, str]) -> str:
    """``a = 2.0000, x[0] (write x_0) = 0.6461, out = c = -6.0000``: what the question shows of the node."""
    shown = []
    for index in dict.fromkeys(node.parents):
        parent = graph.nodes[index]
        if parent.kind == "constant":
            continue
        name = parent.name_within(context)
        key = keys.get(index)
        alias = f" (write {key})" if key is not None and key != name else ""
        shown.append(f"{name}{alias} = {format_number(parent.value.data)}")
    shown.append(f"out = {node.name_within(context)} = {format_number(node.value.data)}")
    return ", ".join(shown)


def _solution(graph: Trace, node: TracedNode, index: int, context: str | None, keys: Mapping[int, str]) -> str | None:
    """The op table's derivative for input ``index`` in the node's names (``y`` -> ``b``); None where it has none.

    Only a built-in op's derivative that the answers' whitelist can read
    (``1.0 - out * out``, not ``step(x)``), whose inputs can all be written.
    """
    op = node.value.op
    if OPS.get(op.name) is not op:
        return None
    text = op.derivative_exprs[0] if op.variadic else op.derivative_exprs[index]
    try:
        tree = parse_expression(text)
    except ExpressionError:
        return None
    slots = ["xi"] if op.variadic else list(op.inputs)
    parents = [graph.nodes[node.parents[index]]] if op.variadic else [graph.nodes[p] for p in node.parents]
    spelled = {slot: _spelled(parent, context, keys) for slot, parent in zip(slots, parents)}
    spelled["out"] = ast.Name("out")
    if any(spelled.get(name) is None for name in names_in(tree)):
        return None  # an input that cannot be written
    renamed = _Rename(spelled).visit(tree)
    return ast.unparse(renamed) if names_in(renamed) else None  # a number (``1.0``) says no more than the value


def _spelled(parent: TracedNode, context: str | None, keys: Mapping[int, str]) -> ast.expr | None:
    """A parent as an answer writes it: its name, a constant's number, or its label when that is an expression."""
    if parent.kind == "constant":
        return ast.Constant(parent.value.data)
    key = keys.get(parent.index)
    if key is not None:
        return ast.Name(key)
    name = parent.name_within(context)
    try:
        return parse_expression(name).body  # a label such as "w * x": the leaves it names are bound too
    except ExpressionError:
        return None


class _Rename(ast.NodeTransformer):
    """Replace the op table's input names by the node's (a tree of the whitelist, so nothing else to visit)."""

    def __init__(self, spelled: Mapping[str, ast.expr]) -> None:
        self.spelled = spelled

    def visit_Name(self, name: ast.Name) -> ast.expr:
        return self.spelled[name.id]

    def visit_Call(self, call: ast.Call) -> ast.Call:
        call.args = [self.visit(arg) for arg in call.args]  # the function's own name (cos) stays
        return call


# ------------------------------------------------------------------ where the leaves are moved


def moved_points(graph: Trace, count: int = MOVED_POINTS, seed: int = 0) -> list[list[float]]:
    """Every node's number (by index) at up to ``count`` points where each labelled leaf is moved.

    A leaf ``x`` moves by 10% to 30% of ``max(|x|, 1)``, either way; the
    graph is recomputed with each op's forward. A move that takes an input
    of relu or abs (an op with a ``kink``) to the other side of it, that
    leaves an op's domain, or that makes a finite number infinite or nan, is
    halved, up to ten times; then the point is left out.
    """
    rng = random.Random(seed)
    start = [node.value.data for node in graph.nodes]
    leaves = [node.index for node in graph.nodes if node.value.op is None and node.kind != "constant"]
    points = []
    for _ in range(count):
        steps = {i: rng.choice((-1, 1)) * rng.uniform(0.1, 0.3) * max(abs(start[i]), 1.0) for i in leaves}
        for halving in range(11):
            point = _recomputed(graph, start, {i: start[i] + step / 2**halving for i, step in steps.items()})
            if point is not None:
                points.append(point)
                break
    return points


def _recomputed(graph: Trace, start: list[float], leaves: Mapping[int, float]) -> list[float] | None:
    """Every node's number with the leaves at ``leaves``; None where a kink is crossed or a number is lost."""
    numbers: list[float] = []
    for node in graph.nodes:
        op = node.value.op
        if op is None:
            numbers.append(leaves.get(node.index, start[node.index]))
            continue
        inputs = [numbers[p] for p in node.parents]
        if op.kink is not None and any(
            _side(x, op.kink) != _side(start[p], op.kink) for x, p in zip(inputs, node.parents)
        ):
            return None
        try:
            number = float(op.forward(*inputs))
        except (ArithmeticError, ValueError):
            return None
        if math.isfinite(start[node.index]) and not math.isfinite(number):
            return None
        numbers.append(number)
    return numbers


def _side(x: float, kink: float) -> int:
    """-1, 0 or 1: which side of the kink ``x`` is on."""
    return (x > kink) - (x < kink)


# ------------------------------------------------------------------ the exercise


class Exercise:
    """The backward pass of ``root`` with its local derivatives hidden: questions, answers, score.

    ``questions`` in the backward pass's order; ``answer(step, text)``
    checks the answer to question ``step`` (1-based, the next one open) and
    returns a ``Check``; ``checks`` holds each question's counted answer;
    ``score`` counts them. ``on_check(callback)`` calls ``callback(check)``
    after every answer (the widget listens so). No ``.grad`` is touched.
    """

    def __init__(self, root: Value) -> None:
        self.graph, self.explained = explain_steps(root)
        asked = [s for s in self.explained if s.parent.kind != "constant"]
        if not asked:
            raise ValueError(
                f"exercise: {self.graph.root.name} has no chain-rule step to ask about (it is a leaf, "
                "or made from constants only)"
            )
        self._keys = {context: answer_names(self.graph, context) for context in {s.context for s in asked}}
        self._moved: list[list[float]] | None = None
        self.questions = tuple(self._question(number, s, len(asked)) for number, s in enumerate(asked, start=1))
        self.checks: dict[int, Check] = {}
        self._listeners: list[Callable[[Check], None]] = []

    def _question(self, number: int, s: ExplainedStep, total: int) -> Question:
        graph, context, keys = self.graph, s.context, self._keys[s.context]
        head = chain_rule_head(graph, s.node, s.parent, context)
        made = formula(graph, s.node, context)
        numbers = [n.value.data for n in graph.nodes]
        written_as = {}
        for index, key in keys.items():  # a name Python would read as another node's (𝑥 as x): refused, with why
            name = graph.nodes[index].name_within(context)
            if name.isidentifier() and unicodedata.normalize("NFKC", name) != key:
                written_as[name] = key

        def moved() -> list[tuple[dict[str, float], float]]:
            op, parents = s.node.value.op, s.node.parents
            found: list[tuple[dict[str, float], float]] = []
            if op is None:  # never: a step's node is an op's result
                return found
            for point in self._moved_points():
                try:
                    local = float(op.local_grads(*[point[p] for p in parents], point[s.node.index])[s.step.index])
                except (ArithmeticError, ValueError):
                    continue  # no derivative there: a point left out
                found.append((_names(graph, s.node, keys, point), local))
            return found

        return Question(
            number,
            total,
            s,
            f"{head} = {format_number(s.step.upstream)} {TIMES} ?",
            made if says_more(made) else s.node.name_within(context),
            local_derivative(s.node.name_within(context), s.parent.name_within(context)),
            _names(graph, s.node, keys, numbers),
            _inputs(graph, s.node, context, keys),
            _solution(graph, s.node, s.step.index, context, keys),
            written_as,
            moved,
        )

    def _moved_points(self) -> list[list[float]]:
        """Every node's number at ``MOVED_POINTS`` points where the leaves are moved (computed on first use)."""
        if self._moved is None:
            self._moved = moved_points(self.graph)
        return self._moved

    @property
    def next(self) -> Question | None:
        """The first question not answered yet (None when every one is)."""
        return next((q for q in self.questions if q.number not in self.checks), None)

    @property
    def score(self) -> Score:
        return Score(sum(c.right for c in self.checks.values()), len(self.checks), len(self.questions))

    @property
    def introduction(self) -> str:
        """What the exercise asks, how to answer and how answers are judged."""
        made = formula(self.graph, self.graph.root, None)
        first = self.questions[0]
        node = first.explained.node.name_within(first.explained.context)
        return (
            f"The backward pass of {made}, with its local derivatives hidden: {len(self.questions)} steps.\n"
            f"Give each hidden local derivative (step 1 hides {first.asked}) as a number, or as an expression\n"
            f"in the names the step lists, with out for the value of the step's node ({node} in step 1).\n"
            f"A number is right to half a unit of its last digit and {SIGNIFICANT_FIGURES} significant figures; "
            "an expression\nmust also hold where the leaves move. An answer that cannot be read, or that "
            "divides by zero,\nis not counted."
        )

    def leaf_gradients(self) -> list[str]:
        """``dL/da = -3.0000`` for every leaf: what the pass computes."""
        return leaf_gradients(self.graph, self.explained)

    def on_check(self, callback: Callable[[Check], None]) -> None:
        """Call ``callback(check)`` after every answer, counted or not."""
        self._listeners.append(callback)

    def answer(self, step: int, text: str) -> Check:
        """Check ``text`` as the answer to question ``step``; a right or wrong answer closes the question."""
        question = self._open(step)
        if not isinstance(text, str):
            raise TypeError(f"exercise: an answer is text (a number or an expression), got {type(text).__name__}")
        check = question.check(text)
        if check.counted:
            self.checks[step] = check
        for listener in self._listeners:
            listener(check)
        return check

    def _open(self, step: int) -> Question:
        """Question ``step``, if it is the one to answer now; a ValueError saying which is, otherwise."""
        if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= len(self.questions):
            raise ValueError(f"exercise: step must be a question's number, 1 to {len(self.questions)}, got {step!r}")
        if step in self.checks:
            raise ValueError(f"exercise: step {step} is answered already ({self.checks[step].message})")
        if self.next is not None and step != self.next.number:
            raise ValueError(f"exercise: answer step {self.next.number} first: the backward pass goes in order")
        return self.questions[step - 1]

    def __repr__(self) -> str:
        return f"<Exercise: {formula(self.graph, self.graph.root, None)}; {self.score}>"


def exercise(root: Value) -> Exercise:
    """The backward pass of ``root`` as an exercise: each local derivative hidden, each answer checked."""
    return Exercise(root)


def run_in_terminal(ex: Exercise, ask: Callable[[str], str] = input, say: Callable[[str], None] = print) -> Score:
    """Ask every open question in turn (``ask`` reads an answer, ``say`` writes a line) until done, ``q`` or EOF."""
    say(ex.introduction + " q stops.")
    while (question := ex.next) is not None:
        say("")
        say(question.prompt)
        check = None
        while check is None or not check.counted:
            try:
                text = ask(f"{question.asked} = ")
            except EOFError:
                text = "q"
                say("")
            if text.strip() == "q":
                say(f"stopped: {ex.score}")
                return ex.score
            check = ex.answer(question.number, text) if text.strip() else None
            if check is not None:
                say(f"  {check.message}")
        say(f"  {question.explained.text}")
    say("")
    say(f"score: {ex.score}")
    say("leaf gradients:")
    for line in ex.leaf_gradients():
        say(line)
    return ex.score
