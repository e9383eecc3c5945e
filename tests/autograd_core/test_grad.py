"""grad(): gradients without touching .grad, higher derivatives, Hessians; no_grad per thread."""

from __future__ import annotations

import math
import threading

import pytest
from helpers import central_difference, close

from autograd_core import Value, enable_grad, grad, no_grad
from autograd_core.modes import is_grad_enabled


def test_grad_returns_a_tuple_and_touches_no_grad():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    mid = x * y
    out = mid + x.sin()
    gx, gy = grad(out, [x, y])
    assert (gx, gy) == (3.0 + math.cos(2.0), 2.0)
    assert x.grad == y.grad == mid.grad == out.grad == 0.0


def test_grad_of_a_single_input_and_an_unrelated_input():
    x, unrelated = Value(2.0), Value(5.0)
    assert grad(x * x, x) == (4.0,)
    assert grad(x * x, [unrelated]) == (0.0,)
    (g,) = grad(x * x, [unrelated], create_graph=True)
    assert isinstance(g, Value) and g.data == 0.0


def test_grad_with_respect_to_an_interior_node():
    x = Value(0.3)
    h = x.exp()
    out = h * h
    (gh,) = grad(out, [h])
    assert close(gh, 2 * math.exp(0.3), rel=1e-14)


@pytest.mark.parametrize(
    "bad, message",
    [(1.0, "needs a Value to differentiate, got float"), ("x", "needs a Value to differentiate, got str")],
)
def test_grad_refuses_a_non_value_output(bad, message):
    with pytest.raises(TypeError, match=message):
        grad(bad, [Value(1.0)])


def test_grad_refuses_non_value_inputs_naming_the_position():
    x = Value(1.0)
    with pytest.raises(TypeError, match="input 1 is float"):
        grad(x * 2, [x, 2.0])


def test_third_derivative_by_repeated_create_graph():
    x = Value(0.4)
    f = x.sin() * x.exp()
    (d1,) = grad(f, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    # (sin x e^x)''' = 2 e^x (cos x - sin x)
    assert close(d3, 2 * math.exp(0.4) * (math.cos(0.4) - math.sin(0.4)), rel=1e-12)


def test_hessian_of_a_two_variable_function():
    # f = x^2 y + sin(x y): hand-derived Hessian
    xv, yv = 0.7, -1.3
    x, y = Value(xv), Value(yv)
    f = x**2 * y + (x * y).sin()
    gx, gy = grad(f, [x, y], create_graph=True)
    hessian = [grad(gx, [x, y]), grad(gy, [x, y])]
    s, c = math.sin(xv * yv), math.cos(xv * yv)
    expected = [
        [2 * yv - yv * yv * s, 2 * xv + c - xv * yv * s],
        [2 * xv + c - xv * yv * s, -xv * xv * s],
    ]
    for row, expected_row in zip(hessian, expected):
        for got, want in zip(row, expected_row):
            assert close(got, want, rel=1e-12)


def test_create_graph_gradient_matches_finite_differences_of_first_derivative():
    def f(x):
        return (x * x + 1).log() * x.tanh() if isinstance(x, Value) else math.log(x * x + 1) * math.tanh(x)

    def df(t):
        v = Value(t)
        return grad(f(v), [v])[0]

    x = Value(0.8)
    (d1,) = grad(f(x), [x], create_graph=True)
    (d2,) = grad(d1, [x])
    assert close(d2, central_difference(df, 0.8), rel=1e-6)


def test_create_graph_works_inside_no_grad():
    x = Value(1.2)
    cube = x * x * x  # built while recording
    with no_grad():
        (g,) = grad(cube, [x], create_graph=True)  # the gradient graph is recorded anyway
        assert not is_grad_enabled()
    assert g.data == pytest.approx(3 * 1.44)
    assert grad(g, [x])[0] == pytest.approx(6 * 1.2)


def test_no_grad_records_nothing_and_restores_the_mode():
    x = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3).tanh()
        with enable_grad():
            z = x * 3
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert y.op is None and y.parents == () and y.data == math.tanh(6.0)
    assert z.op.name == "*" and z.parents[0] is x
    y.backward()
    assert x.grad == 0.0


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ValueError):
        with no_grad():
            Value(0.0).log()
    assert is_grad_enabled()


def test_no_grad_as_a_decorator():
    @no_grad()
    def predict(x):
        return x * 2

    out = predict(Value(1.0))
    assert out.parents == () and is_grad_enabled()


def test_no_grad_is_per_thread():
    seen = {}
    inside = threading.Event()
    done = threading.Event()

    def other_thread():
        inside.wait()
        x = Value(1.0)
        seen["op"] = (x * 2).op.name
        done.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    with no_grad():
        inside.set()
        done.wait(10)
        assert (Value(1.0) * 2).op is None
    worker.join()
    assert seen["op"] == "*"
