"""python -m viz, run as a real subprocess in an empty folder: good inputs write files, bad ones write nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NEURON = ["tanh(w*x + b)", "w=-3", "x=2", "b=6.88"]


def run(args: list[str], cwd: Path, path_env: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run([sys.executable, "-m", "viz", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("suffix, magic", [(".dot", b"digraph autograd {"), (".gv", b"digraph autograd {")])
def test_dot_source_output(tmp_path, suffix, magic):
    result = run([*NEURON, "-o", f"graph{suffix}"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote graph{suffix}\n"
    data = (tmp_path / f"graph{suffix}").read_bytes()
    assert data.startswith(magic)
    assert b"<TD><B>w * x + b</B></TD></TR><TR><TD>data 0.8800</TD></TR><TR><TD>grad 0.5010</TD>" in data


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"), (".pdf", b"%PDF"), (".html", b"<!DOCTYPE html>")])
def test_rendered_outputs(dot_program, tmp_path, suffix, magic):
    result = run([*NEURON, "-o", f"graph{suffix}"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert magic in (tmp_path / f"graph{suffix}").read_bytes()[:300]
    assert [p.name for p in tmp_path.iterdir()] == [f"graph{suffix}"]


def test_explain_prints_the_steps(tmp_path):
    result = run([*NEURON, "--explain"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "dL/d(w * x + b) += dL/dL · ∂L/∂(w * x + b) = 1.0000 · 0.5010 = 0.5010  (L = tanh(w * x + b))"
    assert "dL/dw += dL/d(w * x) · ∂(w * x)/∂w = 0.5010 · 2.0000 = 1.0019" in lines
    assert lines[-3:] == ["  dL/dw = 1.0019", "  dL/dx = -1.5029", "  dL/db = 0.5010"]
    assert list(tmp_path.iterdir()) == []


def test_without_output_prints_value_and_gradients(tmp_path):
    result = run(["a*b + a", "a=2", "b=-3"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["L = -4.0000", "dL/da = -2.0000", "dL/db = 2.0000"]


def test_expression_starting_with_minus_after_double_dash(tmp_path):
    result = run(["--explain", "--", "-x**2", "x=3"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  dL/dx = -6.0000" in result.stdout


def test_help_documents_an_example(tmp_path):
    result = run(["--help"], tmp_path)
    assert result.returncode == 0
    assert 'python -m viz "tanh(w*x + b)" w=-3 x=2 b=6.88 -o graph.svg' in result.stdout
    for word in ("--explain", ".html", "exp, log, tanh, sigmoid, relu, sin, cos, sqrt, abs", "exit status"):
        assert word in result.stdout


BAD = [
    ("__import__('os')", [], "unknown function '__import__'"),
    ("().__class__", [], "attribute access at column 1 is not allowed"),
    ("x.y", ["x=1"], "attribute access at column 1 is not allowed"),
    ("lambda: 1", [], "lambda at column 1 is not allowed"),
    ("open('f')", [], "unknown function 'open'"),
    ("exp(1)(2)", [], "calling 'exp(1)' at column 1 is not allowed"),
    ("x +* 2", ["x=1"], "syntax error at column"),
    ("log(0)", [], "log(0.0): log is defined only for x > 0"),
    ("z + 1", [], "name 'z' not defined; give it a value, e.g. z=1.0"),
    ("x / y", ["x=1", "y=0"], "1.0 / 0.0: division by zero"),
    ("sqrt(x)", ["x=-1"], "sqrt is defined only for x >= 0"),
    ("exp(x)", ["x=1000"], "the result is too large for a float"),
    ("x[0]", ["x=1"], "indexing at column 1 is not allowed"),
    ("x // 2", ["x=1"], "the operator FloorDiv at column 1 is not allowed"),
    ("x if x else 1", ["x=1"], "if-else at column 1 is not allowed"),
    ("'text'", [], "the constant 'text' at column 1 is not allowed"),
    ("exp(x, x)", ["x=1"], "exp() takes exactly one argument"),
    ("exp(x=1)", [], "exp() takes exactly one argument"),
    ("exp + 1", [], "functions must be called, e.g. exp(x)"),
    ("(x := 2)", [], "assignment (:=) at column 2 is not allowed"),
    ("", [], "the expression is empty"),
    ("x * 2", ["x=two"], "'x=two': 'two' is not a number"),
    ("x * 2", ["x"], "'x' is not NAME=NUMBER"),
    ("x * 2", ["x=1", "x=2"], "'x' is given twice"),
    ("x * 2", ["x=1", "y=2"], "'y' given a value but not used in the expression 'x * 2'"),
    ("x * 2", ["x=nan"], "x=nan: values must be finite numbers"),
    ("(" * 300 + "x" + ")" * 300, ["x=1"], "nested"),
    ("+".join(["x"] * 5000), ["x=1"], "nested too deeply"),
]


@pytest.mark.parametrize("expression, values, message", BAD, ids=[b[0][:20] or "empty" for b in BAD])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, expression, values, message):
    result = run([expression, *values, "-o", "graph.dot"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("python -m viz: error: ")
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unknown_output_suffix_exits_2(tmp_path):
    result = run([*NEURON, "-o", "graph.jpg"], tmp_path)
    assert result.returncode == 2
    assert "cannot tell what to write from 'graph.jpg'" in result.stderr and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_missing_graphviz_exits_1_with_install_help_and_no_file(tmp_path, suffix):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run([*NEURON, "-o", f"out{suffix}"], tmp_path, path_env=str(empty))
    assert result.returncode == 1
    assert "apt-get install graphviz" in result.stderr and result.stderr.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["bin"]


def test_unwritable_output_exits_1_with_one_line(tmp_path):
    result = run([*NEURON, "-o", "missing/graph.dot"], tmp_path)
    assert result.returncode == 1
    assert "the folder 'missing' does not exist" in result.stderr and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_color_by_grad_and_rankdir_reach_the_drawing(tmp_path):
    result = run([*NEURON, "--color-by-grad", "--rankdir", "TB", "-o", "g.dot"], tmp_path)
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "g.dot").read_text()
    assert "rankdir=TB" in source and "blue: raising the node raises the output" in source


def test_color_by_grad_reaches_the_player(dot_program, tmp_path):
    result = run([*NEURON, "--color-by-grad", "-o", "p.html"], tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "p.html").read_text()
    assert "full colour at |grad| \u2265 " in page and '"fill": "#' in page  # the legend's scale; fills with the steps
    plain = run([*NEURON, "-o", "plain.html"], tmp_path)
    assert plain.returncode == 0 and '"fill": "#' not in (tmp_path / "plain.html").read_text()
