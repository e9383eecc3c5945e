"""The exports: TikZ pictures compiled by pdflatex, Beamer overlays, and GIF, MP4 and SVG animations of the player.

The gallery's graphs compile and their PDFs hold every text the SVG does;
node centres match the SVG's; slides and animations have a page or frame per
player step (and the start), from the player's own step list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gallery import DRAWINGS, lecture_neuron
from helpers import require_tool
from svg_geometry import read_svg

from autograd_core import Value
from viz import animate, draw_dot, gradients, render, to_tikz, write_slides
from viz.drawing import pipe
from viz.export import FfmpegNotFoundError
from viz.labels import for_latex
from viz.player import player_steps
from viz.scene import PAD, UNKNOWN, Frames, Scene, Text
from viz.trace import trace

PDFLATEX = shutil.which("pdflatex")


@pytest.fixture
def latex(dot_program):
    """pdflatex and pdftotext (make test installs both from Debian's TeX Live and poppler)."""
    require_tool(PDFLATEX is not None, "pdflatex", "make test installs it; or apt-get install texlive-latex-base")
    require_tool(shutil.which("pdftotext") is not None, "pdftotext", "apt-get install poppler-utils")


def compile_pdf(tex: Path) -> Path:
    """Compile ``tex`` with pdflatex in its folder; the log's end when it fails."""
    run = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tex.parent,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    return tex.with_suffix(".pdf")


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    run = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFC", run.stdout)  # an accent may come out as a combining character


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def svg_texts(svg: str) -> list[str]:
    """Every text Graphviz drew."""
    root = ET.fromstring(svg)
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text and t.text.strip()]


def steps_of(root: Value, **options) -> list[dict]:
    return player_steps(root, **options).data["steps"]


# ---------------------------------------------------------------- TikZ


@pytest.mark.parametrize("name", [*DRAWINGS, "lecture-neuron"])
def test_the_gallery_compiles_and_its_pdf_has_every_label_and_number(latex, tmp_path, name):
    if name == "lecture-neuron":
        out, options = lecture_neuron(), {}
    else:
        _, build, options = DRAWINGS[name]
        out = build()
    options = {"grads": gradients(out), "max_nodes": None, **options}
    tex = render(out, tmp_path / "graph.tex", **options)
    text = squeezed(pdf_text(compile_pdf(tex)))
    expected = svg_texts(pipe(draw_dot(out, **options), "svg").decode("utf-8"))
    assert len(expected) > 10
    missing = [t for t in expected if squeezed(t) not in text]
    assert missing == []


@pytest.mark.parametrize("options", [{}, {"group_by": "neuron"}], ids=["neuron", "mlp-grouped"])
def test_node_centres_are_the_svgs_within_a_point(dot_program, mlp, options):
    out = lecture_neuron() if not options else mlp((2, 3, 1))
    drawing = read_svg(pipe(draw_dot(out, **options), "svg").decode("utf-8"))
    picture = to_tikz(out, **options)
    height = float(re.search(r"\\useasboundingbox \(0,0\) rectangle \([\d.]+,([\d.]+)\);", picture).group(1))
    centres = {
        name: (float(x), float(y))
        for name, x, y in re.findall(r"\\coordinate \((\w+)\) at \(([-\d.]+),([-\d.]+)\);", picture)
    }
    values = [name for name in drawing.nodes if re.fullmatch(r"v\d+|op\d+", name)]
    assert len(values) > 5 and set(values) <= set(centres)
    for name in values:
        x, y = centres[name]
        svg_x, svg_y = drawing.nodes[name].center
        assert abs(x + PAD - svg_x) <= 1 and abs(height + PAD - y - svg_y) <= 1, name


HOSTILE = [
    'a_%#&$\\{}~^<>"|',
    "\\input{/etc/passwd}\\end{document}",
    "\x00\x1b\t\nnew line",
    "∂L/∂x · αβΓ ×÷ ≤ → ∞ x₁²",
    "€ 😀 中文 \u202e \ud800",
    "--'' `` !` ?` ...",
    "é ñ ß ø ṅ",
    "x" * 300,
]


