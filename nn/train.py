"""The training loop: micrograd's four lines, with epochs, batches, validation and a stopping rule around them.

    model = MLP(2, [16, 16, 1], seed=0)
    X, y = make_moons(100, seed=1)
    history = fit(model, X, signed_labels(y), hinge_loss, SGD(model.parameters(), lr=0.1, weight_decay=2e-4),
                  epochs=100)

Every training loop is ``train_step``: the forward pass and the loss,
``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``. ``fit``
runs it once per batch and composes the rest around it:

* an epoch is one pass over the data, shuffled from ``seed`` and cut into
  batches of ``batch_size`` (``_batches``; 1 is per-example stochastic
  gradient descent, None the full batch in the data's own order);
* training ends after ``epochs`` epochs or ``steps`` steps, or when a
  ``Stopping`` rule fires; the History says which;
* each step runs under a ``_Guard``: a loss, a gradient or an updated weight
  that is not finite, or a loss grown a thousandfold, undoes the step's update
  (weights and optimizer state) and raises one ``TrainingDivergedError``
  naming the step, the loss and the parameter with the largest gradient, so
  the model keeps its last finite weights;
* validation, diagnostics and the ``on_step``/``on_epoch`` callbacks read the
  model between steps.

The data are checked before the first step: lists (or numpy arrays) of
examples of one width, finite numbers, as many labels as examples.

A prediction is right when its class matches the label: for one score, the
class is "positive" when the score is > 0 and a label is positive when it is
> 0 (so both 0/1 and -1/+1 labels work); for a list of scores, the class is
the index of the largest one.
"""

from __future__ import annotations

import math
import numbers
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd_core import Value, no_grad
from autograd_core.collector import cyclic_gc_paused

from ._rng import Seed, as_random
from .diagnostics import Diagnostics, diagnose
from .losses import hinge_loss
from .module import Module
from .optim import Optimizer

__all__ = [
    "History",
    "Stopping",
    "fit",
    "train_step",
    "batch_loss",
    "accuracy",
    "evaluate",
    "evaluate_loss",
    "predicted_class",
    "TrainingDivergedError",
]

LossFn = Callable[[list, list], Value]


