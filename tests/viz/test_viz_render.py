"""render(): svg/png/pdf through Graphviz, DOT source without it, clear errors, atomic writes."""

from __future__ import annotations

import os

import pytest

from autograd_core import Value
from autograd_core.files import write_atomic
from viz import GraphvizNotFoundError, draw_dot, render

MAGIC = {"svg": b"<svg", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


def neuron() -> Value:
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(6.88, "b")
    n = x * w + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    out.backward()
    return out


def hide_dot(monkeypatch, tmp_path) -> None:
    """Make Graphviz's dot unfindable: PATH holds only an empty folder."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_svg_has_the_nodes_and_ids(dot_program, tmp_path):
    path = render(neuron(), tmp_path / "neuron.svg")
    assert path == tmp_path / "neuron.svg"
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for text in ("data 0.8800", "grad 0.5010", ">tanh<", ">out<", 'id="v0"', 'id="e4_0"'):
        assert text in svg, text


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_format_from_the_suffix(dot_program, tmp_path, fmt):
    path = render(neuron(), tmp_path / f"graph.{fmt.upper()}")
    data = path.read_bytes()
    assert MAGIC[fmt] in data[:400]


def test_format_argument_wins_over_the_suffix(dot_program, tmp_path):
    path = render(neuron(), tmp_path / "graph.img", format="png")
    assert path.read_bytes().startswith(MAGIC["png"])


@pytest.mark.parametrize("suffix", [".dot", ".gv"])
def test_dot_source_needs_no_graphviz(monkeypatch, tmp_path, suffix):
    hide_dot(monkeypatch, tmp_path)
    root = neuron()
    path = render(root, tmp_path / f"graph{suffix}", rankdir="TB")
    assert path.read_text() == draw_dot(root, rankdir="TB").source


def test_missing_dot_gives_one_clear_error_and_no_file(monkeypatch, tmp_path):
    hide_dot(monkeypatch, tmp_path)
    target = tmp_path / "graph.svg"
    with pytest.raises(GraphvizNotFoundError) as info:
        render(neuron(), target)
    message = str(info.value)
    for needle in (
        "apt-get install graphviz",
        "brew install graphviz",
        "conda install -c conda-forge graphviz",
        "DOT source can still be written",
    ):
        assert needle in message
    assert "\n" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin"]


def test_missing_dot_leaves_an_existing_file_untouched(monkeypatch, tmp_path):
    target = tmp_path / "graph.png"
    target.write_bytes(b"old picture")
    hide_dot(monkeypatch, tmp_path)
    with pytest.raises(GraphvizNotFoundError):
        render(neuron(), target)
    assert target.read_bytes() == b"old picture"


@pytest.mark.parametrize(
    "name, fmt, message",
    [
        ("graph.jpeg", None, "the suffix of '.*graph.jpeg' is 'jpeg'; supported formats are svg, png, pdf, dot, gv"),
        ("graph", None, "cannot tell the format of '.*graph': give it a suffix"),
        ("graph.svg", "bmp", "format is 'bmp'; supported formats are"),
    ],
)
def test_unknown_formats_are_refused_before_anything_is_written(tmp_path, name, fmt, message):
    with pytest.raises(ValueError, match=message):
        render(neuron(), tmp_path / name, format=fmt)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder '.*no-such-dir' does not exist"):
        render(neuron(), tmp_path / "no-such-dir" / "graph.dot")


def test_write_is_atomic_when_the_final_rename_fails(monkeypatch, tmp_path):
    target = tmp_path / "graph.dot"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new contents")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.dot"]  # no temporary file left


def test_written_files_get_ordinary_permissions(tmp_path):
    path = write_atomic(tmp_path / "f.dot", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def svg_size_pt(text: str) -> tuple[float, float]:
    import re

    return tuple(float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', text).groups())


def test_png_resolution_is_96_dpi_by_default_and_dpi_changes_it(dot_program, tmp_path):
    root = neuron()
    width_pt, height_pt = svg_size_pt(render(root, tmp_path / "g.svg").read_text())
    default = png_size(render(root, tmp_path / "g.png").read_bytes())
    assert default == pytest.approx((width_pt * 96 / 72, height_pt * 96 / 72), abs=2)  # a PNG pixel is a CSS pixel
    sharp = png_size(render(root, tmp_path / "sharp.png", dpi=300).read_bytes())
    assert sharp == pytest.approx((default[0] * 300 / 96, default[1] * 300 / 96), rel=0.02)


def test_size_scales_the_picture_into_a_box(dot_program, tmp_path):
    width, height = svg_size_pt(render(neuron(), tmp_path / "g.svg", size=(13.33, 7.5)).read_text())
    # Scaled up, proportions kept, until one side meets the 16:9 slide (13.33 x 7.5 inches = 960 x 540 pt).
    assert max(width / 960, height / 540) == pytest.approx(1.0, abs=0.01)
    small_width, _ = svg_size_pt(render(neuron(), tmp_path / "small.svg", size=(2, 2)).read_text())
    assert small_width <= 144.5


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("g.svg", {"dpi": 300}, "dpi applies to png pictures .* svg is a vector picture"),
        ("g.pdf", {"dpi": 300}, "dpi applies to png pictures .* pdf is a vector picture"),
        ("g.png", {"dpi": 0}, "dpi must be a positive number, got 0"),
        ("g.png", {"size": (4,)}, r"size must be \(width, height\) in inches, got \(4,\)"),
        ("g.png", {"size": "16,9"}, r"size must be \(width, height\) in inches, got '16,9'"),
        ("g.png", {"size": (4, -1)}, "size must be a positive number, got -1"),
    ],
)
def test_bad_dpi_and_size_are_refused_before_anything_is_written(tmp_path, name, options, message):
    with pytest.raises(ValueError, match=message):
        render(neuron(), tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


def test_dpi_and_size_reach_the_dot_source(tmp_path):
    source = render(neuron(), tmp_path / "g.dot", dpi=192, size=(8, 4.5)).read_text()
    assert "dpi=192" in source and 'size="8,4.5!"' in source
