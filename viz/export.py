"""Diagrams for papers, slides and videos: TikZ, Beamer overlays, and GIF, MP4 or animated SVG of the player.

- ``to_tikz(root)``: the drawing as a ``tikzpicture`` to ``\\input`` in a
  paper; ``render(root, "graph.tex")`` writes it as a whole document
  (``tikz_document``). Graphviz's layout, shape for shape (``scene.py``):
  node centres where the SVG has them, named ``(v3)``, ``(op3)`` so a paper
  can draw on them; the drawing's colours; labels as LaTeX text
  (``labels.for_latex``). Compiles with ``pdflatex``, TikZ and the base fonts.
- ``write_slides(root, "slides.tex")``: one Beamer frame stepping through
  the forward and the backward pass as the player does, one overlay per step
  (``\\only<k>``): the step's edges and nodes outlined, its text under the graph.
- ``animate(root, "backward.gif")`` (``.mp4``, ``.svg``): a frame per step,
  each the player's picture and its text. GIF and MP4 frames are drawn with
  Pillow (the ``export`` extra); MP4 is encoded by ffmpeg (the binary of the
  ``imageio-ffmpeg`` package, else an ``ffmpeg`` on PATH); the SVG needs
  nothing and plays in a browser (SMIL).

Frame 0 of every slide deck and animation is the player's start; frame k
shows step k of ``player.player_steps``, the list the page plays.
"""

from __future__ import annotations

import functools
import io
import math
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from autograd_core import Value
from autograd_core.files import write_atomic

from .dot import draw_dot
from .labels import for_html, for_latex
from .player import player_steps
from .scene import FLOW, HOT, PAD, UNKNOWN, WARM, Element, Frames, Item, Scene, Shape, Text

__all__ = [
    "to_tikz",
    "tikz_document",
    "write_slides",
    "animate",
    "ANIMATION_FORMATS",
    "FfmpegNotFoundError",
]

ANIMATION_FORMATS = ("gif", "mp4", "svg")
_INK = "#000000"
T = TypeVar("T")
BOLD = "\\bfseries"
MONOSPACE = ' font-family="monospace"'


class FfmpegNotFoundError(RuntimeError):
    """Writing an MP4 needs ffmpeg: neither the imageio-ffmpeg package nor an ``ffmpeg`` on PATH was found."""


