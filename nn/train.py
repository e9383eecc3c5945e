"""The training loop as the textbooks describe it: epochs of batches, validation, a stopping rule, loud failure.

    model = MLP(2, [16, 16, 1], seed=0)
    X, y = make_moons(100, seed=1)
    history = fit(model, X, signed_labels(y), SGD(model.parameters(), lr=0.1), epochs=100, l2=1e-4)

An epoch is one pass over the training data: shuffled from ``seed``, cut into
batches of ``batch_size`` (1 is per-example stochastic gradient descent, None
the full batch, in the data's own order). Each batch is one step, the three
lines of every training loop, kept visible: ``batch_loss`` builds the loss
graph, ``loss.backward()`` fills the gradients, ``optimizer.step()`` moves the
parameters. Training ends after ``epochs`` epochs or ``steps`` steps, or when
the stopping rule fires, and the History says which.

Before each update the step is checked: a loss or a gradient that is not
finite, or a loss grown a thousandfold, stops training with one
``TrainingDivergedError`` naming the step, the loss and the parameter with the
largest gradient (the update is not applied, so the model keeps its last
finite weights). ``on_divergence="warn"`` warns and returns the History instead.

A prediction is right when its class matches the label: for one score, the
class is "positive" when the score is > 0 and a label is positive when it is
> 0 (so both 0/1 and -1/+1 labels work); for a list of scores, the class is
the index of the largest one.
"""

from __future__ import annotations

import math
import numbers
import random
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from autograd_core import Value, cyclic_gc_paused, no_grad

from ._rng import Seed, as_random
from .diagnostics import Diagnostics, diagnose
from .losses import hinge_loss
from .module import Module
from .optim import Optimizer

__all__ = ["History", "fit", "batch_loss", "accuracy", "evaluate", "evaluate_loss", "predicted_class",
           "TrainingDivergedError", "TrainingDivergedWarning"]

LossFn = Callable[[list, list], Value]
DIVERGENCE_ACTIONS = ("raise", "warn")


@dataclass
class History:
    """What ``fit`` saw: one entry per step, one per epoch, and why it stopped.

    Per step (before that step's update): ``loss`` of the batch (with L2),
    ``accuracy`` on the batch, ``lr``. Per epoch: ``epoch_loss`` and
    ``epoch_accuracy`` (means over the epoch's batches, weighted by their
    sizes), ``val_loss`` and ``val_accuracy`` (on the validation set at the
    epoch's end, without L2; empty without one), ``epoch_steps`` (steps taken
    by the epoch's end), ``epoch_time`` (seconds spent training by the epoch's
    end, not counting validation and diagnostics) and ``diagnostics``
    (``fit(..., diagnostics=True)``). ``stopped_by`` is "epochs", "steps",
    "converged" or "diverged"; ``stop_reason`` says it in a sentence.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    epoch_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epoch_steps: list[int] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    diagnostics: list[Diagnostics] = field(default_factory=list)
    stopped_by: str = ""
    stop_reason: str = ""

    @property
    def epochs(self) -> int:
        """How many epochs were run (the last one may have been cut short by ``steps``)."""
        return len(self.epoch_loss)


class TrainingDivergedError(ArithmeticError):
    """Training went off the rails: a non-finite loss or gradient, or a loss grown by orders of magnitude.

    ``step`` and ``epoch`` count from 1; ``parameter`` is the label of the
    parameter with the largest gradient and ``grad`` that gradient; ``history``
    holds everything up to and including the failed step.
    """

    def __init__(self, message: str, *, step: int, epoch: int, loss: float, parameter: str, grad: float,
                 history: History) -> None:
        super().__init__(message)
        self.step, self.epoch, self.loss = step, epoch, loss
        self.parameter, self.grad, self.history = parameter, grad, history


class TrainingDivergedWarning(RuntimeWarning):
    """``fit(..., on_divergence="warn")``: training diverged and stopped; the History is returned."""


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
        loss = loss + l2 * Value.sum(p * p for p in params)
    return loss, scores


def evaluate(model: Module, X: Sequence, y: Sequence) -> float:
    """The model's accuracy on (X, y), without recording a graph."""
    with no_grad():
        return accuracy([model(x) for x in X], y)


def evaluate_loss(model: Module, X: Sequence, y: Sequence, loss_fn: LossFn = hinge_loss) -> float:
    """The model's loss on (X, y) (no L2 term), without recording a graph."""
    with no_grad():
        return loss_fn([model(x) for x in X], list(y)).data


# ----------------------------------------------------------------- arguments
def _check_data(X: Sequence, y: Sequence, where: str) -> None:
    if len(X) != len(y) or not X:
        raise ValueError(f"{where} needs as many labels as examples (and at least one): {len(X)} and {len(y)}")