def test_hostile_labels_compile_and_show(latex, tmp_path):
    leaves = [Value(float(i), label=label) for i, label in enumerate(HOSTILE)]
    out = sum(leaves[1:], leaves[0])
    out.label = "out"
    text = pdf_text(compile_pdf(render(out, tmp_path / "hostile.tex")))
    for shown in [
        'a_%#&$\\{}~^<>"|',
        "/etc/passwd",
        "2400 241B 2409 240A",
        "20AC",
        "1F600",
        "é ñ ß ø",
        "xxx. . .",
    ]:
        assert shown in text
    assert "root:" not in text  # \input was text, never run
    assert "∂L/∂x" in text and "αβΓ" in text


@pytest.mark.parametrize(
    "label, latex_text",
    [
        ("a_b", r"a{\ttfamily\char95}b"),
        ("50% & #1 $2", r"50\% \& \#1 \$2"),
        ("\\{~^}", r"\textbackslash{}\{{\ttfamily\char126}{\ttfamily\char94}\}"),
        ("<|>", r"\textless{}\textbar{}\textgreater{}"),
        ("∂o/∂n · 2", r"$\partial$o/$\partial$n $\cdot$ 2"),
        ("αΩΑ", r"$\alpha$$\Omega$A"),
        ("x--y", "x-{}-y"),
        ("é", r"\'{e}"),
        ("v\u03071 (x*y)\u02d9", r"\.{v}1 (x*y)\.{}"),  # tangents: a dot over a name, or after it
        ("€", r"{\fboxsep=0.4pt\fbox{\ttfamily\tiny 20AC}}"),
        ("\x00", r"{\fboxsep=0.4pt\fbox{\ttfamily\tiny 2400}}"),
    ],
)
def test_for_latex_writes_each_character_as_latex(label, latex_text):
    assert for_latex(label) == latex_text


# ---------------------------------------------------------------- the player's frames


def test_frames_follow_the_players_steps(dot_program):
    out = lecture_neuron()
    played = player_steps(out)
    frames = Frames(Scene.of(played.drawing), played.data)
    steps = played.data["steps"]
    assert len(frames) == len(steps) + 1

    def texts(k: int) -> dict[str, list[Text]]:
        return {e.id: [i for i in e.items if isinstance(i, Text)] for e in frames.elements(k)}

    start, end = texts(0), texts(len(steps))
    forward = [s for s in steps if s["kind"] == "forward"]
    for s in forward:  # computed values are unknown at the start, known at the end
        assert "data ?" in [t.text for t in start[s["node"]]]
        assert f"data {s['data']}" in [t.text for t in end[s["node"]]]
    assert all(t.color == UNKNOWN for t in start["v0"] if t.text.startswith("grad"))
    assert "grad -1.5000" in [t.text for t in end["v0"]]
    k = len(forward) + 2  # the first backward step: its edges dashed red
    edges = {e.id: e for e in frames.elements(k)}
    for edge in steps[k - 1]["edges"]:
        curve = [i for i in edges[edge].items if getattr(i, "kind", "") == "bezier"][0]
        assert curve.stroke == "#dc2626" and curve.dashed
    assert frames.caption(k)[0] == f"step {k} / {len(steps)} \u00b7 backward pass"


# ---------------------------------------------------------------- Beamer


