"""The training demo: its training reaches 100% on moons, its command line writes the promised files."""

from __future__ import annotations

import json
import re
import sys
import types

import pytest
from helpers import as_user_without_root_rights

from course import demo
from nn import MLP, History, evaluate, load_parameters, signed_labels

PNG = b"\x89PNG\r\n\x1a\n"


def test_demo_training_reaches_full_accuracy_on_moons():
    # The demo's own training (default architecture, Adam, seed 1) on 40 of its moons points,
    # so the test takes a couple of seconds; the full default run is `python -m course.demo`.
    X, y = demo.load_data("moons", 40, seed=1)
    model, history = demo.train(X, y, [16, 16], steps=40, seed=1, progress=False)
    assert evaluate(model, X, signed_labels(y)) == 1.0
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < history.loss[0] / 5


@pytest.fixture
def fake_viz(monkeypatch):
    """A stand-in for viz with the agreed API (render, write_html, gradients), recording what it is given."""
    calls = []

    def render(root, path, **options):
        calls.append(("render", root, path, options))
        path.write_text("<svg/>")
        return path

    def write_html(root, path, **options):
        calls.append(("write_html", root, path, options))
        path.write_text("<html></html>")
        return path

    def gradients(root):
        return {"gradients of": root}

    module = types.ModuleType("viz")
    module.render, module.write_html, module.gradients = render, write_html, gradients
    monkeypatch.setitem(sys.modules, "viz", module)
    return calls


@pytest.mark.parametrize("dataset, classes", [("moons", 2), ("circles", 2), ("xor", 2), ("spiral", 3)])
def test_demo_writes_its_files(tmp_path, capsys, fake_viz, dataset, classes):
    out = tmp_path / "results"
    assert (
        demo.main(
            ["--dataset", dataset, "--points", "24", "--hidden", "6", "--steps", "3", "--seed", "2", "--out", str(out)]
        )
        == 0
    )
    printed = capsys.readouterr().out
    for name in ("decision_boundary.png", "training.png"):
        assert (out / name).read_bytes().startswith(PNG)
    assert f"output folder: {out}" in printed
    assert "final training accuracy" in printed
    # The saved parameters load into the same architecture.
    document = json.loads((out / "model.json").read_text())
    assert (
        document["model"]
        == f"MLP(2 -> 6 -> {1 if classes == 2 else classes}, relu, {len(document['parameters'])} parameters)"
    )
    load_parameters(MLP(2, [6, 1 if classes == 2 else classes]), out / "model.json")
    # One first-layer neuron, active on a training point, drawn and played.
    assert [(kind, path.name) for kind, _, path, _ in fake_viz] == [
        ("render", "neuron.svg"),
        ("write_html", "neuron_backward.html"),
    ]
    root = fake_viz[0][1]
    assert root.label.startswith("layers.0.neurons.") and root.label.endswith(".out") and root.data > 0
    # Drawn with the gradients the drawing computes for this output, not whatever training left in .grad.
    assert fake_viz[0][3] == {"grads": {"gradients of": root}}