def _check_count(value: object, name: str, low: int, high: float = math.inf, *, none_ok: bool = True) -> None:
    """``value`` is an int in [low, high] (or None, when allowed: no limit); else a ValueError naming it."""
    if value is None and none_ok:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        span = f"an int >= {low}" if high == math.inf else f"None or an int from {low} to {high}"
        raise ValueError(f"fit {name} must be {span}, got {value!r}")


def _check_positive(value: object, name: str) -> None:
    """``value`` is None or a real number > 0 (inf allowed); else a ValueError naming it."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0):
        raise ValueError(f"fit {name} must be None or a number > 0, got {value!r}")


@dataclass(frozen=True)
class _Plan:
    """fit's arguments, checked once: what every step and epoch reads."""

    model: Any
    params: list[Value]
    X: Sequence
    y: Sequence
    optimizer: Optimizer
    loss_fn: LossFn
    l2: float
    batch_size: int | None
    epochs: int | None
    steps: int | None
    lr_schedule: Callable[[int], float] | None
    validation: tuple[Sequence, Sequence] | None
    tol: float | None
    patience: int
    on_divergence: str
    max_loss_growth: float | None
    diagnostics: bool
    on_step: Callable[[int, float, float], None] | None
    on_epoch: Callable[[int, History], None] | None

    def __post_init__(self) -> None:
        _check_data(self.X, self.y, "fit")
        if self.validation is not None:
            if not isinstance(self.validation, (tuple, list)) or len(self.validation) != 2:
                raise TypeError(f"fit validation must be a pair (X_val, y_val), got {type(self.validation).__name__}")
            _check_data(*self.validation, "fit validation")
        _check_count(self.epochs, "epochs", 0)
        _check_count(self.steps, "steps", 0)
        _check_count(self.batch_size, "batch_size", 1, len(self.X))
        _check_count(self.patience, "patience", 1, none_ok=False)
        _check_positive(self.tol, "tol")
        _check_positive(self.max_loss_growth, "max_loss_growth")
        if self.on_divergence not in DIVERGENCE_ACTIONS:
            raise ValueError(f"fit on_divergence must be 'raise' or 'warn', got {self.on_divergence!r}")
        if self.epochs is None and self.steps is None:
            raise ValueError("fit needs epochs= (passes over the data) or steps= (optimizer steps), or both")
        if self.diagnostics and not isinstance(self.model, Module):
            raise TypeError(f"fit diagnostics=True needs an nn Module (its layers are found with named_modules), "
                            f"got {type(self.model).__name__}")


def fit(
    model: Module,
    X: Sequence,
    y: Sequence,
    optimizer: Optimizer,
    *,
    epochs: int | None = None,
    steps: int | None = None,
    batch_size: int | None = None,
    loss_fn: LossFn = hinge_loss,
    l2: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    seed: Seed = None,
    validation: tuple[Sequence, Sequence] | None = None,
    tol: float | None = None,
    patience: int = 5,
    on_divergence: str = "raise",
    max_loss_growth: float | None = 1e3,
    diagnostics: bool = False,
    on_step: Callable[[int, float, float], None] | None = None,
    on_epoch: Callable[[int, History], None] | None = None,
) -> History:
    """Train ``model`` on (X, y) for ``epochs`` passes over the data or ``steps`` steps; returns the History.

    Args:
        model: called on one example, returns a Value (or a list of Values);
            has ``.parameters()``. An ``MLP``, or a ``CompiledModel``.
        optimizer: holds the parameters to update (usually ``model.parameters()``).
        epochs, steps: stop after this many epochs, or this many steps (a
            step budget: the last epoch may be cut short), whichever comes first.
        batch_size: examples per step, from the data shuffled each epoch
            (seeded by ``seed``); the last batch of an epoch may be smaller;
            1 is per-example SGD; None the whole data set, unshuffled.
        loss_fn: ``loss_fn(scores, labels)`` -> Value (``hinge_loss`` wants -1/+1 labels).
        l2: the L2 penalty's weight, added to the loss.
        lr_schedule: ``lr_schedule(step)`` -> the learning rate for that step (0-based).
        validation: ``(X_val, y_val)``: loss and accuracy recorded at each epoch's end.
        tol, patience: the stopping rule: stop when the monitored loss (the
            validation loss, else the epoch's training loss) has improved by
            less than ``tol`` over the last ``patience`` epochs. None: no rule.
        on_divergence: "raise" (TrainingDivergedError) or "warn" (a
            TrainingDivergedWarning, and the History is returned).
        max_loss_growth: a step whose loss exceeds this many times the loss at
            the start (the largest of the first epoch's first ten steps,
            counted as at least 1) has diverged; None: no limit.
        diagnostics: record ``nn.diagnose`` at each epoch's end (an nn Module only).
        on_step: called after each step with (step, loss, accuracy), e.g. to update a progress bar.
        on_epoch: called after each epoch with (epoch, history), epochs counted from 1.
    """
    plan = _Plan(model, model.parameters(), X, y, optimizer, loss_fn, l2, batch_size, epochs, steps, lr_schedule,
                 validation, tol, patience, on_divergence, max_loss_growth, diagnostics, on_step, on_epoch)
    rng = as_random(seed, "fit")
    history = History()
    check = _DivergenceCheck(max_loss_growth)
    epoch = 0
    while not history.stopped_by:
        if plan.epochs is not None and epoch == plan.epochs:
            history.stopped_by, history.stop_reason = "epochs", f"ran all {epoch} epochs"
        elif plan.steps is not None and len(history.loss) == plan.steps:
            history.stopped_by, history.stop_reason = "steps", f"took all {plan.steps} steps"
        else:
            epoch += 1
            _run_epoch(plan, history, epoch, _batches(len(X), batch_size, rng), check)
    return history


