"""The training loop: it learns; epochs, batches, validation, the stopping rule; loud failures; argument checks."""

from __future__ import annotations

import importlib.util
import inspect
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import require_tool

from autograd_core import Value
from autograd_core.modes import is_grad_enabled
from nn import (
    MLP,
    SGD,
    Adam,
    Stopping,
    TrainingDivergedError,
    cross_entropy,
    diagnose,
    evaluate,
    fit,
    hinge_loss,
    make_moons,
    make_spiral,
    mse_loss,
    signed_labels,
    train_step,
)
from nn.compiled import fit_compiled
from nn.data import make_xor
from nn.train import accuracy, batch_loss, evaluate_loss, predicted_class


def test_fit_learns_xor_to_full_accuracy():
    X, y = make_xor(24, seed=0)
    labels = signed_labels(y)
    model = MLP(2, [8, 1], seed=0)
    history = fit(model, X, labels, hinge_loss, Adam(model.parameters(), lr=0.05, weight_decay=2e-4), steps=60)
    assert len(history.loss) == len(history.accuracy) == len(history.lr) == 60
    assert history.loss[-1] < 0.25 * history.loss[0]
    assert history.accuracy[-1] == 1.0
    assert evaluate(model, X, labels) == 1.0
    assert evaluate(model, X, y) == 1.0  # 0/1 labels are read the same way


def test_fit_with_cross_entropy_on_three_classes_lowers_the_loss():
    X, y = make_spiral(30, n_classes=3, seed=0)
    model = MLP(2, [8, 3], seed=0)
    history = fit(model, X, y, cross_entropy, Adam(model.parameters(), lr=0.05), steps=15)
    assert history.loss[-1] < history.loss[0]
    assert 0.0 <= history.accuracy[-1] <= 1.0


def test_minibatches_are_seeded_and_the_schedule_is_applied():
    X, y = make_xor(20, seed=1)
    labels = signed_labels(y)

    def run(seed):
        model = MLP(2, [4, 1], seed=0)
        opt = SGD(model.parameters(), lr=0.1)
        return fit(
            model, X, labels, hinge_loss, opt, steps=5, batch_size=4, seed=seed, lr_schedule=lambda k: 0.1 / (k + 1)
        )

    a, b, c = run(3), run(3), run(4)
    assert a.loss == b.loss and a.loss != c.loss
    assert a.lr == pytest.approx([0.1, 0.05, 0.1 / 3, 0.025, 0.02])
    assert all(acc in (0.0, 0.25, 0.5, 0.75, 1.0) for acc in a.accuracy)  # batches of 4


def test_on_step_sees_every_step():
    X, y = make_xor(8, seed=1)
    model = MLP(2, [3, 1], seed=0)
    seen = []
    history = fit(
        model,
        X,
        signed_labels(y),
        hinge_loss,
        SGD(model.parameters(), lr=0.1),
        steps=4,
        on_step=lambda step, loss, acc: seen.append((step, loss, acc)),
    )
    assert seen == list(zip(range(4), history.loss, history.accuracy))


def test_batch_loss_is_the_loss_of_the_models_scores():
    model = MLP(2, [3, 1], seed=0)
    X, labels = [[0.5, -1.0], [1.0, 2.0]], [1, -1]
    loss, scores = batch_loss(model, X, labels, hinge_loss)
    assert loss.data == hinge_loss([model(x) for x in X], labels).data
    assert len(scores) == 2 and all(isinstance(s, Value) for s in scores)


def test_train_step_is_forward_zero_grad_backward_update():
    model = MLP(2, [3, 1], seed=0)
    X, labels = [[0.5, -1.0], [1.0, 2.0]], [1, -1]
    for p in model.parameters():
        p.grad = 5.0  # stale gradients, which zero_grad must clear
    before = [p.data for p in model.parameters()]
    expected = hinge_loss([model(x) for x in X], labels)
    model.zero_grad()
    expected.backward()
    grads = [p.grad for p in model.parameters()]
    loss, _ = train_step(model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.1))
    assert loss.data == expected.data
    assert [p.grad for p in model.parameters()] == grads
    assert [p.data for p in model.parameters()] == [w - 0.1 * g for w, g in zip(before, grads)]


