"""The derivative as a formula: a graph as a sympy expression, its symbolic derivative, the chain rule written out.

sympy is optional (``pip install autograd-core[symbolic]``) and imported only
inside these functions, so the engine still needs nothing outside the
standard library; without sympy they raise an ImportError that says so.

How a graph becomes an expression:

* A labelled leaf is a real symbol named by its label, whatever the label's
  text (``x``, ``layers.0.w``, ``x[0]``, ``a + b``): the text goes to
  ``sympy.Symbol`` as a name and is never parsed or run (no ``sympify``).
  Two different leaves with one label would merge into one symbol, so they
  are an error.
* An unlabelled leaf is a constant (``x * 2`` makes one) and appears as its
  number: an integer when it is one (``x**2``, not ``x**2.0``), else sympy's
  ``Float`` holding the same binary number. Label a leaf to make it a variable.
* Each op in ``OPS`` is its row's sympy form (``sp.tanh(x)``; the forward
  expression ``x + y`` where the row gives none), read from the table when
  the graph is converted. relu is a ``Piecewise`` whose derivative is 0 at 0,
  and abs is ``Abs``, whose derivative on a real symbol is ``sign`` (0 at 0):
  the engine's choices at the kinks. An op made with ``define_op`` becomes a
  sympy function of its name that evaluates with the op's own forward; its
  derivative stays ``Derivative(op(x), x)``, since the op's derivatives are
  Python functions, not formulas.

``symbolic_grad`` is the chain rule over the graph, node by node (each
node's own row differentiated by sympy, one level deep), not sympy's ``diff``
of the whole formula, so depth costs no recursion here; sympy's own checks of
a new expression recurse, so a graph about a thousand ops deep is refused
with a RecursionError naming its depth.

The chain rule (``chain_rule``) shows each local derivative as a formula in
the node's own inputs, named as ``notation.node_names`` names them (labels,
else v1, v2, ...), with the numbers the engine uses for it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

from .backprop import local_derivatives, topological_order
from .notation import after_d, node_names
from .ops import OPS, Op
from .value import Value

__all__ = ["to_sympy", "symbolic_grad", "chain_rule", "ChainRule", "ChainFactor"]


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:
        raise ImportError(
            "autograd_core.symbolic needs sympy: pip install 'autograd-core[symbolic]' (or pip install sympy)"
        ) from None
    return sympy


@functools.cache
def _form(sympy_expr: str, inputs: tuple[str, ...], variadic: bool) -> Callable[..., Any]:
    """A table row's sympy form as a function of its inputs (``"sp.tanh(x)"`` -> ``lambda x: sp.tanh(x)``)."""
    params = f"*{inputs[0]}" if variadic else ", ".join(inputs)
    source = f"lambda {params}: {sympy_expr}"
    form: Callable[..., Any] = eval(source, {"sp": _sympy()})  # noqa: S307 - the op table's own text
    return form


def _row_function(op: Op) -> Callable[..., Any] | None:
    """A table op's forward over sympy symbols, from its row (None for an op without a sympy form)."""
    if OPS.get(op.name) is not op:
        return None
    expr = op.sympy_expr if op.sympy_expr is not None else op.forward_expr
    return None if expr is None else _form(expr, op.inputs, op.variadic)


def _number(x: float) -> Any:
    """A constant as sympy writes it: an Integer when it is a whole number, else a Float of the same value."""
    sp = _sympy()
    return sp.Integer(int(x)) if x.is_integer() else sp.Float(x)


class _Builder:
    """Builds sympy expressions node by node; user ops get one sympy function each, evaluated by their forward."""

    def __init__(self) -> None:
        self.sp = _sympy()
        self.user_functions: dict[Any, Any] = {}

    def apply(self, node: Value, args: list[Any]) -> Any:
        op = node.op
        if op is None:
            raise ValueError(f"{node!r} is a leaf: it has no op to apply")
        row_function = _row_function(op)
        if row_function is not None:
            return row_function(*args)
        if op not in self.user_functions:
            from sympy.utilities.lambdify import implemented_function

            self.user_functions[op] = implemented_function(op.name, op.forward)
        return self.user_functions[op](*args)


