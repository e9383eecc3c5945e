"""The notebook widgets' Python side: the player's step, the sliders' recomputation, and the static pictures.

What the page does with them is tested in JupyterLab in a browser
(tests/notebooks/test_widgets_in_jupyterlab.py).
"""

from __future__ import annotations

import base64
import html
import json
import re

import pytest
from helpers import LECTURE_POINT, lecture_neuron

from autograd_core import Value, grad
from nn import MLP
from viz import draw_dot, exercise, exercise_widget, explore, play
from viz.drawing import Drawing, static_bundle
from viz.explain import explain_steps
from viz.player import player_parts
from viz.player_page import SCRIPT
from viz.sliders import Exploration, slider_for
from viz.style import grad_fill
from viz.text import format_number
from viz.widgets import ExerciseWidget, Explorer, Player

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
XSS = "<img src=x onerror=alert(1)>"


neuron, LECTURE = lecture_neuron, LECTURE_POINT


def neuron_grads(**values: float) -> dict[str, float]:
    leaves = {name: Value(v, name) for name, v in values.items()}
    return dict(zip(leaves, grad(neuron(**leaves), list(leaves.values()))))


def img_svg(html_text: str, decode: bool = True) -> str:
    """The SVG inside the static picture's <img> data URI; ``decode``: entities decoded (Graphviz writes - as &#45;)."""
    uri = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', html_text).group(1)
    svg = base64.b64decode(uri).decode("utf-8")
    return html.unescape(svg) if decode else svg


# ------------------------------------------------------------------ the player
def test_player_steps_like_the_page(dot_program, diamond):
    root, _ = diamond()
    player = play(root)
    total = len(player_parts(root).steps)
    assert isinstance(player, Player) and player.total == total and player.step == 0
    assert player.next() == 1 and player.next() == 2 and player.previous() == 1
    assert player.text == player_parts(root).steps[0]
    player.step = total + 10  # clamped, as the buttons are
    assert player.step == total
    player.step = -3
    assert player.step == 0 and player.text == ""
    player.step = 4
    assert player.reset() == 0


def test_a_forward_mode_player_widget(dot_program, diamond):
    root, nodes = diamond()
    player = play(root, tangents={nodes["b"]: 1.0})
    assert player.total == 3 and player.next() == 1
    assert player.text == "c = a * b = 2.0000 * (-3.0000) = -6.0000\nċ = ∂c/∂b · ḃ = 2.0000 · 1.0000 = 2.0000"
    data, _ = player._repr_mimebundle_()
    assert "tangent 2.0000" in img_svg(data["text/html"]) and "grad " not in img_svg(data["text/html"])
    assert "<li>c = a * b = 2.0000 * (-3.0000) = -6.0000<br>ċ = ∂c/∂b" in html.unescape(data["text/html"])


def test_players_are_independent(dot_program, diamond):
    first, second = play(diamond()[0]), play(diamond()[0])
    first.next()
    assert (first.step, second.step) == (1, 0)


def test_player_module_is_the_html_players_script_plus_the_widget(dot_program, diamond):
    for widget, render in ((Player, "renderPlayer"), (ExerciseWidget, "renderExercise")):
        esm = widget._esm
        assert esm.startswith(SCRIPT) and esm.count("function createPlayer(") == 1  # one script, not a copy
        assert esm.count("function mountPlayer(") == 1  # one mount, shared by both widgets
        assert esm.rstrip().endswith(f"export default {{ render: {render} }};") and esm.count("export default") == 1


def test_player_shows_a_static_picture_without_a_kernel(dot_program, diamond):
    root, nodes = diamond()
    data, _ = play(root)._repr_mimebundle_()
    assert WIDGET_VIEW in data and data["text/plain"].startswith("<Player: step 0 of ")
    page = data["text/html"]
    svg = img_svg(page)
    graph, explained = explain_steps(root)
    # The final picture: every value and every gradient, and every step's text in a list.
    for name in ("a", "b", "c", "d"):
        assert f"grad {format_number(nodes[name].grad)}" in svg
    assert page.count("<li>") == len(player_parts(root).steps)
    assert html.escape(explained[0].text) in page
    assert "max-width: 100%" in page and "max-width: 100%" in data["image/svg+xml"]


