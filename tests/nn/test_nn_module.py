"""Module: parameter names and labels, the nested repr, state_dict and its all-or-nothing load."""

from __future__ import annotations

import math

import pytest

from autograd_core import Value
from nn import MLP, Layer, Module, Neuron


def test_named_parameters_follow_the_dotted_paths():
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(names) == len(set(names)) == (2 + 1) * 3 + (3 + 1) * 1
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_every_parameter_is_labelled_with_its_name():
    model = MLP(3, [4, 4, 2], seed=0)
    for name, p in model.named_parameters():
        assert p.label == name
    assert model.layers[0].neurons[3].w[1].label == "layers.0.neurons.3.w.1"
    assert model.layers[2].neurons[1].b.label == "layers.2.neurons.1.b"


@pytest.mark.parametrize(
    "module, names",
    [
        (Neuron(2, seed=0), ["w.0", "w.1", "b"]),
        (Layer(1, 2, seed=0), ["neurons.0.w.0", "neurons.0.b", "neurons.1.w.0", "neurons.1.b"]),
    ],
    ids=["neuron", "layer"],
)
def test_standalone_modules_name_from_their_own_root(module, names):
    assert [name for name, _ in module.named_parameters()] == names
    assert [p.label for p in module.parameters()] == names


class TwoHeads(Module):
    """A user module holding an MLP and a bare parameter, to check the generic walk."""

    def __init__(self):
        self.body = MLP(2, [2, 1], seed=0)
        self.scale = Value(1.0)
        self.heads = [Neuron(1, "linear", seed=1), Neuron(1, "tanh", seed=2)]
        self.note = "not a parameter"
        self._private = Value(5.0)  # underscore attributes are never walked
        self.relabel()


def test_user_modules_are_walked_in_attribute_order_and_relabelled():
    model = TwoHeads()
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "body.layers.0.neurons.0.w.0"
    assert "scale" in names and names.index("scale") == len(model.body.parameters())
    assert names[-2:] == ["heads.1.w.0", "heads.1.b"]
    assert all(p.label == name for name, p in model.named_parameters())
    # The neurons' intermediate nodes carry the new path too.
    out = model.heads[1]([0.5])
    assert out.label == "heads.1.out"
    assert out.parents[0].label == "heads.1.sum"


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_repr_is_nested_and_compact():
    assert repr(MLP(2, [16, 16, 1], seed=0)) == (
        "MLP(2 -> 16 -> 16 -> 1, relu, 337 parameters) [\n"
        "  layers.0: Layer(2 -> 16, relu) [neurons.0-15: 16 x Neuron(2, relu)]\n"
        "  layers.1: Layer(16 -> 16, relu) [neurons.0-15: 16 x Neuron(16, relu)]\n"
        "  layers.2: Layer(16 -> 1, linear) [neurons.0: Neuron(16, linear)]\n"
        "]"
    )
    assert repr(Neuron(3, "tanh")) == "Neuron(3, tanh)"


def test_state_dict_round_trip_and_copy():
    source, target = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    state = source.state_dict()
    assert list(state) == [name for name, _ in source.named_parameters()]
    target.load_state_dict(state)
    assert target.state_dict() == state
    state["layers.0.neurons.0.b"] = 123.0  # the dict is a copy
    assert source.layers[0].neurons[0].b.data != 123.0


def _state(model, change):
    state = model.state_dict()
    change(state)
    return state


def _pop_first(s):
    s.pop(next(iter(s)))


@pytest.mark.parametrize(
    "change, error, message",
    [
        (_pop_first, ValueError, "missing 1 key(s): 'layers.0.neurons.0.w.0'"),
        (lambda s: s.update({"layers.9.b": 1.0}), ValueError, "unexpected 1 key(s): 'layers.9.b'"),
        (lambda s: s.update({"layers.1.neurons.0.b": "1.0"}), TypeError, "state['layers.1.neurons.0.b'] is str"),
        (lambda s: s.update({"layers.1.neurons.0.b": True}), TypeError, "is bool True"),
        (lambda s: s.update({"layers.1.neurons.0.b": math.nan}), ValueError, "is nan, expected a finite number"),
        (lambda s: s.update({"layers.1.neurons.0.b": -math.inf}), ValueError, "is -inf"),
        (
            lambda s: s.update({"layers.1.neurons.0.b": 10**400}),
            ValueError,
            "state['layers.1.neurons.0.b'] is int 1000000000000000000000000000... "
            "(401 characters), too large for a float",
        ),
        (
            lambda s: s.update({"layers.1.neurons.0.b": "7" * 10**6}),
            TypeError,
            "is str '777777777777777777777777777... (1000002 characters), expected a real number",
        ),
        (
            lambda s: s.update({"k" * 10**6: 1.0}),
            ValueError,
            "unexpected 1 key(s): 'kkkkkkkkkkkkkkkkkkkkkkkkkkk... (1000002",
        ),
    ],
    ids=["missing", "unexpected", "string", "bool", "nan", "inf", "400 digits", "a long string", "a long key"],
)
def test_load_state_dict_rejects_bad_states_and_changes_nothing(change, error, message):
    model = MLP(2, [4, 1], seed=1)
    before = model.state_dict()
    bad = _state(MLP(2, [4, 1], seed=7), change)  # different numbers, so a partial load would show
    with pytest.raises(error) as info:
        model.load_state_dict(bad)
    assert message in str(info.value) and len(str(info.value)) < 300
    assert model.state_dict() == before


def test_load_state_dict_names_the_shape_mismatch():
    model = MLP(2, [4, 1], seed=1)
    with pytest.raises(ValueError) as info:
        model.load_state_dict(MLP(2, [3, 1], seed=1).state_dict())
    text = str(info.value)
    assert "MLP(2 -> 4 -> 1, relu, 17 parameters)" in text and "the state has 13" in text
    assert "missing 4 key(s)" in text and "and " not in text.split("missing")[0]


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match="mapping"):
        MLP(2, [1], seed=0).load_state_dict([1.0, 2.0, 3.0])
