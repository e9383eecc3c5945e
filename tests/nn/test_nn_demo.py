"""The training demo: its training reaches 100% on moons, its command line writes the promised files."""

from __future__ import annotations

import json
import re
import sys
import types

import pytest

from nn import MLP, History, evaluate, load_parameters, signed_labels
from nn import demo

PNG = b"\x89PNG\r\n\x1a\n"


def test_demo_training_reaches_full_accuracy_on_moons():
    # The demo's own training (default architecture, Adam, seed 1) on 40 of its moons points,
    # so the test takes a couple of seconds; the full default run is `python -m nn.demo`.
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
    assert demo.main(["--dataset", dataset, "--points", "24", "--hidden", "6", "--steps", "3",
                      "--seed", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("decision_boundary.png", "training.png"):
        assert (out / name).read_bytes().startswith(PNG)
    assert f"output folder: {out}" in printed
    assert "final training accuracy" in printed
    # The saved parameters load into the same architecture.
    document = json.loads((out / "model.json").read_text())
    assert document["model"] == f"MLP(2 -> 6 -> {1 if classes == 2 else classes}, relu, {len(document['parameters'])} parameters)"
    load_parameters(MLP(2, [6, 1 if classes == 2 else classes]), out / "model.json")
    # One first-layer neuron, active on a training point, drawn and played.
    assert [(kind, path.name) for kind, _, path, _ in fake_viz] == [("render", "neuron.svg"),
                                                                      ("write_html", "neuron_backward.html")]
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


@pytest.mark.parametrize("argv", [["--hidden", "a,b"], ["--hidden", "0"], ["--dataset", "iris"],
                                  ["--steps", "0"], ["--lr", "-1"]])
def test_bad_command_lines_exit_with_a_message(argv, capsys):
    with pytest.raises(SystemExit) as info:
        demo.parse_args(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_an_output_path_that_is_a_file_is_refused(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("keep me")
    assert demo.main(["--out", str(taken), "--steps", "1"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert taken.read_text() == "keep me"


def test_missing_demo_dependencies_are_named(monkeypatch, capsys, tmp_path):
    real_find_spec = demo.importlib.util.find_spec
    monkeypatch.setattr(demo.importlib.util, "find_spec",
                        lambda name, *a: None if name == "tqdm" else real_find_spec(name, *a))
    assert demo.main(["--out", str(tmp_path / "o")]) == 1
    assert "the demo needs tqdm: pip install 'autograd-core[demo]'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_demo_training_through_compile_gives_the_same_numbers():
    X, y = demo.load_data("moons", 30, seed=3)
    _, plain = demo.train(X, y, [8], steps=4, seed=3, progress=False)
    _, compiled = demo.train(X, y, [8], steps=4, seed=3, progress=False, compiled=True)
    assert compiled.loss == pytest.approx(plain.loss, rel=1e-10)
    assert compiled.accuracy == plain.accuracy


@pytest.mark.parametrize("accuracies, epoch", [
    ([0.5, 1.0, 1.0], 2),
    ([1.0, 0.9, 1.0, 1.0], 3),  # from where it stays at 100%
    ([1.0], 1),
])
def test_the_demo_names_the_epoch_from_which_training_accuracy_stays_full(accuracies, epoch):
    assert demo._first_full_epoch(History(epoch_accuracy=accuracies)) == epoch