@dataclass
class History:
    """What ``fit`` saw: one entry per step, one per epoch, and why it stopped.

    Per step (before that step's update): ``loss`` of the batch, ``accuracy``
    on the batch, ``lr``. Per epoch: ``epoch_loss`` and ``epoch_accuracy``
    (means over the epoch's batches, weighted by their sizes), ``val_loss``
    and ``val_accuracy`` (on the validation set at the epoch's end; empty
    without one), ``epoch_steps`` (steps taken by the epoch's end),
    ``epoch_time`` (seconds spent training by the epoch's end, not counting
    validation and diagnostics) and ``diagnostics`` (``fit(...,
    diagnostics=True)``). ``stopped_by`` is "epochs", "steps", "converged" or
    "diverged"; ``stop_reason`` says it in a sentence. ``best_epoch`` is the
    epoch whose weights the ``Stopping`` rule restored (0 when it did not fire).
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
    best_epoch: int = 0

    @property
    def epochs(self) -> int:
        """How many epochs were run (the last one may have been cut short by ``steps``)."""
        return len(self.epoch_loss)


class TrainingDivergedError(ArithmeticError):
    """Training went off the rails: a non-finite loss, gradient or weight, or a loss grown by orders of magnitude.

    ``step`` and ``epoch`` count from 1; ``parameter`` is the label of the
    parameter with the largest gradient and ``grad`` that gradient ("" and nan
    when the step's gradients could not be computed); ``history`` holds
    everything up to and including the failed step, with ``stopped_by``
    "diverged" (catch the error to keep the curve up to there).
    """

    def __init__(
        self, message: str, *, step: int, epoch: int, loss: float, parameter: str, grad: float, history: History
    ) -> None:
        super().__init__(message)
        self.step, self.epoch, self.loss = step, epoch, loss
        self.parameter, self.grad, self.history = parameter, grad, history


@dataclass(frozen=True)
class Stopping:
    """The stopping rule: stop when the monitored loss improved by less than ``tol`` over the last ``patience`` epochs,
    and go back to the best epoch's weights.

    The monitored loss is the validation loss when ``fit`` has a validation
    set (early stopping: it also stops when the validation loss rises), else
    the epoch's training loss. When the rule fires, the model's weights are
    those of the epoch with the lowest monitored loss (``History.best_epoch``),
    as Keras's ``EarlyStopping(restore_best_weights=True)`` does: the epochs of
    patience after it were the rule waiting to be sure, not a better model.
    """

    tol: float
    patience: int = 5

    def __post_init__(self) -> None:
        if isinstance(self.tol, bool) or not isinstance(self.tol, numbers.Real) or not self.tol > 0:
            raise ValueError(f"Stopping tol must be a number > 0, got {self.tol!r}")
        if isinstance(self.patience, bool) or not isinstance(self.patience, int) or self.patience < 1:
            raise ValueError(f"Stopping patience must be an int >= 1, got {self.patience!r}")

    def reason(self, monitored: Sequence[float], name: str) -> str:
        """Why the rule fires after these epochs' losses (of the ``name`` data), or "" while it does not."""
        tol, patience = self.tol, self.patience
        if len(monitored) <= patience:
            return ""
        earlier, recent = min(monitored[:-patience]), min(monitored[-patience:])
        if earlier - recent >= tol:
            return ""
        best = self.best_epoch(monitored)
        return (
            f"converged after {len(monitored)} epochs: the {name} loss improved by less than tol={tol:g} over "
            f"the last {patience} epochs (best {recent:.4g} in them, {earlier:.4g} before); the weights of "
            f"epoch {best}, the best ({monitored[best - 1]:.4g}), restored"
        )

    @staticmethod
    def best_epoch(monitored: Sequence[float]) -> int:
        """The epoch (from 1) with the lowest monitored loss, the first of equals."""
        return min(range(len(monitored)), key=monitored.__getitem__) + 1


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


# ------------------------------------------------------------ the loop's body
def batch_loss(model: Module, X: Sequence, y: Sequence, loss_fn: LossFn) -> tuple[Value, list]:
    """The forward pass: the model's scores on a batch and ``loss_fn(scores, y)``, as (loss, scores).

    A model with a ``batch_loss`` method of its own (``nn.compiled.CompiledModel``)
    computes them itself, unless it returns ``NotImplemented``.
    """
    own = getattr(model, "batch_loss", None)
    if own is not None:
        result = own(X, y, loss_fn)
        if result is not NotImplemented:
            return result
    scores = [model(x) for x in X]
    loss = loss_fn(scores, list(y))
    if not isinstance(loss, Value):
        name = getattr(loss_fn, "__name__", repr(loss_fn))
        raise TypeError(
            f"the loss function {name} returned {type(loss).__name__} {loss!r}; it must return a Value "
            "built from the scores (a float has no graph to backpropagate through)"
        )
    return loss, scores


# The four lines of the loop keep their comments aligned, as docs/how-to/train-validate-stop.md shows them.
# fmt: off
def train_step(model: Module, X: Sequence, y: Sequence, loss_fn: LossFn, optimizer: Optimizer) -> tuple[Value, list]:
    """One step of every training loop, micrograd's: forward, zero the gradients, backward, update.

    Returns the batch's loss (before the update) and the model's scores.
    """
    loss, scores = batch_loss(model, X, y, loss_fn)  # forward: the batch's loss graph
    optimizer.zero_grad()                            # backward() adds to .grad, so start from 0
    loss.backward()                                  # every parameter's .grad = d loss / d parameter
    optimizer.step()                                 # the update: p.data -= lr * p.grad (SGD)
    return loss, scores
# fmt: on


def evaluate(model: Module, X: Sequence, y: Sequence) -> float:
    """The model's accuracy on (X, y), without recording a graph."""
    with no_grad():
        return accuracy([model(x) for x in as_list(X)], as_list(y))


def evaluate_loss(model: Module, X: Sequence, y: Sequence, loss_fn: LossFn = hinge_loss) -> float:
    """The model's loss on (X, y), without recording a graph."""
    with no_grad():
        return loss_fn([model(x) for x in as_list(X)], list(as_list(y))).data


# ----------------------------------------------------------------------- data
def as_list(data: Any) -> Any:
    """A numpy array as nested lists of Python numbers (``tolist``); anything else as it is.

    numpy is optional: it is looked up only among the modules already
    imported, since data cannot be a numpy array unless numpy was imported.
    """
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(data, numpy.ndarray):
        return data.tolist()
    if numpy is not None and isinstance(data, (list, tuple)) and any(isinstance(row, numpy.ndarray) for row in data):
        return [row.tolist() if isinstance(row, numpy.ndarray) else row for row in data]
    return data


def _check_finite(value: Any, where: str) -> None:
    """A real number (or a Value's data) that is nan or infinite is a ValueError naming where it is."""
    number = value.data if isinstance(value, Value) else value
    if isinstance(number, numbers.Real) and not isinstance(number, bool) and not math.isfinite(number):
        raise ValueError(f"{where} is {number}: the data must be finite numbers")


def checked_data(X: Any, y: Any, where: str, width: int | None = None) -> tuple[list, list]:
    """(X, y) as lists (numpy arrays too), checked: as many labels as examples (at least one), examples of one
    width (``width``, else the first example's), finite numbers; errors name ``where`` and the example."""
    X, y = as_list(X), as_list(y)
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"{where} needs as many labels as examples (and at least one): {len(X)} and {len(y)}")
    X, y = list(X), list(y)
    for i, row in enumerate(X):
        if not isinstance(row, (list, tuple)):  # a number, or an example only the model knows how to read
            _check_finite(row, f"{where} X[{i}]")
            continue
        if width is None:
            width = len(row)
        if len(row) != width:
            raise ValueError(
                f"{where} X[{i}] has {len(row)} numbers, expected {width} (as the training data's first example)"
            )
        for j, number in enumerate(row):
            _check_finite(number, f"{where} X[{i}][{j}]")
    for i, label in enumerate(y):
        _check_finite(label, f"{where} y[{i}]")
    return X, y


