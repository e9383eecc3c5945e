"""Gradients of every loss and of whole networks: against central finite differences, and against
PyTorch in float64 with the same weights (skipped where torch is not installed)."""

from __future__ import annotations

import math
import random

import pytest
from helpers import central_difference, close
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_core import Value, no_grad
from nn import MLP, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss


def finite_difference_grads(loss_of, values: list[Value]) -> list[float]:
    """d loss / d v for each leaf v, by central differences on v.data (loss recomputed each time)."""
    grads = []
    for v in values:
        original = v.data

        def f(t, v=v):
            v.data = t
            with no_grad():
                return loss_of().data

        grads.append(central_difference(f, original))
        v.data = original
    return grads


def assert_grads_match(loss_of, values: list[Value], rel: float = 1e-6, abs_: float = 1e-8) -> None:
    for v in values:
        v.grad = 0.0
    loss_of().backward()
    numeric = finite_difference_grads(loss_of, values)
    for i, (v, n) in enumerate(zip(values, numeric)):
        assert close(v.grad, n, rel=rel, abs_=abs_), f"value {i} ({v.label}): backward {v.grad!r}, numeric {n!r}"


# Scores kept away from the hinge's kink at y*s = 1 and relu's kink at 0.
SCORES = [0.3, -1.7, 2.2, 0.05, -0.4]
SIGNED = [1, -1, -1, 1, 1]
BINARY = [1, 0, 0, 1, 1]
LOSS_CASES = [
    ("mse", lambda s: mse_loss(s, [0.5, -1.0, 2.0, 0.0, 3.0])),
    ("mse sum", lambda s: mse_loss(s, [0.5, -1.0, 2.0, 0.0, 3.0], reduction="sum")),
    ("hinge", lambda s: hinge_loss(s, SIGNED)),
    ("bce", lambda s: binary_cross_entropy(s, BINARY)),
    ("bce soft labels", lambda s: binary_cross_entropy(s, [0.2, 0.9, 0.5, 1.0, 0.0])),
    ("cross entropy one", lambda s: cross_entropy(s, 2)),
    ("cross entropy batch", lambda s: cross_entropy([s[:3], s[2:]], [0, 1])),
]


@pytest.mark.parametrize("name, loss", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_gradients_match_finite_differences(name, loss):
    scores = [Value(s, f"s{i}") for i, s in enumerate(SCORES)]
    assert_grads_match(lambda: loss(scores), scores)


@pytest.mark.parametrize("label", [0.0, 1.0, 0.3])
def test_bce_gradient_is_right_at_zero_logit(label):
    # sigmoid(0) - y: the max/abs form of the stable formula gets -y here.
    z = Value(0.0)
    binary_cross_entropy(z, label).backward()
    assert z.grad == pytest.approx(0.5 - label, abs=1e-15)


@pytest.mark.parametrize("z, y", [(800.0, 1), (800.0, 0), (-800.0, 1), (-800.0, 0), (40.0, 1)])
def test_bce_is_stable_for_huge_logits(z, y):
    logit = Value(z)
    loss = binary_cross_entropy(logit, y)
    loss.backward()
    sigmoid = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    assert loss.data == pytest.approx(max(z, 0) - z * y + math.log1p(math.exp(-abs(z))), rel=1e-12)
    assert logit.grad == pytest.approx(sigmoid - y, abs=1e-15)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = [Value(1000.0), Value(999.0), Value(-1000.0)]
    loss = cross_entropy(logits, 1)
    loss.backward()
    e = [1.0, math.exp(-1.0), 0.0]
    assert loss.data == pytest.approx(math.log(sum(e)) + 1.0, rel=1e-12)
    assert [z.grad for z in logits] == pytest.approx([e[0] / sum(e), e[1] / sum(e) - 1.0, 0.0], abs=1e-15)


ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_network_gradients_match_finite_differences(activation):
    model = MLP(3, [4, 3, 2], activation=activation, seed=3)
    rng = random.Random(0)
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]
    labels = [0, 1, 1, 0]

    def loss_of():
        return cross_entropy([model(x) for x in X], labels) + 1e-2 * sum(p * p for p in model.parameters())

    assert_grads_match(loss_of, model.parameters(), rel=1e-5, abs_=1e-7)


def test_network_input_gradients_match_finite_differences():
    model = MLP(2, [5, 1], activation="tanh", seed=4)
    x = [Value(0.3, "x0"), Value(-0.8, "x1")]
    assert_grads_match(lambda: model(x) * model(x), x)


# ------------------------------------------------------------------ PyTorch
def _torch_forward(torch, model: MLP, X):
    """The same MLP written with torch tensors in float64; returns (outputs, weight and bias tensors)."""
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda h: h}
    tensors = []
    h = torch.tensor(X, dtype=torch.float64)
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        tensors.append((W, b))
        h = act[layer.activation](h @ W.T + b)
    return h, tensors


def _ours_vs_torch_grads(model, tensors):
    for layer, (W, b) in zip(model.layers, tensors):
        for i, n in enumerate(layer.neurons):
            yield n.b.grad, b.grad[i].item()
            for j, w in enumerate(n.w):
                yield w.grad, W.grad[i, j].item()


