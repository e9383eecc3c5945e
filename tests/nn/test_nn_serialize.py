"""Saving and loading parameters as JSON: exact round trips, atomic writes, and bad files that change nothing."""

from __future__ import annotations

import json
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import MLP, ModelFileError, load_parameters, save_parameters


def test_round_trip_is_exact(tmp_path):
    source = MLP(2, [5, 3, 1], seed=1)
    path = save_parameters(source, tmp_path / "model.json")
    assert path == tmp_path / "model.json"
    target = MLP(2, [5, 3, 1], seed=2)
    assert load_parameters(target, path) is target
    assert target.state_dict() == source.state_dict()  # floats survive exactly
    document = json.loads(path.read_text())
    assert document["format"] == "autograd-core/nn parameters" and document["version"] == 1
    assert document["model"] == "MLP(2 -> 5 -> 3 -> 1, relu, 37 parameters)"
    assert os.listdir(tmp_path) == ["model.json"]  # no temporary file left behind


def test_saving_over_a_file_replaces_it(tmp_path):
    path = tmp_path / "model.json"
    save_parameters(MLP(2, [3, 1], seed=1), path)
    newer = MLP(2, [3, 1], seed=2)
    save_parameters(newer, path)
    assert load_parameters(MLP(2, [3, 1], seed=3), path).state_dict() == newer.state_dict()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    save_parameters(MLP(2, [3, 1], seed=1), path)
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_parameters(MLP(2, [3, 1], seed=2), path)
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["model.json"]


def test_non_finite_parameters_are_not_saved(tmp_path):
    model = MLP(2, [3, 1], seed=1)
    model.layers[1].neurons[0].b.data = math.inf
    with pytest.raises(ValueError, match=r"parameter 'layers.1.neurons.0.b' is inf"):
        save_parameters(model, tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


def _good_text():
    return json.dumps({"format": "autograd-core/nn parameters", "version": 1, "model": "",
                       "parameters": MLP(2, [3, 1], seed=5).state_dict()})


def _with(**changes):
    document = json.loads(_good_text())
    document.update(changes)
    return json.dumps(document)


def _replace_number(name, token):
    """The good file with parameter ``name``'s number replaced by ``token`` (a JSON constant such as NaN)."""
    document = json.loads(_good_text())
    document["parameters"][name] = "TOKEN"
    return json.dumps(document).replace('"TOKEN"', token)


BAD_FILES = [
    ("truncated", lambda: _good_text()[: len(_good_text()) // 2], "the file is truncated"),
    ("truncated in a number", lambda: _good_text().rsplit(".", 1)[0] + ".", "the file is truncated"),
    ("empty", lambda: "", "the file is truncated"),
    ("not json", lambda: "weights: 1, 2, 3", "the file is not valid JSON"),
    ("json list", lambda: "[1, 2, 3]", "not a parameter file"),
    ("other json", lambda: '{"format": "something else"}', "not a parameter file"),
    ("version", lambda: _with(version=2), "file version 2, this library reads version 1"),
    ("no parameters", lambda: _with(parameters=[1, 2]), '"parameters" is missing or not an object'),
    ("other shape", lambda: _with(parameters=MLP(2, [4, 1], seed=5).state_dict()), "13 parameters, the state has 17"),
    ("extra key", lambda: _with(parameters={**MLP(2, [3, 1]).state_dict(), "scale": 1.0}), "unexpected 1 key(s): 'scale'"),
    ("nan", lambda: _replace_number("layers.0.neurons.0.b", "NaN"), "holds NaN, which is not a finite number"),
    ("infinity", lambda: _replace_number("layers.1.neurons.0.b", "-Infinity"), "holds -Infinity"),
    ("string", lambda: _with(parameters={**MLP(2, [3, 1]).state_dict(), "layers.0.neurons.2.w.1": "0.5"}),
     "state['layers.0.neurons.2.w.1'] is str '0.5'"),
]


@pytest.mark.parametrize("name, text, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_raise_a_clear_error_and_leave_the_model_untouched(tmp_path, name, text, message):
    path = tmp_path / "model.json"
    path.write_text(text())
    model = MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ModelFileError) as info:
        load_parameters(model, path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert model.state_dict() == before


def test_a_missing_file_names_the_file(tmp_path):
    with pytest.raises(ModelFileError, match="cannot read parameters from .*nothing.json"):
        load_parameters(MLP(2, [1]), tmp_path / "nothing.json")


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)


def test_the_saved_file_gets_the_usual_permissions(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what open() gives a new file under the current umask
    path = save_parameters(MLP(2, [1], seed=0), tmp_path / "model.json")
    assert path.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777



@settings(max_examples=15, deadline=None)
@given(nin=st.integers(1, 3), nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       activation=st.sampled_from(["relu", "tanh", "sigmoid", "linear"]), seed=st.integers(0, 2**32))
def test_any_mlp_round_trips_exactly(tmp_path_factory, nin, nouts, activation, seed):
    path = tmp_path_factory.mktemp("round") / "m.json"
    source = MLP(nin, nouts, activation, seed=seed)
    target = MLP(nin, nouts, activation, seed=seed + 1)
    load_parameters(target, save_parameters(source, path))
    assert target.state_dict() == source.state_dict()
    x = [0.1 * (i + 1) for i in range(nin)]
    out_s, out_t = source(x), target(x)
    assert [v.data for v in (out_s if isinstance(out_s, list) else [out_s])] == \
        [v.data for v in (out_t if isinstance(out_t, list) else [out_t])]