@pytest.mark.parametrize(
    "scores, labels, expected",
    [
        ([0.5, -0.2, 0.1, -3.0], [1, -1, -1, -1], 0.75),
        ([0.5, -0.2, 0.1, -3.0], [1, 0, 0, 0], 0.75),
        ([0.0], [1], 0.0),  # a score of exactly 0 is the negative class
        ([[0.1, 0.9, 0.3], [2.0, 1.0, 0.0]], [1, 2], 0.5),
    ],
)
def test_accuracy(scores, labels, expected):
    as_values = [[Value(v) for v in s] if isinstance(s, list) else Value(s) for s in scores]
    assert accuracy(as_values, labels) == expected


def test_predicted_class():
    assert predicted_class(Value(0.3)) == 1 and predicted_class(Value(-0.3)) == 0
    assert predicted_class([Value(1.0), Value(3.0), Value(2.0)]) == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": -1}, "steps must be an int >= 0"),
        ({"batch_size": 0}, "batch_size must be None or an int from 1 to 4"),
        ({"batch_size": 5}, "batch_size must be None or an int from 1 to 4"),
        ({"y": [1, -1]}, "as many labels as examples"),
    ],
)
def test_fit_checks_its_arguments(kwargs, message):
    model = MLP(2, [2, 1], seed=0)
    args = {"X": [[0.0, 1.0]] * 4, "y": [1, -1, 1, -1], **kwargs}
    with pytest.raises(ValueError, match=message):
        fit(model, args.pop("X"), args.pop("y"), hinge_loss, SGD(model.parameters(), lr=0.1), **args)


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
                fit(model, [[0.0, 1.0]], [1], loss_fn, SGD(model.parameters(), lr=0.1), steps=2)
        else:
            fit(model, [[0.0, 1.0]], [1], loss_fn, SGD(model.parameters(), lr=0.1), steps=2)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# ------------------------------------------------------------------ epochs and batches
class Recorder:
    """A model for fit that records which examples each forward pass saw (fit's model interface is generic)."""

    def __init__(self, model):
        self.model, self.seen = model, []

    def __call__(self, x):
        self.seen.append(tuple(x))
        return self.model(x)

    def parameters(self):
        return self.model.parameters()


def ten_points():
    X, y = make_xor(10, seed=3)
    return X, signed_labels(y)


@pytest.mark.parametrize(
    "batch_size, steps_per_epoch, sizes",
    [
        (None, 1, [10]),
        (3, 4, [3, 3, 3, 1]),  # the last batch of an epoch is what is left
        (5, 2, [5, 5]),
        (1, 10, [1] * 10),
    ],
)
def test_an_epoch_sees_every_example_once_in_batches(batch_size, steps_per_epoch, sizes):
    X, labels = ten_points()
    model = Recorder(MLP(2, [3, 1], seed=0))
    history = fit(
        model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.05), epochs=3, batch_size=batch_size, seed=1
    )
    assert history.epochs == 3 and len(history.loss) == 3 * steps_per_epoch
    assert history.epoch_steps == [steps_per_epoch, 2 * steps_per_epoch, 3 * steps_per_epoch]
    epochs = [model.seen[i * 10 : (i + 1) * 10] for i in range(3)]
    assert all(sorted(seen) == sorted(map(tuple, X)) for seen in epochs)
    if batch_size is None:  # the full batch keeps the data's order
        assert all(seen == list(map(tuple, X)) for seen in epochs)
    else:  # shuffled, differently each epoch
        assert epochs[0] != epochs[1] != epochs[2]
    # The epoch means weight each batch by its size.
    first = history.loss[:steps_per_epoch]
    assert history.epoch_loss[0] == pytest.approx(sum(loss * n for loss, n in zip(first, sizes)) / 10, rel=1e-12)


def test_the_shuffle_is_seeded():
    X, labels = ten_points()

    def seen(seed):
        model = Recorder(MLP(2, [3, 1], seed=0))
        fit(model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.05), epochs=2, batch_size=4, seed=seed)
        return model.seen

    assert seen(7) == seen(7) != seen(8)


