"""Neuron, Layer, MLP: shapes of outputs, input checking, seeded init, activations and node labels."""

from __future__ import annotations

import math
import random

import pytest

from autograd_core import Value, topological_order
from nn import MLP, Layer, Neuron
from nn.layers import init_bound


@pytest.mark.parametrize(
    "module, x, message",
    [
        (MLP(2, [3, 1], seed=0), [1.0, 2.0, 3.0], "expects 2 inputs, got 3"),
        (MLP(2, [3, 1], seed=0), [], "expects 2 inputs, got 0"),
        (Layer(3, 2, seed=0), [1.0], "Layer(3 -> 2, relu) expects 3 inputs, got 1"),
        (Neuron(4, seed=0), [1.0] * 5, "Neuron(4, relu) expects 4 inputs, got 5"),
    ],
    ids=["mlp-long", "mlp-empty", "layer", "neuron"],
)
def test_wrong_input_length_names_expected_and_got(module, x, message):
    with pytest.raises(ValueError) as info:
        module(x)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "x, error, message",
    [
        ([1.0, "2"], TypeError, "input 1 is str '2', expected a number or a Value"),
        ([None, 1.0], TypeError, "input 0 is NoneType None"),
        (3.0, TypeError, "takes a list of 2 inputs, got float 3.0"),
        ("ab", TypeError, "takes a list of 2 inputs, got str"),
    ],
    ids=["string-item", "none-item", "bare-number", "string"],
)
def test_non_numeric_inputs_name_the_index(x, error, message):
    with pytest.raises(error) as info:
        MLP(2, [3, 1], seed=0)(x)
    assert message in str(info.value)


def test_inputs_may_be_numbers_or_values_and_give_the_same_output():
    model = MLP(2, [4, 1], seed=0)
    a = model([0.5, -1])
    x = [Value(0.5), Value(-1.0)]
    b = model(x)
    assert a.data == b.data
    b.backward()
    assert x[0].grad != 0.0  # gradients reach Value inputs


def test_output_shapes():
    assert isinstance(MLP(2, [3, 1], seed=0)([1, 2]), Value)
    out = MLP(2, [3, 4], seed=0)([1, 2])
    assert isinstance(out, list) and len(out) == 4
    single = Layer(2, 1, seed=0)([1, 2])
    assert isinstance(single, list) and len(single) == 1  # a Layer always returns a list
    assert isinstance(Neuron(2, seed=0)([1, 2]), Value)


def test_last_layer_is_linear_and_hidden_layers_use_the_activation():
    model = MLP(2, [3, 3, 2], activation="tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    assert [len(layer.neurons) for layer in model.layers] == [3, 3, 2]
    assert [layer.nin for layer in model.layers] == [2, 3, 3]


def test_the_last_layer_takes_its_own_activation():
    # micrograd's lecture: tanh on every layer, the last included.
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "tanh"]
    out = model([2.0, 3.0, -1.0])
    assert out.op.name == "tanh" and -1.0 < out.data < 1.0
    assert repr(model).startswith("MLP(3 -> 4 -> 4 -> 1, tanh, tanh output, 41 parameters)")
    assert repr(MLP(2, [1], seed=0)).startswith("MLP(2 -> 1, relu, 3 parameters)")  # linear output: not shown


def test_a_neuron_is_its_products_feeding_one_sum_node():
    neuron = Neuron(3, "tanh", seed=1)
    x = [Value(0.5, "a"), Value(-1.0, "b"), Value(2.0, "c")]
    out = neuron(x)
    (total,) = out.parents
    assert total.op.name == "sum" and len(total.parents) == 4
    *products, bias = total.parents
    assert bias is neuron.b
    assert [p.op.name for p in products] == ["*", "*", "*"]
    assert [p.parents for p in products] == [(w, xi) for w, xi in zip(neuron.w, x)]
    # one product and one sum per neuron, instead of a product and a partial sum per input
    assert len(topological_order(out)) == 3 + 3 + 3 + 1 + 1 + 1  # w, x, products, b, sum, out


