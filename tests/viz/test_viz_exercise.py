"""Exercises: the backward pass with its local derivatives hidden, completed here with right and wrong answers."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_core import Value, backward_steps
from autograd_core.ops import OPS
from nn import MLP
from viz import exercise
from viz.exercise import SIGNIFICANT_FIGURES, Exercise, answer_names, moved_points, run_in_terminal, writable
from viz.expression import value_of

REPO = Path(__file__).resolve().parents[2]


def test_the_diamond_completed_with_right_and_wrong_answers(diamond):
    # L = c * d, c = a * b, d = a + b, a = 2, b = -3. The engine's steps: dL/dc (d = -1), dL/dd (c = -6),
    # then d's inputs (1, 1), then c's (b = -3, a = 2).
    root, _ = diamond()
    ex = exercise(root)
    assert [q.asked for q in ex.questions] == ["∂L/∂c", "∂L/∂d", "∂d/∂a", "∂d/∂b", "∂c/∂a", "∂c/∂b"]
    assert [q.expected for q in ex.questions] == [-1.0, -6.0, 1.0, 1.0, -3.0, 2.0]
    answers = [("d", True), ("-6", True), ("0", False), ("a / a", True), ("a", False), ("a * 1", True)]
    for step, (text, right) in enumerate(answers, start=1):
        check = ex.answer(step, text)
        assert (check.step, check.right, check.counted) == (step, right, True)
        assert check.expected == ex.questions[step - 1].expected
    assert ex.checks[3].message == "wrong: 0 = 0.0000, but ∂d/∂a = 1.0000"
    assert ex.checks[5].message == "wrong: a = 2.0000, but ∂c/∂a = b = -3.0000"  # the correct value, and why
    assert ex.checks[6].message == "right: ∂c/∂b = a * 1 = 2.0000"
    assert tuple(ex.score) == (4, 6, 6) and str(ex.score) == "4 of 6 right"
    assert ex.next is None and ex.leaf_gradients() == ["  dL/da = -3.0000", "  dL/db = -8.0000"]


def test_the_expected_numbers_are_the_engines_local_derivatives():
    x, y = Value(0.7, "x"), Value(-1.3, "y")
    f = (x * y).sin() + x.exp() / y
    f.label = "f"
    ex = exercise(f)
    engine = [(s.node, s.parent, s.local) for s in backward_steps(f)]
    assert [(q.explained.step.node, q.explained.step.parent, q.expected) for q in ex.questions] == engine


@pytest.mark.parametrize(
    "text, value",
    [
        ("b", -3.0),
        ("-3", -3.0),
        ("b * 1", -3.0),
        ("out / a", -3.0),
        ("-3.00", -3.0),
        ("-3.0", -3.0),
        ("sum(b, 0)", -3.0),
        ("out/a", -3.0),
        ("b^1", -3.0),  # math as students type it: ^ a power, · × multiply, − minus, ² ³ powers
        ("b·1", -3.0),
        ("1 × b", -3.0),
        ("−3", -3.0),
        ("−3.00", -3.0),
        ("out ÷ a", -3.0),
        ("b³/b²", -3.0),
        ("b^2/b", -3.0),
    ],
)
def test_an_answer_is_a_number_or_an_expression_in_the_inputs_and_out(text, value):
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    check = exercise(c).answer(1, text)
    assert check.right and check.value == pytest.approx(value)


def _saturated_tanh() -> Value:
    x = Value(6.0, "x")
    y = x.tanh()
    y.label = "y"
    return y


@pytest.mark.parametrize(
    "text, right",
    [
        ("-3", True),
        ("-3.0", True),
        ("-3.00", True),
        ("-3.000", True),
        ("-3e0", True),
        ("-30e-1", True),
        ("-3.004", False),
        ("-2.9951", False),
        ("-3.0009", False),  # off by more than half a unit of the last digit
        ("-3.006", False),
        ("-3.01", False),
        ("-2.99", False),
        ("-3.00000000001", False),
        ("-2.5", False),
        ("- 3.004", False),
        ("(-3.004)", False),
        ("-(3.00)", True),
        ("-3.", True),
        ("-.3e1", True),  # written alike
        ("1e-999999999", False),
        ("-3" + "0" * 900 + "e-900", True),  # any exponent, any length: no error
    ],
)
def test_a_number_agrees_to_half_a_unit_of_its_last_digit_and_three_figures(text, right):
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    assert SIGNIFICANT_FIGURES == 3
    assert exercise(c).answer(1, text).right is right


@pytest.mark.parametrize(
    "text, right",
    [
        ("1.5", False),
        ("1.56", True),
        ("1.57", False),
        ("1.563", True),
        ("1.564", False),
        ("1.5625", True),
        ("1.5624", False),
        ("15625e-4", True),
        ("2", False),
    ],
)
def test_a_number_with_more_digits_must_have_them_right(text, right):
    y, z = Value(1.5625, "y"), Value(3.0, "z")
    w = z * y
    w.label = "w"
    assert exercise(w).questions[0].expected == 1.5625  # dw/dz = y
    assert exercise(w).answer(1, text).right is right


@pytest.mark.parametrize(
    "text, right",
    [
        ("0", False),
        ("0.0", False),
        ("0.00002", False),
        ("2.5e-5", False),  # 2.4576e-05: not to three figures
        ("0.0000246", True),
        ("2.458e-5", True),
        ("2.46e-5", True),
        ("2.45e-5", False),
        ("1 - out**2", True),
        ("1-out^2", True),  # the answer: ^ is a power
        ("1 − out²", True),
        ("1 - out * out", True),
        ("1 - tanh(x)**2", True),
        ("1 - 0.9999**2", False),
        ("0 * x", False),  # the old tolerance, 0.001 + 0.001·|expected|, took all these
    ],
)
def test_a_small_derivative_is_not_answered_by_0(text, right):
    ex = exercise(_saturated_tanh())
    assert ex.questions[0].expected == pytest.approx(2.4576e-05, rel=1e-4)
    check = ex.answer(1, text)
    assert check.counted and check.right is right, check.message


def test_0_is_right_where_the_derivative_is_0():
    x = Value(-2.0, "x")
    y = x.relu()
    y.label = "y"
    assert exercise(y).answer(1, "0").right and exercise(y).answer(1, "-0.0").right
    assert not exercise(y).answer(1, "1e-9").right


@pytest.mark.parametrize(
    "text, right",
    [
        ("b", True),
        ("out / a", True),
        ("b * a / a", True),
        ("-3", True),
        ("a**2 - 7", False),
        ("-a - 1", False),
        ("b - a + 2", False),
        ("c / 2", False),  # -3 here only
    ],
)
def test_an_expression_must_hold_where_the_leaves_are_moved(text, right):
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    check = exercise(c).answer(1, text)  # d(a·b)/da at (2, -3)
    assert check.counted and check.right is right, check.message
    if not right:
        assert check.value == -3.0 and "here, as ∂c/∂a is, but not where" in check.message
        assert check.message.endswith("; ∂c/∂a = b = -3.0000")


def test_moved_points_recompute_every_node_and_keep_kinks_on_their_side():
    x, w = Value(0.5, "x"), Value(-0.2, "w")
    z = (x * w + 0.05).relu()  # the relu's input is -0.05: close to its kink
    z.label = "z"
    ex = exercise(z)
    points = moved_points(ex.graph)
    assert len(points) == 3
    for point in points:
        sum_ = point[ex.graph.position[z.parents[0]]]
        assert sum_ < 0 and point[ex.graph.position[z]] == 0.0  # the same side of the kink, recomputed
        moved_x, moved_w = point[ex.graph.position[x]], point[ex.graph.position[w]]
        assert (moved_x, moved_w) != (0.5, -0.2)
        assert sum_ == pytest.approx(moved_x * moved_w + 0.05)


def test_an_expression_right_on_this_side_of_a_kink_is_right():
    x = Value(0.5, "x")
    y = x.relu()
    y.label = "y"
    assert exercise(y).answer(1, "x / x").right  # 1 on this side of the kink, wherever x is moved
    assert exercise(y).answer(1, "abs(x) / x").right
    assert not exercise(y).answer(1, "2 * x").right  # 1 at x = 0.5 only


def test_labels_written_alike_name_one_node_each():
    # c = x[0] * x_0: "x_0" is the label x_0 itself, so x[0] is written x_0_2, and the question says so
    first, second = Value(3.0, "x[0]"), Value(5.0, "x_0")
    c = first * second
    c.label = "c"
    ex = exercise(c)
    keys = answer_names(ex.graph, None)
    assert sorted(keys.values()) == ["c", "x_0", "x_0_2"]  # one-to-one
    q1, q2 = ex.questions
    assert q1.asked == "∂c/∂x[0]" and q1.solution == "x_0" and "x[0] (write x_0_2) = 3.0000" in q1.inputs
    assert q1.names["x_0"] == 5.0 and q1.names["x_0_2"] == 3.0
    assert ex.answer(1, q1.solution).right  # the solution shown, typed back
    assert q2.solution == "x_0_2" and ex.answer(2, "x_0_2").right
    again = exercise(c)
    again.answer(1, "x_0_2")  # the wrong node: wrong
    assert not again.checks[1].right and not again.answer(2, "x_0").right


def test_a_name_python_reads_as_another_is_written_as_shown():
    plain, math_x = Value(3.0, "x"), Value(5.0, "𝑥")  # Python reads 𝑥 as x (NFKC)
    c = plain * math_x
    c.label = "c"
    ex = exercise(c)
    q1, q2 = ex.questions
    assert q1.solution == "x_2" and "𝑥 (write x_2) = 5.0000" in q1.inputs
    assert ex.answer(1, "x_2").right
    check = ex.answer(2, "𝑥")  # would be read as x, the other node: refused, not counted, saying how to write it
    assert check.status == "unreadable" and "write 𝑥 as x_2" in check.message
    assert not ex.answer(2, "x_2").right and ex.checks[2].expected == 3.0
    alone = Value(2.0, "𝑥") * 4.0
    alone.label = "d"
    assert exercise(alone).answer(1, "4").right


@pytest.mark.parametrize(
    "text, reason",
    [
        ("zz", "name 'zz' unknown here; the names you can use are a, b, c, out"),
        ("__import__('os').system('touch /tmp/autograd-exercise-pwned')", "not allowed"),
        ("a.__class__", "attribute access"),
        ("(lambda: 1)()", "not allowed"),
        ("a[0]", "indexing"),
        ("2 +", "syntax error"),
        ("'3'", "the constant '3'"),
        ("x" * 1001, "more than 1000"),
        ("²" * 1001, "more than 1000"),  # the size is the typed answer's
        ("0,4468", "write a decimal number with a point, 0.4468, not 0,4468"),
        ("1/0", "your answer divides by zero, not counted"),
        ("b / (a - a)", "your answer divides by zero"),
        ("a % 2", "the operator % at column 3 is not allowed"),
        ("__import__('os').system('touch /tmp/autograd-exercise-pwned')^2", "not allowed"),
        ("a.__class__²", "attribute access"),
    ],
)
def test_unreadable_answers_are_not_counted_and_never_run(text, reason, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an answer reached eval or exec")

    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    ex = exercise(c)
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    check = ex.answer(1, text)
    assert check.status == "unreadable" and not check.counted and reason in check.message
    assert "BitXor" not in check.message and "Tuple" not in check.message and "unlabelled" not in check.message
    assert ex.checks == {} and ex.next.number == 1  # still open: answer again
    assert ex.answer(1, "b").right
    assert not os.path.exists("/tmp/autograd-exercise-pwned")


def test_an_answer_with_no_value_here_is_wrong():
    x = Value(3.0, "x")
    y = x.log()
    y.label = "y"
    check = exercise(y).answer(1, "log(-x)")
    assert check.status == "wrong" and check.value is None
    assert check.message.startswith("wrong: log(-x) has no value here (log(-3.0): log is defined only for x > 0")
    assert check.message.endswith("; ∂y/∂x = 1.0 / x = 0.3333")


def test_questions_go_in_the_backward_passs_order_each_once(diamond):
    ex = exercise(diamond()[0])
    with pytest.raises(ValueError, match="answer step 1 first"):
        ex.answer(2, "c")
    ex.answer(1, "5")
    with pytest.raises(ValueError, match=r"step 1 is answered already \(wrong: 5 = 5.0000, but ∂L/∂c = d = -1.0000\)"):
        ex.answer(1, "d")
    for bad in (0, 7, "1", True):
        with pytest.raises(ValueError, match="a question's number, 1 to 6"):
            ex.answer(bad, "1")
    with pytest.raises(TypeError, match="an answer is text"):
        ex.answer(2, -6.0)
    assert tuple(ex.score) == (0, 1, 6)


def test_constants_are_not_asked_about():
    x = Value(3.0, "x")
    y = (x**2 + 1.0) * 2.0  # three constants: 2 (the exponent), 1.0 and 2.0
    y.label = "y"
    ex = exercise(y)
    assert [q.asked for q in ex.questions] == ["∂y/∂v2", "∂v2/∂v1", "∂v1/∂x"]  # the constants have no name
    assert ex.questions[0].solution is None and ex.questions[0].solved == "∂y/∂v2 = 2.0000"  # a number: no formula
    assert ex.answer(1, "2").right and ex.answer(2, "1").right
    assert ex.answer(3, "2 * x").right  # pow's derivative is no formula of the whitelist, but any answer is checked
    assert ex.questions[2].solved == "∂v1/∂x = 6.0000"


def test_a_networks_names_are_written_with_underscores():
    model = MLP(2, [1], activation="tanh", seed=0)
    out = model([0.5, -1.0])
    ex = exercise(out)
    product = next(q for q in ex.questions if q.asked == "∂wx.0/∂w.0")
    assert "x[0] (write x_0) = 0.5000" in product.inputs and product.solution == "x_0"
    assert product.names["x_0"] == 0.5 and product.names["w_0"] == model.layers[0].neurons[0].w[0].data
    for q in ex.questions:
        check = ex.answer(q.number, q.solution or repr(q.expected))
        assert check.right, (q.prompt, check.message)
    assert tuple(ex.score) == (len(ex.questions),) * 3


def test_writable_names():
    assert [writable(n) for n in ("a", "x[0]", "w.1", "layers.0.w", "sum#2", "𝑥", "a * b", "out", "exp", "if")] == [
        "a",
        "x_0",
        "w_1",
        "layers_0_w",
        "sum_2",
        "x",
        None,
        None,
        None,
        None,
    ]


def _graph_of(op: str) -> Value:
    """One node of ``op`` on labelled leaves kept away from kinks and domain edges."""
    x, y = Value(0.7, "x"), Value(1.6, "y")
    built = {
        "+": x + y,
        "-": x - y,
        "*": x * y,
        "/": x / y,
        "neg": -x,
        "**": x**3,
        "pow": x**y,
        "exp": x.exp(),
        "log": x.log(),
        "sqrt": x.sqrt(),
        "tanh": x.tanh(),
        "sigmoid": x.sigmoid(),
        "sin": x.sin(),
        "cos": x.cos(),
        "sum": Value.sum([x, y, x]),
        "relu": x.relu(),
        "abs": (-x).__abs__(),
    }[op]
    built.label = "z"
    return built


@pytest.mark.parametrize("op", list(OPS))
def test_every_ops_solution_is_right(op):
    ex = exercise(_graph_of(op))
    for q in ex.questions:
        if q.solution is not None:  # the op table's formula, in the node's names: the engine's number
            assert value_of(q.solution, q.names) == pytest.approx(q.expected, rel=1e-12)
        assert ex.answer(q.number, q.solution or repr(q.expected)).right
    assert ex.score.right == len(ex.questions) >= 1


def test_solutions_use_the_nodes_names():
    solved = {op: exercise(_graph_of(op)).questions[0].solution for op in ("*", "/", "tanh", "sin", "sigmoid")}
    assert solved == {
        "*": "y",
        "/": "1.0 / y",
        "tanh": "1.0 - out * out",
        "sin": "cos(x)",
        "sigmoid": "out * (1.0 - out)",
    }


def test_listeners_hear_every_check_and_nothing_touches_grad(diamond):
    root, nodes = diamond()
    before = {name: v.grad for name, v in nodes.items()}
    ex = exercise(root)
    heard = []
    ex.on_check(heard.append)
    ex.answer(1, "oops(")
    ex.answer(1, "d")
    assert [c.status for c in heard] == ["unreadable", "right"]
    assert {name: v.grad for name, v in nodes.items()} == before


def test_a_leaf_or_a_constant_graph_has_nothing_to_ask():
    with pytest.raises(ValueError, match="no chain-rule step to ask about"):
        Exercise(Value(1.0, "x"))
    with pytest.raises(ValueError, match="no chain-rule step"):
        Exercise(Value(1.0) * 2.0)


def test_the_terminal_loop_asks_checks_and_scores(diamond):
    answers = iter(["d", "", "nonsense(", "-6", "2", "q"])
    said: list[str] = []

    def ask(prompt: str) -> str:
        said.append(prompt)
        return next(answers)

    score = run_in_terminal(exercise(diamond()[0]), ask, said.append)
    assert tuple(score) == (2, 3, 6)
    assert (
        "step 1 of 6: dL/dc += dL/dL · ∂L/∂c = 1.0000 · ?\n  L = c * d, with c = -6.0000, d = -1.0000, "
        "out = L = 6.0000" in said
    )
    assert "  right: ∂L/∂c = d = -1.0000" in said and "  wrong: 2 = 2.0000, but ∂d/∂a = 1.0000" in said
    assert said.count("∂L/∂d = ") == 3  # asked again after a blank line and after an unreadable answer
    assert said[-1] == "stopped: 2 of 6 right (3 of 6 answered)"


def test_the_terminal_loop_ends_at_end_of_input(diamond):
    answers = iter(["d"])

    def ask(prompt: str) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    said: list[str] = []
    assert tuple(run_in_terminal(exercise(diamond()[0]), ask, said.append)) == (1, 1, 6)
    assert said[-1] == "stopped: 1 of 6 right (1 of 6 answered)"


def run_cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        timeout=60,
    )


def test_python_m_viz_exercise_reads_answers_from_stdin():
    result = run_cli("exercise", "a*b + a", "a=2", "b=-3", stdin="1\n1\nb\n3\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("The backward pass of L = (a * b) + a, with its local derivatives hidden: 4 steps.")
    assert "right: ∂(a * b)/∂a = b = -3.0000" in out and "wrong: 3 = 3.0000, but ∂(a * b)/∂b = a = 2.0000" in out
    assert out.endswith("score: 3 of 4 right\nleaf gradients:\n  dL/da = -2.0000\n  dL/db = 2.0000\n")


def test_python_m_viz_exercise_refuses_bad_input():
    result = run_cli("exercise", "a*b + __import__('os')", "a=2", "b=-3", stdin="")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "python -m viz exercise: error: unknown function '__import__' at column 7; the functions "
        "are exp, log, tanh, sigmoid, relu, sin, cos, sqrt, abs, sum\n"
    )
    assert run_cli("exercise", "a*b", "a=2", stdin="").returncode == 2  # b has no value


def test_an_expression_called_exercise_is_written_after_a_double_dash():
    result = run_cli("--", "exercise", "exercise=2", stdin="")
    assert result.returncode == 0 and result.stdout == "exercise = 2.0000\n"


def test_the_instructions_use_the_steps_own_names():
    # The lecture's neuron has a node n: the instructions never call a node by a letter of their own
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    ex = exercise(o)
    text = ex.introduction
    assert "step 1 hides ∂o/∂n" in text and "(o in step 1)" in text
    assert "∂n/∂p" not in text and "n's inputs" not in text and "c = a * b" not in text
    assert ex.answer(1, "1 - o^2").right  # o's own name, or out
