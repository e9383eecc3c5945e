"""Lesson ``vanishing``: the gradient norm of each layer of a 10-layer MLP, by activation and initialisation.

The backward pass multiplies the gradient, layer after layer, by each layer's
weights and by its activation's slope. A sigmoid's slope is at most 1/4, so
in a deep sigmoid network the first layers get gradients orders of magnitude
smaller than the last: they hardly learn (the *vanishing gradient*). ReLU's
slope is 1 where it is active, and He initialisation (weights' variance
2/fan-in, ``nn``'s default for ReLU) keeps the signal's size from layer to
layer, so every layer gets a gradient of about the same size. A bad
initialisation, uniform(-1, 1) whatever the fan-in (micrograd's), gets the
scale wrong: ReLU's gradients are hundreds of times too large, at every
layer alike (the line is flat, high above He's), while tanh's grow layer
after layer towards the input: they *explode*.

Measured at initialisation, on one batch, before any training.
"""

from __future__ import annotations

import random

from nn.data import make_moons
from nn.diagnostics import gradient_norms, layers_of
from nn.layers import MLP
from nn.losses import mse_loss, signed_labels
from nn.plots import label_axes, new_figure
from nn.train import batch_loss

from .lesson import Lesson, rises

__all__ = ["vanishing"]

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("textbook", "uniform(-1, 1)")
COLORS = {"sigmoid": "tab:purple", "tanh": "tab:blue", "relu": "tab:orange"}
_SAYS = {  # what each line shows, in the legend
    ("sigmoid", "textbook"): ": vanishes",
    ("tanh", "uniform(-1, 1)"): ": explodes",
    ("relu", "uniform(-1, 1)"): ": too large everywhere",
}


def vanishing(*, depth: int = 10, width: int = 16, points: int = 20, seed: int = 0) -> Lesson:
    """Gradient norms per layer of ``depth``-layer MLPs (``width`` wide) on a batch of two-moons points."""
    X, y = make_moons(points, noise=0.1, seed=seed)
    norms = {
        (act, init): _layer_norms(act, init, depth, width, X, signed_labels(y), seed)
        for act in ACTIVATIONS
        for init in INITS
    }
    ratios = {key: values[0] / values[-1] for key, values in norms.items()}
    too_large = min(norms["relu", INITS[1]]) / max(norms["relu", INITS[0]])
    relu_bad = norms["relu", INITS[1]]
    tanh_bad = norms["tanh", INITS[1]]
    numbers = {
        "norms": {f"{act}, {init}": values for (act, init), values in norms.items()},
        "first_over_last": {f"{act}, {init}": ratio for (act, init), ratio in ratios.items()},
        "relu_bad_over_he": too_large,
        "relu_bad_spread": max(relu_bad) / min(relu_bad),  # flat: the largest layer's over the smallest's
        "tanh_bad_growth": tanh_bad[0] / tanh_bad[-1],  # explodes: the first layer's over the last's
        "tanh_bad_rises_towards_input": rises(tanh_bad[::-1]),  # from the last layer back to the first
    }
    lines = [
        f"{act:7} {init:14}: first layer / last layer = {ratios[act, init]:8.1e}; "
        f"norms from {min(norms[act, init]):.1e} to {max(norms[act, init]):.1e}"
        for act in ACTIVATIONS
        for init in INITS
    ]
    lines.append(
        f"relu with uniform(-1, 1): too large at every layer alike: each over {too_large:.0f}x the largest with He "
        f"init, all within {numbers['relu_bad_spread']:.1f}x of each other"
    )
    lines.append(
        f"tanh with uniform(-1, 1): explodes towards the input: {numbers['tanh_bad_growth']:.1f}x from the last "
        f"layer to the first, larger in {numbers['tanh_bad_rises_towards_input']} of {depth - 1} steps back"
    )
    return Lesson(
        "vanishing", f"gradient norm per layer, {depth}-layer MLPs", numbers, lines, _figure(norms, depth, width)
    )


def _layer_norms(activation: str, init: str, depth: int, width: int, X: list, labels: list, seed: int) -> list[float]:
    model = MLP(2, [width] * (depth - 1) + [1], activation, seed=seed)
    if init != "textbook":
        _uniform_weights(model, random.Random(seed))
    loss, _ = batch_loss(model, X, labels, mse_loss)
    model.zero_grad()
    loss.backward()
    return list(gradient_norms(model).values())


def _uniform_weights(model: MLP, rng: random.Random) -> None:
    """Every weight from uniform(-1, 1), ignoring the fan-in (biases stay 0)."""
    for _, layer in layers_of(model):
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data = rng.uniform(-1.0, 1.0)


def _figure(norms: dict, depth: int, width: int):
    fig = new_figure(9, 5.2)
    ax = fig.subplots()
    layers = range(1, depth + 1)
    for (act, init), values in norms.items():
        textbook = init == "textbook"
        label = f"{act}, {'He' if act == 'relu' else 'LeCun'} init" if textbook else f"{act}, uniform(-1, 1)"
        label += _SAYS.get((act, init), "")
        ax.plot(
            layers,
            values,
            color=COLORS[act],
            ls="-" if textbook else "--",
            marker="o" if textbook else "x",
            label=label,
        )
    ax.set_yscale("log")
    ax.set_xticks(list(layers))
    label_axes(
        ax,
        f"gradient norm per layer at initialisation (MLP, {depth} layers of {width})",
        "layer (1 = first, next to the input)",
        "‖∂L/∂θ‖ of the layer (log scale)",
        legend=True,
    )
    return fig
