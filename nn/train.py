"""A small training loop: batch loss (+ L2), backward, optimizer step; and accuracy.

    model = MLP(2, [16, 16, 1], seed=0)
    X, y = make_moons(100, seed=1)
    history = fit(model, X, signed_labels(y), SGD(model.parameters(), lr=0.1), steps=100, l2=1e-4)

Each step is the three lines of every training loop, kept visible:
``batch_loss`` builds the loss graph for a batch, ``loss.backward()`` fills the
gradients, ``optimizer.step()`` moves the parameters. Accuracy comes free from
the scores the loss was built from (it is the accuracy before the step).

A prediction is right when its class matches the label: for one score, the
class is "positive" when the score is > 0 and a label is positive when it is
> 0 (so both 0/1 and -1/+1 labels work); for a list of scores, the class is
the index of the largest one.
"""

from __future__ import annotations

import contextlib
import gc
import random
from dataclasses import dataclass, field
from typing import Callable, Sequence

from autograd_core import Value, no_grad

from ._rng import Seed, as_random
from .losses import hinge_loss
from .module import Module
from .optim import Optimizer

__all__ = ["History", "fit", "batch_loss", "accuracy", "evaluate", "predicted_class"]

LossFn = Callable[[list, list], Value]


@dataclass
class History:
    """What ``fit`` saw, one entry per step: the loss (with L2), the batch accuracy, the learning rate."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


def predicted_class(score: Value | Sequence[Value]) -> int:
    """1 or 0 for one score (> 0 or not); the index of the largest score for a list."""
    if isinstance(score, Value):
        return 1 if score.data > 0 else 0
    return max(range(len(score)), key=lambda j: score[j].data)


def accuracy(scores: Sequence, labels: Sequence) -> float:
    """The fraction of scores whose predicted class matches the label (see the module docstring)."""
    if len(scores) != len(labels) or not scores:
        raise ValueError(f"accuracy needs as many labels as scores (and at least one): {len(scores)} and {len(labels)}")
    right = 0
    for s, y in zip(scores, labels):
        truth = (1 if y > 0 else 0) if isinstance(s, Value) else y
        right += predicted_class(s) == truth
    return right / len(scores)


def batch_loss(model: Module, X: Sequence, y: Sequence, loss_fn: LossFn, l2: float,
               params: Sequence[Value]) -> tuple[Value, list]:
    """The loss of ``model`` on a batch plus ``l2 * sum(p**2)``, and the model's scores.

    A model with a ``batch_loss`` method of its own (``nn.compiled.CompiledModel``)
    computes them itself, unless it returns ``NotImplemented``.
    """
    own = getattr(model, "batch_loss", None)
    if own is not None:
        result = own(X, y, loss_fn, l2, params)
        if result is not NotImplemented:
            return result
    scores = [model(x) for x in X]
    loss = loss_fn(scores, list(y))
    if l2:
        squares = params[0] * params[0]
        for p in params[1:]:
            squares = squares + p * p
        loss = loss + l2 * squares
    return loss, scores


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector for one training step, then restore it.

    A step builds a graph of tens of thousands of Values that stays alive until
    backward is done; the collector, triggered by all those allocations, keeps
    rescanning it, which doubles the step's time. The engine's graphs hold no
    reference cycles, so reference counting frees them without the collector;
    any cycles a custom loss makes are collected after the step as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluate(model: Module, X: Sequence, y: Sequence) -> float:
    """The model's accuracy on (X, y), without recording a graph."""
    with no_grad():
        return accuracy([model(x) for x in X], y)


def fit(
    model: Module,
    X: Sequence,
    y: Sequence,
    optimizer: Optimizer,
    *,
    steps: int = 100,
    loss_fn: LossFn = hinge_loss,
    l2: float = 0.0,
    batch_size: int | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    seed: Seed = None,
    on_step: Callable[[int, float, float], None] | None = None,
) -> History:
    """Train ``model`` on (X, y) for ``steps`` optimizer steps; returns the History.

    Args:
        optimizer: holds the parameters to update (usually ``model.parameters()``).
        loss_fn: ``loss_fn(scores, labels)`` -> Value (``hinge_loss`` wants -1/+1 labels).
        l2: the L2 penalty's weight, added to the loss.
        batch_size: examples per step, drawn at random without replacement
            (seeded by ``seed``); None for the whole data set every step.
        lr_schedule: ``lr_schedule(step)`` -> the learning rate for that step (0-based).
        on_step: called after each step with (step, loss, accuracy), e.g. to update a progress bar.
    """
    if len(X) != len(y) or not X:
        raise ValueError(f"fit needs as many labels as examples (and at least one): {len(X)} and {len(y)}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"fit steps must be an int >= 0, got {steps!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or not 1 <= batch_size <= len(X)):
        raise ValueError(f"fit batch_size must be None or an int from 1 to {len(X)}, got {batch_size!r}")
    rng: random.Random = as_random(seed, "fit")
    params = model.parameters()
    history = History()
    for step in range(steps):
        if lr_schedule is not None:
            optimizer.lr = lr_schedule(step)  # type: ignore[attr-defined]
        if batch_size is None:
            Xb, yb = X, y
        else:
            rows = rng.sample(range(len(X)), batch_size)
            Xb, yb = [X[i] for i in rows], [y[i] for i in rows]
        with _cyclic_gc_paused():
            loss, scores = batch_loss(model, Xb, yb, loss_fn, l2, params)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        history.loss.append(loss.data)
        history.accuracy.append(accuracy(scores, yb))
        history.lr.append(optimizer.lr)  # type: ignore[attr-defined]
        if on_step is not None:
            on_step(step, loss.data, history.accuracy[-1])
    return history