def _leaf_symbols(order: list[Value]) -> dict[Value, Any]:
    """A real symbol for each labelled leaf (its label as the name, never parsed); an error on a shared label."""
    sp = _sympy()
    symbols: dict[Value, Any] = {}
    by_label: dict[str, Value] = {}
    for node in order:
        if node.op is not None or not node.label:
            continue
        other = by_label.setdefault(node.label, node)
        if other is not node:
            raise ValueError(
                f"two different leaves are labelled {node.label!r} (data={other.data!r} and "
                f"data={node.data!r}); as symbols they would be one variable, so give them "
                "different labels"
            )
        symbols[node] = sp.Symbol(node.label, real=True)
    return symbols


def _depth(order: list[Value]) -> int:
    """The most ops on one path from a leaf to the output (``order``: parents first)."""
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max(depth[p] for p in node.parents) if node.parents else 0
    return depth[order[-1]] if order else 0


def _too_deep(order: list[Value], caller: str) -> RecursionError:
    """The error for a graph sympy cannot hold: its own functions recurse once per level of nesting."""
    return RecursionError(
        f"{caller}: the graph is {_depth(order)} ops deep, and sympy, which checks and prints an "
        f"expression by recursion, ran out of Python's recursion limit "
        f"({sys.getrecursionlimit()}) building it; use grad() for the number, or a shallower graph"
    )


def _expressions(order: list[Value], caller: str) -> dict[Value, Any]:
    """Every node of ``order`` (parents first) as a sympy expression, built node by node without recursion."""
    expressions = _leaf_symbols(order)
    builder = _Builder()
    try:
        for node in order:  # parents first, so each node's inputs are ready
            if node.op is not None:
                expressions[node] = builder.apply(node, [expressions[p] for p in node.parents])
            elif node not in expressions:
                expressions[node] = _number(node.data)
    except RecursionError:
        raise _too_deep(order, caller) from None
    return expressions


def to_sympy(root: Value) -> Any:
    """``root``'s graph as a sympy expression in its labelled leaves; unlabelled leaves are numbers.

    Built node by node, parents first; sympy itself checks a new expression's
    arguments by recursion, so a graph too deeply nested for it (about a
    thousand ops on one path) is a RecursionError that names the depth.
    """
    if not isinstance(root, Value):
        raise TypeError(f"to_sympy() needs a Value, got {type(root).__name__} {root!r}")
    order = topological_order(root)
    return _expressions(order, "to_sympy()")[root]


def _check_leaf(leaf: object, caller: str) -> Value:
    if not isinstance(leaf, Value):
        raise TypeError(f"{caller}: the variable must be a leaf Value, got {type(leaf).__name__} {leaf!r}")
    if leaf.op is not None:
        raise ValueError(
            f"{caller}: differentiate with respect to a leaf; {leaf!r} is the result of op {leaf.op.name!r}"
        )
    if not leaf.label:
        raise ValueError(
            f"{caller}: the leaf {leaf!r} has no label, so a formula shows it as the constant "
            f"{leaf.data!r}; label it (Value({leaf.data!r}, 'x'), or leaf.label = 'x')"
        )
    return leaf