def test_demo_draws_the_neuron_with_the_real_viz(tmp_path, dot_program):
    out = tmp_path / "results"
    assert demo.main(["--points", "24", "--hidden", "6", "--steps", "3", "--seed", "2", "--out", str(out)]) == 0
    svg = (out / "neuron.svg").read_text()
    assert "<svg" in svg and "layers.0.neurons." in svg
    page = (out / "neuron_backward.html").read_text()
    assert "<svg" in page and "step" in page and "http://" not in page.replace("http://www.w3.org", "")
    # The picture and the player agree number for number: every gradient drawn is the one the player ends with.
    data = re.search(r'<script type="application/json" class="ag-data">(.*?)</script>', page, re.S).group(1)
    steps = json.loads(data)["steps"]
    played = {}
    for step in steps:
        if step["kind"] != "forward":
            played[step["node"] if step["kind"] == "seed" else step["parent"]] = step["grad"]
    drawn = dict(re.findall(r'<g id="(v\d+)" class="node">.*?>grad ([^<]+)</text>', svg.replace("&#45;", "-"), re.S))
    assert drawn == played and len(drawn) == 9  # x[0], x[1], w.0, w.1, b, wx.0, wx.1, sum, out
    names = dict(re.findall(r'<g id="(v\d+)" class="node">.*?font-weight="bold"[^>]*>([^<]+)</text>', svg, re.S))
    by_name = {names[node_id]: grad for node_id, grad in drawn.items()}
    assert by_name["b"] == by_name["sum"] == by_name["out"] == "1.0000"  # d out/d b is exactly 1 (relu is active)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--hidden", "a,b"], "--hidden takes layer sizes separated by commas"),
        (["--hidden", "0"], "--hidden needs at least one layer size >= 1"),
        (["--hidden", "16,,16"], "--hidden takes layer sizes separated by commas, like 16,16; got '16,,16'"),
        (["--hidden", "16,"], "--hidden takes layer sizes separated by commas, like 16,16; got '16,'"),
        (["--dataset", "iris"], "invalid choice: 'iris'"),
        (["--steps", "0"], "--steps must be >= 1, got 0"),
        (["--points", "3"], "--points must be >= 4, got 3"),
        (["--lr", "-1"], "--lr must be a finite number > 0, got -1.0"),
        (["--lr", "0"], "--lr must be a finite number > 0, got 0.0"),
        (["--lr", "inf"], "--lr must be a finite number > 0, got inf"),
        (["--lr", "nan"], "--lr must be a finite number > 0, got nan"),
        (
            ["--points", "100000000"],
            "--points 100000000 with --hidden 16,16 would build a graph of about 67,400,000,000 nodes per step",
        ),
        (["--points", "200", "--hidden", "300,300"], "the demo allows 10,000,000: use fewer points or smaller layers"),
    ],
)
def test_bad_command_lines_exit_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        demo.parse_args(argv)
    assert info.value.code == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith("python -m course.demo: error: ") and message in error


def _run_small(out, *extra):
    return demo.main(["--points", "24", "--hidden", "6", "--steps", "3", "--seed", "2", "--out", str(out), *extra])


def test_a_diverging_run_prints_one_line_and_writes_nothing(tmp_path, capsys, fake_viz):
    out = tmp_path / "new" / "results"
    assert _run_small(out, "--lr", "1e308") == 1
    error = capsys.readouterr().err.splitlines()[-1]
    # The first update makes a weight infinite: fit undoes it and stops at step 1.
    assert error.startswith(
        "python -m course.demo: error: training diverged at step 1 (epoch 1, batch 1 of 1): the loss"
    )
    assert "but the update made" in error and "a learning rate too large is the usual cause" in error
    assert list(tmp_path.iterdir()) == [] and fake_viz == []


def _old_results(folder):
    folder.mkdir()
    (folder / "decision_boundary.png").write_bytes(b"an older run")
    (folder / "notes.txt").write_text("mine")


def test_a_failure_while_writing_leaves_nothing_of_this_run(tmp_path, capsys, fake_viz, monkeypatch):
    out = tmp_path / "results"
    _old_results(out)

    def broken_write_html(root, path):
        raise RuntimeError("Graphviz's dot failed to draw the graph")

    monkeypatch.setattr(sys.modules["viz"], "write_html", broken_write_html)
    assert _run_small(out) == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert error == (
        f"python -m course.demo: error: nothing written to {out}: RuntimeError: Graphviz's dot failed to draw the graph"
    )
    # The PNGs, the model and the SVG were written before the failure, into a folder that is gone.
    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "notes.txt"]
    assert (out / "decision_boundary.png").read_bytes() == b"an older run"


