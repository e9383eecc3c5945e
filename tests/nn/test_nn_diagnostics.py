"""Gradient-health diagnostics: each measure against a hand computation, on layers found through named_modules."""

from __future__ import annotations

import math

import pytest

from autograd_core import Value
from nn import MLP, SGD, Layer, Neuron, diagnose, hinge_loss, make_moons, signed_labels
from nn.diagnostics import dead_relu_fraction, gradient_norms, layers_of, saturated_fraction, update_ratios

X, Y = make_moons(12, noise=0.1, seed=0)
LABELS = signed_labels(Y)


def backward_on_a_batch(model):
    loss = hinge_loss([model(x) for x in X], LABELS)
    model.zero_grad()
    loss.backward()
    return loss


def test_layer_outputs_are_each_layers_values_and_end_with_the_output():
    model = MLP(2, [4, 3, 1], "tanh", seed=0)
    outputs = model.layer_outputs([0.3, -0.2])
    assert [len(values) for values in outputs] == [4, 3, 1]
    assert outputs[-1][0].data == model([0.3, -0.2]).data
    assert outputs[1][0].parents[0].parents  # a graph, so it can be differentiated


def test_layers_are_found_by_named_modules_in_order():
    model = MLP(2, [4, 3, 1], seed=0)
    assert layers_of(model) == list(zip(["layers.0", "layers.1", "layers.2"], model.layers))
    layer = Layer(2, 3)
    assert layers_of(layer) == [("layer", layer)]


def test_gradient_norms_per_layer():
    model = MLP(2, [4, 3, 1], seed=0)
    backward_on_a_batch(model)
    norms = gradient_norms(model)
    for layer, (_name, norm) in zip(model.layers, norms.items()):
        assert norm == pytest.approx(math.sqrt(sum(p.grad**2 for p in layer.parameters())), rel=1e-15)
    assert all(norm > 0 for norm in norms.values())


def test_update_ratio_after_an_sgd_step_is_lr_times_the_gradient_over_the_weights():
    model = MLP(2, [4, 1], seed=0)
    backward_on_a_batch(model)
    before = model.state_dict()
    SGD(model.parameters(), lr=0.01).step()
    ratios = update_ratios(model, before)
    for layer, (name, ratio) in zip(model.layers, ratios.items()):
        grads = [p.grad for p in layer.parameters()]
        weights = [before[name] for name, _ in layer.named_parameters(name)]
        expected = 0.01 * math.sqrt(sum(g * g for g in grads)) / math.sqrt(sum(w * w for w in weights))
        assert ratio == pytest.approx(expected, rel=1e-9)


def test_a_relu_unit_is_dead_when_it_is_zero_on_every_example():
    model = MLP(2, [4, 1], seed=0)
    neurons = model.layers[0].neurons
    neurons[1].b.data = -100.0  # never active on these points
    neurons[3].b.data = -100.0
    assert dead_relu_fraction(model, X) == {"layers.0": 0.5}
    neurons[1].b.data = 100.0
    assert dead_relu_fraction(model, X) == {"layers.0": 0.25}


@pytest.mark.parametrize(
    "activation, bias, expected",
    [
        ("tanh", 0.0, 0.0),  # small weights: in the linear middle
        ("tanh", 100.0, 1.0),  # every output at +1
        ("sigmoid", -100.0, 1.0),
        ("sigmoid", 0.0, 0.0),
    ],
)
def test_saturated_fraction(activation, bias, expected):
    layer = Layer(2, 3, activation, seed=0)
    for neuron in layer.neurons:
        neuron.w[0].data, neuron.w[1].data, neuron.b.data = 0.01, -0.01, bias
    assert saturated_fraction(layer, X) == {"layer": expected}


def test_saturation_is_a_slope_below_five_percent_of_the_largest():
    layer = Layer(1, 2, "tanh")
    for neuron, z in zip(layer.neurons, [math.atanh(math.sqrt(0.94)), math.atanh(math.sqrt(0.96))]):
        neuron.w[0].data, neuron.b.data = 0.0, z  # slopes 0.06 and 0.04
    assert saturated_fraction(layer, [[0.0]]) == {"layer": 0.5}


def test_diagnose_gathers_the_four_measures():
    model = MLP(2, [4, 4, 1], "tanh", seed=0)
    backward_on_a_batch(model)
    before = model.state_dict()
    SGD(model.parameters(), lr=0.1).step()
    found = diagnose(model, X, before)
    assert found.grad_norm == gradient_norms(model)
    assert found.update_ratio == update_ratios(model, before)
    assert found.saturated == saturated_fraction(model, X) and list(found.saturated) == ["layers.0", "layers.1"]
    assert found.dead_relu == {}  # no ReLU layers; the last layer is linear and in neither
    assert diagnose(model, X).update_ratio == {}


def test_diagnostics_name_what_they_cannot_measure():
    with pytest.raises(TypeError, match="diagnostics need an nn Module, got Value"):
        gradient_norms(Value(1.0))
    with pytest.raises(ValueError, match=r"Neuron\(2, relu\) has no Layer inside it"):
        gradient_norms(Neuron(2))
