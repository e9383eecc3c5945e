"""Toy data sets: seeded, shaped right, labelled as documented; and the seeded train/test split."""

from __future__ import annotations

import math
import random

import pytest

from nn import make_circles, make_moons, make_spiral, signed_labels, train_test_split
from nn.data import make_xor

GENERATORS = [
    ("moons", lambda **kw: make_moons(101, **kw), 2, 101),
    ("circles", lambda **kw: make_circles(80, **kw), 2, 80),
    ("spiral", lambda **kw: make_spiral(100, n_classes=3, **kw), 3, 100),
    ("spiral-5", lambda **kw: make_spiral(52, n_classes=5, **kw), 5, 52),
    ("xor", lambda **kw: make_xor(60, **kw), 2, 60),
]


@pytest.mark.parametrize("name, make, n_classes, n", GENERATORS, ids=[g[0] for g in GENERATORS])
def test_shapes_labels_and_balance(name, make, n_classes, n):
    X, y = make(seed=0)
    assert len(X) == len(y) == n
    assert all(isinstance(p, list) and len(p) == 2 and all(type(c) is float and math.isfinite(c) for c in p) for p in X)
    assert all(type(label) is int for label in y)
    counts = [y.count(k) for k in range(n_classes)]
    assert sum(counts) == n and max(counts) - min(counts) <= 1  # as even as n allows
    assert y[: n // 2].count(0) not in (0, n // 2)  # shuffled: the first half holds both classes


@pytest.mark.parametrize("name, make, n_classes, n", GENERATORS, ids=[g[0] for g in GENERATORS])
def test_seeded_and_reproducible(name, make, n_classes, n):
    assert make(seed=3) == make(seed=3)
    assert make(seed=3) != make(seed=4)
    assert make(seed=random.Random(3)) == make(seed=3)


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = make_moons(50, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon: unit circle around (0, 0), b >= 0
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower moon: unit circle around (1, 0.5), below it
            assert math.hypot(a - 1, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_circles_without_noise_have_the_two_radii():
    X, y = make_circles(40, noise=0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)


def test_xor_labels_follow_the_quadrants():
    X, y = make_xor(200, noise=0.2, seed=1)
    agree = sum((a * b < 0) == (label == 1) for (a, b), label in zip(X, y))
    assert agree >= 198  # noise 0.2 moves a point across an axis only 5 standard deviations out


def test_signed_labels():
    assert signed_labels([0, 1, 1, 0]) == [-1.0, 1.0, 1.0, -1.0]
    with pytest.raises(ValueError, match="label 2 is 2, expected 0 or 1"):
        signed_labels([0, 1, 2])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: make_moons(1), ValueError, "make_moons n must be at least 2, got 1"),
        (lambda: make_moons(10.0), TypeError, "make_moons n must be an int"),
        (lambda: make_moons(10, noise=-0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: make_circles(10, factor=1.5), ValueError, "factor must be between 0 and 1"),
        (lambda: make_spiral(10, n_classes=1), ValueError, "n_classes must be at least 2"),
        (lambda: make_spiral(2, n_classes=3), ValueError, "make_spiral n must be at least 3"),
        (lambda: make_xor(10, seed=1.5), TypeError, "seed must be None, an int or a random.Random"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_train_test_split_is_a_seeded_partition():
    X, y = make_moons(40, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=7)
    assert len(X_test) == len(y_test) == 10 and len(X_train) == len(y_train) == 30
    pairs = sorted(map(repr, zip(X_train + X_test, y_train + y_test)))
    assert pairs == sorted(map(repr, zip(X, y)))  # every example exactly once, label kept with its point
    assert train_test_split(X, y, seed=7) == train_test_split(X, y, seed=7)
    assert train_test_split(X, y, seed=7) != train_test_split(X, y, seed=8)


@pytest.mark.parametrize("n, fraction, n_test", [(2, 0.5, 1), (10, 0.01, 1), (10, 0.99, 9), (7, 0.3, 2)])
def test_train_test_split_keeps_both_parts_non_empty(n, fraction, n_test):
    X_train, X_test, _, _ = train_test_split(list(range(n)), list(range(n)), test_fraction=fraction, seed=0)
    assert len(X_test) == n_test and len(X_train) == n - n_test


@pytest.mark.parametrize(
    "args, message",
    [
        (([1, 2, 3], [0, 1]), "X has 3 examples but y has 2"),
        (([1], [0]), "at least 2 examples"),
        (([1, 2], [0, 1], 1.0), "test_fraction must be between 0 and 1"),
    ],
)
def test_train_test_split_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(*args)