@pytest.mark.parametrize(
    "epochs, steps, ran_steps, ran_epochs, stopped_by, reason",
    [
        (3, None, 12, 3, "epochs", "ran all 3 epochs"),
        (None, 6, 6, 2, "steps", "took all 6 steps (in epoch 2, after 2 of its 4 batches)"),
        (None, 8, 8, 2, "steps", "took all 8 steps"),
        (2, 100, 8, 2, "epochs", "ran all 2 epochs"),
        (5, 5, 5, 2, "steps", "took all 5 steps (in epoch 2, after 1 of its 4 batches)"),
        (0, None, 0, 0, "epochs", "ran all 0 epochs"),
    ],
)
def test_training_stops_at_the_first_limit_and_says_which(epochs, steps, ran_steps, ran_epochs, stopped_by, reason):
    X, labels = ten_points()
    model = MLP(2, [3, 1], seed=0)
    history = fit(
        model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.05), epochs=epochs, steps=steps, batch_size=3, seed=0
    )
    assert (len(history.loss), history.epochs) == (ran_steps, ran_epochs)
    assert (history.stopped_by, history.stop_reason) == (stopped_by, reason)


def test_validation_is_recorded_at_each_epochs_end():
    X, labels = ten_points()
    X_val, y_val = make_xor(12, seed=4)
    seen = []

    def on_epoch(epoch, history):
        seen.append((epoch, history.val_loss[-1], history.val_accuracy[-1]))

    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model,
        X,
        labels,
        hinge_loss,
        Adam(model.parameters(), lr=0.05),
        epochs=4,
        batch_size=5,
        seed=0,
        validation=(X_val, signed_labels(y_val)),
        on_epoch=on_epoch,
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 4
    assert seen == list(zip(range(1, 5), history.val_loss, history.val_accuracy))
    # The last entry is the trained model's.
    assert history.val_loss[-1] == evaluate_loss(model, X_val, signed_labels(y_val), hinge_loss)
    assert history.val_accuracy[-1] == evaluate(model, X_val, y_val)
    assert history.epoch_time == sorted(history.epoch_time) and history.epoch_time[0] > 0


# ------------------------------------------------------------------ the stopping rule
def test_the_stopping_rule_fires_when_the_training_loss_stops_improving():
    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model,
        X,
        labels,
        hinge_loss,
        Adam(model.parameters(), lr=0.1),
        epochs=200,
        stopping=Stopping(tol=1e-3, patience=4),
    )
    assert history.stopped_by == "converged" and history.epochs < 200
    losses, n = history.epoch_loss, history.epochs
    assert min(losses[: n - 4]) - min(losses[n - 4 :]) < 1e-3  # the rule holds where it stopped...
    assert all(min(losses[: k - 4]) - min(losses[k - 4 : k]) >= 1e-3 for k in range(5, n))  # ...and not before
    assert history.stop_reason.startswith(
        f"converged after {n} epochs: the training loss improved by less than tol=0.001 over the last 4 epochs (best "
    )


def test_early_stopping_watches_the_validation_loss():
    # Validating on the opposite labels: the better the model learns, the worse the validation loss.
    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model,
        X,
        labels,
        hinge_loss,
        Adam(model.parameters(), lr=0.05),
        epochs=50,
        stopping=Stopping(1e-6, 3),
        validation=(X, [-label for label in labels]),
    )
    assert history.val_loss[1] > history.val_loss[0]
    assert history.stopped_by == "converged" and history.epochs == 4  # the best was epoch 1, then 3 epochs worse
    assert "validation loss" in history.stop_reason


