"""``render(root, path)``: write a drawing as svg, png or pdf, or its DOT source.

The format comes from ``format`` or the file's suffix. ``.dot``/``.gv``
write the DOT source and need no Graphviz; the others run Graphviz's ``dot``
program, and when it is missing raise ``GraphvizNotFoundError`` saying how to
install it. The picture is made in memory and written atomically, so a failure
never leaves a half-written file behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

from autograd_core import Value, write_atomic

from .dot import draw_dot

__all__ = ["render", "pipe", "GraphvizNotFoundError", "RENDER_FORMATS", "SOURCE_FORMATS"]

RENDER_FORMATS = ("svg", "png", "pdf")
SOURCE_FORMATS = ("dot", "gv")

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
    except graphviz.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc.stderr, bytes) else str(exc.stderr)
        raise RuntimeError(f"Graphviz's dot failed to draw the graph as {format}: {detail or exc}") from None


def render(root: Value, path: str | os.PathLike, format: str | None = None, **draw_options: Any) -> Path:
    """Draw ``root``'s graph into ``path`` and return the path.

    Args:
        root: the output Value.
        path: where to write; its suffix gives the format unless ``format`` is given.
        format: "svg", "png", "pdf", or "dot"/"gv" for the DOT source (no Graphviz needed).
        **draw_options: passed to ``draw_dot`` (rankdir, show_grad, color_by_grad,
            group_by, collapse, max_nodes).

    Raises:
        GraphvizNotFoundError: rendering svg/png/pdf without Graphviz installed.
        ValueError: an unknown format, or a graph larger than ``max_nodes``.
    """
    path = Path(path)
    fmt = _format_of(path, format)
    digraph = draw_dot(root, **draw_options)
    if fmt == "png":
        digraph.graph_attr["dpi"] = "150"  # sharp on projectors and high-density screens
    data: bytes | str = digraph.source if fmt in SOURCE_FORMATS else pipe(digraph, fmt)
    return write_atomic(path, data)
