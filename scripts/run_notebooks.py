"""Execute the teaching notebooks in ``notebooks/``, write them back with their outputs, or check them.

    python scripts/notebooks.py --write    # run every notebook, save it with its outputs (make notebooks-executed)
    python scripts/notebooks.py --check    # run every notebook, fail if a saved output differs from the new one

The notebooks are committed executed, so that GitHub and a JupyterLab without
a kernel show their pictures. A widget's output is saved without its widget
view (it names a model that only the kernel that ran it had): what is saved
is its static picture, which every viewer shows, and which does not change
from run to run. ``--check`` (and the tests, through ``execute`` and
``fingerprint``) makes sure those outputs are what the code gives today.
Outputs are compared by what a reader sees, not byte for byte: printed text
(however the kernel cut it into messages), the text inside pictures (names,
data, gradients), and which kinds of output there are; not Graphviz's
coordinates, PNG bytes or widget ids, which change between versions and runs.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["NOTEBOOK_DIR", "notebook_paths", "execute", "for_saving", "fingerprint", "differences", "WIDGET_VIEW"]

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def notebook_paths() -> list[Path]:
    """The teaching notebooks, in their reading order (their names start with a number)."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def execute(path: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel (in the notebook's folder) and return it with its outputs.

    Raises nbclient's ``CellExecutionError`` naming the cell when a cell fails.
    No widget state is stored: without a kernel, each widget's output shows
    its static picture instead (see viz.widgets).
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb.metadata.pop("widgets", None)
    return nb


def for_saving(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The executed notebook without its widget views (their models die with the kernel): their pictures stay."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


_TEXT_IN_SVG = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _svg_texts(svg: str) -> list[str]:
    return [html.unescape(_TAG.sub("", t)).strip() for t in _TEXT_IN_SVG.findall(svg)]


def _visible(mime: str, data: object) -> object:
    """What a reader sees of one output in one format, without what varies between runs."""
    if mime == "image/svg+xml":
        return _svg_texts(str(data))
    if mime == "text/html":
        text = str(data)
        return {"text": " ".join(html.unescape(_TAG.sub(" ", text)).split()), "pictures": text.count("<img")}
    if mime in ("image/png", "image/jpeg"):
        return True  # present; the bytes may vary between matplotlib versions
    return str(data)


def fingerprint(nb: nbformat.NotebookNode) -> list[list[object]]:
    """Per code cell, its outputs as a reader sees them (see the module docstring)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs: list[object] = []
        for output in cell.get("outputs", []):
            last = outputs[-1] if outputs else None
            if output.output_type == "stream" and isinstance(last, tuple) and last[0] == output.name:
                # One printout, however the kernel cut it into messages (a busy machine flushes mid-cell).
                outputs[-1] = (output.name, last[1] + output.text)
            elif output.output_type == "stream":
                outputs.append((output.name, output.text))
            elif output.output_type == "error":
                outputs.append(("error", output.ename, output.evalue))
            else:
                outputs.append(
                    {
                        mime: _visible(mime, data)
                        for mime, data in sorted(output.get("data", {}).items())
                        if mime != WIDGET_VIEW
                    }
                )  # saved without it (see for_saving)
        cells.append(outputs)
    return cells


def differences(saved: nbformat.NotebookNode, fresh: nbformat.NotebookNode) -> list[str]:
    """Where a saved notebook's outputs differ from a fresh run's: one line per code cell that differs."""
    old, new = fingerprint(saved), fingerprint(fresh)
    if len(old) != len(new):
        return [f"{len(old)} code cells saved, {len(new)} run"]
    return [
        f"code cell {i + 1}: saved {a!r:.300} but now {b!r:.300}" for i, (a, b) in enumerate(zip(old, new)) if a != b
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="save every notebook with its new outputs")
    action.add_argument("--check", action="store_true", help="fail when a saved notebook's outputs are out of date")
    args = parser.parse_args(argv)
    stale = []
    for path in notebook_paths():
        start = time.perf_counter()
        fresh = execute(path)
        seconds = time.perf_counter() - start
        if args.write:
            nbformat.write(for_saving(fresh), path)
            print(f"{path.name}: executed in {seconds:.1f} s, written")
            continue
        found = differences(nbformat.read(path, as_version=4), fresh)
        print(f"{path.name}: executed in {seconds:.1f} s, {'out of date' if found else 'up to date'}")
        for line in found:
            print("  " + line)
        stale.extend(found)
    if stale:
        print("run `make notebooks-executed` and commit the notebooks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
