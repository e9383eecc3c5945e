"""``python scripts/export_pictures.py docs/images``: the pictures of the exports page, made by the exports themselves.

Writes, for the micrograd lecture's neuron (``gallery.lecture_neuron``):

- ``export-gif-frame.png``: one frame of ``viz.animate``'s GIF (a backward step);
- ``export-slides-page.png``: one page of ``viz.write_slides``'s Beamer PDF,
  compiled by ``pdflatex`` and rendered by ``pdftoppm`` (TeX Live and poppler,
  as ``make test`` installs them).

``make export-pictures`` runs it. A development tool, outside the installed packages.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gallery import lecture_neuron
from PIL import Image

from autograd_core.files import write_atomic
from viz import animate, write_slides

__all__ = ["STEP", "main"]

STEP = 11  # a backward step: the gradient flows from x1*w1 + x2*w2 back to x2*w2


def gif_frame(folder: Path, out: Path) -> None:
    """Frame ``STEP`` of the lecture neuron's GIF, as a PNG."""
    gif = animate(lecture_neuron(), folder / "backward.gif")
    with Image.open(gif) as image:
        image.seek(STEP)
        picture = image.convert("RGB")
    target = folder / "frame.png"
    picture.save(target)
    write_atomic(out, target.read_bytes())


def slides_page(folder: Path, out: Path) -> None:
    """Page ``STEP + 1`` (the overlay of step ``STEP``) of the lecture neuron's slides, as a PNG 1280 pixels wide."""
    for tool in ("pdflatex", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"export_pictures: {tool} is not installed (make test installs it)")
    tex = write_slides(lecture_neuron(), folder / "slides.tex")
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    page = str(STEP + 1)
    subprocess.run(
        ["pdftoppm", "-png", "-singlefile", "-scale-to-x", "1280", "-scale-to-y", "-1", "-f", page, "-l", page]
        + ["slides.pdf", "page"],
        cwd=folder,
        check=True,
    )
    write_atomic(out, (folder / "page.png").read_bytes())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/export_pictures.py", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="where to write (the docs' pictures are in docs/images)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    with tempfile.TemporaryDirectory(prefix="export-pictures-") as scratch:
        gif_frame(Path(scratch), args.folder / "export-gif-frame.png")
        slides_page(Path(scratch), args.folder / "export-slides-page.png")
    print(f"wrote {args.folder / 'export-gif-frame.png'} and {args.folder / 'export-slides-page.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
