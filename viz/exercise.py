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
``x_2``), and ``out`` as the node's own value. It is right
within ``ABS_TOLERANCE + REL_TOLERANCE * |expected|``. Questions are answered
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
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Mapping, NamedTuple

from autograd_core import DomainError, Value
from autograd_core.ops import OPS
from autograd_core.notation import is_word

from .explain import ExplainedStep, chain_rule_head, explain_steps, leaf_gradients
from .expression import FUNCTIONS, SUM, ExpressionError, names_in, parse_expression, value_of
from .text import TIMES, format_number, formula, local_derivative, says_more
from .trace import Trace, TracedNode

__all__ = ["Exercise", "Question", "Check", "Score", "exercise", "run_in_terminal", "writable", "graph_names",
           "ABS_TOLERANCE", "REL_TOLERANCE"]

ABS_TOLERANCE = 1e-3
REL_TOLERANCE = 1e-3
"""An answer is right when |answer - expected| <= 0.001 + 0.001·|expected|: the four-decimal numbers
the questions show, carried through a short calculation by hand, pass."""
MAX_ANSWER = 1000  # characters: an answer is a formula, not a program
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
            value = value_of(answer, self.names)
        except ExpressionError as exc:
            return Check(self.number, answer, "unreadable", None, self.expected,
                         f"not understood, not counted: {exc}; answer with a number or an expression")
        except (DomainError, ArithmeticError) as exc:
            return Check(self.number, answer, "wrong", None, self.expected,
                         f"wrong: {answer} has no value here ({exc}); {self.solved}")
        if _close(value, self.expected):
            return Check(self.number, answer, "right", value, self.expected,
                         f"right: {self.asked} = {answer} = {format_number(value)}")
        return Check(self.number, answer, "wrong", value, self.expected,
                     f"wrong: {answer} = {format_number(value)}, but {self.solved}")


def _close(value: float, expected: float) -> bool:
    """Within the tolerance; an infinite or nan derivative (sqrt at 0) only by being the same."""
    if not (math.isfinite(value) and math.isfinite(expected)):
        return value == expected or (math.isnan(value) and math.isnan(expected))
    return abs(value - expected) <= ABS_TOLERANCE + REL_TOLERANCE * abs(expected)


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


def graph_names(graph: Trace, context: str | None) -> dict[str, float]:
    """Every named node of the graph as an answer writes it (within ``context``), with its number."""
    names: dict[str, float] = {}
    for node in graph.nodes:
        key = writable(node.name_within(context)) if node.kind != "constant" else None
        if key is not None:
            names.setdefault(key, node.value.data)
    return names


def _names(graph: Trace, node: TracedNode, context: str | None, everyone: Mapping[str, float]) -> dict[str, float]:
    """The names an answer about ``node`` may use: ``everyone`` (``graph_names``), its own inputs first, and out."""
    inputs = {}
    for parent in (graph.nodes[p] for p in node.parents):
        key = writable(parent.name_within(context)) if parent.kind != "constant" else None
        if key is not None:
            inputs.setdefault(key, parent.value.data)
    return {**inputs, **{k: v for k, v in everyone.items() if k not in inputs}, "out": node.value.data}


def _inputs(graph: Trace, node: TracedNode, context: str | None) -> str:
    """``a = 2.0000, x[0] (write x_0) = 0.6461, out = c = -6.0000``: what the question shows of the node."""
    shown = []
    for index in dict.fromkeys(node.parents):
        parent = graph.nodes[index]
        if parent.kind == "constant":
            continue
        name = parent.name_within(context)
        key = writable(name)
        alias = f" (write {key})" if key is not None and key != name else ""
        shown.append(f"{name}{alias} = {format_number(parent.value.data)}")
    shown.append(f"out = {node.name_within(context)} = {format_number(node.value.data)}")
    return ", ".join(shown)


def _solution(graph: Trace, node: TracedNode, index: int, context: str | None) -> str | None:
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
    spelled = {slot: _spelled(parent, context) for slot, parent in zip(slots, parents)}
    spelled["out"] = ast.Name("out")
    if any(spelled.get(name) is None for name in names_in(tree)):
        return None  # an input that cannot be written
    renamed = _Rename(spelled).visit(tree)
    return ast.unparse(renamed) if names_in(renamed) else None  # a number (``1.0``) says no more than the value


def _spelled(parent: TracedNode, context: str | None) -> ast.expr | None:
    """A parent as an answer writes it: its name, a constant's number, or its label when that is an expression."""
    if parent.kind == "constant":
        return ast.Constant(parent.value.data)
    name = parent.name_within(context)
    key = writable(name)
    if key is not None:
        return ast.Name(key)
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
            raise ValueError(f"exercise: {self.graph.root.name} has no chain-rule step to ask about (it is a leaf, "
                             "or made from constants only)")
        self._names = {context: graph_names(self.graph, context) for context in {s.context for s in asked}}
        self.questions = tuple(self._question(number, s, len(asked)) for number, s in enumerate(asked, start=1))
        self.checks: dict[int, Check] = {}
        self._listeners: list[Callable[[Check], None]] = []

    def _question(self, number: int, s: ExplainedStep, total: int) -> Question:
        graph, context = self.graph, s.context
        head = chain_rule_head(graph, s.node, s.parent, context)
        made = formula(graph, s.node, context)
        return Question(number, total, s, f"{head} = {format_number(s.step.upstream)} {TIMES} ?",
                        made if says_more(made) else s.node.name_within(context),
                        local_derivative(s.node.name_within(context), s.parent.name_within(context)),
                        _names(graph, s.node, context, self._names[context]), _inputs(graph, s.node, context),
                        _solution(graph, s.node, s.step.index, context))

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
        return (f"The backward pass of {made}, with its local derivatives hidden: {len(self.questions)} steps.\n"
                "Give each ∂n/∂p as a number, or an expression in n's inputs and out (n's value):\n"
                "for c = a * b, ∂c/∂a is b (or -3, or b * 1). An answer is right within\n"
                f"{ABS_TOLERANCE:g} + {REL_TOLERANCE:g}·|the engine's number|; one that cannot be read is not counted.")

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
