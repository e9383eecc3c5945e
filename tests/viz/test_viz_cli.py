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
    return subprocess.run(
        [sys.executable, "-m", "viz", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("suffix, magic", [(".dot", b"digraph autograd {"), (".gv", b"digraph autograd {")])
def test_dot_source_output(tmp_path, suffix, magic):
    result = run([*NEURON, "-o", f"graph{suffix}"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote graph{suffix}\n"
    data = (tmp_path / f"graph{suffix}").read_bytes()
    assert data.startswith(magic)
    assert b"<TD><B>w * x + b</B></TD></TR><TR><TD>data 0.8800</TD></TR><TR><TD>grad 0.5010</TD>" in data


@pytest.mark.parametrize(
    "suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"), (".pdf", b"%PDF"), (".html", b"<!DOCTYPE html>")]
)
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
    for word in (
        "--explain",
        ".html",
        "exp, log, tanh, sigmoid, relu, sin, cos, sqrt, abs",
        "exit status",
        "sum(...) of any number of terms",
        "--max-nodes N",
    ):
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
    ("x // 2", ["x=1"], "the operator // at column 3 is not allowed; to divide, write /"),
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
    (
        "+".join(["x"] * 5000),
        ["x=1"],
        "nested too deeply for Python's parser (about 2,900 levels); write a long sum as sum(",
    ),
    ("sum()", [], "sum() takes one or more terms"),
    ("sum(x=1)", [], "sum() takes one or more terms"),
    ("sum(*x)", ["x=1"], "unpacking (*) at column 5 is not allowed"),
    ("sum + 1", [], "functions must be called"),
    ("x.sum(x)", ["x=1"], "calling 'x.sum' at column 1 is not allowed"),
    # Numbers no float can hold: 1e400 read as inf, a 400-digit int overflowed with an unnamed error.
    ("1e400 + x", ["x=1"], "the number at column 1 is too large for a float"),
    ("x * 1" + "0" * 400, ["x=1"], "the number at column 5 is too large for a float"),
    # Python reads names NFKC-normalised: 𝑥 is x.
    ("x + 1", ["x=1", "𝑥=2"], "'x' is given twice (as 'x' and '𝑥', one name to Python)"),
    # Messages stay one readable line.
    (
        "x",
        ["x=1", *(f"a{i}=1" for i in range(10))],
        "'a0', 'a1', 'a2', 'a3', 'a4' and 5 more given a value but not used in the expression 'x'",
    ),
    ("+".join(f"a{i}" for i in range(500)), [], "names 'a0', 'a1', 'a2', 'a3', 'a4' and 495 more not defined"),
    (
        "+".join(["x"] * 100),
        ["x=1", "y=1"],
        "not used in the expression 'x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+... (199 characters)'",
    ),
]


@pytest.mark.parametrize("expression, values, message", BAD, ids=[b[0][:20] or "empty" for b in BAD])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, expression, values, message):
    result = run([expression, *values, "-o", "graph.dot"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("python -m viz: error: ")
    assert message in result.stderr and len(result.stderr) < 400
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


@pytest.mark.parametrize(
    "expression, values, lines",
    [
        # The output is never reported under an input's name.
        (
            "L*out*result",
            ["L=1", "out=2", "result=3"],
            ["L2 = 6.0000", "dL2/dL = 6.0000", "dL2/dout = 3.0000", "dL2/dresult = 2.0000"],
        ),
        (
            "L*out*result*L2",
            ["L=1", "out=2", "result=3", "L2=1"],
            ["L3 = 6.0000", "dL3/dL = 6.0000", "dL3/dout = 3.0000", "dL3/dresult = 2.0000", "dL3/dL2 = 6.0000"],
        ),
        ("L * 2", ["L=1"], ["out = 2.0000", "dout/dL = 2.0000"]),
        ("x", ["x=3"], ["x = 3.0000"]),  # the output is the input itself
        ("2", [], ["L = 2.0000"]),
        (
            "sum(a*b, c, 2)",
            ["a=2", "b=3", "c=4"],
            ["L = 12.0000", "dL/da = 3.0000", "dL/db = 2.0000", "dL/dc = 1.0000"],
        ),
    ],
)
def test_the_output_name_is_not_an_input_name(tmp_path, expression, values, lines):
    result = run([expression, *values], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == lines


def test_explain_names_the_output_apart_from_the_inputs(tmp_path):
    result = run(["L*out*result", "L=1", "out=2", "result=3", "--explain"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "dL2/dL2 = 1.0000  (the output's gradient with respect to itself)"
    assert "  dL2/dL = 6.0000" in result.stdout.splitlines()


@pytest.mark.parametrize("terms", [330, 2900])
def test_long_chains_of_terms_are_computed(tmp_path, terms):
    result = run(["+".join(["x"] * terms), "x=1"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"L = {terms}.0000", f"dL/dx = {terms}.0000"]


def test_a_graph_over_max_nodes_names_the_option(tmp_path):
    result = run(["+".join(["x"] * 600), "x=1", "-o", "g.dot"], tmp_path)
    assert result.returncode == 2 and list(tmp_path.iterdir()) == []
    assert result.stderr == (
        "python -m viz: error: the graph has 600 value nodes, more than --max-nodes 500: too many "
        "to read in one drawing; draw a part of the expression, or pass --max-nodes 600 "
        "(0 for no limit)\n"
    )
    for limit in ("600", "0"):
        result = run(["+".join(["x"] * 600), "x=1", "-o", "g.dot", "--max-nodes", limit], tmp_path)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "g.dot").read_text().count("[label=<+> ") == 599


@pytest.mark.parametrize("limit", ["-1", "ten", "1.5"])
def test_max_nodes_must_be_a_whole_number(tmp_path, limit):
    result = run([*NEURON, "-o", "g.dot", "--max-nodes", limit], tmp_path)
    assert result.returncode == 2 and "argument --max-nodes: needs a whole number >= 0" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("given, typed", [("𝑥=1", "𝑥 + 1"), ("ﬁ=3", "fi + 1"), ("fi=3", "ﬁ + 1")])
def test_a_name_is_the_same_name_however_unicode_spells_it(tmp_path, given, typed):
    result = run([typed, given], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].endswith(" = 1.0000")


@pytest.mark.parametrize(
    "output, status, message",
    [
        ("afile/g.dot", 1, "'afile' is a file, so nothing can be written inside it: 'afile/g.dot'"),
        ("y.svg/", 2, "-o 'y.svg/' names a folder; give a file path ending in"),
    ],
)
def test_an_output_path_that_cannot_be_a_file_is_named(tmp_path, output, status, message):
    (tmp_path / "afile").write_text("keep")
    result = run([*NEURON, "-o", output], tmp_path)
    assert result.returncode == status and message in result.stderr and result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