def _check_count(value: object, name: str, low: int, high: float = math.inf) -> None:
    """``value`` is None (no limit) or an int in [low, high]; else a ValueError naming it."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        span = f"an int >= {low}" if high == math.inf else f"None or an int from {low} to {high}"
        raise ValueError(f"fit {name} must be {span}, got {value!r}")


def _batches(n: int, batch_size: int | None, rng: random.Random) -> list[list[int]]:
    """One epoch's batches of example indices: all of them in order, or shuffled and cut into batch_size pieces."""
    if batch_size is None:
        return [list(range(n))]
    order = list(range(n))
    rng.shuffle(order)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


# ------------------------------------------------------------------------ fit
def fit(
    model: Module,
    X: Sequence,
    y: Sequence,
    loss_fn: LossFn,
    optimizer: Optimizer,
    *,
    epochs: int | None = None,
    steps: int | None = None,
    batch_size: int | None = None,
    seed: Seed = None,
    validation: tuple[Sequence, Sequence] | None = None,
    stopping: Stopping | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    max_loss_growth: float | None = 1e3,
    diagnostics: bool = False,
    on_step: Callable[[int, float, float], None] | None = None,
    on_epoch: Callable[[int, History], None] | None = None,
) -> History:
    """Train ``model`` on (X, y) with ``train_step`` for ``epochs`` passes over the data or ``steps`` steps.

    Args:
        model: called on one example, returns a Value (or a list of Values);
            has ``.parameters()``. An ``MLP``, or a ``CompiledModel``.
        X, y: the examples (lists of numbers, all of one width) and their
            labels; lists or numpy arrays.
        loss_fn: ``loss_fn(scores, labels)`` -> Value (``hinge_loss`` wants -1/+1 labels).
        optimizer: holds the parameters to update (usually ``model.parameters()``);
            L2 regularisation is its ``weight_decay``.
        epochs, steps: stop after this many epochs, or this many steps (a
            step budget: the last epoch may be cut short), whichever comes first.
        batch_size: examples per step, from the data shuffled each epoch
            (seeded by ``seed``); the last batch of an epoch may be smaller;
            1 is per-example SGD; None the whole data set, unshuffled.
        validation: ``(X_val, y_val)``: loss and accuracy recorded at each epoch's end.
        stopping: a ``Stopping(tol, patience)`` rule; None: train to the limit.
        lr_schedule: ``lr_schedule(step)`` -> the learning rate for that step
            (0-based), set as ``optimizer.lr`` before it.
        max_loss_growth: a step whose loss exceeds this many times the loss at
            the start (the largest of the first epoch's first ten steps,
            counted as at least 1) has diverged; None: no limit.
        diagnostics: record ``nn.diagnose`` at each epoch's end (an nn Module only).
        on_step: called after each step with (step, loss, accuracy), steps counted from 0.
        on_epoch: called after each epoch with (epoch, history), epochs counted from 1.

    Returns the History; raises ``TrainingDivergedError`` (its ``history``
    attribute holds the History) when a step diverges.
    """
    if isinstance(loss_fn, Optimizer):
        raise TypeError("fit(model, X, y, loss_fn, optimizer, ...): the loss function comes before the optimizer")
    X, y = checked_data(X, y, "fit")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"fit validation must be a pair (X_val, y_val), got {type(validation).__name__}")
        width = len(X[0]) if isinstance(X[0], (list, tuple)) else None
        validation = checked_data(*validation, "fit validation", width=width)
    _check_count(epochs, "epochs", 0)
    _check_count(steps, "steps", 0)
    _check_count(batch_size, "batch_size", 1, len(X))
    if epochs is None and steps is None:
        raise ValueError("fit needs epochs= (passes over the data) or steps= (optimizer steps), or both")
    if stopping is not None and not isinstance(stopping, Stopping):
        raise TypeError(f"fit stopping must be a Stopping(tol, patience) or None, got {stopping!r}")
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(f"fit lr_schedule must be a function of the step (0-based), got {lr_schedule!r}")
    if diagnostics and not isinstance(model, Module):
        raise TypeError(
            f"fit diagnostics=True needs an nn Module (its layers are found with named_modules), "
            f"got {type(model).__name__}"
        )
    rng = as_random(seed, "fit")
    history = History()
    guard = _Guard(model.parameters(), optimizer, max_loss_growth)
    best_weights: list[float] = []  # the weights at the lowest monitored loss so far (with a stopping rule)
    while not history.stopped_by:
        if epochs is not None and history.epochs == epochs:
            history.stopped_by, history.stop_reason = "epochs", f"ran all {epochs} epochs"
        elif steps is not None and len(history.loss) == steps:
            history.stopped_by, history.stop_reason = "steps", f"took all {steps} steps"
        else:
            epoch = history.epochs + 1
            batches = _batches(len(X), batch_size, rng)
            losses, accuracies, sizes, seconds, before = [], [], [], 0.0, None
            for number, rows in enumerate(batches, 1):
                if steps is not None and len(history.loss) == steps:
                    history.stopped_by = "steps"
                    history.stop_reason = (
                        f"took all {steps} steps (in epoch {epoch}, after {number - 1} of its {len(batches)} batches)"
                    )
                    break
                where = _Where(len(history.loss) + 1, epoch, number, len(batches))
                if lr_schedule is not None:
                    optimizer.lr = _scheduled(lr_schedule, where)
                before = model.state_dict() if diagnostics else None  # for the update-to-weight ratios
                started = time.perf_counter()
                loss, acc = guard.step(model, [X[i] for i in rows], [y[i] for i in rows], loss_fn, where, history)
                seconds += time.perf_counter() - started
                losses.append(loss)
                accuracies.append(acc)
                sizes.append(len(rows))
                if on_step is not None:
                    on_step(where.step - 1, loss, acc)
            _record_epoch(history, losses, accuracies, sizes, seconds)
            if validation is not None:
                _validate(model, *validation, loss_fn, history, guard)
            if diagnostics:
                history.diagnostics.append(diagnose(model, X, before))
            if on_epoch is not None:
                on_epoch(epoch, history)
            if stopping is not None and not history.stopped_by:
                monitored, name = (
                    (history.val_loss, "validation") if validation is not None else (history.epoch_loss, "training")
                )
                if stopping.best_epoch(monitored) == len(monitored):  # a new best: keep its weights
                    best_weights = [p.data for p in model.parameters()]
                reason = stopping.reason(monitored, name)
                if reason:
                    for p, data in zip(model.parameters(), best_weights):
                        p.data = data
                    history.best_epoch = stopping.best_epoch(monitored)
                    history.stopped_by, history.stop_reason = "converged", reason
    return history