def test_stopping_restores_the_best_epochs_weights():
    # Keras's EarlyStopping(restore_best_weights=True): the model leaves fit with the weights of the epoch whose
    # validation loss was lowest, not those of the patience epochs after it.
    X, labels = ten_points()
    X_val, y_val = make_xor(12, seed=4)
    val = (X_val, signed_labels(y_val))
    model = MLP(2, [4, 1], seed=0)
    weights = []
    history = fit(
        model,
        X,
        labels,
        hinge_loss,
        Adam(model.parameters(), lr=0.05),
        epochs=200,
        validation=val,
        stopping=Stopping(tol=1e-3, patience=5),
        on_epoch=lambda epoch, h: weights.append([p.data for p in model.parameters()]),
    )
    best = history.best_epoch
    assert history.stopped_by == "converged" and best == history.val_loss.index(min(history.val_loss)) + 1
    assert best <= history.epochs - 5 and history.val_loss[best - 1] < history.val_loss[-1]
    assert [p.data for p in model.parameters()] == weights[best - 1] != weights[-1]
    assert evaluate_loss(model, *val, hinge_loss) == history.val_loss[best - 1]
    assert history.stop_reason.endswith(
        f"; the weights of epoch {best}, the best ({history.val_loss[best - 1]:.4g}), restored"
    )


def test_without_a_stopping_rule_or_before_it_fires_no_weights_are_restored():
    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model, X, labels, hinge_loss, Adam(model.parameters(), lr=0.05), epochs=3, stopping=Stopping(1e-9, 50)
    )
    assert history.stopped_by == "epochs" and history.best_epoch == 0
    assert history.epoch_loss[-1] != history.epoch_loss[0]


def test_without_a_stopping_rule_training_runs_to_the_limit():
    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.0), epochs=8)
    assert history.stopped_by == "epochs" and history.epochs == 8


# ------------------------------------------------------------------ divergence
def moons_mse_at_lr_1():
    """The case the issue reported: SGD at lr 1.0 runs silently to a loss of about 1e29 and beyond."""
    X, y = make_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=1)
    return model, X, signed_labels(y), SGD(model.parameters(), lr=1.0, weight_decay=2e-4)


def test_a_diverging_learning_rate_stops_with_one_error_naming_the_step_the_loss_and_the_largest_gradient():
    model, X, labels, optimizer = moons_mse_at_lr_1()
    before = {}

    def remember(step, loss, acc):
        before.update(model.state_dict())

    with pytest.raises(TrainingDivergedError) as info:
        fit(model, X, labels, mse_loss, optimizer, steps=20, on_step=remember)
    error = info.value
    largest = max(model.parameters(), key=lambda p: abs(p.grad))
    assert (error.step, error.epoch, error.parameter) == (5, 5, largest.label)
    assert error.loss == error.history.loss[-1] > 1000 * error.history.loss[0]
    assert str(error) == (
        f"training diverged at step 5 (epoch 5, batch 1 of 1): the loss is {error.loss:.3g}, more than 1000 times "
        f"its size at the start ({error.history.loss[0]:.3g}, counted as 1); the parameter with the largest gradient "
        f"is {largest.label} (grad {largest.grad:.3g}, value {largest.data:.3g}); learning rate 1. This step's update "
        f"was undone (a learning rate too large is the usual cause)"
    )
    assert model.state_dict() == before  # the weights of step 4, all finite


def test_without_the_check_the_same_run_reaches_absurd_losses():
    model, X, labels, optimizer = moons_mse_at_lr_1()
    history = fit(model, X, labels, mse_loss, optimizer, steps=20, max_loss_growth=None)
    assert max(history.loss) > 1e25 and history.stopped_by == "steps"


def nan_loss(scores, labels):
    return hinge_loss(scores, labels) * Value(float("nan"))


def nan_gradient(scores, labels):
    zero = scores[0] - scores[0]
    return hinge_loss(scores, labels) + zero.sqrt()  # sqrt at 0: an infinite slope, times 0 - 0 in backward


def overflowing(scores, labels):
    return (scores[0] - scores[0] + 1000.0).exp()


@pytest.mark.parametrize(
    "loss_fn, fragments",
    [
        (nan_loss, ["the loss is nan; the parameter with the largest gradient is layers.0.neurons.0.w.0 (grad nan"]),
        (
            nan_gradient,
            [
                "but a gradient is not finite; the parameter with the largest gradient is layers.0.neurons.0.w.0 "
                "(grad nan"
            ],
        ),
        (overflowing, ["batch 1 of 1): exp(1000.0)", "(raised by the engine); the step's gradients were not computed"]),
    ],
)
def test_non_finite_numbers_stop_training_at_their_step(loss_fn, fragments):
    X, labels = ten_points()
    model = MLP(2, [3, 1], seed=0)
    start = model.state_dict()
    with pytest.raises(TrainingDivergedError, match=r"^training diverged at step 1 \(epoch 1, batch 1 of 1\)") as info:
        fit(model, X, labels, loss_fn, SGD(model.parameters(), lr=0.1), epochs=3)
    assert all(fragment in str(info.value) for fragment in fragments), str(info.value)
    assert model.state_dict() == start


