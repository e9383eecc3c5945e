"""Losses: their values on hand-computed cases, single and batch forms, and their label checks."""

from __future__ import annotations

import math

import pytest

from autograd_core import Value
from nn import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss

VALUE_CASES = [
    # mean((0.5 - 1)^2, (-1 - 1)^2) = (0.25 + 4) / 2
    ("mse", lambda: mse_loss([0.5, -1.0], [1.0, 1.0]), 2.125),
    ("mse sum", lambda: mse_loss([0.5, -1.0], [1.0, 1.0], reduction="sum"), 4.25),
    ("mse single", lambda: mse_loss(Value(3.0), 1.0), 4.0),
    # relu(1 - 1*0.3) = 0.7, relu(1 - (-1)*(-2)) = 0, relu(1 - 1*(-0.5)) = 1.5; mean = 2.2 / 3
    ("hinge", lambda: hinge_loss([0.3, -2.0, -0.5], [1, -1, 1]), 2.2 / 3),
    ("hinge sum", lambda: hinge_loss([0.3, -2.0, -0.5], [1, -1, 1], reduction="sum"), 2.2),
    # -log sigmoid(0) = log 2 for either label
    ("bce at 0", lambda: binary_cross_entropy([0.0, 0.0], [1, 0]), math.log(2)),
    # -log sigmoid(2) and -log(1 - sigmoid(2)) = log(1 + e^-2), log(1 + e^2)
    (
        "bce",
        lambda: binary_cross_entropy([2.0, 2.0], [1, 0], reduction="sum"),
        math.log1p(math.exp(-2)) + math.log1p(math.exp(2)),
    ),
    # -log(e^1 / (e^1 + e^2 + e^3))
    ("cross entropy", lambda: cross_entropy([1.0, 2.0, 3.0], 0), math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 1),
    (
        "cross entropy batch",
        lambda: cross_entropy([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], [0, 1]),
        (math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 1 + math.log(3)) / 2,
    ),
]


@pytest.mark.parametrize("name, loss, expected", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_loss_values(name, loss, expected):
    result = loss()
    assert isinstance(result, Value)
    assert result.data == pytest.approx(expected, rel=1e-12)


def test_losses_check_their_labels():
    s = [Value(0.1), Value(0.2)]
    with pytest.raises(ValueError, match=r"hinge_loss: label 1 is 0; labels must be -1 or \+1 \(nn.signed_labels"):
        hinge_loss(s, [1, 0])
    with pytest.raises(ValueError, match="binary_cross_entropy: label 0 is -1; labels must be 0 or 1"):
        binary_cross_entropy(s, [-1, 1])
    with pytest.raises(ValueError, match="class 3 is out of range for 3 logits"):
        cross_entropy([Value(0.0)] * 3, 3)
    with pytest.raises(TypeError, match="the class must be an int, got float 1.0"):
        cross_entropy([[Value(0.0)] * 3], [1.0])
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        mse_loss(s, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="target 1 is str"):
        mse_loss(s, [1.0, "2"])
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum'"):
        mse_loss(s, [1.0, 2.0], reduction="none")
    with pytest.raises(ValueError, match="no predictions"):
        hinge_loss([], [])