def _num(value: float) -> str:
    """A coordinate in points, to a hundredth."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------------------------------------------------------------- TikZ


def _colour_name(hex_colour: str) -> str:
    return "ag" + hex_colour[1:].lower()


def _colours(items: Sequence[Item]) -> list[str]:
    """The colours the items use, each once, in the order they first appear."""
    seen: dict[str, None] = {}
    for item in items:
        for colour in (item.fill, item.stroke) if isinstance(item, Shape) else (item.color,):
            if colour is not None:
                seen.setdefault(colour.lower())
    return list(seen)


def _path(shape: Shape) -> str:
    points = [f"({_num(x)},{_num(y)})" for x, y in shape.points]
    if shape.kind == "ellipse":
        (rx, ry) = shape.points[1]
        return f"{points[0]} ellipse [x radius={_num(rx)}, y radius={_num(ry)}]"
    if shape.kind == "bezier":
        parts = [points[0]]
        for i in range(1, len(points) - 2, 3):
            parts.append(f".. controls {points[i]} and {points[i + 1]} .. {points[i + 2]}")
        return " ".join(parts)
    return " -- ".join(points) + (" -- cycle" if shape.kind == "polygon" else "")


def _text_options(text: Text, font_size: float) -> list[str]:
    """A text's font, when not the picture's (``font=`` replaces the picture's font: the size is given again)."""
    if text.size != font_size or text.bold:
        return [f"font=\\sffamily{_font_command(text.size)}{BOLD if text.bold else ''}"]
    return []


def _colour_options(item: Item) -> list[str]:
    """How an item is painted: a text's colour; a shape's fill, outline, its width and dashes."""
    if isinstance(item, Text):
        return [] if item.color.lower() == _INK else [f"text={_colour_name(item.color)}"]
    options = []
    if item.fill is not None:
        options.append(f"fill={_colour_name(item.fill)}")
    if item.stroke is not None:
        options.append(f"draw={_colour_name(item.stroke)}")
        if item.width != 1:
            options.append(f"line width={_num(item.width)}bp")
        if item.dashed:
            options.append("dash pattern=on 7bp off 4bp")
    return options


def _command(item: Item, options: list[str], content: str | None = None) -> str:
    """``\\node[options] at (x,y) {content};`` for a text, ``\\path[options] ...;`` for a shape."""
    listed = f"[{', '.join(options)}]" if options else ""
    if isinstance(item, Text):
        text = for_latex(item.text, None) if content is None else content
        return f"\\node{listed} at ({_num(item.x)},{_num(item.y)}) {{{text}}};"
    return f"\\path{listed} {_path(item)};"


def _tikz_item(item: Item, font_size: float) -> str:
    """One shape or text as a TikZ command ("" for a shape with neither fill nor outline)."""
    if isinstance(item, Shape) and item.fill is None and item.stroke is None:
        return ""
    text_options = _text_options(item, font_size) if isinstance(item, Text) else []
    return _command(item, text_options + _colour_options(item))


def _tikz_overlays(looks: Sequence[Item], font_size: float) -> str:
    """One item as it looks in each frame: drawn once, its colours (and text) set per overlay (``onslide``)."""
    runs = _ranges(looks)
    if len(runs) == 1:
        return _tikz_item(looks[0], font_size)
    first = looks[0]
    options = _text_options(first, font_size) if isinstance(first, Text) else []
    content = None
    for a, b, look in runs:
        painted = _colour_options(look)
        if painted:
            options.append(f"onslide={_overlay(a, b)}{{{', '.join(painted)}}}")
    if isinstance(first, Text):
        content = "".join(f"\\only{_overlay(a, b)}{{{for_latex(look.text, None)}}}" for a, b, look in runs)
    return _command(first, options, content)


def _tikz_element(element: Element, font_size: float) -> list[str]:
    return [line for line in (_tikz_item(item, font_size) for item in element.items) if line]


def _picture(scene: Scene, body: list[str], items: Sequence[Item]) -> str:
    """The ``tikzpicture`` around ``body``: its colours, its size, and the nodes' named centres."""
    lines = [
        "\\begin{tikzpicture}[x=1bp, y=1bp, line width=1bp, line join=round,",
        f"  every node/.style={{anchor=base, inner sep=0pt, font=\\sffamily{_font_command(_font_size(items))}}}]",
    ]
    lines += [f"\\definecolor{{{_colour_name(c)}}}{{HTML}}{{{c[1:].upper()}}}" for c in _colours(items)]
    lines.append(f"\\useasboundingbox (0,0) rectangle ({_num(scene.width)},{_num(scene.height)});")
    lines.append("% Each node's centre, named by its id (v: a value, op: its op), to draw on in a paper.")
    lines += [f"\\coordinate ({name}) at ({_num(x)},{_num(y)});" for name, (x, y) in scene.centres().items()]
    lines += body
    lines.append("\\end{tikzpicture}")
    return "\n".join(lines) + "\n"


def _font_size(items: Sequence[Item]) -> float:
    """The size of most texts: the picture's default, so only the others name theirs."""
    sizes = Counter(item.size for item in items if isinstance(item, Text))
    return sizes.most_common(1)[0][0] if sizes else 14.0


def _font_command(size: float) -> str:
    return f"\\fontsize{{{_num(size)}}}{{{_num(size * 1.2)}}}\\selectfont"


def _scene_tikz(scene: Scene) -> str:
    items = [item for element in scene.elements for item in element.items]
    font_size = _font_size(items)
    body = []
    for element in scene.elements:
        lines = _tikz_element(element, font_size)
        if lines:
            body.append(f"% {element.kind} {element.id}")
            body += lines
    return _picture(scene, body, items)


def to_tikz(root: Value, **draw_options: Any) -> str:
    """``root``'s drawing as a TikZ picture: ``\\begin{tikzpicture} ... \\end{tikzpicture}``, to ``\\input``.

    Needs ``\\usepackage{tikz}`` (and, for font sizes other than 10, 11 and
    12 pt, ``\\RequirePackage{fix-cm}`` before ``\\documentclass``: LaTeX
    then uses the nearest size). The layout is Graphviz's: each node's centre
    is a named coordinate, ``(v3)`` for a value and ``(op3)`` for its op, where
    the SVG has it. ``draw_options`` are ``draw_dot``'s.
    """
    return _scene_tikz(Scene.of(draw_dot(root, **draw_options)))


def tikz_document(picture: str, width: float, height: float, scale: float = 1.0) -> str:
    """A LaTeX document of one page holding ``picture`` (``width`` x ``height`` points), ``scale``d."""
    margin = PAD * scale
    paper = f"paperwidth={_num(width * scale + 2 * margin)}bp,paperheight={_num(height * scale + 2 * margin)}bp"
    inner = picture if scale == 1 else f"\\scalebox{{{scale:.6g}}}{{%\n{picture}}}\n"
    return (
        "\\RequirePackage{fix-cm}  % text of any size in the base fonts\n"
        "\\documentclass{article}\n"
        "\\usepackage{tikz}\n"
        f"\\usepackage[{paper},margin={_num(margin)}bp]{{geometry}}\n"
        "\\pagestyle{empty}\n"
        "\\begin{document}\n"
        "\\noindent\n"
        f"{inner}"
        "\\end{document}\n"
    )


def tex_source(root: Value, size: tuple[float, float] | None = None, **draw_options: Any) -> str:
    """The document ``render(root, "graph.tex")`` writes: ``size`` (inches, checked by the caller) scales it to fit."""
    scene = Scene.of(draw_dot(root, **draw_options))
    scale = 1.0
    if size is not None:  # as Graphviz's size="w,h!": scaled up or down to fill the box
        scale = min(size[0] * 72 / (scene.width + 2 * PAD), size[1] * 72 / (scene.height + 2 * PAD))
    return tikz_document(_scene_tikz(scene), scene.width, scene.height, scale)


# ---------------------------------------------------------------- Beamer

_SLIDE_GRAPH = (400.0, 150.0)  # the most room the graph takes on a 16:9 Beamer slide, in points


def _ranges(renderings: Sequence[T]) -> list[tuple[int, int, T]]:
    """Runs of equal renderings: (first frame, last frame, rendering)."""
    runs: list[tuple[int, int, T]] = []
    for k, text in enumerate(renderings):
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], k, text)
        else:
            runs.append((k, k, text))
    return runs