def _scheduled(lr_schedule: Callable[[int], float], where: _Where) -> float:
    """The schedule's learning rate for this step, or a ValueError naming the schedule, the step and the value."""
    lr = lr_schedule(where.step - 1)
    problem = f"fit lr_schedule({where.step - 1}) returned {type(lr).__name__} {lr!r} for {where}"
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{problem}; a learning rate is a number")
    if not (math.isfinite(lr) and lr >= 0):
        raise ValueError(f"{problem}; a learning rate is a finite number >= 0")
    return float(lr)


def _record_epoch(
    history: History, losses: list[float], accuracies: list[float], sizes: list[int], seconds: float
) -> None:
    """The epoch's means over its batches (weighted by their sizes), its steps and its time."""
    total = sum(sizes)
    history.epoch_loss.append(sum(loss * n for loss, n in zip(losses, sizes)) / total)
    history.epoch_accuracy.append(sum(a * n for a, n in zip(accuracies, sizes)) / total)
    history.epoch_steps.append(len(history.loss))
    history.epoch_time.append((history.epoch_time[-1] if history.epoch_time else 0.0) + seconds)


def _validate(model: Module, X_val: list, y_val: list, loss_fn: LossFn, history: History, guard: _Guard) -> None:
    """The validation loss and accuracy at an epoch's end (one forward pass, no graph); a non-finite loss diverged."""
    with no_grad():
        scores = [model(x) for x in X_val]
        loss = loss_fn(scores, list(y_val)).data
    history.val_loss.append(loss)
    history.val_accuracy.append(accuracy(scores, y_val))
    if not math.isfinite(loss):
        epoch = history.epochs
        guard.diverged(
            f"training diverged at the end of epoch {epoch}: the validation loss is {loss}, although "
            f"every weight is finite and the epoch's training loss is {history.epoch_loss[-1]:.4g} "
            "(the validation data give the model or the loss function numbers out of range)",
            step=len(history.loss),
            epoch=epoch,
            loss=loss,
            parameter="",
            grad=math.nan,
            history=history,
        )


