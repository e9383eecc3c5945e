"""The documentation site's build hooks (mkdocs.yml ``hooks:``): a check of the docstrings, and the live players.

``on_config`` fails the build when a public name (a package's ``__all__``) has no
docstring of its own, since the reference pages are generated from them.
``on_post_build`` writes the player, the forward-mode player and an answered
exercise into ``site/live/`` as the offline pages ``viz`` writes (one HTML file
each, nothing fetched), and the explanation pages embed them in iframes. They
are made at each build, never committed, and need Graphviz's ``dot``.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

PACKAGES = ("autograd_core", "nn", "viz")


def missing_docstrings(packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """Every exported name, as ``package.name``, without a docstring of its own (not inherited from its type)."""
    missing = []
    for package in packages:
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            doc = inspect.getdoc(value)
            if not doc or doc == inspect.getdoc(type(value)):
                missing.append(f"{package}.{name}")
    return missing


def on_config(config: Any) -> Any:
    """Refuse to build a reference with a public name that has no docstring."""
    missing = missing_docstrings(PACKAGES)
    if missing:
        raise PluginError(f"public names without a docstring of their own: {', '.join(missing)}")
    return config


def write_live_pages(folder: Path) -> list[Path]:
    """The three pages the explanation embeds: the lecture neuron's player, a forward-mode player, an exercise."""
    from autograd_core import Value
    from viz import exercise, write_html
    from viz.player import exercise_parts
    from viz.player_page import page

    folder.mkdir(parents=True, exist_ok=True)
    x1, x2, w1, w2 = Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    written = [write_html(o, folder / "player.html", title="The neuron of micrograd's lecture")]

    w, x, b = Value(-3.0, "w"), Value(2.0, "x"), Value(6.88, "b")
    L = (w * x + b).tanh()
    L.label = "L"
    written.append(write_html(L, folder / "forward-player.html", tangents={x: 1.0}))

    ex = exercise(L)
    for number, answer in enumerate(["1 - out**2", "1", "1", "w", "w"], start=1):  # step 4 is wrong: it is x
        ex.answer(number, answer)
    markup = exercise_parts(ex, title="Exercise: the backward pass of L = tanh(w*x + b), answered").fragment
    path = folder / "exercise.html"
    path.write_text(page([markup], "Exercise: the backward pass of L = tanh(w*x + b)"), encoding="utf-8")
    written.append(path)
    return written


def on_post_build(config: Any) -> None:
    """Write the live pages into the built site."""
    write_live_pages(Path(config["site_dir"]) / "live")