def test_the_error_carries_the_history_up_to_the_failed_step():
    model, X, labels, optimizer = moons_mse_at_lr_1()
    with pytest.raises(TrainingDivergedError, match="training diverged at step 5") as info:
        fit(model, X, labels, mse_loss, optimizer, steps=20)
    history = info.value.history
    assert history.stopped_by == "diverged" and history.stop_reason == str(info.value)
    assert len(history.loss) == 5 and history.epochs == 4 and history.loss[-1] > 1e5


def test_a_per_example_run_that_diverges_within_the_first_epoch_is_caught():
    X, y = make_moons(60, noise=0.2, seed=0)
    model = MLP(2, [8, 1], "tanh", seed=0)
    with pytest.raises(TrainingDivergedError) as info:
        fit(model, X, signed_labels(y), mse_loss, SGD(model.parameters(), lr=0.3), epochs=2, batch_size=1, seed=0)
    assert info.value.epoch == 1 and info.value.step < 20  # unchecked, it reaches 1e45 by step 64


# ------------------------------------------------------------------ diagnostics
def test_diagnostics_are_recorded_per_epoch():
    X, labels = ten_points()
    model = MLP(2, [4, 4, 1], seed=0)
    history = fit(
        model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=3, batch_size=5, diagnostics=True, seed=0
    )
    assert len(history.diagnostics) == 3
    last = history.diagnostics[-1]
    assert last.grad_norm == diagnose(model, X).grad_norm  # the last step's gradients are still in .grad
    assert list(last.update_ratio) == ["layers.0", "layers.1", "layers.2"]
    assert all(0 < ratio < 1 for ratio in last.update_ratio.values())
    assert list(last.dead_relu) == ["layers.0", "layers.1"] and last.saturated == {}


def test_diagnostics_need_an_nn_module():
    X, labels = ten_points()
    model = Recorder(MLP(2, [3, 1], seed=0))
    with pytest.raises(TypeError, match="diagnostics=True needs an nn Module .* got Recorder"):
        fit(model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=1, diagnostics=True)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"steps": None}, ValueError, "fit needs epochs= .* or steps="),
        ({"epochs": -1}, ValueError, "epochs must be an int >= 0, got -1"),
        ({"epochs": 2.0}, ValueError, "epochs must be an int >= 0, got 2.0"),
        ({"stopping": 1e-3}, TypeError, "stopping must be a Stopping"),
        ({"max_loss_growth": -1}, ValueError, "max_loss_growth must be None or a number > 0, got -1"),
        ({"validation": [[0.0, 1.0]]}, TypeError, "validation must be a pair"),
        ({"validation": ([[0.0, 1.0]], [1, -1])}, ValueError, "fit validation needs as many labels as examples"),
    ],
)
def test_fit_checks_its_new_arguments(kwargs, error, message):
    model = MLP(2, [2, 1], seed=0)
    args = {"steps": 1, **kwargs}
    with pytest.raises(error, match=message):
        fit(model, [[0.0, 1.0]] * 4, [1, -1, 1, -1], hinge_loss, SGD(model.parameters(), lr=0.1), **args)


# ------------------------------------------------------------------ hardening (issue 18: items 5, 10, 16, smaller)
def test_a_nan_validation_loss_is_divergence_not_convergence():
    # On main, every comparison with nan is False, so the stopping rule reported "converged".
    def nan_when_validating(scores, labels):
        loss = hinge_loss(scores, labels)
        return loss if is_grad_enabled() else loss * Value(math.nan)  # validation runs under no_grad

    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(
        TrainingDivergedError,
        match=r"^training diverged at the end of epoch 1: the validation loss "
        r"is nan, although every weight is finite",
    ) as info:
        fit(
            model,
            X,
            labels,
            nan_when_validating,
            SGD(model.parameters(), lr=0.1),
            epochs=20,
            validation=(X, labels),
            stopping=Stopping(tol=1e-3, patience=1),
        )
    assert info.value.history.stopped_by == "diverged" and info.value.epoch == 1


