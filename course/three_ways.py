"""Three ways to differentiate one function: numeric (finite differences), symbolic (sympy), automatic (this engine).

The function is the logistic map iterated n times, ``l_{k+1} = 4 l_k (1 - l_k)``
from ``l_0 = x``: the example of Baydin et al., "Automatic differentiation in
machine learning: a survey" (JMLR 18, 2018, Table 1), chosen because it shows
each method's weakness at once:

* numeric: the central difference ``(f(x+h) - f(x-h)) / 2h`` has truncation
  error ~h² and rounding error ~eps/h, so no step gives more than about
  two thirds of float64's digits;
* symbolic: exact, but the formula written out doubles with every level, since
  ``l_k`` appears twice in ``l_{k+1}``, and its derivative grows faster still;
* automatic: exact to rounding, and its graph grows by a few nodes per level,
  because a graph shares ``l_k`` instead of writing it out twice.

``compare`` returns the numbers, ``growth`` the sizes, and ``plot`` draws both
when matplotlib is installed. The reference derivative is the symbolic one
evaluated with 50 significant digits. sympy and matplotlib are imported only
inside the functions that need them.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, TypeVar

from autograd_core import Value, grad, jvp, symbolic_grad, to_sympy, topological_order

__all__ = ["logistic_map", "compare", "Comparison", "growth", "GrowthRow", "plot"]

_EPS = 2.0**-52
_Number = TypeVar("_Number", float, Value)


def logistic_map(x: _Number, depth: int) -> _Number:
    """``depth`` steps of ``l -> 4 l (1 - l)`` from ``x``: on a float, or on a Value (building a graph)."""
    for _ in range(depth):
        x = 4 * x * (1 - x)
    return x


def _graph(depth: int, x: float) -> tuple[Value, Value]:
    """The leaf x and the logistic map's graph over it (the leaf itself at depth 0)."""
    leaf = Value(x, "x")
    return leaf, logistic_map(leaf, depth)


class Comparison(NamedTuple):
    """The derivative of ``logistic_map(x, depth)`` at ``x`` three ways, and each one's error."""

    depth: int
    x: float
    value: float  # f(x)
    exact: float  # the symbolic derivative evaluated with 50 digits: the reference
    numeric: float  # central difference with step h
    step: float  # h = eps**(1/3) * max(1, |x|), the step that balances the two errors
    symbolic: float  # the symbolic derivative evaluated in float64 precision
    automatic: float  # reverse mode, grad()
    forward: float  # forward mode, jvp()
    numeric_error: float  # |numeric - exact| / |exact|
    symbolic_error: float
    automatic_error: float
    forward_error: float
    step_errors: list[tuple[float, float]]  # (h, relative error of the central difference) for h = 1e-1 ... 1e-13


def compare(depth: int = 4, x: float = 0.3) -> Comparison:
    """The derivative of the logistic map at ``x`` by finite differences, by sympy and by the engine."""
    if not isinstance(depth, int) or depth < 0:
        raise ValueError(f"compare(): depth must be an int >= 0, got {depth!r}")
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise TypeError(f"compare(): x must be a finite number, got {type(x).__name__} {x!r}")
    x = float(x)
    import sympy as sp  # the symbolic extra: three_ways differentiates with it

    leaf, out = _graph(depth, x)
    derivative = symbolic_grad(out, leaf)
    at_x = {sp.Symbol("x", real=True): sp.Float(x)}
    exact = float(derivative.evalf(50, subs=at_x))
    symbolic = float(derivative.evalf(15, subs=at_x))
    (automatic,) = grad(out, [leaf])
    _, forward = jvp(lambda v: logistic_map(v, depth), [x], [1.0])

    def central(h: float) -> float:
        return (logistic_map(x + h, depth) - logistic_map(x - h, depth)) / (2 * h)

    def error(estimate: float) -> float:
        return abs(estimate - exact) / abs(exact) if exact else abs(estimate)

    step = _EPS ** (1 / 3) * max(1.0, abs(x))
    numeric = central(step)
    step_errors = [(10.0**-k, error(central(10.0**-k))) for k in range(1, 14)]
    return Comparison(
        depth,
        x,
        out.data,
        exact,
        numeric,
        step,
        symbolic,
        automatic,
        forward,
        error(numeric),
        error(symbolic),
        error(automatic),
        error(forward),
        step_errors,
    )


class GrowthRow(NamedTuple):
    """Sizes at one depth: the graph's nodes, and the operations in f's formula and in its derivative's."""

    depth: int
    graph_nodes: int  # every node of the graph, constants included
    formula_ops: int  # sympy's count_ops of f written out as a formula
    derivative_ops: int  # count_ops of sympy's derivative of it (``sympy.diff`` of the formula written out)


def growth(max_depth: int = 8) -> list[GrowthRow]:
    """How the graph and the symbolic formulas grow with the depth of the logistic map, depth 1 to max_depth."""
    if not isinstance(max_depth, int) or max_depth < 1:
        raise ValueError(f"growth(): max_depth must be an int >= 1, got {max_depth!r}")
    import sympy as sp  # the symbolic extra: three_ways differentiates with it

    rows = []
    for depth in range(1, max_depth + 1):
        leaf, out = _graph(depth, 0.3)
        formula = to_sympy(out)
        derivative = sp.diff(formula, sp.Symbol(leaf.label, real=True))  # of the formula, as a textbook would
        rows.append(
            GrowthRow(depth, len(topological_order(out)), int(sp.count_ops(formula)), int(sp.count_ops(derivative)))
        )
    return rows


def plot(comparison: Comparison, rows: list[GrowthRow]) -> Any:
    """A matplotlib Figure: the finite-difference error against the step, and the sizes against depth.

    Made with ``matplotlib.figure.Figure`` directly, so no pyplot backend is
    chosen or changed; Jupyter shows the figure, ``fig.savefig(path)`` writes it.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("three_ways.plot needs matplotlib: pip install matplotlib") from None
    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    floor = _EPS / 2  # an exact result has error 0, drawn at float64's half-ulp
    steps, errors = zip(*comparison.step_errors)
    left.loglog(steps, [max(e, floor) for e in errors], "o-", label="numeric: central difference")
    left.axhline(max(comparison.automatic_error, floor), color="tab:green", label="automatic (this engine)")
    left.axhline(
        max(comparison.symbolic_error, floor),
        color="tab:orange",
        linestyle="--",
        label="symbolic (sympy), evaluated to 15 digits",
    )
    left.set(
        xlabel="step h",
        ylabel="relative error",
        title=f"d/dx of the logistic map, depth {comparison.depth}, at x = {comparison.x:g}",
    )
    left.legend()
    depths = [r.depth for r in rows]
    right.semilogy(depths, [r.graph_nodes for r in rows], "o-", color="tab:green", label="graph nodes")
    right.semilogy(depths, [r.formula_ops for r in rows], "s-", color="tab:orange", label="formula of f (ops)")
    right.semilogy(depths, [r.derivative_ops for r in rows], "^-", color="tab:red", label="formula of df/dx (ops)")
    right.set(xlabel="depth (steps of the logistic map)", ylabel="size", title="what each method must handle")
    right.legend()
    return fig
