"""Loss functions built from Value ops, each the mean (or sum) of one term per example.

Label conventions (checked, with an error naming the bad label and its index):

* ``hinge_loss``: labels -1 / +1 (``signed_labels`` turns 0/1 labels into them).
* ``binary_cross_entropy``: labels 0 / 1 (or probabilities in [0, 1]); the
  scores are logits, not probabilities.
* ``cross_entropy``: an int class index in ``range(len(logits))``.
* ``mse_loss``: any real targets.

Each loss takes one prediction per example (a Value or a number) and returns a
Value, so ``loss.backward()`` reaches every parameter that made the predictions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from autograd_core import Value

__all__ = ["mse_loss", "hinge_loss", "binary_cross_entropy", "cross_entropy", "signed_labels"]

Score = Value | float
REDUCTIONS = ("mean", "sum")


def _pair(predictions: object, targets: object, where: str) -> tuple[list, list]:
    """Predictions and targets as two equal-length lists (a single prediction becomes a list of one)."""
    if isinstance(predictions, (Value, numbers.Real)):
        predictions = [predictions]
        targets = [targets] if isinstance(targets, numbers.Real) else targets
    if not isinstance(predictions, Sequence) or not isinstance(targets, Sequence) or isinstance(targets, str):
        raise TypeError(
            f"{where} needs lists of predictions and targets, got "
            f"{type(predictions).__name__} and {type(targets).__name__}"
        )
    if len(predictions) != len(targets):
        raise ValueError(f"{where}: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{where}: no predictions (an empty batch has no mean)")
    for i, p in enumerate(predictions):
        if not isinstance(p, (Value, numbers.Real)):
            raise TypeError(f"{where}: prediction {i} is {type(p).__name__} {p!r}, expected a Value or a number")
    return list(predictions), list(targets)


def _target(y: object, i: int, where: str) -> float:
    """Target ``i`` as a finite float."""
    if isinstance(y, (bool, Value)) or not isinstance(y, numbers.Real) or not math.isfinite(y):
        raise TypeError(f"{where}: target {i} is {type(y).__name__} {y!r}, expected a finite real number")
    return float(y)


def _reduce(terms: list[Value], reduction: str, where: str) -> Value:
    """The mean or the sum of the per-example terms: one sum node (the same floats as adding them in order)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean' or 'sum', got {reduction!r}")
    total = Value.sum(terms)
    return total * (1.0 / len(terms)) if reduction == "mean" else total


def _as_value(p: Score) -> Value:
    return p if isinstance(p, Value) else Value(p)


def mse_loss(
    predictions: Sequence[Score] | Score, targets: Sequence[float] | float, *, reduction: str = "mean"
) -> Value:
    """Mean squared error: mean of (prediction - target)**2."""
    predictions, targets = _pair(predictions, targets, "mse_loss")
    terms = []
    for i, (p, y) in enumerate(zip(predictions, targets)):
        diff = _as_value(p) - _target(y, i, "mse_loss")
        terms.append(diff * diff)
    return _reduce(terms, reduction, "mse_loss")


def hinge_loss(scores: Sequence[Score] | Score, labels: Sequence[int] | int, *, reduction: str = "mean") -> Value:
    """micrograd's max-margin loss: mean of relu(1 - y * score), for labels y in {-1, +1}."""
    scores, labels = _pair(scores, labels, "hinge_loss")
    terms = []
    for i, (s, y) in enumerate(zip(scores, labels)):
        y = _target(y, i, "hinge_loss")
        if y not in (-1.0, 1.0):
            raise ValueError(
                f"hinge_loss: label {i} is {labels[i]!r}; labels must be -1 or +1 "
                "(nn.signed_labels turns 0/1 labels into -1/+1)"
            )
        terms.append((1.0 - _as_value(s) * y).relu())
    return _reduce(terms, reduction, "hinge_loss")


def _bce_term(z: Value, y: float) -> Value:
    """softplus(z) - z*y, the cross-entropy of sigmoid(z) against y, without overflow.

    softplus(z) = log(1 + e^z) is computed as z + log(1 + e^-z) for z >= 0 and
    log(1 + e^z) below, so the exponent is never positive. The textbook
    ``max(z, 0) + log(1 + e^-|z|)`` has the same value but two kinks at z = 0
    whose subgradients (0 for relu and abs) give the wrong gradient there
    (-y instead of 0.5 - y); each branch here is smooth, and both give 0.5 - y at 0.
    """
    if z.data >= 0:
        softplus = z + (1.0 + (-z).exp()).log()
    else:
        softplus = (1.0 + z.exp()).log()
    return softplus - z * y