def test_player_labels_are_text_never_markup(dot_program):
    x = Value(1.0, XSS)
    y = (x * 3.0).exp()
    y.label = "</script><b>y"
    player = play(y, title=XSS)
    data, _ = player._repr_mimebundle_()
    for markup in (player.fragment, data["text/html"], img_svg(data["text/html"], decode=False), data["image/svg+xml"]):
        assert XSS not in markup and "</script><b>" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in player.fragment


# ------------------------------------------------------------------ the exercise
def fragment_data(fragment: str) -> dict:
    return json.loads(re.search(r'class="ag-data">(.*?)</script>', fragment, flags=re.S).group(1))


def test_exercise_widget_takes_an_exercise_and_says_so_when_given_a_value(diamond):
    root, _ = diamond()
    with pytest.raises(
        TypeError,
        match=r"exercise_widget takes an Exercise \(viz.exercise\(root\)\), got Value "
        r"Value\(data=",
    ):
        exercise_widget(root)


def test_exercise_widget_checks_what_the_page_sends(dot_program, diamond):
    root, _ = diamond()
    widget = exercise_widget(exercise(root))
    assert isinstance(widget, ExerciseWidget) and widget.total == 6
    assert [v["status"] for v in widget.views] == ["asking"] + ["locked"] * 5
    widget._receive(widget, {"step": 1, "answer": "d"}, [])  # what the page's Check button sends
    assert widget.views[0]["status"] == "right" and widget.views[0]["grad"] == "-1.0000"
    assert widget.views[0]["text"] == (
        "right: \u2202L/\u2202c = d = -1.0000\n"
        "dL/dc += dL/dL \u00b7 \u2202L/\u2202c = 1.0000 \u00b7 -1.0000 = -1.0000"
        "  (L = c * d)"
    )
    assert widget.views[1]["status"] == "asking" and widget.score_text == "score: 1 of 6 right (1 of 6 answered)"
    widget._receive(widget, {"step": 2, "answer": "c +"}, [])  # unreadable: said, not counted
    assert widget.feedback["status"] == "unreadable" and "syntax error" in widget.feedback["message"]
    assert widget.views[1]["status"] == "asking" and widget.score.answered == 1
    widget._receive(widget, {"step": 2, "answer": "c + 1"}, [])
    assert widget.views[1]["status"] == "wrong"
    assert widget.views[1]["text"].startswith("wrong: c + 1 = -5.0000, but \u2202L/\u2202d = c = -6.0000\n")
    assert widget.views[1]["short"] == "\u2202L/\u2202d = -6.0000 \u2717"
    widget._receive(widget, {"step": 2, "answer": "c"}, [])  # a stale page: refused, said, nothing raised
    assert "answered already" in widget.feedback["message"] and tuple(widget.score) == (1, 2, 6)
    widget._receive(widget, {"answer": None}, [])
    assert "a question's number" in widget.feedback["message"]
    widget.answer(3, "1")  # from Python: the page's views follow
    widget.step = 3
    assert widget.views[2]["status"] == "right" and widget.text.startswith("right: ")


@pytest.mark.parametrize("content", [None, [1, "d"], "d", 3, b"{}"])
def test_a_message_that_is_not_an_object_is_ignored(dot_program, diamond, content):
    root, _ = diamond()
    widget = exercise_widget(exercise(root))
    before = (widget.views, widget.feedback, widget.score_text)
    widget._receive(widget, content, [])  # not the page's: no AttributeError in the kernel, nothing changes
    assert (widget.views, widget.feedback, widget.score_text) == before and widget.score.answered == 0
    widget._receive(widget, {"step": 1, "answer": "d"}, [])  # the widget still works
    assert widget.views[0]["status"] == "right"