@pytest.mark.parametrize(
    "activation, f",
    [
        ("relu", lambda s: max(s, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda s: 1 / (1 + math.exp(-s))),
        ("linear", lambda s: s),
    ],
)
@pytest.mark.parametrize("x", [[0.7, -0.2, 1.5], [-3.0, 2.0, -1.0]])
def test_neuron_computes_activation_of_w_dot_x_plus_b(activation, f, x):
    neuron = Neuron(3, activation, seed=2)
    neuron.b.data = 0.25
    s = sum(w.data * xi for w, xi in zip(neuron.w, x)) + 0.25
    assert neuron(x).data == pytest.approx(f(s), rel=1e-15, abs=1e-15)


def test_same_seed_same_weights_and_different_seeds_differ():
    assert MLP(2, [8, 1], seed=3).state_dict() == MLP(2, [8, 1], seed=3).state_dict()
    assert MLP(2, [8, 1], seed=3).state_dict() != MLP(2, [8, 1], seed=4).state_dict()
    # A shared Random advances: two models from one stream differ; re-seeding repeats them.
    rng = random.Random(9)
    first, second = MLP(2, [4, 1], seed=rng), MLP(2, [4, 1], seed=rng)
    assert first.state_dict() != second.state_dict()
    assert MLP(2, [4, 1], seed=random.Random(9)).state_dict() == first.state_dict()
    # seed=None draws from the global generator, so random.seed makes it repeatable.
    random.seed(5)
    a = MLP(2, [4, 1]).state_dict()
    random.seed(5)
    assert MLP(2, [4, 1]).state_dict() == a


@pytest.mark.parametrize(
    "nin, activation, bound",
    [
        (2, "relu", math.sqrt(3.0)),
        (16, "relu", math.sqrt(6 / 16)),
        (16, "tanh", math.sqrt(3 / 16)),
        (4, "linear", math.sqrt(3 / 4)),
        (4, "sigmoid", math.sqrt(3 / 4)),
    ],
)
def test_init_draws_weights_within_the_documented_bound(nin, activation, bound):
    assert init_bound(nin, activation) == pytest.approx(bound)
    layer = Layer(nin, 200, activation, seed=0)
    weights = [w.data for n in layer.neurons for w in n.w]
    assert all(-bound <= w <= bound for w in weights)
    assert max(weights) > 0.9 * bound and min(weights) < -0.9 * bound  # uses the whole range
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_init_draws_match_the_documented_order():
    rng = random.Random(11)
    expected = [rng.uniform(-math.sqrt(3.0), math.sqrt(3.0)) for _ in range(2 * 3)]  # relu, nin 2
    model = MLP(2, [3, 1], seed=11)
    assert [w.data for n in model.layers[0].neurons for w in n.w] == expected


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: Neuron(0), ValueError, "Neuron nin must be at least 1, got 0"),
        (lambda: Neuron(2.0), TypeError, "Neuron nin must be an int, got float 2.0"),
        (lambda: Neuron(2, "gelu"), ValueError, "activation must be one of relu, tanh, sigmoid, linear; got 'gelu'"),
        (lambda: MLP(2, [1], output_activation="softmax"), ValueError, "activation must be one of relu, tanh, sigmoid"),
        (lambda: Layer(2, 0), ValueError, "Layer nout must be at least 1"),
        (lambda: MLP(2, []), TypeError, "non-empty list of layer sizes"),
        (lambda: MLP(2, 16), TypeError, "non-empty list of layer sizes"),
        (lambda: MLP(2, [4, -1]), ValueError, "MLP nouts[1] must be at least 1, got -1"),
        (lambda: MLP(2, [4, 1], seed="0"), TypeError, "seed must be None, an int or a random.Random"),
    ],
)
def test_bad_construction_arguments(build, error, message):
    with pytest.raises(error) as info:
        build()
    assert message in str(info.value)


def test_intermediate_nodes_are_labelled_by_neuron_and_role():
    model = MLP(2, [2, 1], seed=0)
    out = model([0.5, -0.5])
    labels = {node.label for node in topological_order(out)}
    assert labels >= {
        "x[0]",
        "x[1]",
        "layers.0.neurons.1.w.0",
        "layers.0.neurons.1.wx.0",
        "layers.0.neurons.1.wx.1",
        "layers.0.neurons.1.sum",
        "layers.0.neurons.1.out",
        "layers.1.neurons.0.wx.1",
        "layers.1.neurons.0.out",
    }
    assert out.label == "layers.1.neurons.0.out"  # a linear neuron's last sum is its output
    relu_out = model.layers[0].neurons[0]([0.5, -0.5])
    assert relu_out.op.name == "relu" and relu_out.parents[0].label == "layers.0.neurons.0.sum"
    unlabelled = [n for n in topological_order(out) if not n.label]
    assert unlabelled == []


def test_labels_are_shared_strings_not_built_per_node():
    neuron = MLP(2, [3, 1], seed=0).layers[0].neurons[2]
    a, b = neuron([1.0, 2.0]), neuron([3.0, 4.0])
    assert a.label is b.label
    sums = [n for n in topological_order(a) + topological_order(b) if n.label.endswith(".sum")]
    assert len(sums) == 2 and all(s.label is sums[0].label for s in sums)  # one sum node per call
    products = [n for n in topological_order(a) + topological_order(b) if n.op is not None and n.op.name == "*"]
    assert [p.label for p in products] == ["layers.0.neurons.2.wx.0", "layers.0.neurons.2.wx.1"] * 2
    assert products[0].label is products[2].label
