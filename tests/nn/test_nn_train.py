"""The training loop: it learns, records its history, is reproducible, and checks its arguments."""

from __future__ import annotations

import pytest

from autograd_core import Value
from nn import (MLP, SGD, Adam, accuracy, batch_loss, cross_entropy, evaluate, fit, hinge_loss, make_spiral,
                make_xor, predicted_class, signed_labels)


def test_fit_learns_xor_to_full_accuracy():
    X, y = make_xor(24, seed=0)
    labels = signed_labels(y)
    model = MLP(2, [8, 1], seed=0)
    history = fit(model, X, labels, Adam(model.parameters(), lr=0.05), steps=60, l2=1e-4)
    assert len(history.loss) == len(history.accuracy) == len(history.lr) == 60
    assert history.loss[-1] < 0.25 * history.loss[0]
    assert history.accuracy[-1] == 1.0
    assert evaluate(model, X, labels) == 1.0
    assert evaluate(model, X, y) == 1.0  # 0/1 labels are read the same way


def test_fit_with_cross_entropy_on_three_classes_lowers_the_loss():
    X, y = make_spiral(30, n_classes=3, seed=0)
    model = MLP(2, [8, 3], seed=0)
    history = fit(model, X, y, Adam(model.parameters(), lr=0.05), steps=15, loss_fn=cross_entropy)
    assert history.loss[-1] < history.loss[0]
    assert 0.0 <= history.accuracy[-1] <= 1.0


def test_minibatches_are_seeded_and_the_schedule_is_applied():
    X, y = make_xor(20, seed=1)
    labels = signed_labels(y)

    def run(seed):
        model = MLP(2, [4, 1], seed=0)
        opt = SGD(model.parameters(), lr=0.1)
        return fit(model, X, labels, opt, steps=5, batch_size=4, seed=seed, lr_schedule=lambda k: 0.1 / (k + 1))

    a, b, c = run(3), run(3), run(4)
    assert a.loss == b.loss and a.loss != c.loss
    assert a.lr == pytest.approx([0.1, 0.05, 0.1 / 3, 0.025, 0.02])
    assert all(acc in (0.0, 0.25, 0.5, 0.75, 1.0) for acc in a.accuracy)  # batches of 4


def test_on_step_sees_every_step():
    X, y = make_xor(8, seed=1)
    model = MLP(2, [3, 1], seed=0)
    seen = []
    history = fit(model, X, signed_labels(y), SGD(model.parameters(), lr=0.1), steps=4,
                  on_step=lambda step, loss, acc: seen.append((step, loss, acc)))
    assert seen == list(zip(range(4), history.loss, history.accuracy))


def test_batch_loss_adds_the_l2_penalty():
    model = MLP(2, [3, 1], seed=0)
    params = model.parameters()
    X, labels = [[0.5, -1.0], [1.0, 2.0]], [1, -1]
    plain, scores = batch_loss(model, X, labels, hinge_loss, 0.0, params)
    with_l2, _ = batch_loss(model, X, labels, hinge_loss, 0.01, params)
    assert with_l2.data == pytest.approx(plain.data + 0.01 * sum(p.data ** 2 for p in params), rel=1e-12)
    assert len(scores) == 2 and all(isinstance(s, Value) for s in scores)


@pytest.mark.parametrize("scores, labels, expected", [
    ([0.5, -0.2, 0.1, -3.0], [1, -1, -1, -1], 0.75),
    ([0.5, -0.2, 0.1, -3.0], [1, 0, 0, 0], 0.75),
    ([0.0], [1], 0.0),  # a score of exactly 0 is the negative class
    ([[0.1, 0.9, 0.3], [2.0, 1.0, 0.0]], [1, 2], 0.5),
])
def test_accuracy(scores, labels, expected):
    as_values = [[Value(v) for v in s] if isinstance(s, list) else Value(s) for s in scores]
    assert accuracy(as_values, labels) == expected


def test_predicted_class():
    assert predicted_class(Value(0.3)) == 1 and predicted_class(Value(-0.3)) == 0
    assert predicted_class([Value(1.0), Value(3.0), Value(2.0)]) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": -1}, "steps must be an int >= 0"),
    ({"batch_size": 0}, "batch_size must be None or an int from 1 to 4"),
    ({"batch_size": 5}, "batch_size must be None or an int from 1 to 4"),
    ({"y": [1, -1]}, "as many labels as examples"),
])
def test_fit_checks_its_arguments(kwargs, message):
    model = MLP(2, [2, 1], seed=0)
    args = {"X": [[0.0, 1.0]] * 4, "y": [1, -1, 1, -1], **kwargs}
    with pytest.raises(ValueError, match=message):
        fit(model, args.pop("X"), args.pop("y"), SGD(model.parameters(), lr=0.1), **args)


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("fails", [False, True])
def test_fit_restores_the_garbage_collector_state(enabled, fails):
    import gc

    def loss_fn(scores, labels):
        if fails:
            raise RuntimeError("broken loss")
        return hinge_loss(scores, labels)

    model = MLP(2, [2, 1], seed=0)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        if fails:
            with pytest.raises(RuntimeError, match="broken loss"):
                fit(model, [[0.0, 1.0]], [1], SGD(model.parameters(), lr=0.1), steps=2, loss_fn=loss_fn)
        else:
            fit(model, [[0.0, 1.0]], [1], SGD(model.parameters(), lr=0.1), steps=2, loss_fn=loss_fn)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
