"""The viz section of the README shows real output: its shell transcripts are re-run and compared."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECTION = re.search(r"<!-- viz:start -->(.*?)<!-- viz:end -->", (REPO / "README.md").read_text(), flags=re.S).group(1)
TRANSCRIPTS = re.findall(r"```text\n\$ (python -m viz [^\n]*)\n(.*?)```", SECTION, flags=re.S)


def test_the_section_has_transcripts_and_the_drawing():
    assert len(TRANSCRIPTS) >= 2
    assert "![" in SECTION and "(docs/tanh-neuron.svg)" in SECTION


@pytest.mark.parametrize("command, output", TRANSCRIPTS, ids=[c for c, _ in TRANSCRIPTS])
def test_transcript_is_what_the_command_prints(command, output, tmp_path):
    args = shlex.split(command)[1:]  # without "python"
    result = subprocess.run([sys.executable, *args], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == output


def test_committed_drawing_is_what_the_command_draws(dot_program, tmp_path):
    command = re.search(r'python -m viz ("tanh\(w\*x \+ b\)" [^\n]*) -o docs/tanh-neuron.svg', SECTION).group(1)
    args = shlex.split(command)
    result = subprocess.run([sys.executable, "-m", "viz", *args, "-o", "graph.dot"], cwd=tmp_path,
                            env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    svg = (REPO / "docs" / "tanh-neuron.svg").read_text().replace("&#45;", "-")  # Graphviz escapes minus signs
    # Every label of the drawing the command makes today is in the committed picture.
    for label in re.findall(r'label="\{ ([^"]*) \}"', (tmp_path / "graph.dot").read_text()):
        for field in label.split(" | "):
            assert f">{field}<" in svg, field
