"""Pictures of training: curves from a History, a decision boundary, gradient-health diagnostics.

Every function returns a matplotlib ``Figure`` and draws nothing else: save it
with ``fig.savefig("name.png")``, or leave it as a notebook cell's last
expression to see it inline. The figures are made without pyplot (see
``nn/_figure.py``), so importing or calling anything here never chooses or
switches matplotlib's backend, and nothing stays open. matplotlib (and numpy,
for the boundary) are imported inside the functions: they are an optional
extra (``pip install 'autograd-core[demo]'``).

Sizes are for slides: 12-point labels on figures about 10 inches wide, log
scales where values span orders of magnitude.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostics
from .layers import MLP
from .train import History

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["new_figure", "label_axes", "plot_history", "plot_boundary", "plot_diagnostics", "scores_on_grid"]

TITLE_SIZE, LABEL_SIZE, TICK_SIZE, LEGEND_SIZE = 13, 12, 11, 10


def new_figure(width: float = 10.0, height: float = 4.2) -> Figure:
    """An empty figure (inches) laid out with matplotlib's constrained layout, shown inline in notebooks."""
    from ._figure import NotebookFigure

    return NotebookFigure(figsize=(width, height), layout="constrained")


def label_axes(ax: Axes, title: str, xlabel: str, ylabel: str = "", *, legend: bool = False, grid: bool = True) -> None:
    """Title, axis labels, a light grid and (optionally) a legend, all at slide size."""
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    if grid:
        ax.grid(True, alpha=0.3)
    if legend:
        ax.legend(fontsize=LEGEND_SIZE)


def plot_history(history: History, loss_name: str = "loss") -> Figure:
    """Loss (log scale) and accuracy per epoch, training and validation; each step's loss faint behind."""
    fig = new_figure()
    left, right = fig.subplots(1, 2)
    epochs = range(1, history.epochs + 1)
    if len(history.loss) > history.epochs:  # several steps an epoch: place each step inside its epoch
        left.plot(_step_positions(history), history.loss, color="tab:blue", alpha=0.25, lw=1, label="each step")
    left.plot(
        epochs, history.epoch_loss, color="tab:blue", marker="." if history.epochs < 30 else None, label="training"
    )
    if history.val_loss:
        left.plot(epochs, history.val_loss, color="tab:orange", label="validation")
    left.set_yscale("log")
    label_axes(left, f"{loss_name} (log scale)", "epoch", loss_name, legend=True)
    right.plot(epochs, [100 * a for a in history.epoch_accuracy], color="tab:green", label="training")
    if history.val_accuracy:
        right.plot(epochs, [100 * a for a in history.val_accuracy], color="tab:orange", label="validation")
    right.set_ylim(0, 101)
    label_axes(right, "accuracy", "epoch", "% right")
    right.legend(loc="lower right", fontsize=LEGEND_SIZE)  # below the curves once they rise: the 100% line stays clear
    if history.stop_reason:
        fig.suptitle(f"stopped: {_shorten(history.stop_reason, 110)}", fontsize=LEGEND_SIZE)
    return fig


def _step_positions(history: History) -> list[float]:
    """Each step's place on the epoch axis: step k of an epoch with n steps sits at epoch - 1 + k/n."""
    positions, start = [], 0
    for epoch, end in enumerate(history.epoch_steps, 1):
        n = end - start
        positions += [epoch - 1 + (k + 1) / n for k in range(n)]
        start = end
    return positions + [float(history.epochs)] * (len(history.loss) - len(positions))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def scores_on_grid(model: MLP, points: Any) -> Any:
    """The network's outputs for many points at once, with numpy (the same math as the Values, far faster)."""
    import numpy as np

    act = {
        "relu": lambda h: np.maximum(h, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda h: 1.0 / (1.0 + np.exp(-h)),
        "linear": lambda h: h,
    }
    h = np.asarray(points, dtype=float)
    for layer in model.layers:
        W = np.array([[w.data for w in neuron.w] for neuron in layer.neurons])
        b = np.array([neuron.b.data for neuron in layer.neurons])
        h = act[layer.activation](h @ W.T + b)
    return h


def plot_boundary(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], title: str = "") -> Figure:
    """The data over the class regions the model assigns (two inputs), with a legend naming each class's colour."""
    import matplotlib
    import numpy as np

    xs, ys = [p[0] for p in X], [p[1] for p in X]
    pad = 0.5
    gx, gy = np.meshgrid(np.linspace(min(xs) - pad, max(xs) + pad, 200), np.linspace(min(ys) - pad, max(ys) + pad, 200))
    scores = scores_on_grid(model, np.column_stack([gx.ravel(), gy.ravel()]))
    regions = (scores[:, 0] > 0).astype(int) if scores.shape[1] == 1 else scores.argmax(axis=1)
    fig = new_figure(6.5, 5.5)
    ax = fig.subplots()
    n_classes = max(y) + 1
    # Blue/red for two classes; distinct colours (one per class, up to 10) for more.
    cmap, top = ("coolwarm", 1) if n_classes == 2 else ("tab10", 9)
    ax.contourf(
        gx,
        gy,
        regions.reshape(gx.shape),
        levels=np.arange(n_classes + 1) - 0.5,
        cmap=cmap,
        vmin=0,
        vmax=top,
        alpha=0.35,
    )
    colors = matplotlib.colormaps[cmap]
    for c in range(n_classes):  # one scatter per class, so that the legend names each colour
        mine = [i for i, label in enumerate(y) if label == c]
        ax.scatter(
            [xs[i] for i in mine],
            [ys[i] for i in mine],
            color=colors(c / top),
            edgecolors="k",
            s=30,
            label=f"class {c}",
        )
    label_axes(ax, title or "decision boundary", "x[0]", "x[1]", grid=False)
    ax.legend(title="points; shaded: the class\nthe network assigns", fontsize=LEGEND_SIZE, title_fontsize=LEGEND_SIZE)
    return fig


def plot_diagnostics(diagnostics: Sequence[Diagnostics]) -> Figure:
    """The four gradient-health measures per layer over epochs (``history.diagnostics``)."""
    fig = new_figure(11, 7)
    panels = fig.subplots(2, 2)
    epochs = range(1, len(diagnostics) + 1)
    measures = [
        ("grad_norm", "gradient norm per layer (log)", "norm", True),
        ("update_ratio", "update / weight per layer (log)", "ratio", True),
        ("dead_relu", "dead ReLUs", "fraction of units", False),
        ("saturated", "saturated tanh/sigmoid outputs", "fraction of outputs", False),
    ]
    for ax, (measure, title, ylabel, log) in zip(panels.flat, measures):
        series = [getattr(d, measure) for d in diagnostics]
        names = list(series[0]) if series else []
        for name in names:
            ax.plot(epochs, [values.get(name, float("nan")) for values in series], label=name)
        if log and names:
            ax.set_yscale("log")
        if not log:
            ax.set_ylim(-0.02, 1.02)
        if not names:
            ax.text(
                0.5,
                0.5,
                "no such layers",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=LABEL_SIZE,
                color="grey",
            )
        label_axes(ax, title, "epoch", ylabel, legend=bool(names))
    return fig