def _overlay(first: int, last: int) -> str:
    """Frames first..last as a Beamer overlay specification (frame k is overlay k + 1)."""
    return f"<{first + 1}>" if first == last else f"<{first + 1}-{last + 1}>"


def _caption_tex(lines: Sequence[str]) -> str:
    counter, *text = lines
    body = "\\\\\n".join(for_latex(line, None) if line else "\\mbox{}" for line in text)
    return f"{{\\color{{gray}}\\scriptsize {for_latex(counter, None)}}}\\\\\n{body}"


def slides_source(root: Value, title: str | None = None, **options: Any) -> str:
    """The Beamer document ``write_slides`` writes."""
    played = player_steps(root, title, **options)
    frames = Frames(Scene.of(played.drawing), played.data)
    scene = frames.scene
    shown = [frames.elements(k) for k in range(len(frames))]
    items = [item for frame in shown for element in frame for item in element.items]
    font_size = _font_size(items)
    body = []
    for index, element in enumerate(scene.elements):
        lines = [
            _tikz_overlays([frame[index].items[item] for frame in shown], font_size)
            for item in range(len(element.items))
        ]
        if any(lines):
            body.append(f"% {element.kind} {element.id}")
            body += [line for line in lines if line]
    picture = _picture(scene, body, items)
    scale = min(1.0, _SLIDE_GRAPH[0] / scene.width, _SLIDE_GRAPH[1] / scene.height)
    captions = [f"\\only{_overlay(k, k)}{{%\n{_caption_tex(frames.caption(k))}}}" for k in range(len(frames))]
    return (
        "\\RequirePackage{fix-cm}  % text of any size in the base fonts\n"
        "\\documentclass[aspectratio=169]{beamer}\n"
        "\\usepackage{tikz}\n"
        "% onslide=<2-5>{draw=red}: a style on some overlays only (the path is drawn once)\n"
        "\\tikzset{onslide/.code args={<#1>#2}{\\only<#1>{\\pgfkeysalso{#2}}}}\n"
        "\\setbeamertemplate{navigation symbols}{}\n"
        "\\begin{document}\n"
        f"\\begin{{frame}}[t]{{{for_latex(played.title, None)}}}\n"
        "\\centering\n"
        f"\\scalebox{{{scale:.6g}}}{{%\n{picture}}}\n\n"
        "\\vspace{1ex}\n"
        "\\begin{minipage}[t][0.34\\textheight][t]{\\linewidth}\\footnotesize\\raggedright\n"
        + "\n".join(captions)
        + "\n\\end{minipage}\n"
        "\\end{frame}\n"
        "\\end{document}\n"
    )


