"""Graphs shared by the viz tests: networks built with nn, and small hand-made graphs."""

from __future__ import annotations

import pytest

from autograd_core import Value
from nn import MLP


def build_mlp(sizes: tuple[int, ...] = (2, 3, 1), inputs: tuple[float, ...] = (1.0, -2.0), seed: int = 1) -> Value:
    """A tanh MLP's squared error for one input, labelled ``loss``, after backward()."""
    model = MLP(sizes[0], list(sizes[1:]), activation="tanh", output_activation="tanh", seed=seed)
    loss = (model(list(inputs)) - 0.5) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


def build_diamond() -> tuple[Value, dict[str, Value]]:
    """L = (a * b) * (a + b) with a = 2, b = -3: ``a`` and ``b`` fan out to two nodes (after backward)."""
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    d = a + b
    d.label = "d"
    L = c * d
    L.label = "L"
    L.backward()
    return L, {"a": a, "b": b, "c": c, "d": d, "L": L}


@pytest.fixture
def mlp():
    """The builder of MLP graphs (nn's labels and places)."""
    return build_mlp


@pytest.fixture
def diamond():
    """The builder of L = (a * b) * (a + b), after backward, and its named nodes."""
    return build_diamond
