"""Lesson ``overfitting``: a large network on few noisy points; train and validation curves part; L2 and early stopping.

Ten noisy samples of sin(x), spread over [-3, 3], and an MLP 1-12-12-1 with 193 parameters: the
network can pass through every point, noise included. The training loss keeps
falling while the loss on 20 fresh points (the validation set) turns and
rises: the network learns the noise (*overfitting*). Two remedies, each
measured on the same validation set:

* L2 regularisation (the optimizer's ``weight_decay``) pulls the weights
  towards 0, so the fitted curve stays smooth;
* early stopping (``fit(..., validation=..., stopping=Stopping(tol, patience))``)
  stops when the validation loss no longer improves, and goes back to the
  weights of the epoch where it was lowest.

The early-stopped run and the unregularised one start from the same weights
and take the same full-batch Adam steps, so the early-stopped run is the
unregularised one cut short: one curve shows both where early stopping ends
and what it avoided. The L2 run's training loss is the data's loss (mse):
the penalty ``weight_decay / 2 * sum(w**2)`` enters the gradient, not the
recorded loss, and the legend says so.
"""

from __future__ import annotations

import math
import random

from autograd_core import no_grad
from nn.layers import MLP
from nn.losses import mse_loss
from nn.optim import Adam
from nn.plots import LEGEND_SIZE, label_axes, new_figure
from nn.train import History, Stopping, evaluate_loss, fit

from .lesson import Lesson

__all__ = ["overfitting", "noisy_sine"]


def noisy_sine(n: int, noise: float, seed: int, *, spread: bool = False) -> tuple[list[list[float]], list[float]]:
    """``n`` points in [-3, 3], y = sin(x) + Gaussian noise; x uniform at random, or ``spread`` evenly (jittered)."""
    rng = random.Random(seed)
    if spread:
        xs = [-3.0 + 6.0 * (i + 0.5) / n + rng.uniform(-0.2, 0.2) for i in range(n)]
    else:
        xs = sorted(rng.uniform(-3.0, 3.0) for _ in range(n))
    return [[x] for x in xs], [math.sin(x) + rng.gauss(0.0, noise) for x in xs]


def overfitting(
    *, epochs: int = 200, weight_decay: float = 6e-3, lr: float = 0.03, patience: int = 20, seed: int = 0
) -> Lesson:
    """Train the MLP without regularisation, with early stopping, and with L2; compare validation losses."""
    X, y = noisy_sine(10, 0.3, seed, spread=True)
    validation = noisy_sine(20, 0.3, seed + 101)
    model = MLP(1, [12, 12, 1], "tanh", seed=seed)
    plain = fit(model, X, y, mse_loss, Adam(model.parameters(), lr=lr), epochs=epochs, validation=validation)
    early_model = MLP(1, [12, 12, 1], "tanh", seed=seed)
    early = fit(
        early_model,
        X,
        y,
        mse_loss,
        Adam(early_model.parameters(), lr=lr),
        epochs=epochs,
        validation=validation,
        stopping=Stopping(tol=1e-3, patience=patience),
    )
    l2_model = MLP(1, [12, 12, 1], "tanh", seed=seed)
    l2_optimizer = Adam(l2_model.parameters(), lr=lr, weight_decay=weight_decay)
    with_l2 = fit(l2_model, X, y, mse_loss, l2_optimizer, epochs=epochs, validation=validation)
    best = min(plain.val_loss)
    numbers = {
        "train_final": plain.epoch_loss[-1],
        "val_final": plain.val_loss[-1],
        "val_best": best,
        "val_best_epoch": plain.val_loss.index(best) + 1,
        "early_stop_epoch": early.epochs,
        "early_best_epoch": early.best_epoch,
        "early_val": evaluate_loss(early_model, *validation, mse_loss),
        "early_is_plain_cut_short": early.val_loss == plain.val_loss[: early.epochs],
        "weight_decay": weight_decay,
        "l2_train_final": with_l2.epoch_loss[-1],
        "l2_val_final": with_l2.val_loss[-1],
    }
    lines = [
        f"no regularisation: training loss {numbers['train_final']:.3f} but validation {numbers['val_final']:.3f} "
        f"after {epochs} epochs (its best, {best:.3f}, was at epoch {numbers['val_best_epoch']})",
        f"early stopping (tol 1e-3, patience {patience}) stops at epoch {early.epochs} and restores epoch "
        f"{early.best_epoch}'s weights: validation {numbers['early_val']:.3f}",
        f"L2 (weight_decay {weight_decay:g}): training loss {numbers['l2_train_final']:.3f}, "
        f"validation {numbers['l2_val_final']:.3f} after {epochs} epochs",
    ]
    models = {
        "no regularisation": model,
        f"L2 (weight_decay {weight_decay:g})": l2_model,
        f"early stopping (epoch {early.best_epoch}'s weights)": early_model,
    }
    return Lesson(
        "overfitting",
        "a large network on ten noisy points, and two remedies",
        numbers,
        lines,
        _figure(plain, with_l2, early, models, X, y, validation),
    )


def _figure(plain: History, with_l2: History, early: History, models: dict, X: list, y: list, validation: tuple):
    fig = new_figure(12.5, 4.8)
    curves, fits = fig.subplots(1, 2)
    for history, style, name in ((plain, "-", "no regularisation"), (with_l2, "--", "L2")):
        epochs = range(1, len(history.epoch_loss) + 1)
        data_only = " (mse, penalty not counted)" if name == "L2" else ""
        curves.plot(epochs, history.epoch_loss, ls=style, color="tab:blue", label=f"training, {name}{data_only}")
        curves.plot(epochs, history.val_loss, ls=style, color="tab:orange", label=f"validation, {name}")
    best, stop = early.best_epoch, early.epochs
    curves.axvline(
        best, color="tab:purple", ls=":", label=f"early stopping: epoch {best}'s weights (stopped at {stop})"
    )
    curves.plot(best, early.val_loss[best - 1], "o", color="tab:purple")
    curves.set_yscale("log")
    label_axes(curves, "training and validation loss", "epoch", "mse loss (log scale)", legend=True)
    grid = [-3.2 + 6.4 * i / 199 for i in range(200)]
    fits.plot(grid, [math.sin(x) for x in grid], color="grey", lw=1, label="sin(x), the truth")
    with no_grad():
        for (name, model), color in zip(models.items(), ("tab:red", "tab:green", "tab:purple")):
            fits.plot(grid, [model([x]).data for x in grid], color=color, label=name)
    fits.plot([x[0] for x in validation[0]], validation[1], ".", color="tab:orange", label="validation points")
    fits.plot([x[0] for x in X], y, "ko", label="training points")
    fits.set_ylim(-2.0, 2.0)
    label_axes(fits, "what each network learned", "x", "y")
    fits.legend(loc="upper left", fontsize=LEGEND_SIZE)  # the corner no point or curve reaches
    return fig