# --------------------------------------------------------------------- epochs
def _batches(n: int, batch_size: int | None, rng: random.Random) -> list[list[int]]:
    """One epoch's batches of example indices: all of them in order, or shuffled and cut into batch_size pieces."""
    if batch_size is None:
        return [list(range(n))]
    order = list(range(n))
    rng.shuffle(order)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _run_epoch(plan: _Plan, history: History, epoch: int, batches: list[list[int]],
               check: _DivergenceCheck) -> None:
    """One pass over the data, a step per batch (fewer when training stops first), then its records."""
    losses, accuracies, sizes, seconds, before = [], [], [], 0.0, None
    for number, rows in enumerate(batches, 1):
        if plan.steps is not None and len(history.loss) == plan.steps:
            history.stopped_by = "steps"
            history.stop_reason = (f"took all {plan.steps} steps (in epoch {epoch}, after {number - 1} "
                                   f"of its {len(batches)} batches)")
            break
        before = plan.model.state_dict() if plan.diagnostics else None  # for the update-to-weight ratios
        started = time.perf_counter()
        loss, acc = _step(plan, history, [plan.X[i] for i in rows], [plan.y[i] for i in rows],
                          _Where(len(history.loss) + 1, epoch, number, len(batches)), check)
        seconds += time.perf_counter() - started
        losses.append(loss)
        accuracies.append(acc)
        sizes.append(len(rows))
        if history.stopped_by:  # diverged, with on_divergence="warn"
            break
    _record_epoch(plan, history, losses, accuracies, sizes, seconds, before)
    if plan.on_epoch is not None:
        plan.on_epoch(epoch, history)
    reason = "" if history.stopped_by else _converged(plan, history)
    if reason:
        history.stopped_by, history.stop_reason = "converged", reason


def _record_epoch(plan: _Plan, history: History, losses: list[float], accuracies: list[float], sizes: list[int],
                  seconds: float, before: dict[str, float] | None) -> None:
    """The epoch's means, its validation loss and accuracy, and its diagnostics."""
    total = sum(sizes)
    history.epoch_loss.append(sum(l * n for l, n in zip(losses, sizes)) / total)
    history.epoch_accuracy.append(sum(a * n for a, n in zip(accuracies, sizes)) / total)
    history.epoch_steps.append(len(history.loss))
    history.epoch_time.append((history.epoch_time[-1] if history.epoch_time else 0.0) + seconds)
    if plan.validation is not None:
        X_val, y_val = plan.validation
        with no_grad():  # one forward pass for both numbers
            scores = [plan.model(x) for x in X_val]
            history.val_loss.append(plan.loss_fn(scores, list(y_val)).data)
        history.val_accuracy.append(accuracy(scores, y_val))
    if plan.diagnostics:
        history.diagnostics.append(diagnose(plan.model, plan.X, before))


def _converged(plan: _Plan, history: History) -> str:
    """Why the stopping rule fires now, or "": the loss improved by less than tol over the last patience epochs."""
    validating = plan.validation is not None
    monitored, name = (history.val_loss, "validation") if validating else (history.epoch_loss, "training")
    tol, patience = plan.tol, plan.patience
    if tol is None or len(monitored) <= patience:
        return ""
    earlier, recent = min(monitored[:-patience]), min(monitored[-patience:])
    if earlier - recent >= tol:
        return ""
    return (f"converged after {len(monitored)} epochs: the {name} loss improved by less than tol={tol:g} over the "
            f"last {patience} epochs (best {recent:.4g} in them, {earlier:.4g} before)")