def test_the_exercise_page_holds_no_answer_before_it_is_checked(dot_program, diamond):
    root, _ = diamond()
    widget = exercise_widget(exercise(root))
    data = fragment_data(widget.fragment)
    assert [s["grad"] for s in data["steps"]] == [None] * 6 and data["given"] == {"v4": "1.0000"}
    svg_texts = re.findall(r"<text[^>]*>([^<]*)</text>", widget.fragment)
    assert {t for t in svg_texts if t.startswith("grad")} == {"grad 0.0000"}  # drawn with every gradient 0
    assert data["steps"][0]["text"] == widget.exercise.questions[0].prompt  # the inputs' numbers, the ∂ as "?"
    assert all(not re.search(r"\d\.\d{4}", step["text"] + step["short"]) for step in data["steps"][1:])  # locked
    page, _ = widget._repr_mimebundle_()
    assert WIDGET_VIEW in page and "grad" not in " ".join(_svg_texts(img_svg(page["text/html"])))
    assert page["text/html"].count("<li>") == 6
    assert (
        "<li>\u2202L/\u2202d = ?  where L = c * d, with c = -6.0000, d = -1.0000, out = L = 6.0000</li>"
        in html.unescape(page["text/html"])
    )
    assert "dL/dc" not in html.unescape(page["text/html"])  # no upstream gradient, which would give answers away


def _svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_exercise_labels_and_answers_are_text_never_markup(dot_program):
    x = Value(1.0, XSS)
    y = (x * 3.0).exp()
    y.label = "</script><b>y"
    widget = exercise_widget(exercise(y), title=XSS)
    widget.answer(1, XSS)  # unreadable: the message quotes the syntax error, not the markup
    data, _ = widget._repr_mimebundle_()
    for markup in (widget.fragment, data["text/html"], data["image/svg+xml"]):
        assert XSS not in markup and "</script><b>" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in widget.fragment
    assert json.loads(json.dumps(widget.views))[0]["text"].startswith("step 1 of 2")  # data, set with textContent


# ------------------------------------------------------------------ the sliders
def test_explore_a_function_recomputes_when_a_slider_moves(dot_program):
    sliders = explore(neuron, **LECTURE)
    assert isinstance(sliders, Explorer) and list(sliders.values) == list(LECTURE)
    assert sliders.gradients == pytest.approx(neuron_grads(**LECTURE))
    assert sliders.readout["output"] == "o = 0.7071"
    revision = sliders.revision
    sliders.set(x1=1.0)
    moved = {**LECTURE, "x1": 1.0}
    assert sliders.revision == revision + 1 and sliders.error == ""
    assert sliders.gradients == pytest.approx(neuron_grads(**moved))
    assert f"grad {format_number(neuron_grads(**moved)['x1'])}" in html.unescape(sliders.svg)
    # The page sends an int for a round number: Python keeps floats.
    sliders.values = {**moved, "x1": 1}
    assert sliders.values["x1"] == 1.0 and type(sliders.values["x1"]) is float


def test_colours_stay_on_the_first_drawings_scale(dot_program):
    sliders = explore(neuron, **LECTURE)
    legend = re.search(r"full colour at \|grad\| &#8805; ([0-9.]+)|full colour at \|grad\| ≥ ([0-9.]+)", sliders.svg)
    assert legend is not None
    sliders.set(b=12.0)  # tanh saturates: every gradient is tiny
    assert legend.group(0) in sliders.svg  # the same scale, stated in the legend
    scale = sliders._exploration.scale
    faded = grad_fill(sliders.gradients["x1"], scale)
    assert faded in sliders.svg and faded != grad_fill(neuron_grads(**LECTURE)["x1"], scale)
    assert scale == pytest.approx(1.5)


def test_explore_a_built_graph_leaves_it_alone(dot_program):
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b + 1.0
    L = c.tanh()
    L.label = "L"
    sliders = explore(L)
    assert sliders.values == {"a": 2.0, "b": -3.0}
    sliders.set(a=0.5)
    x, y = Value(0.5), Value(-3.0)
    assert sliders.gradients == pytest.approx(dict(zip("ab", grad((x * y + 1.0).tanh(), [x, y]))))
    assert (a.data, a.grad, L.grad) == (2.0, 0.0, 0.0)


def test_explore_a_model_lists_every_parameter(dot_program):
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    sliders = explore(model, [0.5, -1.0])
    names = ["x[0]", "x[1]"] + [name for name, _ in model.named_parameters()]
    assert list(sliders.gradients) == names and len(names) == 2 + 3 * 3 + 4
    out = model([0.5, -1.0])
    out.backward()
    for name, p in model.named_parameters():
        assert sliders.gradients[name] == pytest.approx(p.grad)
    sliders.set(**{"x[0]": -1.0})
    assert sliders.output == pytest.approx(model([-1.0, -1.0]).data)
    assert sliders.readout["columns"][0] == "input or parameter"


