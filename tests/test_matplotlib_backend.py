"""Importing any of the project's modules, or drawing with nn.plots, leaves matplotlib's backend as it was.

Notebooks depend on it: a module that called ``matplotlib.use("Agg")`` on
import made every later ``plt.plot`` in the notebook show nothing. Each check
runs in a fresh interpreter, so every module is really imported; the last one
in a real Jupyter kernel, with its inline backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd_core", "nn", "viz")

IMPORT_EVERYTHING = f"""
import importlib, pkgutil, sys
names = []
for package in {PACKAGES!r}:
    module = importlib.import_module(package)
    names.append(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
        names.append(info.name)
"""


def run(code: str, backend: str | None) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    if backend:
        env["MPLBACKEND"] = backend
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_importing_every_module_imports_no_matplotlib():
    # nn._figure is matplotlib's Figure subclass itself, imported only inside nn.plots' functions.
    code = IMPORT_EVERYTHING.replace(
        "importlib.import_module(info.name)", "if info.name != 'nn._figure': importlib.import_module(info.name)"
    )
    out = run(code + "print(len(names), 'matplotlib' in sys.modules)", None)
    assert int(out[0]) > 30 and out[1] == "False"  # matplotlib stays optional, and no backend is chosen


@pytest.mark.parametrize("backend", ["svg", "pdf"])
def test_importing_everything_and_drawing_keep_the_backend(backend):
    code = (
        IMPORT_EVERYTHING
        + """
import matplotlib
from nn import MLP, fit, SGD, hinge_loss, make_moons, signed_labels
from nn.plots import plot_boundary, plot_history
X, y = make_moons(10, seed=0)
model = MLP(2, [3, 1], seed=0)
history = fit(model, X, signed_labels(y), hinge_loss, SGD(model.parameters(), lr=0.1), epochs=2)
plot_history(history)._repr_png_()
plot_boundary(model, X, y)
print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)
"""
    )
    assert run(code, backend) == [backend, "False"]


def test_a_notebook_kernel_keeps_its_inline_backend():
    """In an IPython kernel (nbclient): every module imported, then a plot still shows inline, as a PNG."""
    pytest.importorskip("nbclient")
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [
        IMPORT_EVERYTHING,
        "import matplotlib, matplotlib.pyplot as plt\nprint(matplotlib.get_backend())\nplt.plot([1, 2, 3])\nplt.show()",
    ]
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = nb.cells[1].outputs
    assert outputs[0].text.strip() == "module://matplotlib_inline.backend_inline"
    assert [o for o in outputs if "image/png" in o.get("data", {})]
