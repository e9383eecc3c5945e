"""``python -m autograd_core``: a short engine demo, the chain rule on one expression."""

from __future__ import annotations

from . import Value, backward_steps


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
    print("chain-rule steps (upstream x local = contribution):")
    for st in backward_steps(L):
        print(f"  dL/d{st.parent.label or '?'} += dL/d{st.node.label} * d{st.node.label}/d{st.parent.label or '?'}"
              f" = {st.upstream:.4f} * {st.local:.4f} = {st.contribution:.4f}")


if __name__ == "__main__":
    main()
