"""The drawings both layout backends make in the tests: the gallery's, and networks in every reading-order case.

Imports only the project and ``gallery`` (scripts/gallery.py), so that it also
runs under Pyodide, where the tests copy it in (tests/viz/test_viz_wasm_layout.py):
``svgs()`` draws every case with whichever backend ``viz.drawing.pipe`` picks
(``dot`` here, the WebAssembly Graphviz there) and returns the SVGs by case.
"""

from __future__ import annotations

from collections.abc import Callable

from gallery import DRAWINGS, lecture_neuron

from autograd_core import Value
from nn import MLP, Layer, Neuron
from viz import draw_dot, gradients
from viz.drawing import pipe


def _mlp(sizes: tuple[int, ...]) -> Value:
    model = MLP(sizes[0], list(sizes[1:]), activation="tanh", seed=1)
    out = model([0.5 * (i + 1) for i in range(sizes[0])])
    return Value.sum(out) if isinstance(out, list) else out


def _layer_used_backwards() -> Value:
    """Neuron 1's output is the first factor, so its nodes come first in the topological numbering."""
    a, b = Layer(2, 2, "tanh", seed=2)([1.0, -1.0])
    return b * a


# case -> (the output's builder, draw_dot's options)
CASES: dict[str, tuple[Callable[[], Value], dict]] = {
    **{name: (build, options) for name, (_, build, options) in DRAWINGS.items()},
    "lecture neuron": (lecture_neuron, {}),
}
for _name, _build in {
    "neuron(3)": lambda: Neuron(3, "tanh", seed=1)([1.0, 2.0, 3.0]),
    "mlp 2-3-1": lambda: _mlp((2, 3, 1)),
    "mlp 3-2-2": lambda: _mlp((3, 2, 2)),
    "mlp 2-4-4-1": lambda: _mlp((2, 4, 4, 1)),
    "layer used backwards": _layer_used_backwards,
}.items():
    for _group_by in (None, "neuron", "layer"):
        for _rankdir in ("LR", "TB"):
            CASES[f"{_name}, group_by={_group_by}, {_rankdir}"] = (_build, {"group_by": _group_by, "rankdir": _rankdir})


def svg(case: str) -> str:
    """One case drawn with every gradient, as the gallery draws it."""
    build, options = CASES[case]
    root = build()
    return pipe(draw_dot(root, grads=gradients(root), max_nodes=None, **options), "svg").decode("utf-8")


def svgs() -> dict[str, str]:
    """Every case's SVG, by case."""
    return {case: svg(case) for case in CASES}