def symbolic_grad(root: Value, leaf: Value) -> Any:
    """d root / d leaf as a sympy expression in the graph's labelled leaves.

    The chain rule, node by node, parents first (forward mode over formulas):
    d node / d leaf is the sum over the node's parents of its local derivative
    (sympy's ``diff`` of the node's own row, one level deep) times d parent /
    d leaf. No step recurses through the graph, so depth costs no Python
    recursion here; sympy's own checks of each new expression do, so a graph
    too deep for them is a RecursionError that names the depth.
    """
    sp = _sympy()
    _check_leaf(leaf, "symbolic_grad()")
    if not isinstance(root, Value):
        raise TypeError(f"symbolic_grad() needs a Value to differentiate, got {type(root).__name__} {root!r}")
    order = topological_order(root)
    expressions = _expressions(order, "symbolic_grad()")
    if leaf not in expressions:
        return sp.Integer(0)  # another leaf may share the label, but root does not depend on this one
    derivatives: dict[Value, Any] = {leaf: sp.Integer(1)}
    try:
        for node in order:
            if node.op is None:
                continue
            inputs = [expressions[p] for p in node.parents]
            terms = [
                _local_formula(node, index, inputs) * derivatives[parent]
                for index, parent in enumerate(node.parents)
                if parent in derivatives
            ]
            if terms:
                derivatives[node] = sp.Add(*terms)
    except RecursionError:
        raise _too_deep(order, "symbolic_grad()") from None
    return derivatives.get(root, sp.Integer(0))


# ------------------------------------------------------------ chain rule


class ChainFactor(NamedTuple):
    """One factor of the chain rule: the local derivative d node / d parent, as a formula and a number."""

    node: Value
    parent: Value
    index: int  # type: ignore[assignment]  # the parent's position among node.parents (shadows tuple.index)
    formula: Any  # a sympy expression in the node's inputs' names
    value: float  # the engine's local derivative (``local_derivatives(node)[index]``)


def _paths(root: Value, leaf: Value, max_paths: int) -> list[list[tuple[Value, int]]]:
    """Every path from ``root`` down to ``leaf`` as (node, parent index) edges, root first."""
    order = topological_order(root)
    counts: dict[Value, int] = {leaf: 1}  # how many paths lead from each node down to the leaf
    for node in order:
        if node is not leaf and node.op is not None:
            counts[node] = sum(counts.get(p, 0) for p in node.parents)
    if counts.get(root, 0) > max_paths:
        raise ValueError(
            f"chain_rule(): {counts[root]} paths lead from the output to {leaf!r}, more than "
            f"max_paths={max_paths}; every path is one product in the sum"
        )
    paths: list[list[tuple[Value, int]]] = []
    stack: list[tuple[Value, list[tuple[Value, int]]]] = [(root, [])] if counts.get(root, 0) else []
    while stack:  # depth first, parents in argument order, no recursion
        node, path = stack.pop()
        if node is leaf:
            paths.append(path)
            continue
        for index in reversed(range(len(node.parents))):
            if counts.get(node.parents[index], 0):
                stack.append((node.parents[index], path + [(node, index)]))
    return paths


def _local_formula(node: Value, index: int, inputs: list[Any]) -> Any:
    """d node / d parent ``index`` as a formula in ``inputs`` (each slot its own variable, so x * x gives x)."""
    sp = _sympy()
    slots = [sp.Dummy(real=True) for _ in node.parents]
    made = _Builder().apply(node, slots)
    # powsimp writes d(x**c)/dx as c*x**(c - 1), not sympy's c*x**c/x, which is 0/0 at x = 0.
    return sp.powsimp(sp.diff(made, slots[index])).xreplace(dict(zip(slots, inputs)))


