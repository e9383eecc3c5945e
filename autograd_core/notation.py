"""How nodes are named and ops read in text: one rule for every printout.

Error messages, ``explain`` and the player (``viz``), exercises, forward
mode's steps, the chain rule as a formula and the compiled source all name a
graph's nodes with ``node_names``, so a node has one name everywhere:

* a labelled node is named by its label; when two different nodes carry one
  label, the first (in topological order) keeps it and the later ones get a
  visible suffix, ``x#2``, ``x#3`` (an exercise's answer writes ``x#2`` as
  ``x_2``, and the question says so);
* an unlabelled op node is ``v1``, ``v2``, ... numbered without gaps in
  topological order (parents first), skipping any ``vN`` a label already is;
* a constant (an unlabelled leaf) has no name: it is written as its number;
* nothing else is invented: an unlabelled output is ``vN`` like any other node.

They also share how a name is written: put in parentheses the same way
everywhere (``dL/dx[0]`` but ``dL/d(a * b)``, which must never read as
``(dL/da) * b``, and ``dL/d(2)`` for a constant).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Hashable, Sequence
from typing import Protocol, TypeVar

__all__ = ["INFIX", "node_names", "is_word", "symbol", "written", "dotted", "factor"]

INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "pow": "**"}
"""The ops written between their two operands, and their symbol (``pow`` is ``**`` too)."""

_WORD_PUNCTUATION = str.maketrans("", "", "._#'[]")


class _Node(Hashable, Protocol):
    """What naming reads of a node (a ``Value``; value.py imports this module, so it is not imported here)."""

    @property
    def label(self) -> str: ...

    @property
    def op(self) -> object: ...


Node = TypeVar("Node", bound=_Node)


def node_names(order: Sequence[Node], variables: Collection[Node] = ()) -> dict[Node, str]:
    """The one name of every node of ``order`` but the constants (the rule is in this module's docstring).

    ``order`` is a graph's nodes parents first, as ``topological_order``
    gives them (it is taken, not computed, because the engine imports this
    module, which is also why nodes are read through ``_Node``).
    ``variables`` are unlabelled leaves that are named anyway (``v1``, ...)
    rather than written as numbers: the leaves forward mode gives a tangent,
    a compiled function's parameters. Constants get no entry.
    """
    labels = {str(node.label) for node in order if node.label}
    taken = set(labels)
    uses: dict[str, int] = {}
    names: dict[Node, str] = {}
    count = 0
    for node in order:
        if node.label:
            label = str(node.label)
            uses[label] = uses.get(label, 0) + 1
            name = label
            if uses[label] > 1:  # the same label on another node: a visible suffix, unused by any label
                suffix = uses[label]
                while f"{label}#{suffix}" in taken:
                    suffix += 1
                name = f"{label}#{suffix}"
        elif node.op is not None or node in variables:
            count += 1
            while f"v{count}" in taken:
                count += 1
            name = f"v{count}"
        else:
            continue  # a constant: written as its number
        taken.add(name)
        names[node] = name
    return names


def is_word(name: str) -> bool:
    """True for a name that reads as one symbol: ``a``, ``x[0]``, ``layers.0.neurons.1.w.0``, ``sum#2``; not ``2``."""
    return not name[:1].isdigit() and name.translate(_WORD_PUNCTUATION).isalnum()


def symbol(name: str) -> str:
    """A name as one symbol: itself, or in parentheses when it is an expression or a number (``(a * b)``, ``(2)``)."""
    return name if is_word(name) else f"({name})"


def after_d(name: str) -> str:
    """A name as written after ``d`` or ``∂``: ``symbol``'s, and a network's path in parentheses (``d(layers.0.b)``)."""
    written = symbol(name)
    return f"({name})" if written == name and name.count(".") > 1 else written


def dotted(name: str) -> str:
    """A node's tangent (forward mode): a dot over a one-letter name (``ȧ``, ``v̇1``), else ``(name)˙``."""
    if re.fullmatch(r"[^\W\d_]\d*", name):  # NFC: one precomposed character where there is one (ẋ)
        return unicodedata.normalize("NFC", name[0] + "\u0307") + name[1:]
    return f"({name})\u02d9"


def factor(number: str) -> str:
    """A number written as a factor of a product: in parentheses when negative (``1 · (-3)``)."""
    return f"({number})" if number.startswith("-") else number


def written(op: str, operands: Sequence[str], call_operands: Sequence[str] | None = None) -> str:
    """An op applied to its operands as text: ``a * b``, ``a - (-2)``, ``-a``, ``tanh(n)``.

    ``call_operands``, when given, are used inside a call's parentheses, where
    an operand needs none of its own (``tanh(w * x + b)``).
    """
    if op in INFIX and len(operands) == 2:
        return f"{operands[0]} {INFIX[op]} {factor(operands[1])}"
    if op == "neg" and len(operands) == 1:
        return f"-{operands[0]}"
    return f"{op}({', '.join(operands if call_operands is None else call_operands)})"
