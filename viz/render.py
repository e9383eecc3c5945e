"""``render(root, path)``: write a drawing as svg, png or pdf, or its DOT source.

The format comes from ``format`` or the file's suffix. ``.dot``/``.gv``
write the DOT source and need no Graphviz; the others run Graphviz's ``dot``
program, and when it is missing raise ``GraphvizNotFoundError`` saying how to
install it. The picture is made in memory and written atomically, so a failure
never leaves a half-written file behind. ``dpi`` sets a PNG's resolution
(Graphviz's 96 by default, where a PNG has the size a browser shows the SVG);
``size`` scales the picture to fit a width and height in inches.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import graphviz

from autograd_core import Value, write_atomic

from .dot import draw_dot

__all__ = ["render", "pipe", "svg_element", "GraphvizNotFoundError", "RENDER_FORMATS", "SOURCE_FORMATS", "DEFAULT_DPI"]

RENDER_FORMATS = ("svg", "png", "pdf")
SOURCE_FORMATS = ("dot", "gv")
DEFAULT_DPI = 96  # Graphviz's own: a PNG pixel is a CSS pixel of the SVG

INSTALL_HELP = (
    "install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) "
    "or `conda install -c conda-forge graphviz` (conda); the DOT source can still be written without it "
    "(a path ending in .dot or .gv)"
)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is not installed (or not on PATH)."""


def _format_of(path: Path, format: str | None) -> str:
    """The output format: ``format`` if given, else the file's suffix; checked."""
    known = RENDER_FORMATS + SOURCE_FORMATS
    if format is None:
        format = path.suffix[1:].lower()
        if not format:
            raise ValueError(f"cannot tell the format of {str(path)!r}: give it a suffix ({', '.join(known)}) or pass format=")
        where = f"the suffix of {str(path)!r}"
    else:
        format = format.lower().lstrip(".")
        where = "format"
    if format not in known:
        raise ValueError(f"{where} is {format!r}; supported formats are {', '.join(known)}")
    return format


def pipe(digraph: graphviz.Digraph, format: str) -> bytes:
    """Run ``dot`` on a Digraph and return the picture's bytes; clear errors when Graphviz fails."""
    try:
        return digraph.pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(f"Graphviz's `dot` program was not found on PATH; {INSTALL_HELP}") from None
    except BrokenPipeError:  # dot stopped reading its input: it failed before it had read the whole graph
        raise RuntimeError(f"Graphviz's dot stopped before it had read the graph to draw as {format}") from None
    except graphviz.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc.stderr, bytes) else str(exc.stderr)
        raise RuntimeError(f"Graphviz's dot failed to draw the graph as {format}: {detail or exc}") from None


def svg_element(svg: str) -> str:
    """Graphviz's ``<svg>`` element for embedding: no prolog or comments, ids made ``data-id`` (a page may hold two)."""
    start = svg.find("<svg")
    if start < 0:
        raise RuntimeError("Graphviz returned no <svg> element")
    svg = re.sub(r"<!--.*?-->\n?", "", svg[start:], flags=re.S)
    return re.sub(r'<g id="([^"]*)" class="', r'<g data-id="\1" class="', svg)


def _positive(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValueError(f"{what} must be a positive number, got {value!r}")
    return float(value)


def _page_attributes(fmt: str, dpi: float | None, size: tuple[float, float] | None) -> dict[str, str]:
    """The graph attributes for ``dpi`` and ``size``, checked."""
    attrs = {}
    if dpi is not None:
        if fmt in ("svg", "pdf"):
            raise ValueError(f"dpi applies to png pictures (and DOT source); {fmt} is a vector picture: "
                             "scale it freely, or pass size=")
        attrs["dpi"] = f"{_positive(dpi, 'dpi'):g}"
    elif fmt == "png":
        attrs["dpi"] = str(DEFAULT_DPI)
    if size is not None:
        if isinstance(size, (str, bytes)) or not hasattr(size, "__len__") or len(size) != 2:
            raise ValueError(f"size must be (width, height) in inches, got {size!r}")
        width, height = (_positive(v, "size") for v in size)
        attrs["size"] = f"{width:g},{height:g}!"  # "!": scaled up or down to fit the box
    return attrs


def render(root: Value, path: str | os.PathLike, format: str | None = None, *, dpi: float | None = None,
           size: tuple[float, float] | None = None, **draw_options: Any) -> Path:
    """Draw ``root``'s graph into ``path`` and return the path.

    Args:
        root: the output Value.
        path: where to write; its suffix gives the format unless ``format`` is given.
        format: "svg", "png", "pdf", or "dot"/"gv" for the DOT source (no Graphviz needed).
        dpi: a PNG's resolution (default 96; 192 for a sharp slide); refused for svg and pdf.
        size: (width, height) in inches: the picture is scaled, keeping its
            proportions, to fill that box (13.33, 7.5 is a 16:9 slide).
        **draw_options: passed to ``draw_dot`` (rankdir, show_grad, color_by_grad,
            grad_scale, group_by, collapse, max_nodes).

    Raises:
        GraphvizNotFoundError: rendering svg/png/pdf without Graphviz installed.
        ValueError: an unknown format, a bad dpi or size, or a graph larger than ``max_nodes``.
    """
    path = Path(path)
    fmt = _format_of(path, format)
    page = _page_attributes(fmt, dpi, size)
    digraph = draw_dot(root, **draw_options)
    digraph.graph_attr.update(page)
    data: bytes | str = digraph.source if fmt in SOURCE_FORMATS else pipe(digraph, fmt)
    return write_atomic(path, data)
