"""nn.to_torch / nn.from_torch: the same network in PyTorch, outputs and gradients equal in float64 (needs torch)."""

from __future__ import annotations

import random

import pytest

from autograd_core import Value
from nn import MLP, Layer, Neuron, from_torch, hinge_loss, to_torch
from nn.layers import ACTIVATIONS

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

POINTS = [[random.Random(i).uniform(-2, 2), random.Random(i + 100).uniform(-2, 2)] for i in range(6)]


def outputs_and_gradients(model, X):
    """Our outputs (a row per example) and d sum(outputs) / d weight, weight by weight in parameter order."""
    model.zero_grad()
    rows = []
    for x in X:
        out = model(x)
        out = out if isinstance(out, list) else [out]
        rows.append([o.data for o in out])
        Value.sum(out).backward()
    return rows, [p.grad for p in model.parameters()]


def torch_gradients(sequential):
    """The gradients in the Linear layers, in nn's parameter order: a neuron's weights, then its bias."""
    grads = []
    for linear in (m for m in sequential if isinstance(m, torch.nn.Linear)):
        for row, b in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist()):
            grads.extend([*row, b])
    return grads


def torch_outputs_and_gradients(sequential, X):
    out = sequential(torch.tensor(X, dtype=torch.float64))
    out.sum().backward()
    return out.detach().tolist(), torch_gradients(sequential)


CASES = [
    ("MLP relu", lambda: MLP(2, [8, 8, 1], seed=1)),
    (
        "MLP tanh, tanh output (the lecture's)",
        lambda: MLP(2, [4, 4, 1], activation="tanh", output_activation="tanh", seed=2),
    ),
    ("MLP sigmoid, 3 outputs", lambda: MLP(2, [5, 3], activation="sigmoid", seed=3)),
    ("MLP linear", lambda: MLP(2, [3, 2], activation="linear", seed=4)),
    ("Layer", lambda: Layer(2, 4, "tanh", seed=5)),
    ("Neuron", lambda: Neuron(2, "relu", seed=6)),
]


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_to_torch_gives_the_same_outputs_and_gradients(make):
    model = make()
    ours, our_grads = outputs_and_gradients(model, POINTS)
    theirs, their_grads = torch_outputs_and_gradients(to_torch(model), POINTS)
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    assert our_grads == pytest.approx(their_grads, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output_activation", ACTIVATIONS)
def test_from_torch_round_trips(activation, output_activation):
    model = MLP(2, [4, 3, 2], activation=activation, output_activation=output_activation, seed=7)
    back = from_torch(to_torch(model))
    assert repr(back) == repr(model)
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    assert [p.label for p in back.parameters()] == [p.label for p in model.parameters()]


def test_from_torch_of_a_torch_model_trains_the_same_step():
    torch.manual_seed(0)
    sequential = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1)).double()
    model = from_torch(sequential)
    X, y = POINTS, [1.0, -1.0, 1.0, 1.0, -1.0, -1.0]
    loss = hinge_loss([model(x) for x in X], y)
    loss.backward()
    out = sequential(torch.tensor(X, dtype=torch.float64))[:, 0]
    loss_t = torch.relu(1 - torch.tensor(y, dtype=torch.float64) * out).mean()
    loss_t.backward()
    assert loss.data == pytest.approx(loss_t.item(), rel=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx(torch_gradients(sequential), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    "modules, error, message",
    [
        (lambda nn: [nn.ReLU()], ValueError, r"module 0 \(ReLU\) must follow a Linear"),
        (
            lambda nn: [nn.Linear(2, 3), nn.Linear(4, 1)],
            ValueError,
            r"module 1 takes 4 inputs but the layer before gives 3",
        ),
        (lambda nn: [nn.Linear(2, 3), nn.Dropout()], TypeError, r"module 1 is Dropout"),
        (
            lambda nn: [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)],
            ValueError,
            r"hidden layers' activations differ \(relu, tanh\)",
        ),
        (lambda nn: [], ValueError, r"no Linear layer"),
    ],
)
def test_from_torch_refuses_what_an_mlp_cannot_be(modules, error, message):
    with pytest.raises(error, match=message):
        from_torch(torch.nn.Sequential(*modules(torch.nn)))


def test_to_torch_refuses_other_modules():
    with pytest.raises(TypeError, match="to_torch takes an nn MLP, Layer or Neuron, got str"):
        to_torch("model")


def test_from_torch_refuses_a_model_over_max_parameters_before_reading_a_weight():
    """Issue 18: a huge Linear was converted weight by weight (a Value each) with no limit."""
    import time

    from nn.pytorch import MAX_PARAMETERS

    huge = torch.nn.Sequential(torch.nn.Linear(2000, 1000))  # 2,001,000 parameters
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"2,001,000 parameters, more than max_parameters=1,000,000"):
        from_torch(huge)
    assert time.perf_counter() - started < 1.0  # counted, not converted
    assert MAX_PARAMETERS == 1_000_000
    small = torch.nn.Sequential(torch.nn.Linear(3, 2))
    with pytest.raises(ValueError, match="8 parameters, more than max_parameters=7"):
        from_torch(small, max_parameters=7)
    assert len(from_torch(small, max_parameters=8).parameters()) == 8
