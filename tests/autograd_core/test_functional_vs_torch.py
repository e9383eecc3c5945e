"""jvp, jacobian, hessian, hvp and vjp against PyTorch in float64, to 1e-12, on random expressions.

The expressions come from ``autograd_core.hypothesis_strategies`` (every built-in op and
reflected operator) plus a user op made with ``define_op`` (softplus). PyTorch
gets the same function by replaying our graph: each node's op from the table
``TORCH`` below (which must cover ``OPS``), applied to tensors in topological
order. So both sides differentiate the same sequence of operations, and the
references are PyTorch's own ``torch.func.jvp`` and
``torch.autograd.functional``. Skipped cleanly where PyTorch is not installed
(CI installs it with ``make test WITH_TORCH=1``).
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("hypothesis")
pytestmark = [
    pytest.mark.torch,
    # torch.func's first use scripts a helper of PyTorch's own, which PyTorch 2.13 reports as deprecated.
    pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning"),
]

from helpers import functions_and_points
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_core import Value, hessian, hvp, jacobian, jvp, topological_order, vjp
from autograd_core.hypothesis_strategies import points
from autograd_core.ops import OPS

TORCH = {
    "+": torch.add,
    "-": torch.sub,
    "*": torch.mul,
    "/": torch.div,
    "neg": torch.neg,
    "**": torch.pow,
    "pow": torch.pow,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "sin": torch.sin,
    "cos": torch.cos,
    "sum": lambda *xs: sum(xs[1:], xs[0]),  # left to right, as the engine adds
    "relu": torch.relu,
    "abs": torch.abs,
    "softplus": torch.nn.functional.softplus,  # the user op
}
SETTINGS = settings(max_examples=60, deadline=None)
TOLERANCE = 1e-12


def test_every_op_has_a_torch_counterpart():
    assert set(OPS) <= set(TORCH)


def replay_in_torch(outputs: list[Value], leaves: list[Value], several: bool):
    """A torch function of len(leaves) tensors computing ``outputs`` by the same ops, in the same order."""
    order = topological_order(outputs)

    def f(*tensors):
        values = dict(zip(leaves, tensors))
        for node in order:
            if node in values:
                continue
            if node.op is None:  # a constant
                values[node] = torch.tensor(node.data, dtype=torch.float64)
            else:
                values[node] = TORCH[node.op.name](*[values[p] for p in node.parents])
        results = tuple(values[out] for out in outputs)
        return results if several else results[0]

    return f


@st.composite
def cases(draw, n_outputs=None):
    """(f on Values, the same f in torch, point), from the random functions of ``helpers``."""
    f, point = draw(functions_and_points(n_outputs))
    leaves = [Value(p) for p in point]
    built = f(*leaves)
    several = isinstance(built, list)
    outputs = built if several else [built]
    # PyTorch's second derivatives of x ** y are wrong where y is exactly 0 (see the test below): leave it out.
    assume(not any(node.op is OPS["pow"] and node.parents[1].data == 0.0 for node in topological_order(outputs)))
    return f, replay_in_torch(outputs, leaves, several), point


def tensors(values):
    return tuple(torch.tensor(v, dtype=torch.float64) for v in values)


def assert_close(ours, theirs):
    """Every number within TOLERANCE (relative to max(1, |theirs|)); nested lists and tensors alike."""
    if isinstance(ours, list):
        theirs = list(theirs) if isinstance(theirs, (tuple, list)) else list(theirs.unbind())
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_close(a, b)
        return
    b = float(theirs)
    assert abs(ours - b) <= TOLERANCE * max(1.0, abs(b)), (ours, b)


@SETTINGS
@given(cases(), st.data())
def test_jvp_matches_torch_func_jvp(case, data):
    f, f_torch, point = case
    direction = data.draw(points(len(point)))
    out, tangent = jvp(f, point, direction)
    t_out, t_tangent = torch.func.jvp(f_torch, tensors(point), tensors(direction))
    assert_close(out, t_out)
    assert_close(tangent, t_tangent)


@SETTINGS
@given(cases())
def test_jacobian_matches_torch_in_both_strategies(case):
    f, f_torch, point = case
    theirs = torch.autograd.functional.jacobian(f_torch, tensors(point))
    for strategy in ("forward-mode", "reverse-mode"):
        assert_close(jacobian(f, point, strategy=strategy), list(theirs))


@SETTINGS
@given(cases(n_outputs=1))
def test_hessian_matches_torch(case):
    f, f_torch, point = case
    theirs = torch.autograd.functional.hessian(f_torch, tensors(point))
    assert_close(hessian(f, point), [list(row) for row in theirs])


@SETTINGS
@given(cases(n_outputs=1), st.data())
def test_hvp_and_vjp_match_torch(case, data):
    f, f_torch, point = case
    v = data.draw(points(len(point)))
    out, hv = hvp(f, point, v)
    t_out, t_hv = torch.autograd.functional.hvp(f_torch, tensors(point), tensors(v))
    assert_close(out, t_out)
    assert_close(hv, list(t_hv))
    weight = data.draw(st.floats(-2, 2))
    out, vj = vjp(f, point, weight)
    t_out, t_vj = torch.autograd.functional.vjp(f_torch, tensors(point), torch.tensor(weight, dtype=torch.float64))
    assert_close(vj, list(t_vj))


def test_where_torch_is_wrong_at_a_zero_exponent_we_match_finite_differences():
    """d²/dx dy of (y² + 1) ** tanh(x) at (0, 1) is 1; PyTorch's Hessian has 1 and 0 there (not symmetric).

    Its derivative of b ** e with respect to b is written as where(e == 0, 0, e * b ** (e - 1)), and the
    where cuts the exponent's influence at e == 0 exactly, so differentiating that derivative with respect
    to the exponent gives 0. (Found by the random tests below, which now leave exponents of exactly 0 out.)
    """

    def f(x, y):
        return (y * y + 1) ** x.tanh()

    h = 1e-4

    def g(a, b):
        return (b * b + 1) ** math.tanh(a)

    numeric = (g(h, 1 + h) - g(h, 1 - h) - g(-h, 1 + h) + g(-h, 1 - h)) / (4 * h * h)
    ours = hessian(f, [0.0, 1.0])
    theirs = torch.autograd.functional.hessian(lambda x, y: (y * y + 1) ** torch.tanh(x), tensors([0.0, 1.0]))
    assert abs(ours[0][1] - 1.0) < 1e-15 and ours[0][1] == ours[1][0] and abs(numeric - 1.0) < 1e-6
    # If PyTorch fixes this, this line fails: then the assume() in cases() can go.
    assert (float(theirs[0][1]), float(theirs[1][0])) == (1.0, 0.0)


@SETTINGS
@given(cases(), st.data())
def test_vjp_of_several_outputs_matches_torch(case, data):
    f, f_torch, point = case
    outs, _ = jvp(f, point, [0.0] * len(point))
    if not isinstance(outs, list):
        return
    v = data.draw(points(len(outs)))
    _, vj = vjp(f, point, v)
    _, t_vj = torch.autograd.functional.vjp(f_torch, tensors(point), tensors(v))
    assert_close(vj, list(t_vj))
