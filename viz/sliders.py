"""What ``viz.explore`` recomputes when a slider moves: the forward pass, the gradients and the drawing.

An ``Exploration`` knows which numbers the sliders set (a function's
arguments, a built graph's labelled leaves, or an ``nn`` model's input point)
and, for given values, builds the graph anew, takes every node's gradient with
``autograd_core.grad`` (no ``.grad`` is touched, the caller's Values and
model stay as they were) and draws it. Every frame is coloured on the scale
of the first one, so a gradient that shrinks as a slider moves is drawn
paler. A network is drawn without clusters by default: its full names match
the gradients' list, and ``draw_dot`` lays it out once instead of checking
the clusters' reading order over several layouts (``viz/layout.py``; about
100 ms instead of 30 for a 2-3-1 MLP). Kept apart from the widget
(``viz.widgets``) so that it runs, and is timed, without Jupyter.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograd_core import Value, backward_steps, enable_grad, grad, topological_order
from autograd_core.value import apply
from nn import Module

from .dot import DEFAULT_MAX_NODES, draw_dot, gradient_scale
from .drawing import pipe, svg_element
from .trace import Trace, trace

__all__ = ["Exploration", "Frame", "Slider", "slider_for"]

# Builds the graph for some slider values: (the output, the named Values whose gradients are listed).
Builder = Callable[[dict[str, float]], tuple[Value, list[tuple[str, Value]]]]


@dataclass(frozen=True)
class Slider:
    """One input's slider: its name, range and step."""

    name: str
    min: float
    max: float
    step: float


