"""Numbers, names and formulas as text, shared by the drawings, ``explain`` and the player.

The chain rule is written with two symbols, so that a line says which factor
is which: ``d`` for a total gradient, carried back from the output
(``dL/dc``), and ``∂`` for a local derivative, one op's own (``∂c/∂a``):

    dL/da += dL/dc · ∂c/∂a = 1.0000 · -3.0000 = -3.0000

A name that is an expression is put in parentheses (``dL/d(a*b)``), so it
never reads as ``(dL/da)*b``; so is a network's path, a name outside the
neuron a line is about (``dloss/d(layers.0.neurons.2.out)``), so that the ``d``
does not read as part of it. Inside a neuron its own nodes have short names
(``dloss/dw.1``), as in the drawings.
"""

from __future__ import annotations

import math

from autograd_core.notation import after_d, symbol, written

from .trace import Trace, TracedNode

__all__ = [
    "format_number",
    "symbol",
    "gradient",
    "local_derivative",
    "operand",
    "formula",
    "computation",
    "says_more",
    "context_of",
    "grouped",
    "TIMES",
]

TIMES = "\u00b7"  # the middle dot between the two factors of the chain rule


def format_number(x: float) -> str:
    """Four decimals (``-3.0000``); scientific notation where that would hide the number."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0.0000"  # also for -0.0
    if abs(x) >= 1e6 or abs(x) < 1e-4:
        return f"{x:.4e}"
    return f"{x:.4f}"


def gradient(out: str, of: str) -> str:
    """The total gradient of ``out`` with respect to ``of``: ``dL/da``, ``dL/d(a*b)``, ``dL/d(layers.0.neurons.1.b)``"""
    return f"d{after_d(out)}/d{after_d(of)}"


def local_derivative(node: str, parent: str) -> str:
    """The local derivative of one op's output with respect to one input: ``∂c/∂a``."""
    return f"\u2202{after_d(node)}/\u2202{after_d(parent)}"


def operand(node: TracedNode, name: str | None = None) -> str:
    """How a parent appears in a formula: its name (in parentheses unless one word), or its number for a constant."""
    if node.kind == "constant":
        return f"{node.value.data:g}"
    return symbol(name or node.name)


def formula(trace: Trace, node: TracedNode, context: str | None = None) -> str:
    """The op that made ``node`` as a formula: ``c = a * b``, ``o = tanh(n)``; a leaf gives its name.

    Names are shortened within ``context`` (a neuron's path), as in the drawings.
    """
    name = node.name_within(context)
    if not node.value.op:
        return name
    parents = [trace.nodes[p] for p in node.parents]
    args = [operand(p, p.name_within(context)) for p in parents]
    # In a call the arguments need no parentheses: tanh(w * x + b).
    plain = [f"{p.value.data:g}" if p.kind == "constant" else p.name_within(context) for p in parents]
    return f"{name} = {written(str(node.value.op), args, plain)}"


def computation(trace: Trace, node: TracedNode, context: str | None = None) -> str:
    """The forward step that made ``node``, with its inputs' numbers: ``c = a * b = 2.0000 * -3.0000 = -6.0000``."""
    numbers = [format_number(trace.nodes[p].value.data) for p in node.parents]
    made = formula(trace, node, context)
    with_numbers = written(str(node.value.op), numbers, numbers)
    return f"{made} = {with_numbers} = {format_number(node.value.data)}"


def says_more(text: str) -> bool:
    """False for a formula that only repeats its name (``w * x = w * x``: the label is the formula)."""
    name, _, rhs = text.partition(" = ")
    strip = str.maketrans("", "", "() ")
    return bool(rhs) and name.translate(strip) != rhs.translate(strip)


def context_of(graph: Trace, node: TracedNode) -> str | None:
    """The neuron whose names a line about ``node`` uses: the graph's, if it is one neuron's; else the node's own."""
    if graph.neuron is not None:
        return graph.neuron or None
    return node.place.neuron if node.place is not None and node.place.neuron else None


def grouped(lines: list[tuple[str | None, str]], indent: str = "") -> list[str]:
    """Lines under a heading naming their neuron whenever the neuron changes."""
    out, current = [], None
    for context, text in lines:
        if context != current and context is not None:
            out.append(f"{indent}{context}:")
        current = context
        out.append(f"{indent}  {text}" if context is not None else f"{indent}{text}")
    return out