def write_slides(root: Value, path: str | os.PathLike, title: str | None = None, **options: Any) -> Path:
    """Write one Beamer frame that plays ``root``'s forward and backward pass, an overlay per step; return the path.

    Compile it with ``pdflatex``: a page per overlay, the first the start,
    then one per step of the player, with the step's edges and nodes outlined
    in the player's colours and its text under the graph. ``options`` are
    ``player_fragment``'s (rankdir, group_by, collapse, max_nodes,
    color_by_grad, tangents). Nothing is written on failure.
    """
    return write_atomic(path, slides_source(root, title, **options))


# ---------------------------------------------------------------- GIF and MP4 frames (Pillow)

_SANS = ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Arial.ttf", "Helvetica.ttc")
_SANS_BOLD = ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "Arial Bold.ttf", "Helvetica.ttc")
_MONO = ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "Menlo.ttc", "Courier New.ttf")


def _pillow() -> Any:
    try:
        from PIL import Image, ImageDraw, ImageFont  # the export extra, imported when a GIF or MP4 is made
    except ImportError:
        raise ImportError(
            "writing a GIF or MP4 needs Pillow: pip install 'autograd-core[export]' (an .svg animation needs nothing)"
        ) from None
    return Image, ImageDraw, ImageFont


@functools.lru_cache(maxsize=64)
def _font(names: tuple[str, ...], size: int) -> Any:
    """The first of ``names`` installed, at ``size`` pixels; Pillow's own font when none is."""
    _, _, image_font = _pillow()
    for name in names:
        try:
            return image_font.truetype(name, size)
        except OSError:
            continue
    return image_font.load_default(size)


@functools.lru_cache(maxsize=4096)
def _text_mask(text: str, names: tuple[str, ...], size: int, anchor: str) -> tuple[Any, int, int]:
    """A text drawn once as a mask, and where its corner is from the anchor point: frames repeat their texts."""
    image_module, image_draw, _ = _pillow()
    font = _font(names, size)
    left, top, right, bottom = (round(v) for v in font.getbbox(text, anchor=anchor))
    mask = image_module.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    image_draw.Draw(mask).text((-left, -top), text, fill=255, font=font, anchor=anchor)
    return mask, left, top


def _draw_text(image: Any, at: tuple[float, float], text: str, names: tuple[str, ...], size: int, colour: str,
               anchor: str) -> None:  # fmt: skip
    mask, left, top = _text_mask(text, names, size, anchor)
    x, y = round(at[0]) + left, round(at[1]) + top
    image.paste(colour, (x, y, x + mask.size[0], y + mask.size[1]), mask)


def _bezier(points: Sequence[tuple[float, float]], pieces: int = 12) -> list[tuple[float, float]]:
    """A cubic Bézier spline (Graphviz's control points) as a polyline."""
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for j in range(1, pieces + 1):
            t = j / pieces
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _dashes(points: Sequence[tuple[float, float]], on: float, off: float) -> list[list[tuple[float, float]]]:
    """A polyline cut into dashes ``on`` long with gaps ``off`` long."""
    dashes: list[list[tuple[float, float]]] = []
    drawing, left = True, on
    current = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length, done = math.hypot(x1 - x0, y1 - y0), 0.0
        while length - done > left:
            done += left
            point = (x0 + (x1 - x0) * done / length, y0 + (y1 - y0) * done / length)
            if drawing:
                dashes.append([*current, point])
            current = [point]
            drawing = not drawing
            left = on if drawing else off
        left -= length - done
        current.append((x1, y1))
    if drawing and len(current) > 1:
        dashes.append(current)
    return dashes


