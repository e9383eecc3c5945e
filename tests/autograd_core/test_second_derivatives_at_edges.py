"""Second derivatives of every op of the table at its edges (0, negatives, ±inf, nan), against PyTorch, live.

A derivative may be infinite or undefined where the function is not (sqrt's at
0); there the engine gives IEEE 754's inf or nan, as PyTorch does, and the
derivative stays a graph, so the second derivative is inf or nan too instead of
a 0 from a cut graph (issue 18, item 6). Each row's Hessian is computed three
ways: forward over reverse (``hessian``), reverse over reverse (``grad`` of
``grad(create_graph=True)``) and forward mode over a gradient (``jvp``); all
three must agree, and agree with PyTorch's reverse over reverse on separate
scalar leaves, except where the table ``CHOICES`` says otherwise: there
PyTorch's numbers are written beside ours, and both are checked. First
derivatives (``grad``, ``jvp``) are checked on the same grid, and third
derivatives at the edges that make infinities.
"""

from __future__ import annotations

import itertools
import math

import pytest

from autograd_core import Value, grad, hessian, jvp
from autograd_core.errors import DomainError
from autograd_core.ops import OPS

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.torch,
    # torch.func's first use scripts a helper of PyTorch's own, which PyTorch 2.13 reports as deprecated.
    pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning"),
]

INF, NAN = math.inf, math.nan