def binary_cross_entropy(
    logits: Sequence[Score] | Score, labels: Sequence[float] | float, *, reduction: str = "mean"
) -> Value:
    """Binary cross-entropy of sigmoid(logit) against labels in [0, 1] (usually 0 or 1), from logits.

    As PyTorch's ``binary_cross_entropy_with_logits``: stable for logits of any size.
    """
    logits, labels = _pair(logits, labels, "binary_cross_entropy")
    terms = []
    for i, (z, y) in enumerate(zip(logits, labels)):
        y = _target(y, i, "binary_cross_entropy")
        if not 0.0 <= y <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: label {i} is {labels[i]!r}; labels must be 0 or 1 (or a probability in [0, 1])"
            )
        terms.append(_bce_term(_as_value(z), y))
    return _reduce(terms, reduction, "binary_cross_entropy")


def _class_index(target: object, n_classes: int, where: str) -> int:
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise TypeError(f"{where}: the class must be an int, got {type(target).__name__} {target!r}")
    if not 0 <= target < n_classes:
        raise ValueError(f"{where}: class {target} is out of range for {n_classes} logits (0 to {n_classes - 1})")
    return int(target)


def _cross_entropy_one(logits: Sequence[Score], target: object, where: str) -> Value:
    """-log softmax(logits)[target] = log(sum(e^(z_j - m))) - (z_target - m), with m the largest logit."""
    if isinstance(logits, (str, bytes)) or not isinstance(logits, Sequence) or len(logits) < 2:
        raise TypeError(f"{where}: logits must be a list of at least 2 Values or numbers, got {logits!r}")
    values = []
    for j, z in enumerate(logits):
        if not isinstance(z, (Value, numbers.Real)):
            raise TypeError(f"{where}: logit {j} is {type(z).__name__} {z!r}, expected a Value or a number")
        values.append(_as_value(z))
    k = _class_index(target, len(values), where)
    # Subtracting a constant changes no gradient, and keeps every exponent <= 0.
    m = max(z.data for z in values)
    shifted = [z - m for z in values]
    total = shifted[0].exp()
    for s in shifted[1:]:
        total = total + s.exp()
    return total.log() - shifted[k]


def cross_entropy(
    logits: Sequence[Score] | Sequence[Sequence[Score]], target: int | Sequence[int], *, reduction: str = "mean"
) -> Value:
    """Softmax cross-entropy, stable for large logits.

    One example: ``cross_entropy([z0, z1, z2], 2)``. A batch: a list of logit
    lists and a list of classes, ``cross_entropy([[...], [...]], [2, 0])``,
    reduced by ``reduction`` ("mean" or "sum").
    """
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        return _cross_entropy_one(logits, target, "cross_entropy")  # type: ignore[arg-type]  # int target: one example
    if isinstance(target, (str, bytes)) or not isinstance(target, Sequence):
        raise TypeError(
            f"cross_entropy: the class must be an int (or a list of ints for a batch), "
            f"got {type(target).__name__} {target!r}"
        )
    if not isinstance(logits, Sequence) or len(logits) != len(target):
        raise ValueError(
            f"cross_entropy: a batch of {len(target)} classes needs as many logit lists, "
            f"got {len(logits) if isinstance(logits, Sequence) else type(logits).__name__}"
        )
    if not target:
        raise ValueError("cross_entropy: no examples (an empty batch has no mean)")
    terms = [_cross_entropy_one(z, t, f"cross_entropy example {i}") for i, (z, t) in enumerate(zip(logits, target))]
    return _reduce(terms, reduction, "cross_entropy")


def signed_labels(labels: Sequence[int]) -> list[float]:
    """0/1 labels as -1.0/+1.0, for ``hinge_loss``."""
    out = []
    for i, y in enumerate(labels):
        if y not in (0, 1) or isinstance(y, Value):
            raise ValueError(f"signed_labels: label {i} is {y!r}, expected 0 or 1")
        out.append(2.0 * y - 1.0)
    return out