def test_a_failing_forward_pass_keeps_the_drawing_and_says_why(dot_program):
    sliders = explore(lambda x: x.log(), x=2.0)
    svg = sliders.svg
    sliders.set(x=-1.0)
    assert sliders.error.startswith("DomainError: log(-1.0)") and sliders.svg == svg
    sliders.set(x=1.0)
    assert sliders.error == "" and sliders.gradients == {"x": 1.0}


def test_explorer_shows_a_static_picture_and_escapes_labels(dot_program):
    x = Value(1.0, XSS)
    y = (x * 3.0).exp()
    y.label = "y"
    sliders = explore(y)
    data, _ = sliders._repr_mimebundle_()
    assert WIDGET_VIEW in data and data["text/plain"].startswith("<Explorer of y = 20.0855")
    assert XSS not in data["text/html"] and XSS not in sliders.svg and "&lt;img src=x" in data["text/html"]
    assert XSS in html.unescape(sliders.svg)  # drawn as text
    assert "grad 60.2566" in img_svg(data["text/html"])
    assert json.loads(json.dumps(sliders.readout))["gradients"] == [[XSS, "60.2566"]]  # text, set with textContent


@pytest.mark.parametrize(
    "value, limits, expected",
    [
        (2.0, None, (-5.0, 5.0)),
        (0.0, None, (-5.0, 5.0)),
        (-3.0, None, (-10.0, 10.0)),
        (6.88, None, (-20.0, 20.0)),
        (0.5, (-1, 1), (-1.0, 1.0)),
    ],
)
def test_slider_ranges(value, limits, expected):
    slider = slider_for("a", value, limits)
    assert (slider.min, slider.max) == expected and slider.min <= value <= slider.max
    assert 300 <= (slider.max - slider.min) / slider.step <= 1000


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: Exploration(neuron, {}), TypeError, "starting value by name"),
        (lambda: Exploration(MLP(2, [1]), {"a": 1.0}), TypeError, "input point as a list"),
        (lambda: Exploration(3, {"a": 1.0}), TypeError, "a function, a Value or an nn model"),
        (lambda: Exploration(neuron, LECTURE, {"z": (0, 1)}), ValueError, "not inputs"),
        (lambda: Exploration(neuron, {**LECTURE, "b": float("nan")}), TypeError, "finite number"),
        (lambda: Exploration(Value(1.0) * 2.0, {}), ValueError, "no labelled leaves"),
        (lambda: slider_for("a", 0.0, (1.0, 1.0)), ValueError, "low < high"),
    ],
)
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_explore_takes_values_as_a_dict_too(dot_program):
    def f(ranges):  # an argument named like an option
        return ranges * 2.0

    assert explore(f, {"ranges": 3.0}).gradients == {"ranges": 2.0}
    with pytest.raises(TypeError, match="not both"):
        explore(f, {"ranges": 3.0}, x=1.0)


# ------------------------------------------------------------------ draw_dot in a notebook
def test_draw_dot_fits_the_cell_and_shows_without_a_kernel(dot_program, diamond):
    drawing = draw_dot(diamond()[0])
    assert isinstance(drawing, Drawing)
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    assert '<svg style="max-width: 100%; height: auto;"' in bundle["image/svg+xml"]
    assert 'style="max-width: 100%; height: auto;"' in bundle["text/html"] and "grad" in img_svg(bundle["text/html"])
    assert set(drawing._repr_mimebundle_(include={"image/svg+xml"})) == {"image/svg+xml"}


def test_static_bundle_escapes_its_text():
    page = static_bundle("<svg></svg>", XSS, [XSS], [XSS, f"one line\n{XSS}"])["text/html"]
    assert XSS not in page and page.count("&lt;img src=x onerror=alert(1)&gt;") == 4
    assert "<li>one line<br>&lt;img" in page  # a step of two lines (forward mode: value, then tangent) keeps them


def test_a_network_drawn_in_clusters_has_one_legend(dot_program):
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    out = model([0.5, -1.0])
    out.backward()
    from viz.drawing import pipe

    svg = pipe(draw_dot(out, group_by="neuron", color_by_grad=True), "svg").decode()
    assert svg.count("blue: raising the node raises the output") == 1
