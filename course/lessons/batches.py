"""Lesson ``batches``: full-batch, mini-batch and per-example SGD on the same problem, against epochs and updates.

An epoch is one pass over the training data. Full-batch gradient descent
takes one step per epoch, along the exact gradient of the training loss;
per-example SGD (``batch_size=1``, the textbooks' stochastic gradient
descent) takes one step per example, each along a noisy estimate of it;
mini-batches sit between. With the same learning rate, more steps per epoch
make faster progress per epoch, and smaller batches make noisier steps.

What a step costs depends on the machine, so the lesson counts work, not
seconds. This engine computes one scalar at a time: its cost is the examples
seen, and an epoch (each example once) costs about the same whatever the
batches. On a GPU a batch's examples run in parallel, so a step costs about
the same whatever its batch: there the cost is the updates. Against updates
the picture turns over: the full batch's exact steps go further each than
per-example SGD's noisy ones.

The loss shown is on 100 fresh points, measured at each epoch's end: the same
yardstick for all three.
"""

from __future__ import annotations

from nn.data import make_moons
from nn.layers import MLP
from nn.losses import mse_loss, signed_labels
from nn.optim import SGD
from nn.plots import label_axes, new_figure
from nn.train import History, fit

from .lesson import Lesson, rises

__all__ = ["batches"]

POINTS = 60
BATCH_SIZES = {"full batch (60)": None, "mini-batches of 10": 10, "per example (1)": 1}


def batches(*, epochs: int = 20, lr: float = 0.05, seed: int = 0) -> Lesson:
    """Train an MLP 2-8-1 (tanh, mse) on 60 two-moons points three ways, from the same weights and lr."""
    X, y = make_moons(POINTS, noise=0.2, seed=seed)
    X_val, y_val = make_moons(100, noise=0.2, seed=seed + 1)
    histories = {}
    for name, size in BATCH_SIZES.items():
        model = MLP(2, [8, 1], "tanh", seed=seed)
        histories[name] = fit(
            model,
            X,
            signed_labels(y),
            mse_loss,
            SGD(model.parameters(), lr=lr),
            epochs=epochs,
            batch_size=size,
            validation=(X_val, signed_labels(y_val)),
            seed=seed,
        )
    numbers = {
        name: {
            "steps_per_epoch": h.epoch_steps[0],
            "val_loss": h.val_loss,
            "seconds_per_epoch": h.epoch_time[-1] / h.epochs,
            "val_rises": rises(h.val_loss),
        }
        for name, h in histories.items()
    }
    lines = [
        f"{name:18}: {n['steps_per_epoch']:2} steps an epoch; validation loss {n['val_loss'][0]:.3f} after "
        f"epoch 1, {n['val_loss'][4]:.3f} after 5, {n['val_loss'][-1]:.3f} after {epochs}; rose in "
        f"{n['val_rises']} epochs"
        for name, n in numbers.items()
    ]
    (full, full_n), (_, single_n) = list(numbers.items())[0], list(numbers.items())[-1]
    lines.append(
        f"per update: {full} after its {full_n['steps_per_epoch'] * epochs} updates {full_n['val_loss'][-1]:.3f}, "
        f"per example after {single_n['steps_per_epoch']} updates {single_n['val_loss'][0]:.3f}"
    )
    return Lesson(
        "batches", "full batch, mini-batches and one example at a time", numbers, lines, _figure(histories, lr)
    )


def _figure(histories: dict[str, History], lr: float):
    fig = new_figure(12, 4.6)
    by_epoch, by_update = fig.subplots(1, 2, sharey=True)
    for name, history in histories.items():
        epochs = range(1, history.epochs + 1)
        by_epoch.plot(epochs, history.val_loss, marker=".", label=name)
        by_update.plot(history.epoch_steps, history.val_loss, marker=".", label=name)
    by_epoch.xaxis.get_major_locator().set_params(integer=True)
    by_update.set_xscale("log")
    label_axes(
        by_epoch,
        f"against epochs: examples seen (SGD, lr {lr:g})",
        f"epoch ({POINTS} examples seen each)",
        "validation mse loss",
        legend=True,
    )
    label_axes(by_update, "against updates (optimizer steps)", "updates (log scale)", "", legend=True)
    return fig