# ---------------------------------------------------------------- the guard
@dataclass(frozen=True)
class _Where:
    """Where a step is, for messages: its number and its epoch's (from 1), and its batch of how many."""

    step: int
    epoch: int
    batch: int
    batches: int

    def __str__(self) -> str:
        return f"step {self.step} (epoch {self.epoch}, batch {self.batch} of {self.batches})"


class _Guard:
    """Runs ``train_step`` and undoes it when it diverged: weights and optimizer state back as before it.

    A step has diverged when its loss or a gradient is not finite, an updated
    weight is not finite, or its loss grew past ``max_growth`` times the loss
    at the start: the largest loss of the first epoch's first
    ``REFERENCE_STEPS`` steps (one step for the full batch), counted as at
    least 1 (a per-example loss can be 0, and a loss growing from 1e-6 to 1e-3
    is no disaster). The first step has nothing to grow from, so any finite
    loss passes it. Later steps do not move the reference, so a loss that
    climbs steadily, even within the first epoch, is caught.
    """

    REFERENCE_STEPS = 10

    def __init__(self, params: list[Value], optimizer: Optimizer, max_growth: float | None) -> None:
        if max_growth is not None and (
            isinstance(max_growth, bool) or not isinstance(max_growth, numbers.Real) or not max_growth > 0
        ):
            raise ValueError(f"fit max_loss_growth must be None or a number > 0, got {max_growth!r}")
        self.params, self.optimizer, self.max_growth = params, optimizer, max_growth
        self.start: float | None = None  # no loss seen yet: the first step sets the size at the start

    def step(
        self, model: Module, X: list, y: list, loss_fn: LossFn, where: _Where, history: History
    ) -> tuple[float, float]:
        """``train_step`` on the batch, checked; records it in the History and returns (loss, accuracy)."""
        weights, state = [p.data for p in self.params], self.optimizer.state_dict()
        computed = True
        with cyclic_gc_paused():  # the step's graph has no cycles; the collector would only rescan it
            try:
                loss, scores = train_step(model, X, y, loss_fn, self.optimizer)
            except OverflowError as error:  # a float past 1.8e308 in the forward or backward pass
                problem, loss_value, acc, computed = f"{error} (raised by the engine)", math.inf, 0.0, False
                by_update = False
            else:
                loss_value, acc = loss.data, accuracy(scores, y)
                problem, by_update = self._problem(loss_value, weights, where)
        history.loss.append(loss_value)
        history.accuracy.append(acc)
        history.lr.append(self.optimizer.lr)
        if problem is not None:
            for p, w in zip(self.params, weights):
                p.data = w
            self.optimizer.load_state_dict(state)
            self._report(problem, where, loss_value, history, computed=computed, by_update=by_update)
        return loss_value, acc

    def _problem(self, loss: float, weights: list[float], where: _Where) -> tuple[str | None, bool]:
        """What went wrong at this step, or None; and whether the update itself did it.

        ``weights`` are the ones before the update.
        """
        if not math.isfinite(loss):
            return f"the loss is {loss}", False
        if not all(math.isfinite(p.grad) for p in self.params):
            return f"the loss is {loss:.4g} but a gradient is not finite", False
        start = self.start
        if self.max_growth is not None and start is not None and loss > self.max_growth * max(start, 1.0):
            return (
                f"the loss is {loss:.3g}, more than {self.max_growth:g} times its size at the start "
                f"({start:.3g}{', counted as 1' if start < 1 else ''})"
            ), False
        for i, (p, w) in enumerate(zip(self.params, weights)):
            if not math.isfinite(p.data):
                name = p.label or f"parameter {i} (unlabelled)"
                return (
                    f"the loss is {loss:.4g} but the update made {name} {p.data} (from {w:.3g}, with grad {p.grad:.3g})"
                ), True
        if where.epoch == 1 and where.batch <= self.REFERENCE_STEPS:
            self.start = loss if start is None else max(start, loss)
        return None, False

    def _largest_gradient(self) -> tuple[str, Value]:
        """The name and the parameter with the largest |grad|, a non-finite one counting as largest."""
        params = self.params
        i = max(range(len(params)), key=lambda k: abs(params[k].grad) if math.isfinite(params[k].grad) else math.inf)
        return params[i].label or f"parameter {i} (unlabelled)", params[i]

    def _report(
        self, problem: str, where: _Where, loss: float, history: History, *, computed: bool, by_update: bool
    ) -> None:
        """Raise TrainingDivergedError naming the step, the problem, the largest gradient and the likely cause."""
        name, p = self._largest_gradient()
        gradient = (
            f"the parameter with the largest gradient is {name} (grad {p.grad:.3g}, value {p.data:.3g})"
            if computed
            else "the step's gradients were not computed"
        )
        non_finite = not (computed and math.isfinite(loss) and math.isfinite(p.grad))
        hint = "; autograd_core.detect_anomaly() around fit names the op that made it" if non_finite else ""
        if where.step == 1 and not by_update:  # nothing was updated yet: the learning rate cannot be the cause
            cause = f"before any update, so the data, the initial weights or the loss function made it{hint}"
        else:
            cause = f"a learning rate too large is the usual cause{hint}"
        message = (
            f"training diverged at {where}: {problem}; {gradient}; learning rate {history.lr[-1]:g}. "
            f"This step's update was undone ({cause})"
        )
        self.diverged(
            message,
            step=where.step,
            epoch=where.epoch,
            loss=loss,
            parameter=name if computed else "",
            grad=p.grad if computed else math.nan,
            history=history,
        )

    @staticmethod
    def diverged(
        message: str, *, step: int, epoch: int, loss: float, parameter: str, grad: float, history: History
    ) -> None:
        """Mark the History as diverged and raise the error."""
        history.stopped_by, history.stop_reason = "diverged", message
        raise TrainingDivergedError(
            message, step=step, epoch=epoch, loss=loss, parameter=parameter, grad=grad, history=history
        )
