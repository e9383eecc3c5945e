"""The widgets in a real JupyterLab in a real browser: two players and an explorer in one notebook, live.

JupyterLab runs from this virtual environment (``lab_server``); Debian's
Chromium, driven by Playwright, opens a notebook, runs it, clicks and drags,
and the test reads what the page shows and what the kernel sees.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from lab_server import JupyterLab, jupyterlab_server, lab_page, output_errors, run_all_cells, run_cell
from nbformat.v4 import new_code_cell, new_notebook

from autograd_core import Value, grad
from viz.text import format_number

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"

SETUP = f"""
import viz
from autograd_core import Value

def neuron(x1, x2, w1, w2, b):
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o

x = Value(1.0, label={XSS!r})
y = (x * 3.0).exp()
y.label = "y"
"""
CELLS = [
    SETUP,
    "ex = viz.explore(neuron, x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)\nex",
    "ey = viz.explore(y)\ney",
    "print('values', ex.values['x1'], 'output', round(ex.output, 6))",
]


def neuron_gradient(name: str, **values: float) -> float:
    leaves = {k: Value(v, k) for k, v in values.items()}
    o = (leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]).tanh()
    return grad(o, leaves[name])[0]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> JupyterLab:
    root = tmp_path_factory.mktemp("lab-root")
    nb = new_notebook(cells=[new_code_cell(source) for source in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, root / "widgets.ipynb")
    with jupyterlab_server(root, tmp_path_factory.mktemp("lab-home")) as server:
        yield server


def test_explorers_live_in_jupyterlab(chromium_path, lab):
    with lab_page(chromium_path, lab, "widgets.ipynb") as (page, dialogs, errors):
        run_all_cells(page)
        explorers = page.locator(".ag-explorer")
        explorers.nth(1).wait_for(timeout=60_000)
        first, second = explorers.nth(0), explorers.nth(1)
        assert first.locator(".ag-output").inner_text() == "o = 0.7071"
        assert first.locator("tr[data-name=x1] td").nth(1).inner_text() == "-1.5000"
        # Drag x1 to 1.0: the kernel recomputes and the page shows the new gradient, drawn smaller.
        first.locator("input[data-name=x1]").fill("1")
        expected = format_number(neuron_gradient("x1", x1=1.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432))
        page.wait_for_function(
            "([root, text]) => root.querySelector('tr[data-name=x1] td + td').textContent === text",
            arg=[first.element_handle(), expected], timeout=30_000)
        assert first.locator(".ag-graph svg text", has_text=f"grad {expected}").count() >= 1
        # The other explorer did not move.
        assert second.locator(".ag-output").inner_text() == f"y = {format_number(2.718281828459045 ** 3)}"
        # The label is text, never markup.
        assert second.locator(".ag-graph svg text", has_text=XSS).count() == 1
        assert dialogs == [] and not page.locator(".ag-explorer img").count()
        # The kernel sees what the page did.
        run_cell(page, 3)
        page.locator(".jp-OutputArea-output", has_text="values 1.0").wait_for(timeout=30_000)
        assert output_errors(page) == [] and errors == []
