"""Lesson ``learning-rate``: the same model and data at several learning rates, on one plot.

Too small and the loss creeps down; about right (here the largest rate that
still goes smoothly down) and it falls fast; too large and it bounces up and
down as the steps overshoot the valley, above the about-right curve nearly
all the way; larger still and it grows by orders of magnitude until ``fit``
stops it (the lesson catches its ``TrainingDivergedError`` and keeps the
curve up to that step from ``error.history``).
"""

from __future__ import annotations

from nn.data import make_xor
from nn.layers import MLP
from nn.losses import mse_loss, signed_labels
from nn.optim import SGD
from nn.plots import LEGEND_SIZE, label_axes, new_figure
from nn.train import History, TrainingDivergedError, fit

from .lesson import Lesson, rises

__all__ = ["learning_rate"]

RATES = (0.01, 0.3, 0.6, 0.9)
NAMES = ("too small", "about right", "too large", "far too large")


def learning_rate(*, rates: tuple[float, ...] = RATES, epochs: int = 100, seed: int = 0) -> Lesson:
    """Train an MLP 2-8-1 (tanh) on noisy XOR, full-batch SGD at each learning rate, from the same weights."""
    X, y = make_xor(40, noise=0.3, seed=seed)
    histories = {}
    for lr in rates:
        model = MLP(2, [8, 1], "tanh", seed=seed)
        try:
            histories[lr] = fit(model, X, signed_labels(y), mse_loss, SGD(model.parameters(), lr=lr), epochs=epochs)
        except TrainingDivergedError as error:  # expected at the largest rate: the lesson shows it
            histories[lr] = error.history
    numbers = {
        "rates": list(rates),
        "final_loss": [histories[lr].loss[-1] for lr in rates],
        "increases": [rises(histories[lr].loss) for lr in rates],
        "stopped_by": [histories[lr].stopped_by for lr in rates],
        "steps": [len(histories[lr].loss) for lr in rates],
        "large_above_right": _above(histories[rates[2]].loss, histories[rates[1]].loss),
    }
    lines = [f"lr {lr:<5g} ({name}): " + _outcome(histories[lr]) for lr, name in zip(rates, NAMES)]
    lines.append(
        f"lr {rates[2]:g}'s loss is above lr {rates[1]:g}'s at {numbers['large_above_right']} of "
        f"{len(histories[rates[2]].loss)} steps"
    )
    return Lesson(
        "learning-rate", "too small, about right, too large, diverging", numbers, lines, _figure(histories, rates)
    )


def _above(losses: list[float], others: list[float]) -> int:
    """At how many steps ``losses`` is higher than ``others``."""
    return sum(a > b for a, b in zip(losses, others))


def _outcome(history: History) -> str:
    if history.stopped_by == "diverged":
        return (
            f"diverged: loss {history.loss[0]:.3g} -> {history.loss[-1]:.3g} by step {len(history.loss)}, "
            "where fit stopped"
        )
    return (
        f"loss {history.loss[0]:.3g} -> {history.loss[-1]:.3g} after {len(history.loss)} steps; "
        f"{rises(history.loss)} steps raised it"
    )


def _figure(histories: dict[float, History], rates: tuple[float, ...]):
    fig = new_figure(9, 5)
    ax = fig.subplots()
    for (lr, history), name in zip(histories.items(), NAMES):
        steps = range(1, len(history.loss) + 1)
        (line,) = ax.plot(steps, history.loss, label=f"lr {lr:g}: {name}")
        if history.stopped_by == "diverged":
            ax.plot(len(history.loss), history.loss[-1], "x", color=line.get_color(), ms=12, mew=3)
            ax.annotate(
                "diverged: fit stops",
                (len(history.loss), history.loss[-1]),
                textcoords="offset points",
                xytext=(10, -4),
                fontsize=LEGEND_SIZE,
                color=line.get_color(),
            )
    ax.set_yscale("log")
    label_axes(
        ax,
        "the same network and data at four learning rates (SGD, full batch)",
        "step (= epoch)",
        "mse loss (log scale)",
        legend=True,
    )
    return fig
