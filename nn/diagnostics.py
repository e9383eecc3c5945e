"""Gradient health, per layer: gradient norms, dead ReLUs, saturated tanh/sigmoid units, update-to-weight ratios.

What goes wrong in training shows in a few numbers per layer (after CS231n's
"babysitting the learning process" and Karpathy's makemore, part 3):

* the gradient norm of each layer's parameters, after a backward pass: the
  gradient *vanishes* when the first layers' norms are orders of magnitude
  below the last's, and *explodes* the other way round;
* the fraction of dead ReLUs on a batch: units whose output is 0 for every
  example, so no gradient reaches their weights from that batch;
* the fraction of saturated tanh or sigmoid outputs on a batch: those where the
  activation's slope is below ``SATURATED`` (5%) of its largest, so the
  gradient through them nearly vanishes;
* the update-to-weight ratio after an optimizer step, |new - old| / |old| over
  a layer's parameters: around 1e-3 is healthy (CS231n); far below, the layer
  hardly learns; far above, it is unstable.

Layers are the model's ``Layer`` submodules, found with ``named_modules`` and
named by it (``layers.0``); their outputs come from ``MLP.layer_outputs``.
Every function returns plain numbers in a dict keyed by layer name;
``nn.plots`` draws them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from autograd_core import Value, no_grad

from .layers import MLP, Layer
from .module import Module

__all__ = [
    "Diagnostics",
    "SATURATED",
    "layers_of",
    "gradient_norms",
    "update_ratios",
    "dead_relu_fraction",
    "saturated_fraction",
    "diagnose",
]

SATURATED = 0.05  # a unit is saturated where its activation's slope is below this fraction of the largest

# The slope of each squashing activation as a fraction of its largest, from its output a.
_RELATIVE_SLOPE = {"tanh": lambda a: 1.0 - a * a, "sigmoid": lambda a: 4.0 * a * (1.0 - a)}


@dataclass
class Diagnostics:
    """One set of the four measures, each a dict keyed by layer name (see the module docstring)."""

    grad_norm: dict[str, float] = field(default_factory=dict)
    update_ratio: dict[str, float] = field(default_factory=dict)
    dead_relu: dict[str, float] = field(default_factory=dict)
    saturated: dict[str, float] = field(default_factory=dict)


def layers_of(model: Module) -> list[tuple[str, Layer]]:
    """The model's layers with their names, first to last (a Layer alone is named "layer")."""
    if not isinstance(model, Module):
        raise TypeError(f"diagnostics need an nn Module, got {type(model).__name__}")
    found = [(name or "layer", module) for name, module in model.named_modules() if isinstance(module, Layer)]
    if not found:
        raise ValueError(f"{model._describe()} has no Layer inside it: the diagnostics are per layer")
    return found


def _norm(numbers: Sequence[float]) -> float:
    return math.sqrt(sum(x * x for x in numbers))


def gradient_norms(model: Module) -> dict[str, float]:
    """The L2 norm of each layer's parameter gradients (weights and biases), after a backward pass."""
    return {name: _norm([p.grad for p in layer.parameters()]) for name, layer in layers_of(model)}


def update_ratios(model: Module, before: Mapping[str, float]) -> dict[str, float]:
    """|after - before| / |before| over each layer's parameters; ``before`` is ``model.state_dict()`` before a step."""
    ratios = {}
    for name, layer in layers_of(model):
        prefix = "" if name == "layer" else name
        pairs = [(p.data, before[key]) for key, p in layer.named_parameters(prefix)]
        old = _norm([b for _, b in pairs])
        ratios[name] = _norm([a - b for a, b in pairs]) / old if old else math.inf
    return ratios


def _layer_outputs(model: Module, x: Sequence) -> list[list[Value]]:
    if isinstance(model, MLP):
        return model.layer_outputs(x)
    if isinstance(model, Layer):
        return [model(x)]
    raise TypeError(f"the activation diagnostics need an MLP or a Layer, got {type(model).__name__}")


def _activations(model: Module, X: Sequence, kinds: Sequence[str]) -> dict[str, tuple[str, list[list[float]]]]:
    """For each layer whose activation is in ``kinds``: (its activation, its outputs on each example), no graph."""
    wanted = {
        i: (name, layer.activation) for i, (name, layer) in enumerate(layers_of(model)) if layer.activation in kinds
    }
    outputs: dict[str, tuple[str, list[list[float]]]] = {name: (kind, []) for name, kind in wanted.values()}
    with no_grad():
        for x in X:
            for i, values in enumerate(_layer_outputs(model, x)):
                if i in wanted:
                    outputs[wanted[i][0]][1].append([v.data for v in values])
    return outputs


def _dead(rows: list[list[float]]) -> float:
    """The fraction of units (columns) that are 0 on every example (row)."""
    units = len(rows[0])
    return sum(all(row[j] == 0.0 for row in rows) for j in range(units)) / units


def _saturated(rows: list[list[float]], activation: str, threshold: float) -> float:
    """The fraction of outputs whose relative slope is below ``threshold``."""
    slope = _RELATIVE_SLOPE[activation]
    flat = [a for row in rows for a in row]
    return sum(slope(a) < threshold for a in flat) / len(flat)


def dead_relu_fraction(model: Module, X: Sequence) -> dict[str, float]:
    """For each ReLU layer: the fraction of its units whose output is 0 for every example of the batch ``X``."""
    return {name: _dead(rows) for name, (_, rows) in _activations(model, X, ("relu",)).items()}


def saturated_fraction(model: Module, X: Sequence, threshold: float = SATURATED) -> dict[str, float]:
    """Per tanh or sigmoid layer: the fraction of its outputs on ``X`` whose slope is under ``threshold`` of its top."""
    return {
        name: _saturated(rows, kind, threshold)
        for name, (kind, rows) in _activations(model, X, tuple(_RELATIVE_SLOPE)).items()
    }


def diagnose(model: Module, X: Sequence, before: Mapping[str, float] | None = None) -> Diagnostics:
    """All four measures: gradient norms (from the current ``.grad``s), activations on ``X``, and, given
    ``before`` (``model.state_dict()`` before the last step), the update ratios."""
    activations = _activations(model, X, ("relu", *_RELATIVE_SLOPE))  # one forward pass for both measures
    return Diagnostics(
        grad_norm=gradient_norms(model),
        update_ratio=update_ratios(model, before) if before is not None else {},
        dead_relu={name: _dead(rows) for name, (kind, rows) in activations.items() if kind == "relu"},
        saturated={
            name: _saturated(rows, kind, SATURATED) for name, (kind, rows) in activations.items() if kind != "relu"
        },
    )
