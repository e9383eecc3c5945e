"""Lesson ``local-minima``: the same small network from many seeds on XOR; some runs get stuck.

XOR's four points with a 2-2-1 tanh network: most random starts find a
solution (a loss of practically 0), but some end on a plateau near loss 0.5,
where the gradient is too small to get out in any reasonable number of steps
(whether it is a true local minimum or an endless plateau, gradient descent
cannot tell). Another random start is the textbook remedy.

The loss along the straight line between two solutions shows why the surface
is not one bowl: halfway between them the weights are a mix of two different
solutions (the hidden units may even be swapped), and the loss there is high.
The line from a stuck run's weights to a solution rises before it falls: the
stuck run sits in a basin of its own.
"""

from __future__ import annotations

from nn.layers import MLP
from nn.losses import mse_loss
from nn.optim import SGD
from nn.plots import LABEL_SIZE, label_axes, new_figure
from nn.train import Stopping, evaluate, evaluate_loss, fit

from .lesson import Lesson

__all__ = ["local_minima", "XOR_X", "XOR_Y"]

XOR_X = [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]
XOR_Y = [-1.0, 1.0, 1.0, -1.0]
ALPHAS = [i / 40 - 0.25 for i in range(61)]  # from -0.25 to 1.25: a little beyond both ends


def local_minima(*, seeds: int = 40, epochs: int = 500, lr: float = 0.5) -> Lesson:
    """Train an MLP 2-2-1 (tanh, mse) on XOR from seeds 0, 1, ...; then the loss along lines between runs."""
    runs = [_train(seed, epochs, lr) for seed in range(seeds)]
    finals = [final for final, _, _, _ in runs]
    right = [points for _, points, _, _ in runs]
    solved = [s for s in range(seeds) if right[s] == 4]
    stuck = [s for s in range(seeds) if right[s] < 4]
    if len(solved) < 2:
        raise ValueError(f"only {len(solved)} of {seeds} seeds solved XOR; the lesson draws a line between two")
    ends = {f"solution (seed {solved[0]}) to solution (seed {solved[1]})": (solved[0], solved[1])}
    if stuck:
        ends[f"stuck (seed {stuck[0]}) to solution (seed {solved[0]})"] = (stuck[0], solved[0])
    profiles = {name: _loss_along(runs[a][2], runs[b][2]) for name, (a, b) in ends.items()}
    numbers = {
        "final_loss": finals,
        "epochs": [length for _, _, _, length in runs],
        "solved": solved,
        "stuck": stuck,
        "stuck_losses": [finals[s] for s in stuck],
        "stuck_right": [right[s] for s in stuck],
        "alphas": ALPHAS,
        "profiles": profiles,
        "barriers": {name: _barrier(profile) for name, profile in profiles.items()},
    }
    lines = [
        f"{len(solved)} of {seeds} seeds solve XOR (all four points right; final losses "
        f"{min(finals[s] for s in solved):.1e} to {max(finals[s] for s in solved):.1e})",
        f"{len(stuck)} get stuck, at losses {_some(numbers['stuck_losses'])}, with "
        f"{' or '.join(map(str, sorted(set(numbers['stuck_right']))))} of the 4 points right",
        *(
            f"along the line {name}: the loss rises {barrier:.3f} above the higher end"
            for name, barrier in numbers["barriers"].items()
        ),
    ]
    return Lesson(
        "local-minima",
        "XOR from many seeds: stuck runs, and the loss between solutions",
        numbers,
        lines,
        _figure(numbers),
    )


def _train(seed: int, epochs: int, lr: float) -> tuple[float, int, dict[str, float], int]:
    """One run: (final loss, points right of 4, the weights, epochs run).

    It stops after ``epochs`` epochs or when its loss improved by less than
    1e-9 over 50 epochs: on a solution, or on a plateau (the stopping rule
    cannot tell them apart either).
    """
    model = MLP(2, [2, 1], "tanh", seed=seed)
    history = fit(
        model,
        XOR_X,
        XOR_Y,
        mse_loss,
        SGD(model.parameters(), lr=lr),
        epochs=epochs,
        stopping=Stopping(tol=1e-9, patience=50),
    )
    right = round(4 * evaluate(model, XOR_X, XOR_Y))  # points on the right side of 0
    return history.loss[-1], right, model.state_dict(), history.epochs


def _loss_along(start: dict[str, float], end: dict[str, float]) -> list[float]:
    """The loss at (1 - a) * start + a * end, for each a in ALPHAS."""
    model = MLP(2, [2, 1], "tanh")
    losses = []
    for a in ALPHAS:
        model.load_state_dict({name: (1 - a) * start[name] + a * end[name] for name in start})
        losses.append(evaluate_loss(model, XOR_X, XOR_Y, mse_loss))
    return losses


def _barrier(profile: list[float]) -> float:
    """How far the loss between the ends (0 <= a <= 1) rises above the higher end."""
    inside = [loss for a, loss in zip(ALPHAS, profile) if 0.0 <= a <= 1.0]
    return max(inside) - max(inside[0], inside[-1])


def _some(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values) if values else "none"


def _figure(numbers: dict):
    fig = new_figure(12, 4.6)
    spread, line = fig.subplots(1, 2)
    floor = 1e-20  # solved runs reach the rounding noise (1e-30 and below): show them at this floor
    finals = [max(loss, floor) for loss in numbers["final_loss"]]
    bins = [10 ** (k / 2) for k in range(-41, 2)]
    spread.hist(finals, bins=bins, color="tab:blue", edgecolor="k")
    spread.set_xscale("log")
    solved, stuck = len(numbers["solved"]), len(numbers["stuck"])
    spread.text(0.2, 0.9, f"← {solved} solved: all four points right", transform=spread.transAxes, fontsize=LABEL_SIZE)
    spread.text(0.88, 0.6, f"{stuck} stuck near 0.5 →", transform=spread.transAxes, fontsize=LABEL_SIZE, ha="right")
    label_axes(
        spread,
        f"final loss of the {len(finals)} runs, one per seed",
        f"final mse loss (log; below {floor:g} drawn at it)",
        "runs",
    )
    for name, profile in numbers["profiles"].items():
        line.plot(numbers["alphas"], profile, label=name)
    for end in (0.0, 1.0):
        line.axvline(end, color="grey", lw=0.8)
    label_axes(
        line,
        "the loss along a straight line between two runs' weights",
        "position on the line (0 = first run, 1 = second)",
        "mse loss",
        legend=True,
    )
    return fig
