"""The teaching notebooks run, top to bottom, in a fresh kernel; their saved outputs are today's; they draw.

Each notebook is executed once (nbclient, ``scripts/run_notebooks.py``) and
the runs are shared by the tests below. Opened without a kernel (nbconvert's
HTML, in Chromium) the executed notebooks show pictures, never a widget's
error or run-on text.
"""

from __future__ import annotations

import re
import shutil
import time

import nbformat
import pytest
from helpers import CHROMIUM_ARGS, require_tool
from nbconvert import HTMLExporter
from run_notebooks import WIDGET_VIEW, differences, execute, notebook_paths

PATHS = {path.name: path for path in notebook_paths()}
NAMES = list(PATHS)
# A cell draws when its last line shows a drawing, a widget or a figure.
DRAWS = re.compile(
    r"\b(draw_dot|viz\.play|viz\.explore|viz\.exercise_widget|plot_\w+)\(.*\)$|\.figure$|^(player|sliders)$"
)
WIDGETS = ("play(", "explore(", "exercise_widget(")


@pytest.fixture(scope="module")
def graphviz() -> None:
    """The notebooks draw: Graphviz's dot must be there (skipped locally, failed in CI, when missing)."""
    require_tool(shutil.which("dot") is not None, "Graphviz's dot program", "make test installs it")


@pytest.fixture(scope="module")
def executed(graphviz) -> dict[str, tuple[nbformat.NotebookNode, float]]:
    """Every notebook run once: name -> (the executed notebook, seconds)."""
    runs = {}
    for name, path in PATHS.items():
        start = time.perf_counter()
        runs[name] = (execute(path), time.perf_counter() - start)
    return runs


def test_there_are_the_six_notebooks():
    assert NAMES == [
        "1-chain-rule.ipynb",
        "2-neuron.ipynb",
        "3-training.ipynb",
        "4-testing-your-op.ipynb",
        "5-exercises.ipynb",
        "6-write-your-own-engine.ipynb",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_without_error(executed, name):
    nb, _ = executed[name]
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count for cell in code)  # every cell ran
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    stderr = [o.text for cell in code for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert errors == [] and stderr == []


@pytest.mark.parametrize("name", NAMES)
def test_cells_that_draw_show_a_picture_or_a_widget(executed, name):
    nb, _ = executed[name]
    drawing_cells = [
        cell for cell in nb.cells if cell.cell_type == "code" and DRAWS.search(cell.source.strip().splitlines()[-1])
    ]
    assert drawing_cells, f"{name} draws nothing"
    for cell in drawing_cells:
        shown = [o.data for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        assert shown, f"{name}: no picture from\n{cell.source}"
        data = shown[-1]
        if "viz." in cell.source or "draw_dot" in cell.source:  # ours: an SVG, a picture without a kernel, a widget?
            assert data["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))
            assert '<img src="data:image/svg+xml;base64,' in data["text/html"]
            assert (WIDGET_VIEW in data) == any(widget in cell.source for widget in WIDGETS)
        else:  # matplotlib, inline
            assert "image/png" in data


def test_notebook_6_saves_the_graders_reports():
    """The grader after each step: a saved report names a planted mistake, as text and as a table."""
    saved = nbformat.read(PATHS["6-write-your-own-engine.ipynb"], as_version=4)
    outputs = [o for cell in saved.cells if cell.cell_type == "code" for o in cell.outputs]
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    assert printed.count("check_value_class") == 0 and "Value: no finding" in printed
    assert "1. [backward] backward() does not follow a topological order" in printed
    tables = [
        o.data["text/html"] for o in outputs if "text/html" in o.get("data", {}) and "<table>" in o.data["text/html"]
    ]
    assert len(tables) == 1 and "A node used twice gets its gradient overwritten" in tables[0]
    assert "<td>+</td>" in tables[0] and "a.grad = 3" in tables[0] and "a.grad = 1" in tables[0]


def test_printed_text_is_compared_whole_however_the_kernel_cut_it():
    def ran(*texts: str) -> nbformat.NotebookNode:
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=text) for text in texts]
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(...)", outputs=outputs)])

    assert differences(ran("o = 0.7071\n", "o = 1.0\n"), ran("o = 0.7071\no = 1.0\n")) == []
    assert differences(ran("0 of 9 right\n"), ran("0 of 9 right", "\n")) == []
    assert differences(ran("o = 0.7071\n"), ran("o = 0.7072\n")) != []


@pytest.mark.parametrize("name", NAMES)
def test_saved_outputs_are_todays(executed, name):
    saved = nbformat.read(PATHS[name], as_version=4)
    assert differences(saved, executed[name][0]) == [], "run `make notebooks-executed` and commit the notebooks"
    assert "widgets" not in saved.metadata, "saved with widget state: run `make notebooks-executed` (it saves none)"
    views = [o for cell in saved.cells for o in cell.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
    assert views == [], "saved with widget views: run `make notebooks-executed` (it keeps their pictures only)"


def test_executed_notebooks_show_pictures_without_a_kernel(executed, chromium_path, tmp_path):
    """nbconvert's HTML of the executed notebooks, in Chromium: pictures loaded and fitted, no widget errors."""
    from playwright.sync_api import sync_playwright

    pages = []
    for name in ("1-chain-rule.ipynb", "2-neuron.ipynb"):
        body, _ = HTMLExporter().from_notebook_node(executed[name][0])
        path = tmp_path / name.replace(".ipynb", ".html")
        path.write_text(body, encoding="utf-8")
        pages.append(path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 800})
            page.route(re.compile(r"^(?!file:|data:).*"), lambda route: route.abort())
            for path in pages:
                page.goto(path.as_uri())
                pictures = page.locator("img[src^='data:image/svg+xml']")
                assert pictures.count() >= 5
                for i in range(pictures.count()):
                    picture = pictures.nth(i)
                    picture.scroll_into_view_if_needed()
                    loaded, width, room = picture.evaluate(
                        "(img) => [img.complete && img.naturalWidth > 0, img.getBoundingClientRect().width,"
                        " img.parentElement.getBoundingClientRect().width]"
                    )
                    assert loaded and 0 < width <= room + 1
                text = page.locator("body").inner_text()
                for broken in (
                    "Error displaying widget",
                    "Loading widget",
                    "model not found",
                    "interactive(",
                    "FloatSlider",
                    "autograd v0",
                ):
                    assert broken not in text
            # The player's picture comes with its steps, the sliders' with their numbers.
            assert page.locator("li", has_text="do/dx1 += do/dv1").count() == 1
            assert page.get_by_text("o = 0.7071 at x1 = 2.0000").count() >= 1
        finally:
            browser.close()
