"""Colours and shapes of the drawings, in one place (the player's CSS uses the same palette)."""

from __future__ import annotations

__all__ = ["FONT", "KIND_FILL", "KIND_BORDER", "OP_FILL", "grad_fill", "edge_color", "legend_levels", "CLUSTER_FILL"]

FONT = "Helvetica"

# Fill by node kind: leaves (inputs blue, parameters amber, constants grey),
# intermediate nodes white, the output green.
KIND_FILL = {
    "input": "#dbeafe",
    "param": "#fde9b6",
    "constant": "#eeeeee",
    "intermediate": "#ffffff",
    "output": "#c9f0d3",
}
# Border by kind, used when the fill shows the gradient instead.
KIND_BORDER = {
    "input": "#2563eb",
    "param": "#c27c0e",
    "constant": "#888888",
    "intermediate": "#444444",
    "output": "#15803d",
}
OP_FILL = "#f4f4f5"
CLUSTER_FILL = {"layer": "#f8fafc", "neuron": "#eef2f7"}

_POSITIVE = (33, 102, 172)  # blue: increasing this node increases the output
_NEGATIVE = (178, 24, 43)  # red: increasing it decreases the output
_MAX_TINT = 0.65  # keep black text readable on the darkest fill


def _mix(rgb: tuple[int, int, int], t: float) -> str:
    """White blended towards ``rgb`` by ``t`` in [0, 1], as #rrggbb."""
    return "#" + "".join(f"{round(255 + (c - 255) * t):02x}" for c in rgb)


def grad_fill(grad: float, scale: float) -> str:
    """Fill for a gradient: blue if positive, red if negative, darker the larger |grad| / scale."""
    if scale <= 0 or grad != grad or grad == 0:
        return "#ffffff"
    t = min(1.0, abs(grad) / scale) * _MAX_TINT
    return _mix(_POSITIVE if grad > 0 else _NEGATIVE, t)


def edge_color(contribution: float, scale: float) -> tuple[str, str]:
    """(colour, penwidth) of an edge by the gradient contribution flowing back along it."""
    if scale <= 0 or contribution != contribution or contribution == 0:
        return "#9ca3af", "1"
    t = min(1.0, abs(contribution) / scale)
    color = _mix(_POSITIVE if contribution > 0 else _NEGATIVE, 0.35 + 0.65 * t)
    return color, f"{1 + 3 * t:.2f}"


def legend_levels(scale: float) -> list[tuple[float, str]]:
    """The gradients a legend shows, with their text: -scale, -scale/2, 0, scale/2, scale."""
    return [(f * scale, f"{f * scale:+.3g}" if f else "0") for f in (-1.0, -0.5, 0.0, 0.5, 1.0)]
