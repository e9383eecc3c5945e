"""Lesson ``update-rule``: one weight's value, gradient and step over training, showing Δw = -η ∂L/∂w.

Plain SGD on a small network: after each backward pass, every weight moves
against its gradient, by the learning rate times it. The lesson follows one
weight through ``fit`` and checks that each step it took is exactly
``-lr * grad`` (to rounding), while the loss falls.
"""

from __future__ import annotations

from nn.data import make_moons
from nn.layers import MLP
from nn.losses import mse_loss, signed_labels
from nn.optim import SGD
from nn.plots import label_axes, new_figure
from nn.train import fit

from .lesson import Lesson

__all__ = ["update_rule"]

WEIGHT = "layers.1.neurons.0.w.0"  # the output neuron's first weight


def update_rule(*, lr: float = 0.2, epochs: int = 40, seed: int = 0) -> Lesson:
    """Train an MLP 2-4-1 (tanh) full-batch with SGD and follow one weight step by step."""
    X, y = make_moons(40, noise=0.1, seed=seed)
    model = MLP(2, [4, 1], "tanh", seed=seed)
    weight = dict(model.named_parameters())[WEIGHT]
    values, grads = [weight.data], []

    def follow(step: int, loss: float, acc: float) -> None:  # after the step: .grad is the one it used
        values.append(weight.data)
        grads.append(weight.grad)

    history = fit(model, X, signed_labels(y), mse_loss, SGD(model.parameters(), lr=lr), epochs=epochs, on_step=follow)
    steps = [after - before for before, after in zip(values, values[1:])]
    worst = max(abs(step + lr * g) for step, g in zip(steps, grads))
    numbers = {
        "weight": WEIGHT,
        "lr": lr,
        "values": values,
        "grads": grads,
        "steps": steps,
        "largest_rule_error": worst,
        "loss_first": history.loss[0],
        "loss_last": history.loss[-1],
    }
    lines = [
        f"{WEIGHT}: {values[0]:.4f} -> {values[-1]:.4f} in {len(steps)} SGD steps at lr {lr}",
        f"each step was -lr * grad to within {worst:.1e} (rounding)",
        f"the step shrinks with the gradient: first {steps[0]:+.4f}, last {steps[-1]:+.2e}",
        f"loss (mse) {history.loss[0]:.4f} -> {history.loss[-1]:.4f}",
    ]
    return Lesson(
        "update-rule",
        "Δw = -η ∂L/∂w, one weight followed through training",
        numbers,
        lines,
        _figure(numbers, history.loss),
    )


def _figure(numbers: dict, loss: list[float]):
    fig = new_figure(12, 3.8)
    value_ax, grad_ax, step_ax, loss_ax = fig.subplots(1, 4)
    steps = range(1, len(numbers["steps"]) + 1)
    value_ax.plot(range(len(numbers["values"])), numbers["values"], marker=".")
    label_axes(value_ax, "the weight w", "step", "w")
    grad_ax.plot(steps, numbers["grads"], marker=".", color="tab:red")
    grad_ax.axhline(0.0, color="grey", lw=0.8)
    label_axes(grad_ax, "its gradient ∂L/∂w", "step", "∂L/∂w")
    lr = numbers["lr"]
    step_ax.plot(steps, [-lr * g for g in numbers["grads"]], color="tab:red", lw=3, alpha=0.4, label="-η ∂L/∂w")
    step_ax.plot(steps, numbers["steps"], "k.", label="Δw taken")
    step_ax.axhline(0.0, color="grey", lw=0.8)
    label_axes(step_ax, f"the step (η = {lr})", "step", "Δw", legend=True)
    loss_ax.plot(steps, loss, color="tab:green")
    label_axes(loss_ax, "the loss", "step", "mse")
    fig.suptitle(f"{numbers['weight']}: each SGD step moves the weight by Δw = -η ∂L/∂w", fontsize=13)
    return fig
