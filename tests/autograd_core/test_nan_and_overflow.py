"""nan stays nan on every path, and a local derivative past the largest float is infinite, not an error."""

from __future__ import annotations

import math

import pytest

from autograd_core import Value, compile, grad, jvp
from nn import MLP, hinge_loss


def relu_of(x):
    return x.relu()


@pytest.mark.parametrize("path", ["interpreted", "compiled call", "batch", "batch_arrays"])
def test_relu_of_nan_is_nan_on_every_path(path):
    if path == "interpreted":
        out = Value(math.nan).relu().data
    else:
        fn = compile(relu_of, [1.0])
        if path == "compiled call":
            out = fn(math.nan)[0]
        elif path == "batch":
            out = fn.batch([[math.nan], [2.0]]).outputs[0]
        else:
            np = pytest.importorskip("numpy")
            out = fn.batch_arrays(np.array([[math.nan], [2.0]])).outputs[0]
    assert math.isnan(out)


@pytest.mark.parametrize("x", [0.0, -0.0, -2.0])
def test_relu_of_zero_and_negatives_is_plus_zero(x):
    out = Value(x).relu().data
    assert out == 0.0 and math.copysign(1.0, out) == 1.0


def test_a_network_with_nan_weights_has_a_nan_loss():
    model = MLP(2, [3, 1], activation="relu", seed=0)
    for p in model.parameters():
        p.data = math.nan
    loss = hinge_loss([model([1.0, 2.0])], [1.0])
    assert math.isnan(loss.data)


def test_a_nan_feature_gives_a_nan_prediction():
    model = MLP(2, [3, 1], activation="relu", seed=0)
    assert math.isnan(model([math.nan, 1.0]).data)


def test_a_local_derivative_past_the_largest_float_is_infinite():
    """d(x ** -1)/dx = -x ** -2 = -1e400 at x = 1e-200: -inf in every form, never a bare OverflowError."""
    x = Value(1e-200, "x")
    y = x**-1
    assert y.data == 1e200
    y.backward()
    assert x.grad == -math.inf
    assert grad(y, x) == (-math.inf,)
    assert jvp(lambda v: v**-1, [1e-200], [1.0])[1] == -math.inf


def test_an_odd_power_past_the_largest_float_keeps_its_sign():
    x = Value(-1e-150, "x")
    y = x**-2  # 1e300
    y.backward()  # d/dx = -2 x ** -3 = -2 * (-1e450) = +inf
    assert x.grad == math.inf
