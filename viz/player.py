"""``write_html(root, path)``: one self-contained HTML page that plays the backward pass.

The page holds the graph as SVG (drawn by Graphviz, so ``dot`` is needed to
write it, not to open it) and a few lines of inline JavaScript: Next,
Previous, Play and Reset (and the arrow keys) step through
``autograd_core.backward_steps(root)``. Each step highlights the edge the
gradient flows back along, fills in the gradient the parent has received so
far, and shows that step's line of ``explain``. The page makes no network
request, so it works opened straight from disk.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from autograd_core import Value, write_atomic

from .dot import DEFAULT_MAX_NODES, draw_dot
from .explain import explain_steps, leaf_gradients
from .player_page import PAGE
from .render import pipe
from .style import KIND_FILL
from .text import format_number

__all__ = ["write_html", "player_html"]

_LEGEND = (("input", "input"), ("param", "parameter"), ("constant", "constant"),
           ("intermediate", "intermediate"), ("output", "output"))


def _svg_element(svg: str) -> str:
    """The ``<svg>`` element of Graphviz's output, without the XML prolog and doctype."""
    start = svg.find("<svg")
    if start < 0:
        raise RuntimeError("Graphviz returned no <svg> element")
    return re.sub(r"<!--.*?-->\n?", "", svg[start:], flags=re.S)


def _script_json(value: object) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(value, ensure_ascii=True).replace("<", "\\u003c")  # no "</script>" or "<!--" inside


def player_html(
    root: Value,
    title: str | None = None,
    rankdir: str = "LR",
    group_by: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    interval_ms: int = 1200,
) -> str:
    """The player page for ``root``'s backward pass, as a string (``write_html`` writes it)."""
    graph, steps = explain_steps(root)
    seed = 1.0
    finals = {s.parent.index: s.total for s in steps}
    finals[graph.root.index] = seed
    digraph = draw_dot(graph, rankdir=rankdir, group_by=group_by, max_nodes=max_nodes, grads=finals)
    svg = _svg_element(pipe(digraph, "svg").decode("utf-8"))
    out = graph.root.name
    data = {
        "root": graph.root.id,
        "seed": format_number(seed),
        "interval": interval_ms,
        "intro": f"d{out}/d{out} = {format_number(seed)}: the output's gradient with respect to itself. "
                 f"Press Next (or \u2192) to apply the chain rule one edge at a time.",
        "steps": [
            {"edge": f"e{s.node.index}_{s.step.index}", "out": f"e{s.node.index}_out", "node": s.node.id,
             "parent": s.parent.id, "total": format_number(s.total), "text": s.text}
            for s in steps
        ],
    }
    summary = "Done. Leaf gradients:\n" + "\n".join(leaf_gradients(graph, steps, seed))
    legend = "".join(f'<span style="--c:{KIND_FILL[kind]}">{text}</span>' for kind, text in _LEGEND)
    legend += '<span style="--c:#dc2626">edge the gradient flows back along</span>'
    legend += '<span style="--c:#d97706">node receiving it</span>'
    title = title or f"Backward pass of {out}"
    heading = (f"{out} = {format_number(graph.root.value.data)}; {len(steps)} chain-rule steps, "
               f"each adds upstream gradient \u00d7 local derivative to a parent's gradient.")
    values = {
        "TITLE": html.escape(title),
        "HEADING": html.escape(heading),
        "SUMMARY": html.escape(summary),
        "LEGEND": legend,
        "STEPS": "".join(f"<li>{html.escape(s.text)}</li>" for s in steps),
        "SVG": svg,
        "DATA": _script_json(data),
    }
    # One pass, so text that happens to contain a marker is never filled in again.
    return re.sub(r"__([A-Z]+)__", lambda m: values.get(m.group(1), m.group(0)), PAGE)


def write_html(
    root: Value,
    path: str | os.PathLike,
    title: str | None = None,
    rankdir: str = "LR",
    group_by: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    interval_ms: int = 1200,
) -> Path:
    """Write the backward-pass player for ``root`` to ``path`` (one self-contained HTML file) and return the path.

    ``title`` heads the page; ``rankdir``, ``group_by`` and ``max_nodes`` are
    ``draw_dot``'s; ``interval_ms`` is the pause between steps when playing.
    Needs Graphviz's ``dot`` to draw the graph (``GraphvizNotFoundError``
    otherwise); nothing is written on failure.
    """
    page = player_html(root, title=title, rankdir=rankdir, group_by=group_by, max_nodes=max_nodes,
                       interval_ms=interval_ms)
    return write_atomic(path, page)
