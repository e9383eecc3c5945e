"""The classroom: the player, the forward-mode player, the exercise and the explorer read on a projector.

Each is opened in Chromium at 1280x800 and 1920x1080 (``scripts/classroom.py``
shows the notebook widgets in a plain page, their Python side answering as the
kernel would). The tests measure what a class sees: the computed font sizes
(the step text at least as large as the fitted graph's node text, never below
16 px), no text running out of its box (scrollWidth/scrollHeight against the
box's client size) at every step, buttons that stay put, presentation mode,
and the keyboard flow, with real key presses.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from classroom import NOTEBOOK_MARGIN, SIZES, browser, mlp_2_3_1, mlp_3_4_4_1, open_player, open_widget
from gallery import lecture_neuron
from helpers import require_tool

import viz
from autograd_core import topological_order
from viz import write_html

pytestmark = pytest.mark.browser

FLOOR = 16  # px: the step text's smallest size
IDS = [f"{w}x{h}" for w, h in SIZES]

# Every box whose text must fit it, and (True) those that must not scroll vertically either.
BOXES = {
    ".ag-title": True,
    ".ag-sub": True,
    ".ag-bar button": True,
    ".ag-counter": True,
    ".ag-keys": True,
    ".ag-step": True,
    ".ag-line": True,
    ".ag-context": True,
    ".ag-legend span": True,
    "ol.ag-steps li": True,
    "ol.ag-steps": False,  # scrolls down its steps (with a scroll bar), never sideways
    ".ag-answer": True,
    ".ag-verdict": True,
    ".ag-score": True,
}

MEASURE = """(boxes) => {
  const cut = [];
  for (const [selector, whole] of Object.entries(boxes)) {
    for (const el of document.querySelectorAll(selector)) {
      if (!el.offsetParent && getComputedStyle(el).position !== "fixed") continue;  // not shown
      if (el.scrollWidth > el.clientWidth + 1) cut.push(selector + " sideways: " + el.textContent.slice(0, 60));
      if (whole && el.scrollHeight > el.clientHeight + 1) cut.push(selector + " down: " + el.textContent.slice(0, 60));
    }
  }
  const root = document.querySelector(".ag-player, .ag-explorer").getBoundingClientRect();
  if (root.bottom > window.innerHeight + 1 && document.querySelector(".ag-player:not(.ag-exercise)"))
    cut.push("the player is taller than the window");
  return cut;
}"""

SIZES_JS = """() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const svg = document.querySelector(".ag-graph svg"), ctm = svg.getScreenCTM();
  const names = [...svg.querySelectorAll("g.node text")].map((t) => Number(t.getAttribute("font-size")) * ctm.a);
  return {line: px(document.querySelector(".ag-line")), node: Math.max(...names),
          ui: px(document.querySelector(".ag-player")), list: px(document.querySelector("ol.ag-steps"))};
}"""

STILL = """() => [".ag-zoom-out", ".ag-fit", ".ag-zoom-in", ".ag-present-button", ".ag-graph"].map((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
})"""


def current_step_in_view(page) -> bool:
    """The list shows the current step's line whole."""
    list_box, now_box = page.locator("ol.ag-steps").bounding_box(), page.locator("ol.ag-steps li.ag-now").bounding_box()
    return list_box["y"] <= now_box["y"] and now_box["y"] + now_box["height"] <= list_box["y"] + list_box["height"]


def go(page, step: int) -> None:
    page.evaluate(f"document.querySelector('.ag-player').agPlayer.go({step})")


