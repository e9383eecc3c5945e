"""Toy 2-D data sets, seeded and in pure Python, and a seeded train/test split.

Every generator returns ``(X, y)``: ``X`` a list of ``[x0, x1]`` float pairs,
``y`` a list of int class labels, 0 and 1 for the binary sets (as
scikit-learn's), 0 to ``n_classes - 1`` for the spiral. ``hinge_loss`` wants
-1/+1: use ``nn.signed_labels(y)``. The points come shuffled, so any prefix
holds both classes. The same ``seed`` gives the same points (see ``nn._rng``).

``make_moons`` and ``make_circles`` follow scikit-learn's recipes (evenly
spaced angles, then Gaussian noise); ``make_spiral`` is CS231n's spiral.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Sequence
from typing import TypeVar

from ._rng import Seed, as_random

__all__ = ["make_moons", "make_circles", "make_spiral", "make_xor", "train_test_split"]

Points = list[list[float]]
T = TypeVar("T")
U = TypeVar("U")


def _check_count(n: object, name: str, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, got {type(n).__name__} {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    return n


def _check_noise(noise: object, name: str = "noise") -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not 0 <= noise < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {noise!r}")
    return float(noise)


def _linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    """n evenly spaced numbers from start to stop (stop included when endpoint)."""
    if n == 1:
        return [float(start)]
    step = (stop - start) / (n - 1 if endpoint else n)
    return [start + i * step for i in range(n)]


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random) -> tuple[Points, list[int]]:
    """Shuffle, add Gaussian noise, split into X and y."""
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] if noise else [x, y] for x, y, _ in points]
    return X, [label for _, _, label in points]


def make_moons(n: int = 100, noise: float = 0.1, seed: Seed = None) -> tuple[Points, list[int]]:
    """Two interleaving half circles: the upper one class 0, the lower one class 1."""
    n = _check_count(n, "make_moons n", 2)
    rng = as_random(seed, "make_moons")
    n_outer = n // 2
    points = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, math.pi, n_outer)]
    points += [(1 - math.cos(t), 0.5 - math.sin(t), 1) for t in _linspace(0.0, math.pi, n - n_outer)]
    return _finish(points, _check_noise(noise), rng)


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: Seed = None) -> tuple[Points, list[int]]:
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1)."""
    n = _check_count(n, "make_circles n", 2)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"make_circles factor must be between 0 and 1 (exclusive), got {factor!r}")
    rng = as_random(seed, "make_circles")
    n_outer = n // 2
    points = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, 2 * math.pi, n_outer, endpoint=False)]
    points += [
        (factor * math.cos(t), factor * math.sin(t), 1)
        for t in _linspace(0.0, 2 * math.pi, n - n_outer, endpoint=False)
    ]
    return _finish(points, _check_noise(noise), rng)


def make_spiral(n: int = 150, n_classes: int = 3, noise: float = 0.2, seed: Seed = None) -> tuple[Points, list[int]]:
    """``n_classes`` interleaved spiral arms (CS231n); ``n`` points in all, as evenly split as possible.

    Arm k has radii evenly spaced in [0, 1] and angles in [4k, 4k + 4] radians,
    with Gaussian noise of ``noise`` radians on the angle.
    """
    n_classes = _check_count(n_classes, "make_spiral n_classes", 2)
    n = _check_count(n, "make_spiral n", n_classes)
    noise = _check_noise(noise)
    rng = as_random(seed, "make_spiral")
    points = []
    for k in range(n_classes):
        count = n // n_classes + (1 if k < n % n_classes else 0)
        for r, t in zip(_linspace(0.0, 1.0, count), _linspace(4.0 * k, 4.0 * (k + 1), count)):
            t += rng.gauss(0.0, noise) if noise else 0.0
            points.append((r * math.sin(t), r * math.cos(t), k))
    return _finish(points, 0.0, rng)


def make_xor(n: int = 100, noise: float = 0.2, seed: Seed = None) -> tuple[Points, list[int]]:
    """Four Gaussian blobs at (+-1, +-1): class 1 where x0 and x1 have opposite signs, else 0.

    No straight line separates the classes: the smallest problem a hidden layer is needed for.
    """
    n = _check_count(n, "make_xor n", 4)
    noise = _check_noise(noise)
    rng = as_random(seed, "make_xor")
    corners = [(1.0, 1.0, 0), (-1.0, -1.0, 0), (-1.0, 1.0, 1), (1.0, -1.0, 1)]
    points = [corners[i % 4] for i in range(n)]
    return _finish(points, noise, rng)


def train_test_split(
    X: Sequence[T], y: Sequence[U], test_fraction: float = 0.25, seed: Seed = None
) -> tuple[list[T], list[T], list[U], list[U]]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    The test part has ``round(len(X) * test_fraction)`` examples, at least one,
    and at least one example is left for training.
    """
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} examples but y has {len(y)}")
    if len(X) < 2:
        raise ValueError(f"train_test_split needs at least 2 examples, got {len(X)}")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not 0 < test_fraction < 1:
        raise ValueError(f"train_test_split test_fraction must be between 0 and 1 (exclusive), got {test_fraction!r}")
    order = list(range(len(X)))
    as_random(seed, "train_test_split").shuffle(order)
    n_test = min(max(1, round(len(X) * test_fraction)), len(X) - 1)
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]
