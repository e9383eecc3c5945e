"""``python scripts/gallery.py docs``: the docs' drawings, made by the project itself, and their sizes for a slide.

Writes the drawings of a neuron with 3 inputs, a 2-3-1 MLP grouped by neuron
and a 2-16-16-1 MLP with each neuron (and each layer) collapsed (SVG), the player of the
micrograd lecture's neuron (HTML), and with ``--screenshot`` (Playwright and
Chromium) a picture of that player in a 1280x800 browser window. For each
drawing it prints its size in CSS pixels (the size of a PNG at the default
96 dpi) and how it fits a 1920x1080 slide: the scale that fits it, and how
tall its smallest text is then (14 px reads from the back of a room).

A development tool, outside the installed packages; the tests import its
graphs (``DRAWINGS``, ``lecture_neuron``) and ``slide_fit`` from here
(``scripts`` is on pytest's path). ``make gallery`` runs it with
``--screenshot``; ``python -m scripts.gallery docs`` from the project's root
works too.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograd_core import Value
from autograd_core.files import write_atomic
from nn import MLP, Neuron
from viz import draw_dot, gradients, write_html
from viz.drawing import pipe

__all__ = ["DRAWINGS", "SlideFit", "slide_fit", "lecture_neuron", "main"]

SLIDE = (1920, 1080)
PX_PER_PT = 96 / 72


def lecture_neuron() -> Value:
    """The neuron of micrograd's lecture, labelled as there: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def _neuron() -> Value:
    return Neuron(3, "tanh", seed=1)([1.0, -2.0, 0.5])


def _mlp(sizes: Sequence[int], activation: str) -> Callable[[], Value]:
    def build() -> Value:
        model = MLP(sizes[0], list(sizes[1:]), activation=activation, output_activation=activation, seed=1)
        return model([1.0, -2.0])

    return build


# file name -> (what it is, how to build the output, draw_dot's options)
DRAWINGS: dict[str, tuple[str, Callable[[], Value], dict]] = {
    "neuron-3-inputs.svg": ("a neuron with 3 inputs", _neuron, {}),
    "mlp-2-3-1.svg": ("MLP 2-3-1, grouped by neuron", _mlp((2, 3, 1), "tanh"), {"group_by": "neuron"}),
    "mlp-2-16-16-1.svg": ("MLP 2-16-16-1, each neuron collapsed", _mlp((2, 16, 16, 1), "relu"), {"collapse": "neuron"}),
    "mlp-2-16-16-1-layers.svg": (
        "MLP 2-16-16-1, each layer collapsed",
        _mlp((2, 16, 16, 1), "relu"),
        {"collapse": "layer"},
    ),
}


@dataclass(frozen=True)
class SlideFit:
    """A picture's size and how it fits a 1920x1080 slide."""

    width_px: float
    height_px: float
    scale: float  # the largest scale at which the whole picture fits the slide
    smallest_text_px: float  # the height of its smallest text at that scale

    def __str__(self) -> str:
        return (
            f"{self.width_px:.0f} x {self.height_px:.0f} px; on a 1920x1080 slide at {self.scale:.2f}, "
            f"smallest text {self.smallest_text_px:.1f} px"
        )


def slide_fit(svg: str) -> SlideFit:
    """Measure a Graphviz SVG: its size in CSS pixels and its fit on a 1920x1080 slide."""
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    width, height = (float(v) * PX_PER_PT for v in size)
    scale = min(SLIDE[0] / width, SLIDE[1] / height)
    smallest = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)) * PX_PER_PT * scale
    return SlideFit(width, height, scale, smallest)


def screenshot(page_path: Path, png: Path, step: int) -> None:
    """A 1280x800 picture of a player page at ``step``, in headless Chromium (Playwright)."""
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(page_path.resolve().as_uri())
            page.evaluate(f"document.querySelector('.ag-player').agPlayer.go({step})")
            write_atomic(png, page.screenshot())
        finally:
            browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Write the gallery into a folder and print each drawing's size."""
    parser = argparse.ArgumentParser(
        prog="python scripts/gallery.py", description=__doc__.split("\n")[0].split(": ", 1)[1]
    )
    parser.add_argument("folder", type=Path, help="where to write (the docs' pictures are in docs)")
    parser.add_argument(
        "--screenshot", action="store_true", help="also photograph the player (needs Playwright and Chromium)"
    )
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    for name, (what, build, options) in DRAWINGS.items():
        out = build()
        svg = pipe(draw_dot(out, grads=gradients(out), max_nodes=None, **options), "svg")
        write_atomic(args.folder / name, svg)
        print(f"{name}: {what}: {slide_fit(svg.decode('utf-8'))}")
    player = write_html(lecture_neuron(), args.folder / "lecture-neuron.html", title="The lecture's neuron")
    print(f"{player.name}: the player of the micrograd lecture's neuron")
    if args.screenshot:
        png = args.folder / "player-lecture-neuron.png"
        screenshot(player, png, step=9)  # the backward pass under way
        print(f"{png.name}: the player at step 9, in a 1280x800 window")
    return 0


if __name__ == "__main__":
    sys.exit(main())
