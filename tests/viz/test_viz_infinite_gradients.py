"""Infinite gradients (sqrt at 0) and infinite leaves in the coloured drawing, the player, explore and the CLI.

An infinite gradient is drawn in the scale's full colour and written "inf"; the
scale itself is the largest finite gradient, so the other nodes keep their
shades. A leaf that is infinite cannot be put on a slider: a clear error.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_core import Value
from viz import draw_dot, explore, write_html
from viz.dot import gradient_scale
from viz.sliders import Exploration
from viz.style import grad_fill
from viz.trace import trace

REPO = Path(__file__).resolve().parents[2]


def sqrt_at_zero() -> tuple[Value, Value]:
    """y = sqrt(x) * 3 + x at x = 0: dy/dx is inf, the other gradients are finite."""
    x = Value(0.0, "x")
    s = x.sqrt()
    s.label = "s"
    y = s * 3.0 + x
    y.label = "y"
    y.backward()
    return y, x


def test_gradient_scale_is_the_largest_finite_gradient():
    y, x = sqrt_at_zero()
    assert x.grad == float("inf")
    graph = trace(y)
    grads = {n.index: n.value.grad for n in graph.nodes}
    assert gradient_scale(graph, grads, []) == 3.0
    nothing_finite = {n.index: float("inf") for n in graph.nodes}
    assert gradient_scale(graph, nothing_finite, [float("inf"), float("nan")]) == 1.0


def test_draw_dot_colours_an_infinite_gradient_as_the_extreme():
    y, x = sqrt_at_zero()
    source = draw_dot(y, color_by_grad=True).source
    assert "grad inf" in source
    assert f'BGCOLOR="{grad_fill(1.0, 1.0)}"' in source  # x: full blue
    assert "inf: full colour" in html.unescape(source)


def test_write_html_colours_an_infinite_gradient(dot_program, tmp_path):
    y, _ = sqrt_at_zero()
    path = write_html(y, tmp_path / "p.html", color_by_grad=True)
    text = path.read_text(encoding="utf-8")
    assert "inf" in text and "grad_scale" not in text


def test_explore_with_an_infinite_gradient(dot_program):
    exploration = Exploration(lambda x: x.sqrt() * 3.0 + x, {"x": 0.0})
    assert exploration.scale == 3.0
    assert dict(exploration.first.named_grads)["x"] == float("inf")
    assert "grad inf" in html.unescape(exploration.first.svg)
    y, _ = sqrt_at_zero()
    assert Exploration(y, {}).scale == 3.0


def test_explore_refuses_an_infinite_leaf_by_name(dot_program):
    a = Value(float("inf"), "a")
    b = a * 2.0
    with pytest.raises(ValueError, match=r"leaf 'a' is inf.*finite"):
        explore(b)


def test_cli_colours_an_infinite_gradient_in_the_player(dot_program, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for name in ("x.html", "x.svg", "x.dot"):
        result = subprocess.run(
            [sys.executable, "-m", "viz", "sqrt(x)", "x=0", "--color-by-grad", "-o", name],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == "" and (tmp_path / name).exists()