class ChainRule:
    """d root / d leaf as the chain rule: over every path from the leaf to the root, the product of local derivatives.

    ``paths`` holds one list of ``ChainFactor`` per path, root first;
    ``value`` is the sum of their products, from the engine's own local
    derivatives (it equals ``grad(root, [leaf])`` up to the order of
    rounding); ``names`` maps the nodes to the names the formulas use.
    ``str()`` gives plain text; notebooks show ``_repr_latex_``.
    """

    def __init__(self, root: Value, leaf: Value, paths: list[list[ChainFactor]], names: dict[Value, str]) -> None:
        self.root, self.leaf, self.paths, self.names = root, leaf, paths, names
        self.value = 0.0
        for factors in paths:
            product = 1.0
            for factor in factors:
                product *= factor.value
            self.value += product

    def __repr__(self) -> str:
        of = f"d{self.names[self.root]}/d{self.leaf.label}"
        return f"<ChainRule {of}: {len(self.paths)} path(s), value {self.value:.6g}>"

    def _symbol(self, node: Value, latex: bool) -> str:
        """A node's name as it follows a ∂ or a d (``after_d``: ``x``, ``(a * b)``, ``(layers.0.w)``)."""
        sp = _sympy()
        if node not in self.names:  # a constant
            return f"{node.data:g}"
        name = self.names[node]
        if not latex:
            return after_d(name)
        shown = sp.latex(sp.Symbol(name))
        return shown if after_d(name) == name else rf"\left({shown}\right)"

    def _lines(self, latex: bool) -> list[list[str]]:
        """Three lines of terms (symbols, formulas, numbers), one term per path."""
        sp = _sympy()
        show = sp.latex if latex else str

        def symbol(node: Value) -> str:
            return self._symbol(node, latex)

        def partial(factor: ChainFactor) -> str:
            top, bottom = symbol(factor.node), symbol(factor.parent)
            return rf"\frac{{\partial {top}}}{{\partial {bottom}}}" if latex else f"∂{top}/∂{bottom}"

        def formula(factor: ChainFactor) -> str:
            text = show(factor.formula)
            compound = isinstance(factor.formula, (sp.Add, sp.Piecewise)) or text.startswith("-")
            return (rf"\left({text}\right)" if latex else f"({text})") if compound else text

        def number(x: float) -> str:
            text = f"{x:.6g}"
            return f"({text})" if text.startswith("-") else text

        times = r" \cdot " if latex else " · "
        return [
            [times.join(part(f) for f in factors) for factors in self.paths]
            for part in (partial, formula, lambda f: number(f.value))
        ]

    def __str__(self) -> str:
        out, of = self._symbol(self.root, latex=False), self._symbol(self.leaf, latex=False)
        head = f"d{out}/d{of} = "
        if not self.paths:
            return f"{head}0  ({out} does not depend on {of})"
        lines = self._lines(latex=False)
        pad = " " * (len(head) - 2) + "= "
        body = [
            head + " + ".join(lines[0]),
            pad + " + ".join(lines[1]),
            pad + " + ".join(lines[2]) + f" = {self.value:.6g}",
        ]
        return "\n".join(body)

    def _repr_latex_(self) -> str:
        out, of = self._symbol(self.root, latex=True), self._symbol(self.leaf, latex=True)
        head = rf"\frac{{d {out}}}{{d {of}}}"
        if not self.paths:
            return rf"$\displaystyle {head} = 0$"
        lines = self._lines(latex=True)
        rows = [
            rf"{head} &= " + " + ".join(lines[0]),
            "&= " + " + ".join(lines[1]),
            "&= " + " + ".join(lines[2]) + rf" = {self.value:.6g}",
        ]
        return r"$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"


def chain_rule(root: Value, leaf: Value, max_paths: int = 32) -> ChainRule:
    """d root / d leaf written as the chain rule: the sum over paths of products of local derivatives.

    Each factor ``∂n/∂p`` is shown as a formula in ``n``'s inputs (named by
    their labels, else v1, v2, ...) and as the number the engine uses. A
    graph with more than ``max_paths`` paths from the leaf to the root is
    refused (reused nodes multiply the paths; the sum would not be read).
    """
    _check_leaf(leaf, "chain_rule()")
    if not isinstance(root, Value):
        raise TypeError(f"chain_rule() needs a Value to differentiate, got {type(root).__name__} {root!r}")
    sp = _sympy()
    order = topological_order(root)
    names = node_names(order)
    names.setdefault(leaf, leaf.label)
    _leaf_symbols(order)  # refuse shared labels here too

    def as_input(node: Value) -> Any:
        return sp.Symbol(names[node], real=True) if node in names else _number(node.data)

    paths = []
    for edges in _paths(root, leaf, max_paths):
        paths.append(
            [
                ChainFactor(
                    node,
                    node.parents[index],
                    index,
                    _local_formula(node, index, [as_input(p) for p in node.parents]),
                    local_derivatives(node)[index],
                )
                for node, index in edges
            ]
        )
    return ChainRule(root, leaf, paths, names)