TORCH_CASES = [
    (
        "hinge",
        1,
        lambda F, torch, out, y: torch.relu(1 - torch.tensor(y, dtype=torch.float64) * out[:, 0]).mean(),
        lambda outs, y: hinge_loss(outs, y),
        [1, -1, -1, 1, 1, -1],
    ),
    (
        "bce",
        1,
        lambda F, torch, out, y: F.binary_cross_entropy_with_logits(out[:, 0], torch.tensor(y, dtype=torch.float64)),
        lambda outs, y: binary_cross_entropy(outs, y),
        [1, 0, 0, 1, 1, 0],
    ),
    (
        "mse",
        1,
        lambda F, torch, out, y: F.mse_loss(out[:, 0], torch.tensor(y, dtype=torch.float64)),
        lambda outs, y: mse_loss(outs, y),
        [0.5, -1.0, 2.0, 0.0, 3.0, 1.5],
    ),
    (
        "cross entropy",
        3,
        lambda F, torch, out, y: F.cross_entropy(out, torch.tensor(y)),
        lambda outs, y: cross_entropy(outs, y),
        [0, 2, 1, 1, 0, 2],
    ),
]


@pytest.mark.torch
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("name, nout, torch_loss, our_loss, labels", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_network_loss_and_gradients_match_pytorch(activation, name, nout, torch_loss, our_loss, labels):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    model = MLP(2, [8, 8, nout], activation=activation, seed=5)
    rng = random.Random(1)
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in labels]

    outs = [model(x) for x in X]
    loss = our_loss(outs, labels)
    loss.backward()
    out_t, tensors = _torch_forward(torch, model, X)
    loss_t = torch_loss(F, torch, out_t, labels)
    loss_t.backward()

    assert loss.data == pytest.approx(loss_t.item(), rel=1e-12, abs=1e-15)
    for ours, theirs in _ours_vs_torch_grads(model, tensors):
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-13)


@pytest.mark.torch
@pytest.mark.parametrize("logits, target", [([3.0, -1.0, 0.5], 0), ([1000.0, 0.0, -1000.0], 2), ([0.0, 0.0], 1)])
def test_cross_entropy_matches_pytorch(logits, target):
    torch = pytest.importorskip("torch")
    z = [Value(v) for v in logits]
    loss = cross_entropy(z, target)
    loss.backward()
    zt = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt[None, :], torch.tensor([target]))
    lt.backward()
    assert loss.data == pytest.approx(lt.item(), rel=1e-12)
    assert [v.grad for v in z] == pytest.approx(zt.grad.tolist(), rel=1e-12, abs=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize("z", [-800.0, -3.0, 0.0, 2.5, 800.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_bce_matches_pytorch(z, y):
    torch = pytest.importorskip("torch")
    logit = Value(z)
    loss = binary_cross_entropy(logit, y)
    loss.backward()
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    lt = torch.nn.functional.binary_cross_entropy_with_logits(zt, torch.tensor(y, dtype=torch.float64))
    lt.backward()
    assert loss.data == pytest.approx(lt.item(), rel=1e-12, abs=1e-300)
    assert logit.grad == pytest.approx(zt.grad.item(), rel=1e-12, abs=1e-300)


def test_the_finite_difference_check_catches_a_wrong_derivative():
    from autograd_core import define_op

    @define_op(lambda x, out: 2.0 * x)  # wrong: d/dx x**3 is 3x**2
    def cube(x):
        return x**3

    x = [Value(1.5)]
    with pytest.raises(AssertionError, match="backward"):
        assert_grads_match(lambda: cube(x[0]), x)


# ------------------------------------------------------------- properties
LOGITS = st.floats(-30, 30, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(LOGITS, st.sampled_from([-1, 1]), st.floats(0, 1)), min_size=1, max_size=4))
def test_binary_loss_gradients_match_finite_differences_anywhere(rows):
    scores = [Value(s) for s, _, _ in rows]
    signed = [y for _, y, _ in rows]
    assume(all(abs(1 - y * s.data) > 1e-3 for s, y in zip(scores, signed)))  # off the hinge's kink
    assert_grads_match(lambda: hinge_loss(scores, signed), scores)
    assert_grads_match(lambda: binary_cross_entropy(scores, [p for _, _, p in rows]), scores, abs_=1e-7)


@settings(max_examples=40, deadline=None)
@given(st.lists(LOGITS, min_size=2, max_size=5), st.data())
def test_cross_entropy_gradient_is_softmax_minus_one_hot(logits, data):
    k = data.draw(st.integers(0, len(logits) - 1))
    z = [Value(v) for v in logits]
    cross_entropy(z, k).backward()
    m = max(logits)
    e = [math.exp(v - m) for v in logits]
    expected = [ei / sum(e) - (1.0 if j == k else 0.0) for j, ei in enumerate(e)]
    assert [v.grad for v in z] == pytest.approx(expected, rel=1e-9, abs=1e-12)
