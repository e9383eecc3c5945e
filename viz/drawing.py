"""A Graphviz drawing: running Graphviz's ``dot`` on it, and showing it in a notebook.

``pipe`` lays a drawing out, and is the one place that does: on a desktop
it runs the ``dot`` program and turns its failures into errors that say what
to do (``GraphvizNotFoundError`` names the install command); in the browser,
under Pyodide (``sys.platform == "emscripten"``, where no program can run),
it calls Graphviz compiled to WebAssembly instead, with the same DOT source.
The page loads that Graphviz once, with ``await`` at start-up, and registers
it as the module ``graphviz_wasm`` (``pyodide.registerJsModule("graphviz_wasm",
await Graphviz.load())``, from the npm package ``@hpcc-js/wasm-graphviz``);
``pipe`` then calls its ``layout`` synchronously. ``svg_element``
makes its SVG fit to embed in a page. A widget needs a live kernel.
Everywhere else (a saved notebook reopened without one, nbconvert's HTML,
GitHub's viewer) an output shows the next format of its bundle instead, so
every widget's bundle also carries ``static_bundle``: the picture as
``text/html`` (an ``<img>`` of the SVG, which the HTML sanitizers of
JupyterLab and of notebook viewers keep, scaled to the cell's width) and as
``image/svg+xml``, with its numbers and steps as text. ``draw_dot`` returns a
``Drawing``, a ``graphviz.Digraph`` that shows itself the same way:
Graphviz's own display is an ``image/svg+xml`` as wide as Graphviz drew it
(cut off on the right in a narrow cell) which JupyterLab refuses to show in a
notebook it did not run itself.

This module imports no other module of viz: the drawing, the player and the
widgets all build on it.
"""

from __future__ import annotations

import base64
import html
import re
import sys
from collections.abc import Sequence
from typing import Any

import graphviz

__all__ = ["Drawing", "GraphvizNotFoundError", "pipe", "svg_element", "static_bundle", "WASM_MODULE", "WASM_FORMATS"]

INSTALL_HELP = (
    "install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) "
    "or `conda install -c conda-forge graphviz` (conda); the DOT source can still be written without it "
    "(a path ending in .dot or .gv)"
)

_FIT = "max-width: 100%; height: auto;"

WASM_MODULE = "graphviz_wasm"  # the name the page registers the WebAssembly Graphviz under
WASM_FORMATS = ("svg", "plain", "dot", "json")  # what it writes; no png or pdf (no image library in the build)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is not installed (or not on PATH)."""


def pipe(digraph: graphviz.Digraph, format: str) -> bytes:
    """Lay a Digraph out and return the picture's bytes; clear errors when Graphviz fails.

    Runs the ``dot`` program, or in the browser (Pyodide) the WebAssembly Graphviz: see the module docstring.
    """
    if sys.platform == "emscripten":
        return _pipe_wasm(digraph.source, format)
    try:
        return digraph.pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(f"Graphviz's `dot` program was not found on PATH; {INSTALL_HELP}") from None
    except BrokenPipeError:  # dot stopped reading its input: it failed before it had read the whole graph
        raise RuntimeError(f"Graphviz's dot stopped before it had read the graph to draw as {format}") from None
    except graphviz.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc.stderr, bytes) else str(exc.stderr)
        raise RuntimeError(f"Graphviz's dot failed to draw the graph as {format}: {detail or exc}") from None


def _pipe_wasm(source: str, format: str) -> bytes:
    """``pipe`` under Pyodide: the WebAssembly Graphviz the page registered (``WASM_MODULE``), called synchronously."""
    from pyodide.ffi import JsException  # only under Pyodide

    try:
        import graphviz_wasm  # the JavaScript object the page registered (WASM_MODULE), not a file
    except ImportError:
        raise GraphvizNotFoundError(
            f"the WebAssembly Graphviz is not loaded: under Pyodide, load @hpcc-js/wasm-graphviz once at start-up "
            f'and register it, pyodide.registerJsModule("{WASM_MODULE}", await Graphviz.load())'
        ) from None
    if format not in WASM_FORMATS:
        raise ValueError(
            f"in the browser Graphviz writes {', '.join(WASM_FORMATS)}, not {format!r}; {format} needs the dot program"
        )
    try:
        text = graphviz_wasm.layout(source, format, "dot")
    except JsException as exc:
        raise RuntimeError(f"Graphviz (WebAssembly) failed to draw the graph as {format}: {exc}") from None
    return str(text).encode("utf-8")


def svg_element(svg: str) -> str:
    """Graphviz's ``<svg>`` element for embedding: no prolog or comments, ids made ``data-id`` (a page may hold two)."""
    start = svg.find("<svg")
    if start < 0:
        raise RuntimeError("Graphviz returned no <svg> element")
    svg = re.sub(r"<!--.*?-->\n?", "", svg[start:], flags=re.S)
    return re.sub(r'<g id="([^"]*)" class="', r'<g data-id="\1" class="', svg)


def _fitting(svg: str) -> str:
    """The SVG with a style that shrinks it to its container's width (and never stretches it)."""
    return re.sub(r"<svg\b", f'<svg style="{_FIT}"', svg, count=1)


def static_bundle(svg: str, description: str, lines: Sequence[str] = (), steps: Sequence[str] = ()) -> dict[str, str]:
    """``text/html`` and ``image/svg+xml`` showing a drawing, with text lines and a numbered list of steps under it.

    ``svg`` is Graphviz's SVG (its labels are escaped by Graphviz); every
    other text is escaped here, so no label can run as script.
    """
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    parts = [f'<div class="ag-static"><img src="{uri}" alt="{html.escape(description)}" style="{_FIT}">']
    parts += [f"<p>{html.escape(line)}</p>" for line in lines]
    if steps:
        items = ("<br>".join(html.escape(line) for line in step.split("\n")) for step in steps)  # a step's lines
        parts.append("<ol>" + "".join(f"<li>{item}</li>" for item in items) + "</ol>")
    parts.append("</div>")
    return {"text/html": "\n".join(parts), "image/svg+xml": _fitting(svg)}


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` (what ``draw_dot`` returns) that a notebook shows fitted to the cell's width."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, str]:
        bundle = static_bundle(pipe(self, "svg").decode("utf-8"), "the computation graph")
        bundle["text/plain"] = "<viz.Drawing: a computation graph (viz.render writes it to a file)>"
        return {
            mime: data
            for mime, data in bundle.items()
            if (include is None or mime in include) and (exclude is None or mime not in exclude)
        }
