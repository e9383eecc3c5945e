"""Saving and loading parameters as JSON: exact round trips, atomic writes, and bad files that change nothing."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import MLP, load_parameters, save_parameters
from nn.serialize import MAX_FILE_BYTES, ModelFileError


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
    return json.dumps(
        {
            "format": "autograd-core/nn parameters",
            "version": 1,
            "model": "",
            "parameters": MLP(2, [3, 1], seed=5).state_dict(),
        }
    )


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
    (
        "extra key",
        lambda: _with(parameters={**MLP(2, [3, 1]).state_dict(), "scale": 1.0}),
        "unexpected 1 key(s): 'scale'",
    ),
    ("nan", lambda: _replace_number("layers.0.neurons.0.b", "NaN"), "holds NaN, which is not a finite number"),
    ("infinity", lambda: _replace_number("layers.1.neurons.0.b", "-Infinity"), "holds -Infinity"),
    (
        "string",
        lambda: _with(parameters={**MLP(2, [3, 1]).state_dict(), "layers.0.neurons.2.w.1": "0.5"}),
        'parameter "layers.0.neurons.2.w.1" is "0.5", not a number',
    ),
    # What JSON allows but a parameter file never holds.
    ("nested 100,000 deep", lambda: "[" * 100_000 + "]" * 100_000, "the JSON is nested too deeply"),
    (
        "nested in parameters",
        lambda: _replace_number("layers.0.neurons.0.b", "[" * 100_000 + "]" * 100_000),
        "the JSON is nested too deeply",
    ),
    (
        "400-digit integer",
        lambda: _replace_number("layers.0.neurons.0.b", "1" * 400),
        "the file holds an integer of 400 digits, too large for a float",
    ),
    (
        "5000-digit integer",
        lambda: _replace_number("layers.0.neurons.0.b", "-" + "9" * 5000),
        "the file holds an integer of 5000 digits, too large for a float",
    ),
    ("310-digit integer", lambda: _replace_number("layers.0.neurons.0.b", "9" * 310), "an integer of 310 digits"),
    (
        "exponent overflow",
        lambda: _replace_number("layers.0.neurons.0.b", "1e400"),
        "the file holds the number 1e400, too large for a float",
    ),
    (
        "duplicate parameter",
        lambda: _good_text()[:-2] + ', "layers.0.neurons.0.b": 0.5}}',
        'the key "layers.0.neurons.0.b" appears twice in one object',
    ),
    ("duplicate version", lambda: _good_text()[:-1] + ', "version": 1}', 'the key "version" appears twice'),
    ("version true", lambda: _with(version=True), "file version true, this library reads version 1"),
    ("version 1.0", lambda: _with(version=1.0), "file version 1.0, this library reads version 1"),
    ("version a list", lambda: _with(version=[1]), "file version an array, this library reads version 1"),
    ("null parameter", lambda: _replace_number("layers.0.neurons.0.b", "null"), "is null, not a number"),
    ("true parameter", lambda: _replace_number("layers.0.neurons.0.b", "true"), "is true, not a number"),
    ("array parameter", lambda: _replace_number("layers.0.neurons.0.b", "[0.5]"), "is an array, not a number"),
    (
        "long string parameter",
        lambda: _replace_number("layers.0.neurons.0.b", '"' + "7" * 10**6 + '"'),
        '"77777777777777777777777777777... (1000002 characters), not a number',
    ),
    ("not utf-8", lambda: _good_text().replace("autograd-core", "autograd\udcff-core"), "codec can't decode"),
]


@pytest.mark.parametrize("name, text, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_raise_a_clear_error_and_leave_the_model_untouched(tmp_path, name, text, message):
    path = tmp_path / "model.json"
    path.write_bytes(text().encode("utf-8", "surrogateescape"))
    model = MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ModelFileError) as info:
        load_parameters(model, path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert model.state_dict() == before


def _fifo(folder):
    path = folder / "pipe.json"
    os.mkfifo(path)
    return path


def _too_large(folder):
    path = folder / "huge.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # a sparse file: no disk space used
    return path


NOT_READ = [
    # (case, make the path, words): refused without reading it all (or at all).
    ("/dev/zero", lambda folder: Path("/dev/zero"), "not a regular file"),
    ("a FIFO (would block)", _fifo, "not a regular file"),
    ("a folder", lambda folder: folder, "not a regular file"),
    ("over 64 MiB", _too_large, "the file is larger than 64 MiB, the most a parameter file may hold"),
]


@pytest.mark.parametrize("case, make, words", NOT_READ, ids=[c[0] for c in NOT_READ])
def test_files_that_are_not_parameter_files_are_refused_before_reading(tmp_path, case, make, words):
    path = make(tmp_path)
    model = MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ModelFileError) as info:
        load_parameters(model, path)
    assert words in str(info.value) and str(path) in str(info.value)
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
@given(
    nin=st.integers(1, 3),
    nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
    seed=st.integers(0, 2**32),
)
def test_any_mlp_round_trips_exactly(tmp_path_factory, nin, nouts, activation, seed):
    path = tmp_path_factory.mktemp("round") / "m.json"
    source = MLP(nin, nouts, activation, seed=seed)
    target = MLP(nin, nouts, activation, seed=seed + 1)
    load_parameters(target, save_parameters(source, path))
    assert target.state_dict() == source.state_dict()
    x = [0.1 * (i + 1) for i in range(nin)]
    out_s, out_t = source(x), target(x)
    assert [v.data for v in (out_s if isinstance(out_s, list) else [out_s])] == [
        v.data for v in (out_t if isinstance(out_t, list) else [out_t])
    ]
