"""Notebook output: drawings that fit the cell, static pictures for outputs saved without a kernel, and the widgets.

A widget needs a live kernel. Everywhere else (a saved notebook reopened
without one, nbconvert's HTML, GitHub's viewer) an output shows the next
format of its bundle instead, so every widget's bundle also carries
``static_bundle``: the picture as ``text/html`` (an ``<img>`` of the SVG, which
the HTML sanitizers of JupyterLab and of notebook viewers keep, scaled to the
cell's width) and as ``image/svg+xml``, with its numbers and steps as text.
``draw_dot`` returns a ``Drawing``, a ``graphviz.Digraph`` that shows itself
the same way: Graphviz's own display is an ``image/svg+xml`` as wide as
Graphviz drew it (cut off on the right in a narrow cell) which JupyterLab
refuses to show in a notebook it did not run itself.

``play``, ``explore`` and ``Exercise.widget`` import ``anywidget`` (the
``widgets`` extra) only when called, so ``import viz`` never needs it.
"""

from __future__ import annotations

import base64
import html
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import graphviz

from autograd_core import Value

if TYPE_CHECKING:  # the widgets import anywidget: only when one is made
    from nn import Module

    from .widgets import Explorer, Player

__all__ = ["Drawing", "static_bundle", "play", "explore"]

_FIT = "max-width: 100%; height: auto;"


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
        from .render import pipe  # render imports dot, which makes Drawings

        bundle = static_bundle(pipe(self, "svg").decode("utf-8"), "the computation graph")
        bundle["text/plain"] = "<viz.Drawing: a computation graph (viz.render writes it to a file)>"
        return {mime: data for mime, data in bundle.items()
                if (include is None or mime in include) and (exclude is None or mime not in exclude)}


def play(root: Value, **options: Any) -> "Player":
    """The forward- then backward-pass player of ``root`` as a notebook widget (see ``viz.widgets.Player``).

    ``play(root, tangents={x: 1.0})`` plays the forward-mode pass instead;
    the other options are ``viz.player_fragment``'s.
    """
    from .widgets import Player  # anywidget: the widgets extra

    return Player(root, **options)


def explore(target: Callable[..., Any] | Value | "Module", values: Mapping[str, float] | Sequence[float] | None = None,
            /, *, ranges: Mapping[str, tuple[float, float]] | None = None, rankdir: str = "LR",
            group_by: str | None = None, **named_values: float) -> "Explorer":
    """Sliders for the inputs of a graph, redrawing it with its new data and gradients as they move.

    ``explore(f, a=2.0, b=-3.0)``: a slider per argument of ``f`` (called with
    Values by name); ``explore(L)``: a slider per labelled leaf of a built
    graph; ``explore(model, [0.5, -1.0])``: sliders for an ``nn`` model's
    input point, listing every parameter's gradient. Pass the values as a
    dict (the second argument) when ``f`` has an argument named like an
    option. ``ranges`` maps names to (low, high); by default a slider spans
    at least -3..3 and twice its starting value.
    """
    from .widgets import Explorer  # anywidget: the widgets extra

    if values is not None and named_values:
        raise TypeError("explore: give the values either as a dict or as keywords, not both")
    return Explorer(target, values if values is not None else named_values, ranges=ranges, rankdir=rankdir,
                    group_by=group_by)