def total(page) -> int:
    return page.evaluate("document.querySelector('.ag-player').agPlayer.total")


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for the module (a page per test): the tools are checked as conftest's fixtures check them."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require_tool(path is not None, "Chromium", "make test installs it; or apt-get install chromium")
    with browser(path) as launched:
        yield launched


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The player pages: the lecture's neuron, its forward mode, the lecture's MLP grouped by neuron."""
    require_tool(shutil.which("dot") is not None, "Graphviz's dot program", "make test installs it")
    folder = tmp_path_factory.mktemp("classroom")
    o = lecture_neuron()
    x1 = next(v for v in topological_order(o) if v.label == "x1")
    return {
        "neuron": write_html(o, folder / "neuron.html"),
        "forward": write_html(o, folder / "forward.html", tangents={x1: 1.0}),
        "mlp": write_html(mlp_3_4_4_1(), folder / "mlp.html", group_by="neuron"),
    }


@pytest.mark.parametrize("size", SIZES, ids=IDS)
@pytest.mark.parametrize("which", ["neuron", "forward"])
def test_the_step_text_is_as_large_as_the_graphs_and_nothing_is_cut_at_any_step(chromium, pages, which, size):
    page = open_player(chromium, pages[which], size)
    sizes = page.evaluate(SIZES_JS)
    assert sizes["line"] >= FLOOR and sizes["line"] >= sizes["node"] - 0.5, sizes
    assert sizes["ui"] >= 14 and sizes["list"] >= 14
    if size == (1920, 1080):
        assert sizes["line"] >= 24  # on a projector the line that carries the lesson is not 12 px
    still = None
    for k in range(total(page) + 1):
        go(page, k)
        assert page.evaluate(MEASURE, BOXES) == [], f"step {k}"
        assert k == 0 or current_step_in_view(page), f"step {k}"
        if 0 < k < total(page):  # between the introduction and "Done", nothing moves
            still = still or page.evaluate(STILL)
            assert page.evaluate(STILL) == still, f"step {k}"
    assert "Done" in page.locator(".ag-line").inner_text()
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_presentation_mode_fills_the_screen_and_scales_the_text(chromium, pages, size):
    page = open_player(chromium, pages["neuron"], size, step=9)
    before = page.evaluate(SIZES_JS)
    page.locator(".ag-player").focus()
    page.keyboard.press("f")
    player = page.locator(".ag-player")
    assert "ag-present" in player.get_attribute("class")
    box = player.bounding_box()
    assert (box["width"], box["height"]) == (size[0], size[1])
    present = page.evaluate(SIZES_JS)
    assert present["line"] >= max(before["line"], 0.03 * size[1]) - 0.5 and present["line"] >= present["node"] - 0.5
    assert page.evaluate(MEASURE, BOXES) == []
    assert current_step_in_view(page)
    page.keyboard.press("ArrowRight")  # the keys still step
    assert page.locator(".ag-counter").inner_text().startswith("step 10 ")
    page.keyboard.press("Escape")
    assert "ag-present" not in player.get_attribute("class")
    page.locator(".ag-present-button").click()  # the button does the same
    assert "ag-present" in player.get_attribute("class")
    assert player.get_attribute("class") and page.locator(".ag-present-button").get_attribute("aria-pressed") == "true"
    page.context.close()


def test_focus_stays_in_the_player_when_a_button_is_disabled(chromium, pages):
    from playwright.sync_api import expect

    page = open_player(chromium, pages["neuron"], SIZES[0])
    counter = page.locator(".ag-counter")
    page.locator(".ag-next").click()
    page.locator(".ag-reset").click()  # Reset, now disabled, had the focus
    assert page.evaluate("document.activeElement.classList.contains('ag-player')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert counter.inner_text().startswith("step 2 ")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.locator(".ag-next").click()  # Next, now disabled at the end, had the focus
    assert page.evaluate("document.activeElement.classList.contains('ag-player')")
    page.keyboard.press("ArrowLeft")
    assert counter.inner_text().startswith(f"step {total(page) - 1} ")
    page.keyboard.press(" ")  # Space plays from where it is
    expect(counter).to_contain_text("done", timeout=10_000)
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_a_networks_steps_name_nodes_as_the_drawing_does_and_the_list_is_readable(chromium, pages, size):
    page = open_player(chromium, pages["mlp"], size, step=120)
    context, line = page.locator(".ag-context").inner_text(), page.locator(".ag-line").inner_text()
    assert re.fullmatch(r"layers\.\d\.neurons\.\d", context)  # the neuron, once
    assert not re.search(r"[d∂]layers\.", line)  # no d glued to a path: d(layers.2.neurons.0.out)
    assert re.search(r"d\(layers\.2\.neurons\.0\.out\)/d(w|wx|b|sum|out)\b", line)  # short names inside
    items = page.locator("ol.ag-steps li:not(.ag-group)")
    assert items.count() == total(page)  # every step, none cut with "…"
    assert page.locator("ol.ag-steps li.ag-group").count() >= 9  # a heading per neuron
    assert page.evaluate("getComputedStyle(document.querySelector('ol.ag-steps li')).textOverflow") != "ellipsis"
    assert page.locator("ol.ag-steps li.ag-now").get_attribute("data-step") == "120"
    assert current_step_in_view(page)
    assert page.evaluate(MEASURE, BOXES) == []
    page.context.close()


@pytest.fixture
def quiz():
    return viz.exercise_widget(viz.exercise(lecture_neuron()))


def active(page) -> str:
    return page.evaluate("document.activeElement.className")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_the_exercise_by_keyboard_alone(chromium, tmp_path, quiz, size):
    page = open_widget(chromium, quiz, tmp_path, size)
    counter = page.locator(".ag-counter")
    page.locator(".ag-player").focus()
    page.keyboard.press("ArrowRight")
    assert active(page) == "ag-input"  # the cursor is in the box: type at once
    page.keyboard.type("1 - out**2")  # "-" and "0" typed here are not player keys
    page.keyboard.press("Enter")  # right: on to the next question, the cursor in its box
    page.wait_for_function("document.querySelector('.ag-counter').textContent.startsWith('step 2 ')")
    assert active(page) == "ag-input"
    assert page.locator(".ag-verdict").inner_text().startswith("step 1: right: ∂o/∂n = 1 - out**2 = 0.5000")
    first = page.locator("ol.ag-steps li[data-step='1']")
    assert "ag-right" in first.get_attribute("class") and first.inner_text().endswith("✓")
    assert page.evaluate(MEASURE, BOXES) == []

    page.keyboard.type("1/")  # not understood: not counted, the cursor stays, the text selected to retype
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('.ag-feedback').textContent.length > 0")
    assert active(page) == "ag-input" and counter.inner_text().startswith("step 2 ")
    page.keyboard.type("0")
    page.keyboard.press("Enter")  # wrong: the correct value shows, the player keeps the focus
    page.wait_for_function("document.querySelector('.ag-step').classList.contains('ag-wrong')")
    assert "ag-player" in active(page) and counter.inner_text().startswith("step 2 ")
    assert page.evaluate(MEASURE, BOXES) == []
    page.keyboard.press("ArrowRight")
    assert counter.inner_text().startswith("step 3 ") and active(page) == "ag-input"
    page.keyboard.press("Escape")  # out of the box: the arrow keys step again
    page.keyboard.press("ArrowLeft")
    assert counter.inner_text().startswith("step 2 ")
    assert quiz.score.right == 1 and quiz.score.answered == 2

    colours = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("ol.ag-steps li")].slice(0, 2).map(
             (li) => [li.getAttribute("data-step"), getComputedStyle(li).color]))"""
    )
    assert colours == {"1": "rgb(21, 128, 61)", "2": "rgb(185, 28, 28)"}  # right is green, never red
    sizes = page.evaluate(
        "() => [parseFloat(getComputedStyle(document.querySelector('.ag-line')).fontSize),"
        " parseFloat(getComputedStyle(document.querySelector('.ag-input')).fontSize)]"
    )
    assert min(sizes) >= FLOOR
    page.context.close()


