"""place_of: every node nn makes says which neuron and layer it belongs to and what it is there."""

from __future__ import annotations

import copy
import pickle

import pytest

from autograd_core import Value, topological_order
from nn import MLP, Layer, Module, Neuron, place_of
from nn.places import Place, Role


def test_every_node_of_an_mlp_has_its_place():
    model = MLP(2, [3, 1], seed=0)
    out = model([0.5, -0.5])
    places = {node.label: place_of(node) for node in topological_order(out)}
    assert places["x[1]"] == Place(Role.INPUT, 1, None, None, "x[1]")
    assert places["layers.0.neurons.2.w.1"] == Place(
        Role.WEIGHT, 1, "layers.0.neurons.2", "layers.0", "layers.0.neurons.2.w.1"
    )
    assert places["layers.0.neurons.2.wx.1"].role is Role.PRODUCT
    assert places["layers.0.neurons.2.wx.1"].index == 1
    assert places["layers.1.neurons.0.b"].role is Role.BIAS
    assert places["layers.0.neurons.0.sum"].role is Role.SUM
    assert places["layers.0.neurons.0.out"].role is Role.OUTPUT
    assert place_of(out).role is Role.OUTPUT  # a linear neuron: its sum is its output
    assert all(place is not None for place in places.values())


def test_the_module_paths_are_the_modules_own_names():
    model = MLP(2, [3, 2], seed=0)
    modules = dict(model.named_modules())
    for out in model([0.5, -0.5]):
        for node in topological_order(out):
            place = place_of(node)
            if place.role is Role.INPUT:
                continue
            assert isinstance(modules[place.neuron], Neuron)
            assert isinstance(modules[place.layer], Layer)
            assert place.path.startswith(place.neuron + ".")


def test_names_within_a_neuron_and_a_layer():
    model = MLP(2, [3, 1], seed=0)
    place = place_of(model.layers[0].neurons[2].w[1])
    assert place.name == "w.1"
    assert place.name_within("layers.0") == "neurons.2.w.1"
    assert place.name_within("layers.1") == "layers.0.neurons.2.w.1"  # not inside it: the full name
    products = [
        place_of(n) for n in topological_order(Neuron(2, seed=0)([1.0, 2.0])) if place_of(n).role is Role.PRODUCT
    ]
    assert sorted(p.name for p in products) == ["wx.0", "wx.1"]


def test_order_is_reading_order():
    model = MLP(2, [12, 1], seed=0)
    places = [place_of(p) for p in model.parameters()]
    assert all(a.order < b.order for a, b in zip(places, places[1:]))  # named_parameters is reading order
    paths = [p.path for p in sorted(places, key=lambda p: p.path)]  # as text, neurons.10 sorts before neurons.2
    assert paths.index("layers.0.neurons.10.w.0") < paths.index("layers.0.neurons.2.w.0")


def test_a_neuron_alone_and_a_neuron_in_a_user_module():
    neuron = Neuron(2, "tanh", seed=0)
    out = neuron([1.0, 2.0])
    assert place_of(out) == Place(Role.OUTPUT, None, "", None, "out")
    assert place_of(neuron.w[0]).name == "w.0"

    class Heads(Module):
        def __init__(self):
            self.heads = [Neuron(1, "linear", seed=1), Neuron(1, "tanh", seed=2)]
            self.relabel()

    model = Heads()
    place = place_of(model.heads[1]([0.5]))
    assert (place.neuron, place.layer, place.name) == ("heads.1", None, "out")


def test_relabelling_moves_the_places():
    layer = Layer(2, 2, seed=0)
    assert place_of(layer.neurons[1].b) == Place(Role.BIAS, None, "neurons.1", "", "neurons.1.b")
    layer.relabel("encoder")
    assert place_of(layer.neurons[1].b) == Place(Role.BIAS, None, "encoder.neurons.1", "encoder", "encoder.neurons.1.b")
    assert place_of(layer([1.0, 2.0])[1]).neuron == "encoder.neurons.1"


def test_plain_labels_have_no_place():
    assert place_of(Value(1.0, "b")) is None
    assert place_of(Value(1.0, "layers.0.neurons.0.out")) is None  # looks like nn's, but nn did not make it
    assert place_of(Value(1.0)) is None


def test_labels_are_plain_strings_and_the_place_is_the_nodes_slot():
    model = MLP(2, [2, 1], seed=0)
    out = model([0.5, -0.5])
    for node in topological_order(out):
        assert type(node.label) is str
        assert node.place is place_of(node) and isinstance(node.place, Place)
    assert Value(1.0).place is None


def test_places_survive_copies_and_pickles():
    model = MLP(2, [2, 1], seed=0)
    w = model.layers[0].neurons[1].w[0]
    out = model([0.5, -0.5])
    for copied in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert place_of(copied.layers[0].neurons[1].w[0]) == place_of(w)
    for copied in (pickle.loads(pickle.dumps(out)), copy.deepcopy(out)):
        assert [place_of(n) for n in topological_order(copied)] == [place_of(n) for n in topological_order(out)]


def test_one_place_per_module_role_shared_by_every_forward_pass():
    neuron = Neuron(2, seed=0)
    first, second = neuron([1.0, 2.0]), neuron([3.0, 4.0])
    assert first.place is second.place
    assert first.parents[0].place is second.parents[0].place  # the sum
    x0 = neuron([5.0, 6.0]).parents[0].parents[0].parents[1]  # out <- sum <- wx.0 = w.0 * x[0]
    assert x0.place is first.parents[0].parents[0].parents[1].place and x0.place.path == "x[0]"


def test_the_place_is_not_in_the_label():
    w = MLP(2, [2, 1], seed=0).layers[0].neurons[1].w[0]
    assert place_of(Value(w.data, w.label)) is None  # nn's label on a node nn did not make
    w.label = "my weight"  # a user's label: the node still sits where it sits
    assert place_of(w).path == "layers.0.neurons.1.w.0" and w.label == "my weight"


def test_relabelling_in_a_module_that_places_nothing_clears_the_place():
    neuron = Neuron(1, seed=0)

    class Shared(Module):
        def __init__(self):
            self.weights = [neuron.w[0]]
            self.relabel()

    Shared()
    assert neuron.w[0].label == "weights.0" and place_of(neuron.w[0]) is None
    neuron.relabel()
    assert neuron.w[0].label == "w.0" and place_of(neuron.w[0]).role is Role.WEIGHT


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_one_output_per_neuron_call(activation):
    out = Neuron(2, activation, seed=0)([1.0, -1.0])
    roles = [place_of(n).role for n in topological_order(out)]
    assert roles.count(Role.OUTPUT) == 1 and roles[-1] is Role.OUTPUT