def test_slides_have_a_page_per_step_with_its_text(latex, tmp_path):
    out = lecture_neuron()
    steps = steps_of(out)
    pdf = compile_pdf(write_slides(out, tmp_path / "slides.tex"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == len(steps) + 1
    first, last = pdf_text(pdf, 1), pdf_text(pdf, len(steps) + 1)
    assert f"step 0 / {len(steps)}" in first and "data ?" in first and "data 0.7071" not in first
    assert "Done: every gradient is known." in last and "data 0.7071" in last and "grad -1.5000" in last
    k = len(steps) // 2
    assert f"step {k} / {len(steps)}" in pdf_text(pdf, k + 1)


# ---------------------------------------------------------------- animations


def test_a_30_node_backward_gif_has_a_frame_per_step_and_is_under_1_mb(dot_program, mlp, tmp_path):
    from PIL import Image

    out = mlp((2, 3, 1))
    steps = steps_of(out)
    assert len(trace(out).nodes) >= 30
    gif = animate(out, tmp_path / "backward.gif")
    with Image.open(gif) as image:
        assert image.n_frames == len(steps) + 1
    assert gif.stat().st_size < 1_000_000


def test_an_mp4_has_a_frame_per_step_and_even_sides(dot_program, tmp_path):
    import imageio_ffmpeg  # the export extra, in dev: CI has it

    out = lecture_neuron()
    mp4 = animate(out, tmp_path / "backward.mp4", fps=4, size=(5.01, 3.01), dpi=100)
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(mp4))
    assert frames == len(steps_of(out)) + 1
    reader = imageio_ffmpeg.read_frames(str(mp4))
    width, height = next(reader)["size"]
    reader.close()
    assert (width % 2, height % 2) == (0, 0) and (width, height) == (502, 302)


def test_an_animated_svg_shows_one_caption_per_frame(dot_program, tmp_path):
    out = lecture_neuron()
    svg = animate(out, tmp_path / "backward.svg", fps=2).read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    captions = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "caption"]
    assert len(captions) == len(steps_of(out)) + 1
    assert 'dur="8s"' in svg  # 16 frames at 2 per second


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("x.avi", {}, "the suffix of '.*x.avi' is 'avi'; an animation is one of gif, mp4, svg"),
        ("x.gif", {"fps": 0}, "fps must be a positive number, got 0"),
        ("x.gif", {"size": (3,)}, r"size must be \(width, height\) in inches"),
        ("x.gif", {"dpi": float("nan")}, "dpi must be a positive number"),
    ],
)
def test_bad_animation_arguments_are_refused_before_anything_is_written(tmp_path, name, options, message):
    with pytest.raises(ValueError, match=message):
        animate(lecture_neuron(), tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


def test_without_ffmpeg_an_mp4_is_a_clear_error_and_no_file(dot_program, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # the package is not installed
    monkeypatch.setattr(shutil, "which", lambda name: None)  # and no ffmpeg is on PATH (dot is run by graphviz)
    target = tmp_path / "x.mp4"
    with pytest.raises(FfmpegNotFoundError, match=r"pip install 'autograd-core\[export\]'"):
        animate(lecture_neuron(), target)
    assert not target.exists()


# ---------------------------------------------------------------- the command line

REPO = Path(__file__).resolve().parents[2]
NEURON = ["tanh(w*x + b)", "w=-3", "x=2", "b=6.88"]


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "viz", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "args, name, start",
    [
        (["-o", "g.tex"], "g.tex", b"\\RequirePackage{fix-cm}"),
        (
            ["--slides", "-o", "s.tex"],
            "s.tex",
            b"\\RequirePackage{fix-cm}  % text of any size in the base fonts\n\\documentclass[aspectratio=169]{beamer}",
        ),
        (["-o", "b.gif", "--fps", "2"], "b.gif", b"GIF89a"),
        (["-o", "b.mp4"], "b.mp4", b"\x00\x00\x00"),
    ],
)
def test_the_command_line_writes_each_export(dot_program, tmp_path, args, name, start):
    result = run_cli([*NEURON, *args], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {name}\n"
    assert (tmp_path / name).read_bytes().startswith(start)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--slides", "-o", "s.svg"], "--slides writes a Beamer file: give -o a path ending in .tex (got 's.svg')"),
        (["--slides"], "--slides writes a Beamer file: give -o a path ending in .tex (got None)"),
        (["-o", "b.gif", "--fps", "0"], "argument --fps: needs a positive number of frames per second, got '0'"),
        (["-o", "b.avi"], "cannot tell what to write from 'b.avi'"),
    ],
)
def test_bad_export_options_are_one_line_and_write_nothing(tmp_path, args, message):
    result = run_cli([*NEURON, *args], tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