INSIDE_THE_PANEL = """() => {
  const panel = document.querySelector(".ag-step"), r = panel.getBoundingClientRect(), cut = [];
  const top = r.top + panel.clientTop, bottom = top + panel.clientHeight;
  for (const selector of [".ag-verdict", ".ag-asked", ".ag-input", ".ag-check"]) {
    const el = panel.querySelector(selector);
    if (!el || !el.offsetParent || !el.textContent && selector === ".ag-verdict") continue;  // not shown
    const b = el.getBoundingClientRect();
    if (b.top < top - 1 || b.bottom > bottom + 1) cut.push(selector + " " + Math.round(b.top) + "-" +
      Math.round(b.bottom) + " outside the panel's " + Math.round(top) + "-" + Math.round(bottom));
  }
  return cut;
}"""


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_an_exercise_with_long_names_in_a_narrow_column_keeps_its_verdict_and_answer_box_in_view(
    chromium, tmp_path, size
):
    """The playground's exercise: each node named by its expression, the player in a column 60% of the page wide."""
    from viz.expression import evaluate_expression

    values = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.881373587019543}
    ex = viz.exercise(evaluate_expression("tanh(x1*w1 + x2*w2 + b)", values))
    quiz = viz.exercise_widget(ex)
    page = open_widget(chromium, quiz, tmp_path, size)
    page.evaluate("document.querySelector('.ag-cell').style.width = '60%'")
    page.wait_for_timeout(200)  # the resize observers
    counter = page.locator(".ag-counter")
    page.locator(".ag-player").focus()
    page.keyboard.press("ArrowRight")
    assert len(page.locator(".ag-asked").inner_text()) > 20  # the names are long: the question wraps
    still = page.evaluate(STILL)
    for k, question in enumerate(ex.questions, start=1):
        assert counter.inner_text().startswith(f"step {k} ")
        assert page.evaluate(INSIDE_THE_PANEL) == [], f"step {k}"
        assert page.evaluate(MEASURE, BOXES) == [], f"step {k}"
        if k < len(ex.questions):
            assert page.evaluate(STILL) == still, f"step {k}"  # the graph does not move from question to question
        if k > 1:
            assert page.locator(".ag-verdict").inner_text().startswith(f"step {k - 1}: right: ")
        page.keyboard.type(repr(question.expected))
        page.keyboard.press("Enter")
        if k < len(ex.questions):
            page.wait_for_function(f"document.querySelector('.ag-counter').textContent.startsWith('step {k + 1} ')")
    assert quiz.score.right == len(ex.questions)
    page.context.close()


