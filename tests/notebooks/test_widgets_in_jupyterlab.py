"""The widgets in a real JupyterLab in a real browser: two players, two explorers and an exercise in one notebook.

JupyterLab runs from this virtual environment (``lab_server``); Debian's
Chromium, driven by Playwright, opens a notebook, runs it, clicks, presses
keys and drags sliders, and the test reads what the page shows and what the
kernel sees. ``AUTOGRAD_SCREENSHOTS=docs`` also saves the screenshots the docs show.
"""

from __future__ import annotations

import inspect
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from helpers import LECTURE_POINT, lecture_neuron
from lab_server import JupyterLab, jupyterlab_server, lab_page, output_errors, run_all_cells, run_cell
from nbformat.v4 import new_code_cell, new_notebook

from autograd_core import Value, grad
from viz.player import player_parts
from viz.text import format_number

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
POINT = ", ".join(f"{name}={value!r}" for name, value in LECTURE_POINT.items())

CELLS = [
    f"""
import viz
from autograd_core import Value
from nn import MLP

{inspect.getsource(lecture_neuron)}
o = lecture_neuron(*[Value(v, label=name) for name, v in {LECTURE_POINT!r}.items()])
x = Value(1.0, label={XSS!r})
y = (x * 3.0).exp()
y.label = "y"
wide = MLP(2, [16, 1], seed=0)([0.5, -1.0])
""",
    "p1 = viz.play(o)\np1",
    "p2 = viz.play(y)\np2",
    f"ex = viz.explore(lecture_neuron, {POINT})\nex",
    "ey = viz.explore(y)\ney",
    "viz.draw_dot(wide)",
    "print('steps', p1.step, p2.step, 'x1', ex.values['x1'], 'output', round(ex.output, 6))",
    "if p1.step == 1:  # after the test clicked Next (not during Run All)\n    p2.step = 3",
    "quiz = viz.exercise_widget(viz.exercise(o))\nquiz",
    "print('score:', quiz.score)",
    "viz.exercise_widget(viz.exercise(y))",
]
STATE, MOVE, SCORE = 6, 7, 9  # the cells that read the widgets' state, move a player, read the exercise's score
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def neuron_gradient(name: str, **values: float) -> float:
    leaves = {k: Value(v, k) for k, v in values.items()}
    return grad(lecture_neuron(**leaves), leaves[name])[0]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> JupyterLab:
    root = tmp_path_factory.mktemp("lab-root")
    nb = new_notebook(cells=[new_code_cell(source.strip()) for source in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, root / "widgets.ipynb")
    shutil.copy(NOTEBOOKS / "2-neuron.ipynb", root / "saved.ipynb")  # executed and saved by run_notebooks.py
    with jupyterlab_server(root, tmp_path_factory.mktemp("lab-home")) as server:
        yield server


def counter(player) -> str:
    return player.locator(".ag-counter").text_content()  # (inner_text is empty for a cell JupyterLab hides)


def test_two_players_and_two_explorers_live_in_jupyterlab(chromium_path, lab):
    with lab_page(chromium_path, lab, "widgets.ipynb") as (page, dialogs, errors):
        run_all_cells(page)
        page.locator(".jp-OutputArea-output", has_text="steps 0 0").wait_for(timeout=90_000)
        players, explorers = page.locator(".ag-player:not(.ag-exercise)"), page.locator(".ag-explorer")
        assert players.count() == 2 and explorers.count() == 2
        p1, p2 = players.nth(0), players.nth(1)
        steps1 = player_parts(lecture_neuron(**{k: Value(v, k) for k, v in LECTURE_POINT.items()})).steps
        x = Value(1.0, XSS)
        y = (x * 3.0).exp()
        total1, total2 = len(steps1), len(player_parts(y).steps)
        assert counter(p1) == f"step 0 / {total1} \u00b7 start" and counter(p2) == f"step 0 / {total2} \u00b7 start"

        # Next in the first player moves it, and only it.
        p1.locator(".ag-next").click()
        assert counter(p1) == f"step 1 / {total1} \u00b7 forward pass"
        assert p1.locator(".ag-line").inner_text() == steps1[0]
        assert counter(p2).startswith("step 0 ")
        # The keys step the player that has the focus, not the notebook (whose arrow keys select cells).
        active_cell = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
        p2.focus()
        cell = page.evaluate(active_cell)
        for key in ("ArrowRight", "ArrowRight", "ArrowDown"):
            page.keyboard.press(key)
        assert counter(p2).startswith(f"step 2 / {total2}") and counter(p1).startswith("step 1 ")
        assert page.evaluate(active_cell) == cell

        # Every graph fits the cell's width, and its box holds it whole.
        for widget, box in ((p1, ".ag-graph"), (p2, ".ag-graph"), (explorers.nth(0), ".ag-picture")):
            svg, area = widget.locator(box + " svg").bounding_box(), widget.locator(box).bounding_box()
            assert 100 < svg["width"] <= area["width"] + 1 and 60 < svg["height"] <= area["height"] + 1

        # Drag a slider: the kernel recomputes, the page shows the new gradient; the other explorer stays.
        first, second = explorers.nth(0), explorers.nth(1)
        assert first.locator(".ag-output").inner_text() == "o = 0.7071"
        assert first.locator("tr[data-name=x1] td").nth(1).inner_text() == "-1.5000"
        first.locator("input[data-name=x1]").fill("1")
        expected = format_number(neuron_gradient("x1", **{**LECTURE_POINT, "x1": 1.0}))
        page.wait_for_function(
            "([root, text]) => root.querySelector('tr[data-name=x1] td + td').textContent === text",
            arg=[first.element_handle(), expected],
            timeout=30_000,
        )
        assert first.locator(".ag-picture svg text", has_text=f"grad {expected}").count() == 1
        assert first.locator(".ag-number").first.inner_text() == "1.0000"
        assert second.locator(".ag-output").inner_text() == f"y = {format_number(2.718281828459045**3)}"
        # Full size and back: the picture keeps its choice across redraws.
        size, picture = first.locator(".ag-size"), first.locator(".ag-picture svg")
        fitted = picture.bounding_box()["width"]
        size.click()
        assert size.inner_text() == "fit to width" and picture.get_attribute("width").endswith("pt")
        size.click()
        assert size.inner_text() == "full size" and picture.bounding_box()["width"] == fitted

        # The kernel sees what the page did, and moves a player the page then shows.
        run_cell(page, STATE)
        page.locator(".jp-OutputArea-output", has_text="steps 1 2 x1 1.0 output").wait_for(timeout=30_000)
        run_cell(page, MOVE)
        page.wait_for_function(
            "(root) => root.querySelector('.ag-counter').textContent.startsWith('step 3 ')",
            arg=p2.element_handle(),
            timeout=30_000,
        )
        assert counter(p1).startswith("step 1 ")

        # draw_dot of a wide network: scaled down to the cell, not cut off.
        drawing = page.locator("img[alt='the computation graph']")
        box, cell = drawing.bounding_box(), page.locator(".jp-OutputArea-output", has=drawing).bounding_box()
        natural = drawing.evaluate("(img) => img.naturalWidth")
        assert natural > cell["width"] and box["width"] <= cell["width"] + 1

        # Labels are text: the one that looks like markup is drawn, and nothing ran.
        assert p2.locator(".ag-graph svg text", has_text=XSS).count() == 1
        assert second.locator(".ag-picture svg text", has_text=XSS).count() == 1
        assert dialogs == [] and errors == [] and output_errors(page) == []

        exercise, marked = page.locator(".ag-exercise").nth(0), page.locator(".ag-exercise").nth(1)
        answer_one_right_and_one_wrong(page, exercise)
        marked.locator(".ag-next").click()  # y = exp(3 x), x labelled with markup: its questions show it as text
        marked.locator(".ag-input").fill("out")
        marked.locator(".ag-check").click()  # right: on to the second question
        expect_text(page, marked.locator(".ag-verdict"), "right: ")
        assert counter(marked).startswith("step 2 ")
        assert f"{XSS} = 1.0000" in marked.locator(".ag-line").inner_text()
        assert marked.locator(".ag-graph svg text", has_text=XSS).count() == 1
        assert dialogs == [] and errors == [] and output_errors(page) == []

        if os.environ.get("AUTOGRAD_SCREENSHOTS"):
            save_screenshots(page, p1, first, exercise, Path(os.environ["AUTOGRAD_SCREENSHOTS"]))


def answer_one_right_and_one_wrong(page, exercise) -> None:
    """The exercise on the lecture's neuron: the kernel checks what is typed in the page, the page shows its verdict."""
    panel, box, line = exercise.locator(".ag-step"), exercise.locator(".ag-input"), exercise.locator(".ag-line")
    assert counter(exercise) == "step 0 / 9 \u00b7 start" and not exercise.locator(".ag-answer").is_visible()
    assert exercise.locator(".ag-graph svg text", has_text="grad 1.0000").count() == 1  # do/do = 1, the only one shown
    exercise.locator(".ag-next").click()
    assert line.inner_text().startswith("step 1 of 9: do/dn += do/do \u00b7 \u2202o/\u2202n = 1.0000 \u00b7 ?")
    assert exercise.locator(".ag-asked").inner_text() == "\u2202o/\u2202n"
    view = exercise.locator(".ag-graph svg").get_attribute("viewBox")
    box.fill("")
    box.type("1 - out**2")  # "-" and "0" are player keys outside the box: typed here, they only write
    assert exercise.locator(".ag-graph svg").get_attribute("viewBox") == view
    assert counter(exercise).startswith("step 1 ")
    box.press("Enter")  # right: the page moves on to the next question, the cursor in its box
    expect_text(page, exercise.locator(".ag-verdict"), "step 1: right: \u2202o/\u2202n = 1 - out**2 = 0.5000")
    assert counter(exercise).startswith("step 2 ") and exercise.locator(".ag-input").evaluate(
        "(box) => document.activeElement === box"
    )
    assert "ag-right" in exercise.locator("ol.ag-steps li[data-step='1']").get_attribute("class")
    assert exercise.locator(".ag-graph svg text", has_text="grad 0.5000").count() == 1  # do/dn, revealed
    assert exercise.locator(".ag-score").inner_text() == "score: 1 of 9 right (1 of 9 answered)"

    box.fill(XSS)  # not an expression: not understood, not counted; nothing of it runs
    exercise.locator(".ag-check").click()
    expect_text(page, exercise.locator(".ag-feedback"), "not understood, not counted: syntax error")
    assert counter(exercise).startswith("step 2 ") and "ag-wrong" not in panel.get_attribute("class")
    box.fill("0")
    exercise.locator(".ag-check").click()
    expect_text(page, line, "wrong: 0 = 0.0000, but \u2202n/\u2202")
    assert line.inner_text().splitlines()[0].endswith("= 1.0000")  # the correct value, after the wrong answer
    assert "ag-wrong" in panel.get_attribute("class")
    assert exercise.locator(".ag-score").inner_text() == "score: 1 of 9 right (2 of 9 answered)"
    run_cell(page, SCORE)  # the kernel holds the same answers
    # The kernel's printout (stdout), not the widget's own score line, which reads the same.
    printed = page.locator('[data-mime-type="application/vnd.jupyter.stdout"]', has_text="score: 1 of 9 right")
    printed.filter(has_text="(2 of 9 answered)").wait_for(timeout=30_000)


def expect_text(page, locator, text: str) -> None:
    """Wait until ``locator``'s text contains ``text`` (the kernel answers asynchronously)."""
    page.wait_for_function(
        "([el, text]) => el.textContent.includes(text)", arg=[locator.element_handle(), text], timeout=30_000
    )


def test_a_saved_notebook_shows_pictures_before_it_runs(chromium_path, lab):
    """The executed notebook, opened and not run: each widget's output is its static picture, fitted to the cell."""
    with lab_page(chromium_path, lab, "saved.ipynb", run=False) as (page, dialogs, errors):
        pictures = page.locator(".jp-OutputArea-output img[src^='data:image/svg+xml']")
        pictures.first.wait_for(timeout=60_000)
        page.set_viewport_size({"width": 1280, "height": 6000})  # every cell drawn (JupyterLab skips those off screen)
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-OutputArea-output img').length >= 5", timeout=30_000
        )
        assert pictures.count() == 5  # two players and three explorers
        for i in range(pictures.count()):
            loaded, width, room = pictures.nth(i).evaluate(
                "(img) => [img.complete && img.naturalWidth > 0, img.getBoundingClientRect().width,"
                " img.closest('.jp-OutputArea-output').getBoundingClientRect().width]"
            )
            assert loaded and 0 < width <= room + 1
        text = page.locator(".jp-Notebook").inner_text()
        for broken in ("Error displaying widget", "model not found", "Cannot display an untrusted SVG"):
            assert broken not in text
        assert page.locator(".jp-OutputArea-output li", has_text="do/dx1 += do/dv1").count() == 1
        assert page.locator(".ag-player").count() == 0 and dialogs == [] and errors == []


def save_screenshots(page, player, explorer, exercise, folder: Path) -> None:
    """The docs' pictures: the player in the backward pass, the sliders, and the exercise after a wrong answer."""
    player.locator(".ag-reset").click()
    for _ in range(8):
        player.locator(".ag-next").click()
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 3000})  # every output in view (JupyterLab hides cells off screen)
    explorer.scroll_into_view_if_needed()
    player.screenshot(path=str(folder / "notebook-player.png"))
    explorer.screenshot(path=str(folder / "notebook-sliders.png"))
    exercise.locator(".ag-next").click()  # the third question, open, an answer typed (after one right, one wrong)
    exercise.locator(".ag-input").fill("1")
    exercise.scroll_into_view_if_needed()
    exercise.screenshot(path=str(folder / "notebook-exercise.png"))
