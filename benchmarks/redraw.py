"""How long one move of a ``viz.explore`` slider takes to redraw, on the lecture's neuron and a 2-3-1 MLP.

    python benchmarks/redraw.py            # 30 redraws each, medians (a few seconds)

A redraw is what the kernel does when a slider moves (``viz.sliders``): build
the graph anew for the new value, every node's gradient, the DOT source (the
Python side), then Graphviz's layout and SVG (``dot``, a separate process).
Each redraw moves one input, as dragging does. Sending the SVG to the page and
the browser showing it are not counted (a few milliseconds on this machine).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from typing import Any

from autograd_core import Value
from nn import MLP
from viz.sliders import Exploration

LECTURE = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def lecture_neuron(x1: Value, x2: Value, w1: Value, w2: Value, b: Value) -> Value:
    """o = tanh(x1*w1 + x2*w2 + b), as in micrograd's lecture."""
    return (x1 * w1 + x2 * w2 + b).tanh()


def measure(exploration: Exploration, name: str, repeats: int) -> dict[str, Any]:
    """Median Python, Graphviz and total milliseconds over ``repeats`` redraws moving input ``name``."""
    python, graphviz, total = [], [], []
    values = dict(exploration.initial)
    for i in range(repeats):
        values[name] = exploration.initial[name] + 0.01 * (i + 1)
        frame = exploration.frame(values)
        python.append(frame.python_ms)
        graphviz.append(frame.graphviz_ms)
        total.append(frame.python_ms + frame.graphviz_ms)
    return {
        "nodes": len(frame.graph.nodes),
        "python": statistics.median(python),
        "graphviz": statistics.median(graphviz),
        "total": statistics.median(total),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    cases = [
        ("lecture neuron, tanh(x1*w1 + x2*w2 + b)", Exploration(lecture_neuron, LECTURE), "x1"),
        (
            "MLP 2-3-1 (tanh), every parameter's gradient",
            Exploration(MLP(2, [3, 1], "tanh", seed=0), [0.5, -1.0]),
            "x[0]",
        ),
    ]
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, median of {args.repeats} redraws\n")
    print("| graph | value nodes | Python (graph, gradients, DOT) | Graphviz (layout, SVG) | redraw |")
    print("|---|---:|---:|---:|---:|")
    for title, exploration, name in cases:
        m = measure(exploration, name, args.repeats)
        print(f"| {title} | {m['nodes']} | {m['python']:.1f} ms | {m['graphviz']:.1f} ms | {m['total']:.1f} ms |")


if __name__ == "__main__":
    main()