class _Raster:
    """Frames as pictures: the scene scaled by ``scale`` pixels per point, the caption under it."""

    def __init__(self, frames: Frames, dpi: float, size: tuple[float, float] | None) -> None:
        self.frames = frames
        scene = frames.scene
        self.scale = dpi / 72
        self.caption_size, self.counter_size = max(8, round(11 * self.scale)), max(8, round(10 * self.scale))
        self.caption_font = _font(_MONO, self.caption_size)
        self.line_height = round(15 * self.scale)
        natural_width = (scene.width + 2 * PAD) * self.scale
        width = max(natural_width, 360 * self.scale) if size is None else size[0] * dpi
        captions = [self.wrap(frames.caption(k), width - 16 * self.scale) for k in range(len(frames))]
        self.caption_height = round((max(len(c) for c in captions) + 1) * self.line_height)
        if size is not None:
            room = size[1] * dpi - self.caption_height
            if room <= 0:
                raise ValueError(f"size={size!r} leaves no room for the graph above the step's text")
            self.scale = min(size[0] * dpi / (scene.width + 2 * PAD), room / (scene.height + 2 * PAD))
            height = size[1] * dpi
        else:
            height = (scene.height + 2 * PAD) * self.scale + self.caption_height
        self.captions = captions
        # Even sizes: an MP4 encoder (yuv420p) needs them.
        self.size = (2 * math.ceil(width / 2), 2 * math.ceil(height / 2))
        self.left = (self.size[0] - (scene.width + 2 * PAD) * self.scale) / 2

    def wrap(self, lines: Sequence[str], width: float) -> list[str]:
        out = []
        for line in lines:
            words, current = line.split(" "), ""
            for word in words:
                trial = f"{current} {word}" if current else word
                if current and self.caption_font.getlength(trial) > width:
                    out.append(current)
                    current = word
                else:
                    current = trial
            out.append(current)
        return out

    def xy(self, point: tuple[float, float]) -> tuple[float, float]:
        return (self.left + (point[0] + PAD) * self.scale, (self.frames.scene.height - point[1] + PAD) * self.scale)

    def picture(self, k: int) -> Any:
        image_module, image_draw, _ = _pillow()
        image = image_module.new("RGB", self.size, "#ffffff")
        draw = image_draw.Draw(image)
        for element in self.frames.elements(k):
            for item in element.items:
                if isinstance(item, Text):
                    size = max(6, round(item.size * self.scale))
                    names = _SANS_BOLD if item.bold else _SANS
                    _draw_text(image, self.xy((item.x, item.y)), item.text, names, size, item.color, "ms")
                else:
                    self.shape(draw, item)
        top = self.size[1] - self.caption_height
        draw.line([(0, top), (self.size[0], top)], fill="#e5e7eb", width=max(1, round(self.scale)))
        x, y = 8 * self.scale, top + self.line_height * 0.9
        for number, line in enumerate(self.captions[k]):
            if line:
                names, size = (_SANS, self.counter_size) if number == 0 else (_MONO, self.caption_size)
                _draw_text(image, (x, y), line, names, size, "#6b7280" if number == 0 else "#1f2937", "ls")
            y += self.line_height
        return image

    def shape(self, draw: Any, shape: Shape) -> None:
        width = max(1, round(shape.width * self.scale))
        if shape.kind == "ellipse":
            (cx, cy), (rx, ry) = shape.points
            left, top = self.xy((cx - rx, cy + ry))
            right, bottom = self.xy((cx + rx, cy - ry))
            draw.ellipse([left, top, right, bottom], fill=shape.fill, outline=shape.stroke, width=width)
            return
        points = _bezier(shape.points) if shape.kind == "bezier" else list(shape.points)
        xy = [self.xy(p) for p in points]
        if shape.kind == "polygon":
            draw.polygon(xy, fill=shape.fill, outline=shape.stroke, width=width if shape.stroke else 0)
            return
        if shape.stroke is None:
            return
        pieces = _dashes(xy, 7 * self.scale, 4 * self.scale) if shape.dashed else [xy]
        for piece in pieces:
            draw.line(piece, fill=shape.stroke, width=width, joint="curve")