# name -> (our function of Values, PyTorch's of tensors); a number exponent is the constant c of "**".
ROWS = {
    "+": (lambda x, y: x + y, lambda x, y: x + y),
    "-": (lambda x, y: x - y, lambda x, y: x - y),
    "*": (lambda x, y: x * y, lambda x, y: x * y),
    "/": (lambda x, y: x / y, lambda x, y: x / y),
    "neg": (lambda x: -x, lambda x: -x),
    "pow": (lambda x, y: x**y, lambda x, y: x**y),
    "exp": (lambda x: x.exp(), torch.exp),
    "log": (lambda x: x.log(), torch.log),
    "tanh": (lambda x: x.tanh(), torch.tanh),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid),
    "relu": (lambda x: x.relu(), torch.relu),
    "sin": (lambda x: x.sin(), torch.sin),
    "cos": (lambda x: x.cos(), torch.cos),
    "sqrt": (lambda x: x.sqrt(), torch.sqrt),
    "abs": (lambda x: abs(x), torch.abs),
    "sum": (lambda x, y: Value.sum([x, y, x * y]), lambda x, y: x + y + x * y),
}
for _c in (-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
    ROWS[f"** {_c}"] = ((lambda c: lambda x: x**c)(_c), (lambda c: lambda x: x**c)(_c))

EDGES = (-2.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.0, 3.0, INF, -INF, NAN)


def points(name: str) -> list[list[float]]:
    arity = len(ROWS[name][0].__code__.co_varnames[: ROWS[name][0].__code__.co_argcount])
    return [list(p) for p in itertools.product(EDGES, repeat=arity)]


def same(a: list[list[float]], b: list[list[float]]) -> bool:
    """Equal entry by entry, nan equal to nan (the sign of a zero is not compared)."""
    return all(x == y or (math.isnan(x) and math.isnan(y)) for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def reverse_over_reverse(f, point: list[float]) -> list[list[float]]:
    leaves = [Value(p) for p in point]
    first = grad(f(*leaves), leaves, create_graph=True)
    return [list(grad(g, leaves)) for g in first]


def forward_over_gradient(f, point: list[float]) -> list[list[float]]:
    """Column j of the Hessian as jvp of the gradient along input j (forward mode over a vjp)."""
    n = len(point)
    columns = []
    for j in range(n):
        basis = [1.0 if i == j else 0.0 for i in range(n)]
        columns.append(jvp(lambda *xs: list(grad(f(*xs), list(xs), create_graph=True)), point, basis)[1])
    return [list(row) for row in zip(*columns)]


def torch_hessian(g, point: list[float]) -> list[list[float]]:
    """PyTorch's reverse over reverse, one scalar leaf per input (as the engine's leaves)."""
    xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    first = torch.autograd.grad(g(*xs), xs, create_graph=True, allow_unused=True)
    rows = []
    for d in first:
        if d is None or not d.requires_grad:
            rows.append([0.0] * len(xs))
            continue
        second = torch.autograd.grad(d, xs, retain_graph=True, allow_unused=True)
        rows.append([0.0 if s is None else s.item() for s in second])
    return rows


def ours_defined(f, point: list[float]) -> bool:
    """True when the engine's forward takes the point (it refuses log(-1), sqrt(-1), 0 ** -1, sin(inf) ...)."""
    try:
        f(*[Value(p) for p in point])
    except (DomainError, ValueError, ArithmeticError):
        return False
    return True


# Where the engine chose otherwise than PyTorch: (row, point) -> (our Hessian, PyTorch's), both checked.
CHOICES = {
    # x ** y at y = 0, x != 0: d/dy of y * x**(y-1) is x**(y-1) (times 1 + y log x) = 1/x, and our Hessian is
    # symmetric; PyTorch's first derivative is where(y == 0, 0, y * x**(y-1)), which cuts y out, so its
    # H[0][1] is 0 while H[1][0] = 1/x. For x < 0 (log x undefined) and x = ±inf ours is nan on both sides.
    ("pow", (-2.0, 0.0)): ([[0.0, NAN], [NAN, NAN]], [[0.0, NAN], [-0.5, NAN]]),
    ("pow", (-0.5, 0.0)): ([[0.0, NAN], [NAN, NAN]], [[0.0, NAN], [-2.0, NAN]]),
    ("pow", (0.5, 0.0)): ([[0.0, 2.0], [2.0, 0.4804530139182014]], [[0.0, 0.0], [2.0, 0.4804530139182014]]),
    ("pow", (1.0, 0.0)): ([[0.0, 1.0], [1.0, 0.0]], [[0.0, 0.0], [1.0, 0.0]]),
    ("pow", (2.0, 0.0)): ([[0.0, 0.5], [0.5, 0.4804530139182014]], [[0.0, 0.0], [0.5, 0.4804530139182014]]),
    ("pow", (3.0, 0.0)): ([[0.0, 1 / 3], [1 / 3, 1.206948960812582]], [[0.0, 0.0], [1 / 3, 1.206948960812582]]),
    ("pow", (INF, 0.0)): ([[0.0, NAN], [NAN, INF]], [[0.0, NAN], [0.0, INF]]),
    ("pow", (-INF, 0.0)): ([[0.0, NAN], [NAN, NAN]], [[0.0, NAN], [0.0, NAN]]),
    # x ** y at x = 0, y >= 0: d/dy is 0 there (its limit x**y log x -> 0; PyTorch masks it to 0 too), a
    # constant, so its own derivatives (the y row) are 0. PyTorch's second pass multiplies the mask's 0 by
    # log 0 = -inf and gets nan.
    ("pow", (0.0, 0.0)): ([[0.0, 0.0], [0.0, 0.0]], [[NAN, NAN], [NAN, NAN]]),
    ("pow", (0.0, 0.5)): ([[-INF, NAN], [0.0, 0.0]], [[-INF, NAN], [NAN, NAN]]),
    ("pow", (0.0, 1.0)): ([[0.0, 1.0], [0.0, 0.0]], [[0.0, 1.0], [NAN, NAN]]),
    ("pow", (0.0, 2.0)): ([[2.0, 0.0], [0.0, 0.0]], [[2.0, 0.0], [NAN, NAN]]),
    ("pow", (0.0, 3.0)): ([[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [NAN, NAN]]),
    ("pow", (0.0, INF)): ([[NAN, NAN], [0.0, 0.0]], [[NAN, NAN], [NAN, NAN]]),
    # nan propagates (issue 18, item 4): x ** 0 and x ** 1 at nan. PyTorch masks an exponent of 0 in
    # y * x**(y-1) whatever x is.
    ("pow", (NAN, 1.0)): ([[NAN, NAN], [NAN, NAN]], [[0.0, NAN], [NAN, NAN]]),
    ("** 0.0", (NAN,)): ([[NAN]], [[0.0]]),
    ("** 1.0", (NAN,)): ([[NAN]], [[0.0]]),
    # x ** 1.5 at -0.0: the second derivative 0.75 * x**-0.5 is +inf by IEEE's pow (and ours); PyTorch computes
    # an exponent of -0.5 as rsqrt, and rsqrt(-0.0) is -inf. (A key with "-0.0" is for that zero only; the
    # keys with 0.0 hold for both zeros.)
    ("** 1.5", ("-0.0",)): ([[INF]], [[-INF]]),
}


def choice_at(name: str, point: list[float]):
    """The CHOICES entry for this point: one written for its signed zeros, else one for its numbers."""
    signed = tuple("-0.0" if p == 0 and math.copysign(1.0, p) < 0 else p for p in point)
    return CHOICES.get((name, signed), CHOICES.get((name, tuple(point))))


def close(a: list[list[float]], b: list[list[float]]) -> bool:
    """Equal entry by entry to 1e-12 relative (inf and nan exactly; the sign of a zero is not compared)."""
    return all(
        x == y
        or (math.isnan(x) and math.isnan(y))
        or (math.isfinite(x) and math.isfinite(y) and abs(x - y) <= 1e-12 * max(1.0, abs(x), abs(y)))
        for ra, rb in zip(a, b)
        for x, y in zip(ra, rb)
    )


def test_every_op_has_a_row():
    assert {name.split()[0] for name in ROWS} == set(OPS)


def problems_at(name: str, point: list[float]) -> list[str]:
    """What is wrong with row ``name``'s second derivatives at ``point``: [] when all is as it should be."""
    f, g = ROWS[name]
    if not ours_defined(f, point):
        try:
            hessian(f, point)
        except (DomainError, ValueError, ArithmeticError):
            return []  # the engine's forward refuses the point; so do its derivatives
        return ["the forward refuses the point but hessian does not"]
    problems = []
    ours = hessian(f, point)
    if not close(reverse_over_reverse(f, point), ours):
        problems.append("reverse over reverse disagrees with forward over reverse")
    # Forward mode over a gradient: jvp pushes every input's tangent, zeros too, so where another entry of
    # the row is inf or nan, 0 times it may make the entry nan (as torch.func.jvp); hessian seeds one input.
    for i, row in enumerate(forward_over_gradient(f, point)):
        for j, entry in enumerate(row):
            others_finite = all(math.isfinite(h) for k, h in enumerate(ours[i]) if k != j)
            if not (close([[entry]], [[ours[i][j]]]) or (math.isnan(entry) and not others_finite)):
                problems.append(f"jvp over the gradient gives H[{i}][{j}] = {entry}")
    theirs = torch_hessian(g, point)
    choice = choice_at(name, point)
    if choice is None and not close(ours, theirs):
        problems.append(f"ours {ours}, PyTorch {theirs}")
    if choice is not None and not (close(ours, choice[0]) and close(theirs, choice[1])):
        problems.append(f"ours {ours}, PyTorch {theirs}; the table says {choice}")
    return problems


@pytest.mark.parametrize("name", ROWS)
def test_second_derivatives_three_ways_and_pytorch(name):
    """Every point of the grid: forward over reverse, reverse over reverse, jvp over a gradient, PyTorch."""
    found = {tuple(point): problems for point in points(name) if (problems := problems_at(name, point))}
    assert not found, found


def test_the_issue_examples():
    """Issue 18, item 6: these were [[0.0]], [[0.0]] and [[-12, nan], [0, 0]] (a cut graph)."""
    assert hessian(lambda x: x.sqrt(), [0.0]) == [[-INF]]
    assert hessian(lambda x: x**0.5, [0.0]) == [[-INF]]
    h = hessian(lambda x, y: x**y, [-2.0, 3.0])
    assert h[0][0] == -12.0 and all(math.isnan(v) for v in (h[0][1], h[1][0], h[1][1]))


def test_the_derivative_of_sqrt_at_zero_is_a_graph():
    x = Value(0.0)
    (d,) = grad(x.sqrt(), [x], create_graph=True)
    assert d.data == INF and d.op is not None  # not a constant leaf
    assert grad(d, [x]) == (-INF,)


def sqrt_slope(x):
    """d sqrt(x) / dx as a graph: compile differentiates it again."""
    return grad(x.sqrt(), [x], create_graph=True)[0]


def test_compiled_derivative_graphs_refuse_where_the_interpreter_gives_inf():
    """Compiled code runs each op as a user's op runs: at sqrt's 0 the derivative graph divides by 0, and a
    compiled call raises, naming the op and the generated line, where the interpreter gives IEEE's numbers
    (PyTorch: inf and -inf). It never returns another number."""
    from autograd_core import compile
    from autograd_core.errors import DivisionByZeroError

    assert jvp(sqrt_slope, [0.0], [1.0]) == (INF, -INF)  # the interpreter, forward over reverse
    fn = compile(sqrt_slope, [4.0])
    assert fn(4.0) == (0.25, (-0.03125,))
    for call in (lambda: fn(0.0), lambda: fn.batch([[0.0]])):
        with pytest.raises(DivisionByZeroError, match=r"0\.5 / 0\.0.*line \d+ of compiled sqrt_slope"):
            call()


def test_symbolic_derivative_graphs_agree_as_limits():
    """sympy writes the derivative graph's formula; at 0 it is sympy's zoo, whose limit from the domain's side
    is the engine's -inf."""
    sp = pytest.importorskip("sympy")
    from autograd_core import symbolic_grad

    x = Value(0.0, "x")
    second = symbolic_grad(sqrt_slope(x), x)
    (symbol,) = second.free_symbols
    assert sp.limit(second, symbol, 0, "+") == -sp.oo
    assert grad(sqrt_slope(x), [x]) == (-INF,)


def _three_derivatives(f, point: float) -> tuple[float, float, float]:
    x = Value(point)
    (d1,) = grad(f(x), [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    return d1.data, d2.data, d3


def _torch_three_derivatives(g, point: float) -> tuple[float, float, float]:
    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(g(x), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x, allow_unused=True)
    return d1.item(), d2.item(), 0.0 if d3 is None else d3.item()


THIRD = [
    ("sqrt", lambda x: x.sqrt(), torch.sqrt, 0.0),
    ("x**0.5", lambda x: x**0.5, lambda x: x**0.5, 0.0),
    ("x**1.5", lambda x: x**1.5, lambda x: x**1.5, 0.0),
    ("x**2.5", lambda x: x**2.5, lambda x: x**2.5, 0.0),
    ("log near 0", lambda x: x.log(), torch.log, 1e-300),
    ("1/x near 0", lambda x: 1 / x, lambda x: 1 / x, 1e-300),
    ("x**-1 near 0", lambda x: x**-1, lambda x: x**-1, 1e-200),
    ("2**x", lambda x: 2**x, lambda x: 2**x, 0.0),
]


@pytest.mark.parametrize(("name", "f", "g", "point"), THIRD, ids=[t[0] for t in THIRD])
def test_third_derivatives_at_the_edges_as_pytorch(name, f, g, point):
    """A derivative graph built at an edge differentiates again: sqrt's at 0 is inf, -inf, inf as PyTorch's."""
    ours, theirs = _three_derivatives(f, point), _torch_three_derivatives(g, point)
    assert close([list(ours)], [list(theirs)]), (ours, theirs)
    assert jvp(lambda x: grad(grad(f(x), [x], create_graph=True)[0], [x], create_graph=True)[0], [point], [1.0]) == (
        ours[1],
        ours[2],
    )  # forward over reverse over reverse


def test_third_derivatives_of_zero_to_the_x_are_the_limit_0_where_pytorch_gives_nan():
    """0 ** x: d/dx is 0 (PyTorch's mask at a zero base), a constant, so every further derivative is 0; PyTorch's
    second pass multiplies its mask's 0 by log 0 = -inf: nan."""
    for point in (0.0, 1.0, 2.0):
        assert _three_derivatives(lambda x: Value(0.0) ** x, point) == (0.0, 0.0, 0.0)
        zero = torch.tensor(0.0, dtype=torch.float64)
        d1, d2, d3 = _torch_three_derivatives(lambda x, zero=zero: zero**x, point)
        assert d1 == 0.0 and math.isnan(d2) and math.isnan(d3)


def test_sqrt_at_minus_zero_as_pytorch():
    """sqrt(-0.0) is -0.0, and 0.5 / -0.0 is -inf: PyTorch's first derivative there; the second is +inf. The
    float rule gave +inf (so the Hessian was -inf) while the graph's gave -inf."""
    x = Value(-0.0)
    assert grad(x.sqrt(), [x]) == (-INF,)
    (slope,) = grad(x.sqrt(), [x], create_graph=True)
    assert slope.data == -INF and grad(slope, [x]) == (INF,)
    assert hessian(lambda x: x.sqrt(), [-0.0]) == [[INF]]
    t = torch.tensor(-0.0, dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(torch.sqrt(t), t, create_graph=True)
    assert (d1.item(), torch.autograd.grad(d1, t)[0].item()) == (-INF, INF)


def test_every_choice_is_a_point_of_the_grid():
    grid = {(name, tuple(p)) for name in ROWS for p in points(name)}
    for name, point in CHOICES:
        assert (name, tuple(-0.0 if p == "-0.0" else p for p in point)) in grid, (name, point)


# ------------------------------------------------ first derivatives on the same grid, both modes
# (row, point) -> (our gradient, PyTorch's): the first-order choices, made before this file.
FIRST_ORDER_CHOICES = {
    # nan propagates (issue 18, item 4); PyTorch masks an exponent of 0 whatever the base.
    ("pow", (NAN, 0.0)): ([NAN, NAN], [0.0, NAN]),
    ("** 0.0", (NAN,)): ([NAN], [0.0]),
    # relu's derivative at nan is step(nan) = 0, micrograd's (out > 0) too; PyTorch passes the gradient (1).
    ("relu", (NAN,)): ([0.0], [1.0]),
    # PyTorch computes x ** -0.5 as rsqrt, and rsqrt(-0.0) is -inf; IEEE's pow(-0.0, -0.5) is +inf.
    ("** 0.5", ("-0.0",)): ([INF], [-INF]),
}


def _first_order_choice(name: str, point: list[float]):
    signed = tuple("-0.0" if p == 0 and math.copysign(1.0, p) < 0 else p for p in point)
    return FIRST_ORDER_CHOICES.get((name, signed), FIRST_ORDER_CHOICES.get((name, tuple(point))))


@pytest.mark.parametrize("name", ROWS)
def test_first_derivatives_in_both_modes_and_pytorch(name):
    """grad against torch.autograd.grad, and jvp (one input direction at a time) against torch.func.jvp. A jvp
    pushes the other inputs' zero tangents too, so both give d(x*y)/dy = 0 * inf + 1 * -2 = nan at (-2, inf),
    where both reverse modes give -2."""
    f, g = ROWS[name]
    found = {}
    for point in points(name):
        if not ours_defined(f, point):
            continue
        leaves = [Value(p) for p in point]
        reverse = list(grad(f(*leaves), leaves))
        basis = [[1.0 if i == j else 0.0 for i in range(len(point))] for j in range(len(point))]
        forward = [jvp(f, point, e)[1] for e in basis]
        xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
        theirs = [0.0 if d is None else d.item() for d in torch.autograd.grad(g(*xs), xs, allow_unused=True)]
        primals = tuple(torch.tensor(p, dtype=torch.float64) for p in point)
        theirs_forward = [
            torch.func.jvp(g, primals, tuple(torch.tensor(t, dtype=torch.float64) for t in e))[1].item() for e in basis
        ]
        choice = _first_order_choice(name, point)
        if choice is None:
            right = close([reverse, forward], [theirs, theirs_forward])
        else:
            right = close([reverse, forward, theirs], [choice[0], choice[0], choice[1]])
        if not right:
            found[tuple(point)] = (reverse, forward, theirs, theirs_forward)
    assert not found, found
