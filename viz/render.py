"""``render(root, path)``: write a drawing as svg, png or pdf, its DOT source, or a LaTeX document.

The format comes from ``format`` or the file's suffix. ``.dot``/``.gv``
write the DOT source and need no Graphviz; ``.tex`` writes a one-page LaTeX
document of the drawing as a TikZ picture (``export.py``; compile it with
``pdflatex``); the others run Graphviz's ``dot``
program (``drawing.pipe``), and when it is missing raise
``GraphvizNotFoundError`` saying how to install it. The picture is made in memory and written atomically, so a failure
never leaves a half-written file behind. ``dpi`` sets a PNG's resolution
(Graphviz's 96 by default, where a PNG has the size a browser shows the SVG);
``size`` scales the picture to fit a width and height in inches.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograd_core import Value
from autograd_core.files import write_atomic

from .dot import draw_dot
from .drawing import pipe
from .export import tex_source

__all__ = ["render", "RENDER_FORMATS", "SOURCE_FORMATS", "LATEX_FORMATS", "DEFAULT_DPI"]

RENDER_FORMATS = ("svg", "png", "pdf")
SOURCE_FORMATS = ("dot", "gv")
LATEX_FORMATS = ("tex",)
DEFAULT_DPI = 96  # Graphviz's own: a PNG pixel is a CSS pixel of the SVG


def _format_of(path: Path, format: str | None) -> str:
    """The output format: ``format`` if given, else the file's suffix; checked."""
    known = RENDER_FORMATS + SOURCE_FORMATS + LATEX_FORMATS
    if format is None:
        format = path.suffix[1:].lower()
        if not format:
            raise ValueError(
                f"cannot tell the format of {str(path)!r}: give it a suffix ({', '.join(known)}) or pass format="
            )
        where = f"the suffix of {str(path)!r}"
    else:
        format = format.lower().lstrip(".")
        where = "format"
    if format not in known:
        raise ValueError(f"{where} is {format!r}; supported formats are {', '.join(known)}")
    return format


def _positive(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValueError(f"{what} must be a positive number, got {value!r}")
    return float(value)


def _page_attributes(fmt: str, dpi: float | None, size: tuple[float, float] | None) -> dict[str, str]:
    """The graph attributes for ``dpi`` and ``size``, checked."""
    attrs = {}
    if dpi is not None:
        if fmt in ("svg", "pdf", "tex"):
            raise ValueError(
                f"dpi applies to png pictures (and DOT source); {fmt} is a vector picture: "
                "scale it freely, or pass size="
            )
        attrs["dpi"] = f"{_positive(dpi, 'dpi'):g}"
    elif fmt == "png":
        attrs["dpi"] = str(DEFAULT_DPI)
    if size is not None:
        if isinstance(size, (str, bytes)) or not hasattr(size, "__len__") or len(size) != 2:
            raise ValueError(f"size must be (width, height) in inches, got {size!r}")
        width, height = (_positive(v, "size") for v in size)
        attrs["size"] = f"{width:g},{height:g}!"  # "!": scaled up or down to fit the box
    return attrs


def render(
    root: Value,
    path: str | os.PathLike,
    format: str | None = None,
    *,
    dpi: float | None = None,
    size: tuple[float, float] | None = None,
    **draw_options: Any,
) -> Path:
    """Draw ``root``'s graph into ``path`` and return the path.

    Args:
        root: the output Value.
        path: where to write; its suffix gives the format unless ``format`` is given.
        format: "svg", "png", "pdf", "dot"/"gv" for the DOT source (no Graphviz needed), or "tex"
            for a LaTeX document of the drawing as a TikZ picture (``viz.to_tikz`` gives the picture alone).
        dpi: a PNG's resolution (default 96; 192 for a sharp slide); refused for svg, pdf and tex.
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
    if fmt in LATEX_FORMATS:
        return write_atomic(path, tex_source(root, size, **draw_options))
    digraph = draw_dot(root, **draw_options)
    digraph.graph_attr.update(page)
    data: bytes | str = digraph.source if fmt in SOURCE_FORMATS else pipe(digraph, fmt)
    return write_atomic(path, data)