def test_adam_at_lr_1e308_keeps_the_last_finite_weights_and_optimizer_state():
    # On main the loss and gradients were checked before the update only: every weight became -inf or inf.
    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    optimizer = Adam(model.parameters(), lr=1e308)
    start, state = model.state_dict(), optimizer.state_dict()
    with pytest.raises(
        TrainingDivergedError,
        match=r"at step 1 .*: the loss is [0-9.]+ but the update made "
        r"layers\.\d\.neurons\.\d\.[wb].* -?inf",
    ) as info:
        fit(model, X, labels, hinge_loss, optimizer, epochs=3)
    assert str(info.value).endswith("This step's update was undone (a learning rate too large is the usual cause)")
    assert model.state_dict() == start and all(math.isfinite(w) for w in start.values())
    assert optimizer.state_dict() == state and optimizer.t == 0  # the step is undone in the optimizer too


def test_a_schedule_that_blows_the_weights_up_is_undone_at_its_step():
    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    kept = {}
    with pytest.raises(TrainingDivergedError, match=r"at step 3 .*the update made .* learning rate 1e\+308") as info:
        fit(
            model,
            X,
            labels,
            lambda s, y: hinge_loss(s, y) * 1e3,
            SGD(model.parameters(), lr=1e-4),
            epochs=5,
            lr_schedule=lambda step: 1e308 if step == 2 else 1e-4,
            on_step=lambda *_: kept.update(model.state_dict()),
        )
    assert info.value.step == 3 and "a learning rate too large is the usual cause" in str(info.value)
    assert model.state_dict() == kept  # the weights after step 2, all finite
    assert all(math.isfinite(w) for w in kept.values())


@pytest.mark.parametrize(
    "returned, error, message",
    [
        (math.inf, ValueError, r"lr_schedule\(2\) returned float inf for step 3 .*a finite number >= 0"),
        (-0.1, ValueError, r"lr_schedule\(2\) returned float -0.1 for step 3 .*a finite number >= 0"),
        ("0.1", TypeError, r"lr_schedule\(2\) returned str '0.1' for step 3 .*a learning rate is a number"),
    ],
)
def test_a_schedule_value_that_is_not_a_learning_rate_is_refused_before_its_step(returned, error, message):
    # On main: inf made every weight nan; a negative rate was accepted; a str raised a bare TypeError in the update.
    X, labels = ten_points()
    model = MLP(2, [4, 1], seed=0)
    kept = {}
    with pytest.raises(error, match=message):
        fit(
            model,
            X,
            labels,
            hinge_loss,
            SGD(model.parameters(), lr=0.1),
            epochs=5,
            lr_schedule=lambda step: returned if step == 2 else 0.1,
            on_step=lambda *_: kept.update(model.state_dict()),
        )
    assert model.state_dict() == kept


def _numpy():
    require_tool(importlib.util.find_spec("numpy") is not None, "numpy", "pip install -e '.[dev]'")
    import numpy

    return numpy


@pytest.mark.parametrize("fitter", [fit, fit_compiled], ids=["fit", "fit_compiled"])
def test_numpy_arrays_train_as_lists_do(fitter):
    # On main: "the truth value of an array with more than one element is ambiguous".
    np = _numpy()
    X, labels = ten_points()
    X_val, y_val = make_xor(6, seed=5)
    runs = []
    for as_array in (False, True):
        model = MLP(2, [4, 1], seed=0)
        data = (np.array(X), np.array(labels)) if as_array else (X, labels)
        validation = (np.array(X_val), np.array(signed_labels(y_val))) if as_array else (X_val, signed_labels(y_val))
        history = fitter(
            model,
            *data,
            hinge_loss,
            SGD(model.parameters(), lr=0.1),
            epochs=3,
            batch_size=5,
            seed=0,
            validation=validation,
        )
        runs.append((history.loss, history.val_loss, model.state_dict()))
    assert runs[0] == runs[1]


