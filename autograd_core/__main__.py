"""``python -m autograd_core``: a short engine demo, the chain rule on one expression.

Each step is printed as the chain rule reads, ``d`` for a total gradient
(carried back from L) and ``∂`` for a local derivative (one op's own):
``dL/d(a*b) += dL/ds · ∂s/∂(a*b) = ...``; a name that is an expression is
in parentheses, so it never reads as ``(dL/da)*b``.
"""

from __future__ import annotations

from . import Value, backward_steps
from .notation import after_d  # a name after d or ∂: ``a``, or ``(a*b)`` for an expression


def main() -> None:
    """Build L = tanh(a*b + c), run backward, and print every node and chain-rule step."""
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    ab = a * b
    ab.label = "a*b"
    s = ab + c
    s.label = "s"
    L = s.tanh()
    L.label = "L"
    L.backward()
    print("L = tanh(a*b + c)")
    for v in (a, b, c, ab, s, L):
        print(f"  {v!r}")
    print("chain-rule steps (d: a total gradient, carried back from L; \u2202: a local derivative, one op's own):")
    print(f"  dL/dL = {L.grad:.4f}")
    for st in backward_steps(L):
        node, parent = after_d(st.node.label), after_d(st.parent.label)
        print(
            f"  dL/d{parent} += dL/d{node} \u00b7 \u2202{node}/\u2202{parent}"
            f" = {st.upstream:.4f} \u00b7 {st.local:.4f} = {st.contribution:.4f}"
        )


if __name__ == "__main__":
    main()