def _gif(raster: _Raster, fps: float) -> bytes:
    """The frames as a GIF: one palette for all (from a few frames and the player's colours), no dithering.

    With one palette, Pillow writes each frame as the rectangle that changed,
    its unchanged pixels transparent: a step changes a few nodes and the text.
    """
    image_module, _, _ = _pillow()
    count = len(raster.frames)
    pictures = [raster.picture(k) for k in range(count)]
    samples = [pictures[k] for k in sorted({0, min(1, count - 1), count // 2, count - 1})]
    width, height = raster.size
    swatch = 8
    sheet = image_module.new("RGB", (width, height * len(samples) + swatch), "#ffffff")
    for row, picture in enumerate(samples):
        sheet.paste(picture, (0, row * height))
    for column, colour in enumerate((FLOW, HOT, WARM, UNKNOWN)):  # every highlight, whichever frames have it
        sheet.paste(colour, (column * swatch, height * len(samples), (column + 1) * swatch, sheet.size[1]))
    palette = sheet.quantize(colors=255, method=image_module.Quantize.MEDIANCUT, dither=image_module.Dither.NONE)
    frames = [picture.quantize(palette=palette, dither=image_module.Dither.NONE) for picture in pictures]
    out = io.BytesIO()
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], duration=round(1000 / fps), loop=0, optimize=True
    )
    return out.getvalue()


def ffmpeg_program() -> str:
    """The ffmpeg to encode MP4 with: imageio-ffmpeg's (the export extra), else ``ffmpeg`` on PATH."""
    try:
        import imageio_ffmpeg  # the export extra: an ffmpeg binary in a wheel

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):  # RuntimeError: the package is there without its binary
        found = shutil.which("ffmpeg")
        if found:
            return found
    raise FfmpegNotFoundError(
        "writing an .mp4 needs ffmpeg: pip install 'autograd-core[export]' (imageio-ffmpeg) or install ffmpeg "
        "(`sudo apt-get install ffmpeg`, `brew install ffmpeg`); a .gif or .svg animation needs none"
    )


def _mp4(raster: _Raster, fps: float) -> bytes:
    program = ffmpeg_program()
    width, height = raster.size
    with tempfile.TemporaryDirectory(prefix="viz-animate-") as folder:
        target = Path(folder) / "out.mp4"
        command = [
            program, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
            "-r", f"{fps:g}", "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            str(target),
        ]  # fmt: skip
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdin is not None and process.stderr is not None  # both are pipes: asked for above
        try:
            for k in range(len(raster.frames)):
                process.stdin.write(raster.picture(k).tobytes())
            process.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its error follows
        errors = process.stderr.read().decode(errors="replace").strip()
        if process.wait() != 0:
            raise RuntimeError(f"ffmpeg ({program}) failed to write the MP4: {errors or 'no message'}")
        return target.read_bytes()


# ---------------------------------------------------------------- animated SVG


def _svg_item(item: Item, height: float) -> str:
    def xy(point: tuple[float, float]) -> str:
        return f"{_num(point[0] + PAD)},{_num(height - point[1] + PAD)}"

    if isinstance(item, Text):
        weight = ' font-weight="bold"' if item.bold else ""
        x, y = xy((item.x, item.y)).split(",")
        return (
            f'<text x="{x}" y="{y}" text-anchor="middle" font-size="{_num(item.size)}"{weight} '
            f'fill="{item.color}">{for_html(item.text, None)}</text>'
        )
    paint = f'fill="{item.fill or "none"}" stroke="{item.stroke or "none"}"'
    if item.stroke is not None and item.width != 1:
        paint += f' stroke-width="{_num(item.width)}"'
    if item.dashed:
        paint += ' stroke-dasharray="7 4"'
    if item.kind == "ellipse":
        (cx, cy), (rx, ry) = item.points
        x, y = xy((cx, cy)).split(",")
        return f'<ellipse cx="{x}" cy="{y}" rx="{_num(rx)}" ry="{_num(ry)}" {paint}/>'
    if item.kind == "bezier":
        points = [xy(p) for p in item.points]
        d = f"M{points[0]}" + "".join(f"C{' '.join(points[i : i + 3])}" for i in range(1, len(points) - 2, 3))
        return f'<path d="{d}" {paint}/>'
    tag = "polygon" if item.kind == "polygon" else "polyline"
    return f'<{tag} points="{" ".join(xy(p) for p in item.points)}" {paint}/>'


def _shown_during(first: int, last: int, count: int, seconds: float) -> str:
    """A SMIL animation that shows an element during frames first..last of ``count``, looping."""
    if first == 0 and last == count - 1:
        return ""
    values, times = [], []
    if first > 0:
        values, times = ["hidden"], ["0"]
    values.append("visible")
    times.append(f"{first / count:.6g}")
    if last < count - 1:
        values.append("hidden")
        times.append(f"{(last + 1) / count:.6g}")
    return (
        f'<animate attributeName="visibility" values="{";".join(values)}" keyTimes="{";".join(times)}" '
        f'dur="{seconds:g}s" calcMode="discrete" repeatCount="indefinite"/>'
    )