def test_numpy_is_not_imported_by_nn():
    code = "import sys, nn, nn.train, nn.compiled; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "X, y, validation, error, message",
    [
        ([[0.0, 1.0], [1.0, math.nan]], [1, -1], None, ValueError, r"fit X\[1\]\[1\] is nan: the data must be finite"),
        ([[0.0, 1.0], [1.0, 2.0]], [1, math.inf], None, ValueError, r"fit y\[1\] is inf: the data must be finite"),
        ([[0.0, 1.0], [1.0]], [1, -1], None, ValueError, r"fit X\[1\] has 1 numbers, expected 2"),
        (
            [[0.0, 1.0], [1.0, 2.0]],
            [1, -1],
            ([[0.0, 1.0, 2.0]], [1]),
            ValueError,
            r"fit validation X\[0\] has 3 numbers, expected 2 \(as the training data's first example\)",
        ),
        (
            [[0.0, 1.0], [1.0, 2.0]],
            [1, -1],
            ([[0.0, -math.inf]], [1]),
            ValueError,
            r"fit validation X\[0\]\[1\] is -inf",
        ),
    ],
)
def test_bad_data_is_refused_before_the_first_step_and_blamed_on_the_data(X, y, validation, error, message):
    # On main: nan in X was reported as divergence ("a learning rate too large is the usual cause"),
    # and a validation set of the wrong width was found only after the first epoch.
    model = Recorder(MLP(2, [3, 1], seed=0))
    start = model.model.state_dict()
    with pytest.raises(error, match=message):
        fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=2, validation=validation)
    assert model.seen == [] and model.model.state_dict() == start


def test_a_loss_function_returning_a_float_is_named():
    # On main: AttributeError: 'float' object has no attribute 'backward'.
    def float_loss(scores, labels):
        return hinge_loss(scores, labels).data

    X, labels = ten_points()
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(
        TypeError,
        match=r"the loss function float_loss returned float [0-9.]+; it must return a "
        r"Value built from the scores",
    ):
        fit(model, X, labels, float_loss, SGD(model.parameters(), lr=0.1), epochs=1)


def test_a_loss_that_is_nan_at_the_first_step_is_not_blamed_on_the_learning_rate():
    X, labels = ten_points()
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TrainingDivergedError) as info:
        fit(model, X, labels, nan_loss, SGD(model.parameters(), lr=0.1), epochs=1)
    assert "before any update, so the data, the initial weights or the loss function made it" in str(info.value)
    assert "learning rate too large" not in str(info.value)


def test_the_old_argument_order_gets_a_clear_error():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(
        TypeError,
        match=r"fit\(model, X, y, loss_fn, optimizer, \.\.\.\): the loss function comes "
        r"before the optimizer",
    ):
        fit(model, [[0.0, 1.0]], [1], SGD(model.parameters(), lr=0.1), hinge_loss, epochs=1)


@pytest.mark.parametrize(
    "tol, patience, message",
    [
        (0.0, 5, "Stopping tol must be a number > 0, got 0.0"),
        ("1e-3", 5, "Stopping tol must be a number > 0, got '1e-3'"),
        (1e-3, 0, "Stopping patience must be an int >= 1, got 0"),
    ],
)
def test_stopping_checks_its_arguments(tol, patience, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Stopping(tol, patience)


def test_a_loss_that_starts_large_is_not_growth():
    # On main the first step was compared with a start of 0 (counted as 1): a first loss over 1000 "diverged".
    X, labels = ten_points()
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, X, labels, lambda s, y: hinge_loss(s, y) * 1e4, SGD(model.parameters(), lr=1e-6), steps=3)
    assert history.loss[0] > 1000 and history.stopped_by == "steps"


def test_the_training_guide_shows_train_step_as_it_is():
    guide = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "train-validate-stop.md"
    shown = re.search(r"```python\ndef train_step\(.*?\n(.*?)```", guide.read_text(encoding="utf-8"), flags=re.S)
    shown = shown.group(1).splitlines()
    source = inspect.getsource(train_step).splitlines()
    docstring_end = max(i for i, line in enumerate(source) if line.strip().endswith('"""'))
    assert shown == source[docstring_end + 1 :]  # the body, line for line