def test_a_failure_in_a_folder_this_run_made_removes_it(tmp_path, capsys, fake_viz, monkeypatch):
    def broken_render(root, path):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(sys.modules["viz"], "render", broken_render)
    assert _run_small(tmp_path / "a" / "b") == 1
    assert "nothing written to" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_a_second_run_replaces_the_first_runs_files(tmp_path, fake_viz):
    out = tmp_path / "results"
    _old_results(out)
    assert _run_small(out) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "decision_boundary.png",
        "model.json",
        "neuron.svg",
        "neuron_backward.html",
        "notes.txt",
        "training.png",
    ]
    assert (out / "decision_boundary.png").read_bytes().startswith(PNG)


@pytest.mark.parametrize(
    "where, message",
    [
        ("taken", "--out {taken} is a file, not a folder"),
        ("taken/results", "--out {taken}/results: {taken} is a file, so no folder can be made inside it"),
        ("taken/a/b", "--out {taken}/a/b: {taken} is a file, so no folder can be made inside it"),
    ],
)
def test_an_output_path_that_cannot_be_a_folder_is_refused_before_training(
    tmp_path, capsys, monkeypatch, where, message
):
    taken = tmp_path / "taken"
    taken.write_text("keep me")
    monkeypatch.setattr(demo, "train", lambda *args, **kwargs: pytest.fail("trained before checking --out"))
    assert demo.main(["--out", str(tmp_path / where), "--steps", "1"]) == 2
    assert capsys.readouterr().err == f"python -m course.demo: error: {message.format(taken=taken)}\n"
    assert taken.read_text() == "keep me" and [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_an_output_folder_this_user_cannot_write_is_refused_before_training(shared_folder, capsys, monkeypatch):
    locked = shared_folder / "locked"
    locked.mkdir(mode=0o555)
    monkeypatch.setattr(demo, "train", lambda *args, **kwargs: pytest.fail("trained before checking --out"))
    with as_user_without_root_rights():
        status = demo.main(["--out", str(locked / "results"), "--steps", "1"])
    assert status == 2 and list(locked.iterdir()) == []
    assert (
        capsys.readouterr().err
        == f"python -m course.demo: error: --out {locked}/results: this user cannot write in {locked}\n"
    )


def test_missing_demo_dependencies_are_named(monkeypatch, capsys, tmp_path):
    real_find_spec = demo.importlib.util.find_spec
    monkeypatch.setattr(
        demo.importlib.util, "find_spec", lambda name, *a: None if name == "tqdm" else real_find_spec(name, *a)
    )
    assert demo.main(["--out", str(tmp_path / "o")]) == 1
    assert "the demo needs tqdm: pip install 'autograd-core[demo]'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_demo_training_through_compile_gives_the_same_numbers():
    X, y = demo.load_data("moons", 30, seed=3)
    _, plain = demo.train(X, y, [8], steps=4, seed=3, progress=False)
    _, compiled = demo.train(X, y, [8], steps=4, seed=3, progress=False, compiled=True)
    assert compiled.loss == pytest.approx(plain.loss, rel=1e-10)
    assert compiled.accuracy == plain.accuracy


def test_an_error_in_training_prints_one_line_and_writes_nothing(tmp_path, capsys, fake_viz, monkeypatch):
    def overflowing(*args, **kwargs):
        raise OverflowError("exp(1000.0): the result is too large for a float")

    monkeypatch.setattr(demo, "train", overflowing)
    assert _run_small(tmp_path / "results") == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "python -m course.demo: error: training failed: exp(1000.0): the "
        "result is too large for a float; try a smaller --lr"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "accuracies, epoch",
    [
        ([0.5, 1.0, 1.0], 2),
        ([1.0, 0.9, 1.0, 1.0], 3),  # from where it stays at 100%
        ([1.0], 1),
    ],
)
def test_the_demo_names_the_epoch_from_which_training_accuracy_stays_full(accuracies, epoch):
    assert demo._first_full_epoch(History(epoch_accuracy=accuracies)) == epoch