def test_every_colour_the_exercise_uses_has_its_legend_entry(chromium, tmp_path, quiz):
    page = open_widget(chromium, quiz, tmp_path, SIZES[0])
    legend = page.evaluate(
        "() => [...document.querySelectorAll('.ag-legend span')].map((s) => s.style.getPropertyValue('--c'))"
    )
    used = {
        "#dc2626",  # the edge and the node the gradient leaves
        "#d97706",  # the node receiving it
        "#fef9c3",  # the current step
        "#dcfce7",  # answered right
        "#fee2e2",  # answered wrong
        "#9ca3af",  # not known yet ("grad ?")
    }
    assert used <= set(legend)
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_notebook_2s_explorer_of_a_network_is_legible(chromium, tmp_path, size):
    explorer = viz.explore(mlp_2_3_1(), [0.5, -1.0])
    page = open_widget(chromium, explorer, tmp_path, size)
    for cell in (size[0] - 24, size[0] - NOTEBOOK_MARGIN):  # the whole window, and a JupyterLab cell
        page.evaluate(f"document.querySelector('.ag-cell').style.width = '{cell}px'")
        page.wait_for_timeout(100)  # the resize observer
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('.ag-picture svg g.node text')].map(
                 (t) => t.getBoundingClientRect().height))"""
        )
        assert smallest >= 9.5, (cell, smallest)  # fitted, it would be 7 px in the cell: shown full size instead
    picture, button = page.locator(".ag-picture"), page.locator(".ag-size")
    if size == (1280, 800):  # full size in the cell, the button says how to fit it, the scroll bar shows
        assert button.inner_text() == "fit to width"
        assert picture.evaluate("(el) => el.scrollWidth > el.clientWidth && el.offsetHeight - el.clientHeight >= 10")
    else:  # room enough: fitted
        assert button.inner_text() == "full size"
    readout = page.locator(".ag-readout")
    scrollbar = readout.evaluate("(el) => [el.scrollHeight > el.clientHeight, el.offsetWidth - el.clientWidth]")
    assert scrollbar[0] and scrollbar[1] >= 10  # the gradients scroll, with a scroll bar that shows
    assert page.evaluate(MEASURE, {".ag-output": True, ".ag-size": True, ".ag-slider": True}) == []
    page.context.close()


PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "teach-on-a-projector.md"
