"""Graphs shared by the viz tests, built by hand (viz must not depend on nn).

Labels follow the convention nn uses: parameters ``layers.L.neurons.N.w.I`` and
``.b``, products ``.wx``, partial sums ``.sum`` and the activation ``.out``
(one str object per neuron and role, as nn reuses them).
"""

from __future__ import annotations

import pytest

from autograd_core import Value


def build_mlp(sizes: tuple[int, ...] = (2, 3, 1), inputs: tuple[float, ...] = (1.0, -2.0)) -> Value:
    """A tanh MLP's squared-error loss for one input, labelled like nn's, after backward()."""
    xs = [Value(v, f"x{i}") for i, v in enumerate(inputs)]
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        outs = []
        for neuron in range(n_out):
            path = f"layers.{layer}.neurons.{neuron}"
            wx, partial, out_label = f"{path}.wx", f"{path}.sum", f"{path}.out"
            total = Value(0.1 * (neuron - 1), f"{path}.b")
            for i, x in enumerate(xs):
                w = Value(0.3 * (-1) ** (i + neuron) + 0.1 * i, f"{path}.w.{i}")
                product = w * x
                product.label = wx
                total = total + product
                total.label = partial
            out = total.tanh()
            out.label = out_label
            outs.append(out)
        xs = outs
    loss = (xs[0] - 0.5) ** 2
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
    """The builder of hand-labelled MLP graphs."""
    return build_mlp


@pytest.fixture
def diamond():
    """The builder of L = (a * b) * (a + b), after backward, and its named nodes."""
    return build_diamond