def _nice(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x (x > 0)."""
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= x * (1 - 1e-12))


def slider_for(name: str, value: float, limits: tuple[float, float] | None = None) -> Slider:
    """A slider around 0 wide enough for ``value`` (at least -3..3, twice |value|), or over ``limits``."""
    if limits is None:
        reach = _nice(max(3.0, 2.0 * abs(value)))
        low, high = -reach, reach
    else:
        low, high = (float(v) for v in limits)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"the range of {name!r} must be two finite numbers, low < high; got {limits!r}")
    return Slider(name, low, high, _nice((high - low) / 400))


@dataclass(frozen=True)
class Frame:
    """One redraw: the graph for some slider values, its gradients, and the drawing as SVG."""

    values: dict[str, float]
    root: Value
    graph: Trace
    grads: dict[int, float]  # every node's d root / d node, by node index
    named_grads: list[tuple[str, float]]  # the sliders' inputs (and a model's parameters), in order
    svg: str
    python_ms: float  # forward, gradients and the DOT source
    graphviz_ms: float  # Graphviz's layout and SVG


class Exploration:
    """The graph behind a set of sliders (see the module docstring); ``frame(values)`` recomputes it."""

    def __init__(
        self,
        target: Callable[..., Any] | Value | Module,
        values: Mapping[str, float] | Sequence[float],
        ranges: Mapping[str, tuple[float, float]] | None = None,
        *,
        rankdir: str = "LR",
        group_by: str | None = None,
        max_nodes: int | None = DEFAULT_MAX_NODES,
    ) -> None:
        self.target = target
        self.build: Builder
        if isinstance(target, Module):
            point = _point(values)
            names = [f"x[{i}]" for i in range(len(point))]
            self.build = self._model_builder(target, names)
            initial = dict(zip(names, point))
        elif isinstance(target, Value):
            if values:
                raise TypeError(
                    "explore(graph) takes its slider values from the graph's labelled leaves; give no other values"
                )
            initial = _labelled_leaves(target)
            self.build = self._graph_builder(target)
        elif callable(target):
            if isinstance(values, Sequence) or not values:
                raise TypeError("explore(f, a=2.0, b=-3.0): give each input of f a starting value by name")
            initial = {name: _number(name, v) for name, v in values.items()}
            self.build = self._function_builder(target)
        else:
            raise TypeError(f"explore takes a function, a Value or an nn model, got {type(target).__name__} {target!r}")
        unknown = set(ranges or {}) - set(initial)
        if unknown:
            raise ValueError(
                f"ranges given for {sorted(unknown)}, which are not inputs; the inputs are {list(initial)}"
            )
        self.initial = initial
        self.sliders = [slider_for(name, v, (ranges or {}).get(name)) for name, v in initial.items()]
        self.draw_options: dict[str, Any] = {"rankdir": rankdir, "group_by": group_by, "max_nodes": max_nodes}
        # The colour scale of the first frame, kept for every later one.
        root, _, graph, grads = self._compute(initial)
        self.scale = gradient_scale(graph, grads, [s.contribution for s in backward_steps(root)])
        self.first = self.frame(initial)

    # ------------------------------------------------------------ the three kinds of target
    @staticmethod
    def _function_builder(f: Callable[..., Any]) -> Builder:
        def build(values: dict[str, float]) -> tuple[Value, list[tuple[str, Value]]]:
            inputs = {name: Value(v, name) for name, v in values.items()}
            out = f(**inputs)
            if not isinstance(out, Value):
                raise TypeError(f"explore: f must return one Value, got {type(out).__name__} {out!r}")
            return out, list(inputs.items())

        return build

    @staticmethod
    def _graph_builder(root: Value) -> Builder:
        order = topological_order(root)

        def build(values: dict[str, float]) -> tuple[Value, list[tuple[str, Value]]]:
            """The same ops on new leaf values: a new graph, the caller's left as it was."""
            made: dict[Value, Value] = {}
            for node in order:
                if not node.parents:
                    made[node] = Value(values[node.label], node.label) if node.label in values else node
                else:
                    made[node] = apply(node.op, *[made[p] for p in node.parents])
                    made[node].label = node.label
            return made[root], [(name, made[leaf]) for name, leaf in _leaves_by_label(root).items()]

        return build

    @staticmethod
    def _model_builder(model: Module, names: list[str]) -> Builder:
        def build(values: dict[str, float]) -> tuple[Value, list[tuple[str, Value]]]:
            inputs = [Value(values[name], name) for name in names]
            out = model(inputs)
            if not isinstance(out, Value):
                raise TypeError(
                    f"explore shows a model with one output; this one has {len(out)}: "
                    f"explore(lambda ...) one output of it"
                )
            return out, list(zip(names, inputs)) + list(model.named_parameters())

        return build

    # ------------------------------------------------------------ one redraw
    def _compute(self, values: dict[str, float]) -> tuple[Value, list[tuple[str, Value]], Trace, dict[int, float]]:
        """The new graph for ``values``, its named Values, and every node's gradient by node index."""
        with enable_grad():
            root, named = self.build(values)
        graph = trace(root)
        gradients = grad(root, [n.value for n in graph.nodes])
        return root, named, graph, {n.index: g for n, g in zip(graph.nodes, gradients)}

    def frame(self, values: Mapping[str, float]) -> Frame:
        """The graph, gradients and drawing for ``values`` (every slider's value, by name)."""
        if set(values) != set(self.initial):
            raise ValueError(f"explore needs a value for each of {list(self.initial)}, got {sorted(values)}")
        values = {name: _number(name, values[name]) for name in self.initial}
        start = time.perf_counter()
        root, named, graph, grads = self._compute(values)
        digraph = draw_dot(graph, color_by_grad=True, grads=grads, grad_scale=self.scale, **self.draw_options)
        drawn = time.perf_counter()
        svg = svg_element(pipe(digraph, "svg").decode("utf-8"))
        done = time.perf_counter()
        named_grads = [(name, grads[graph.position[v]] if v in graph.position else 0.0) for name, v in named]
        return Frame(values, root, graph, grads, named_grads, svg, (drawn - start) * 1000, (done - drawn) * 1000)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"the value of {name!r} must be a finite number, got {type(value).__name__} {value!r}")
    return float(value)


def _point(values: object) -> list[float]:
    if isinstance(values, Mapping) or not isinstance(values, Sequence) or not values:
        raise TypeError(f"explore(model, [x0, x1, ...]) takes the input point as a list of numbers, got {values!r}")
    return [_number(f"x[{i}]", v) for i, v in enumerate(values)]


def _leaves_by_label(root: Value) -> dict[str, Value]:
    """The graph's labelled leaves by label, in reading order; two leaves with one label are an error."""
    leaves: dict[str, Value] = {}
    for node in topological_order(root):
        if node.parents or not node.label:
            continue
        if node.label in leaves and leaves[node.label] is not node:
            raise ValueError(f"two leaves are labelled {node.label!r}: explore needs one slider per name")
        leaves[node.label] = node
    return leaves


def _labelled_leaves(root: Value) -> dict[str, float]:
    leaves = _leaves_by_label(root)
    if not leaves:
        raise ValueError(
            "explore(graph): the graph has no labelled leaves to put on sliders; "
            "label its inputs (Value(2.0, label='a'))"
        )
    for name, leaf in leaves.items():
        if not math.isfinite(leaf.data):
            raise ValueError(
                f"explore(graph): the leaf {name!r} is {leaf.data!r}; a slider starts at a finite "
                f"number: build the graph with a finite value there"
            )
    return {name: leaf.data for name, leaf in leaves.items()}