# ---------------------------------------------------------------------- steps
@dataclass(frozen=True)
class _Where:
    """Where a step is, for messages: its number and its epoch's (from 1), and its batch of how many."""

    step: int
    epoch: int
    batch: int
    batches: int

    def __str__(self) -> str:
        return f"step {self.step} (epoch {self.epoch}, batch {self.batch} of {self.batches})"


def _step(plan: _Plan, history: History, Xb: list, yb: list, where: _Where,
          check: _DivergenceCheck) -> tuple[float, float]:
    """One step: the batch's loss graph, backward, the checks, the update; records it and returns (loss, accuracy)."""
    optimizer = plan.optimizer
    if plan.lr_schedule is not None:
        optimizer.lr = plan.lr_schedule(where.step - 1)  # type: ignore[attr-defined]
    forward_failed = False
    with cyclic_gc_paused():  # the step's graph has no cycles; the collector would only rescan it
        try:
            loss, scores = batch_loss(plan.model, Xb, yb, plan.loss_fn, plan.l2, plan.params)
        except OverflowError as error:  # a float past 1.8e308 in the forward pass: the weights ran away
            problem, loss_value, acc, forward_failed = f"{error} (raised by the engine)", math.inf, 0.0, True
        else:
            optimizer.zero_grad()
            loss.backward()
            loss_value, acc = loss.data, accuracy(scores, yb)
            problem = check.problem(loss_value, plan.params, where)
        if problem is None:
            optimizer.step()
    history.loss.append(loss_value)
    history.accuracy.append(acc)
    history.lr.append(optimizer.lr)  # type: ignore[attr-defined]
    if problem is not None:
        _diverged(plan, history, problem, where, loss_value, forward_failed=forward_failed)
    elif plan.on_step is not None:
        plan.on_step(where.step - 1, loss_value, acc)
    return loss_value, acc


# ----------------------------------------------------------------- divergence
class _DivergenceCheck:
    """Has a step diverged? Its loss or a gradient is not finite, or its loss grew past the limit.

    The limit is ``max_growth`` times the loss at the start: the largest loss
    of the first epoch's first ``REFERENCE_STEPS`` steps (one step for the
    full batch), counted as at least 1 (a per-example loss can be 0, and a
    loss growing from 1e-6 to 1e-3 is no disaster). Later steps do not move
    it, so a loss that climbs steadily, even within the first epoch, is caught.
    """

    REFERENCE_STEPS = 10

    def __init__(self, max_growth: float | None) -> None:
        self.max_growth = max_growth
        self.start = 0.0

    def problem(self, loss: float, params: Sequence[Value], where: _Where) -> str | None:
        """What went wrong at this step, or None."""
        if not math.isfinite(loss):
            return f"the loss is {loss}"
        if not all(math.isfinite(p.grad) for p in params):
            return f"the loss is {loss:.4g} but a gradient is not finite"
        start = self.start
        if self.max_growth is not None and loss > self.max_growth * max(start, 1.0):
            return (f"the loss is {loss:.3g}, more than {self.max_growth:g} times its size at the start "
                    f"({start:.3g}{', counted as 1' if start < 1 else ''})")
        if where.epoch == 1 and where.batch <= self.REFERENCE_STEPS:
            self.start = max(start, loss)
        return None


def _largest_gradient(params: Sequence[Value]) -> tuple[str, Value]:
    """The name and the parameter with the largest |grad|, a non-finite one counting as largest."""
    i = max(range(len(params)), key=lambda k: abs(params[k].grad) if math.isfinite(params[k].grad) else math.inf)
    return params[i].label or f"parameter {i} (unlabelled)", params[i]


def _diverged(plan: _Plan, history: History, problem: str, where: _Where, loss: float, *, forward_failed: bool) -> None:
    """Raise TrainingDivergedError naming the step, the loss and the largest gradient, or warn and stop."""
    name, p = _largest_gradient(plan.params)
    when = " at the previous step" if forward_failed else ""  # a failed forward pass leaves last step's gradients
    gradient = (f"the parameter with the largest gradient{when} is {name} (grad {p.grad:.3g}, value {p.data:.3g})"
                if not (forward_failed and where.step == 1) else "no gradient was computed yet")
    non_finite = not (forward_failed or math.isfinite(loss) and math.isfinite(p.grad))
    hint = "; autograd_core.detect_anomaly() around fit names the op that made it" if non_finite else ""
    message = (f"training diverged at {where}: {problem}; {gradient}; learning rate {history.lr[-1]:g}. This step's "
               f"update was not applied (a learning rate too large is the usual cause{hint})")
    history.stopped_by, history.stop_reason = "diverged", message
    if plan.on_divergence == "raise":
        raise TrainingDivergedError(message, step=where.step, epoch=where.epoch, loss=loss, parameter=name,
                                    grad=p.grad, history=history)
    warnings.warn(message, TrainingDivergedWarning, stacklevel=4)