def _svg(frames: Frames, fps: float) -> str:
    """The frames as one SVG: each element's looks, each shown during its frames (SMIL, discrete)."""
    scene, count = frames.scene, len(frames)
    seconds = count / fps
    width, graph_height = scene.width + 2 * PAD, scene.height + 2 * PAD
    captions = [frames.caption(k) for k in range(count)]
    line = 15.0
    caption_height = (max(len(c) for c in captions) + 1) * line
    width = max(width, 360.0)
    height = graph_height + caption_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}pt" height="{_num(height)}pt" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="Helvetica, Arial, sans-serif">',
        f'<rect width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
    ]
    shown = [frames.elements(k) for k in range(count)]
    for index, element in enumerate(scene.elements):
        renderings = ["".join(_svg_item(item, scene.height) for item in frame[index].items) for frame in shown]
        for first, last, text in _ranges(renderings):
            if text:
                parts.append(f'<g data-id="{for_html(element.id, None)}">{_shown_during(first, last, count, seconds)}')
                parts.append(f"{text}</g>")
    parts.append(
        f'<line x1="0" y1="{_num(graph_height)}" x2="{_num(width)}" y2="{_num(graph_height)}" stroke="#e5e7eb"/>'
    )
    for k, lines in enumerate(captions):
        texts = "".join(
            f'<text x="8" y="{_num(graph_height + line * (n + 0.9))}" font-size="{10 if n == 0 else 11}" '
            f'fill="{"#6b7280" if n == 0 else "#1f2937"}"{MONOSPACE if n else ""} '
            f'xml:space="preserve">{for_html(text, None)}</text>'
            for n, text in enumerate(lines)
        )
        parts.append(f'<g class="caption">{_shown_during(k, k, count, seconds)}{texts}</g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- animate


def _animation_format(path: Path, format: str | None) -> str:
    chosen = (format or path.suffix[1:]).lower().lstrip(".")
    if chosen not in ANIMATION_FORMATS:
        where = "format" if format else f"the suffix of {str(path)!r}"
        raise ValueError(f"{where} is {chosen!r}; an animation is one of {', '.join(ANIMATION_FORMATS)}")
    return chosen


def _positive(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValueError(f"{what} must be a positive number, got {value!r}")
    return float(value)


def animate(
    root: Value,
    path: str | os.PathLike,
    format: str | None = None,
    *,
    fps: float = 1.0,
    size: tuple[float, float] | None = None,
    dpi: float = 96,
    **options: Any,
) -> Path:
    """Write the player of ``root`` as an animation, a frame per step; return the path.

    Args:
        root: the output; its forward and backward pass are played (no ``.grad`` is touched).
        path: where to write; its suffix (``.gif``, ``.mp4``, ``.svg``) gives the format unless ``format`` does.
        fps: frames (steps) per second.
        size: (width, height) in inches of a GIF or MP4 frame: the graph is scaled to fit above the
            step's text. Default: the graph at its natural size.
        dpi: pixels per inch of a GIF or MP4 (96: a pixel is a CSS pixel of the SVG).
        **options: ``player_fragment``'s: rankdir, group_by, collapse, max_nodes, color_by_grad, tangents.

    Frame 0 is the player's start (every computed value ``?``); frame k shows
    step k: its edges and nodes outlined in the player's colours, the values
    and gradients known so far, and the step's text under the graph. A GIF
    or MP4 needs Pillow (the ``export`` extra), an MP4 also ffmpeg
    (``FfmpegNotFoundError`` otherwise); an SVG needs neither. Nothing is
    written on failure.
    """
    path = Path(path)
    chosen = _animation_format(path, format)
    fps = _positive(fps, "fps")
    dpi = _positive(dpi, "dpi")
    if size is not None:
        if isinstance(size, (str, bytes)) or not hasattr(size, "__len__") or len(size) != 2:
            raise ValueError(f"size must be (width, height) in inches, got {size!r}")
        size = (_positive(size[0], "size"), _positive(size[1], "size"))
    played = player_steps(root, **options)
    frames = Frames(Scene.of(played.drawing), played.data)
    if chosen == "svg":
        return write_atomic(path, _svg(frames, fps))
    raster = _Raster(frames, dpi, size)
    writer: Callable[[_Raster, float], bytes] = _gif if chosen == "gif" else _mp4
    return write_atomic(path, writer(raster, fps))
