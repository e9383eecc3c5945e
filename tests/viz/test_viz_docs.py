"""The viz pages of the docs show real output: their transcripts are re-run, their pictures and sizes re-made.

The python blocks of every page run in tests/docs/test_examples.py; these tests run the shell transcripts
(```text blocks starting with ``$ python -m viz``) and compare the committed drawings with what the commands draw.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from gallery import DRAWINGS, slide_fit
from gallery import main as gallery

REPO = Path(__file__).resolve().parents[2]
DRAWING = (REPO / "docs" / "how-to" / "draw-a-graph.md").read_text(encoding="utf-8")
STEPS = (REPO / "docs" / "explanation" / "backward-pass-step-by-step.md").read_text(encoding="utf-8")
TRANSCRIPTS = re.findall(r"```text\n\$ (python -m viz (?!exercise)[^\n]*)\n(.*?)```", STEPS, flags=re.S)


def labels(svg: str) -> list[str]:
    """Every text of a drawing (names, data, grads), in order."""
    return [t.replace("&#45;", "-") for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_the_page_has_transcripts():
    assert len(TRANSCRIPTS) >= 3


@pytest.mark.parametrize("command, output", TRANSCRIPTS, ids=[c for c, _ in TRANSCRIPTS])
def test_transcript_is_what_the_command_prints(command, output, tmp_path):
    args = shlex.split(command)[1:]  # without "python"
    result = subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == output


EXERCISE = STEPS[STEPS.index("## Exercises") :]


def test_the_exercise_transcript_is_what_the_command_prints_for_those_answers(tmp_path):
    """The transcript was taken in a terminal, which echoes each answer after its prompt; piped, only the prompt."""
    command, screen = re.search(r"```text\n\$ (python -m viz exercise [^\n]*)\n(.*?)```", EXERCISE, flags=re.S).groups()
    prompts = re.findall(r"^(∂[^\n]*? = )([^\n]*)$", screen, flags=re.M)
    assert len(prompts) >= 6 and any(answer == "one" for _, answer in prompts)  # one answer it cannot read
    piped = re.sub(r"^(∂[^\n]*? = )[^\n]*\n", r"\1", screen, flags=re.M)
    result = subprocess.run(
        [sys.executable, *shlex.split(command)[1:]],
        cwd=tmp_path,
        timeout=60,
        text=True,
        input="".join(f"{answer}\n" for _, answer in prompts),
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == piped
    assert "wrong: w = -3.0000, but ∂(w * x)/∂w = x = 2.0000" in screen and "score: 4 of 5 right" in screen


def test_the_exercise_screenshot_is_committed():
    assert (REPO / "docs" / "notebook-exercise.png").stat().st_size > 10_000


def test_committed_drawing_is_what_the_command_draws(dot_program, tmp_path):
    command = re.search(r'python -m viz ("tanh\(w\*x \+ b\)" [^\n]*) -o docs/tanh-neuron.svg', DRAWING).group(1)
    result = subprocess.run(
        [sys.executable, "-m", "viz", *shlex.split(command), "-o", "graph.svg"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert labels((tmp_path / "graph.svg").read_text()) == labels((REPO / "docs" / "tanh-neuron.svg").read_text())


def test_the_gallery_is_what_scripts_gallery_py_draws(dot_program, tmp_path, capsys):
    assert gallery([str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for name in DRAWINGS:
        assert labels((tmp_path / name).read_text()) == labels((REPO / "docs" / name).read_text()), name
        assert f"{name}: " in printed
    # The player of the lecture's neuron: the same steps as the committed page.
    steps = re.compile(r'<script type="application/json" class="ag-data">(.*?)</script>', re.S)
    assert steps.search((tmp_path / "lecture-neuron.html").read_text()).group(1) == steps.search(
        (REPO / "docs" / "lecture-neuron.html").read_text()
    ).group(1)


@pytest.mark.parametrize("command", [["scripts/gallery.py"], ["-m", "scripts.gallery"]])
def test_the_gallery_runs_from_the_project_root(command, tmp_path):
    result = subprocess.run(
        [sys.executable, *command, str(tmp_path / "missing")],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "missing is not a folder" in result.stderr, result.stderr


def test_the_gallery_is_not_installed_with_viz():
    assert not (REPO / "viz" / "gallery.py").exists()
    packages = re.search(r"^packages = \[(.*)\]$", (REPO / "pyproject.toml").read_text(), flags=re.M).group(1)
    assert '"viz"' in packages and "scripts" not in packages


def test_the_size_table_is_measured_from_the_committed_drawings():
    rows = re.findall(
        r"^\| .*\(\[svg\]\(\.\./([^)]+)\)\) \| (\d+) x (\d+) \| ([\d.]+) \| ([\d.]+) px \|$", DRAWING, flags=re.M
    )
    assert [row[0] for row in rows] == list(DRAWINGS)
    for name, width, height, scale, smallest in rows:
        fit = slide_fit((REPO / "docs" / name).read_text())
        assert (int(width), int(height)) == (round(fit.width_px), round(fit.height_px)), name
        assert (float(scale), float(smallest)) == (round(fit.scale, 2), round(fit.smallest_text_px, 1)), name
        assert fit.smallest_text_px >= 14, name
