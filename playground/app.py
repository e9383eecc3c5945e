"""The playground's Python: what the page in the browser asks for, computed by this project's own packages.

The page (``playground.js``) runs this module under Pyodide and calls a
``Playground``'s methods with JSON text, getting JSON text back. An
expression and its inputs are the command line's (``python -m viz "tanh(w*x
+ b)" w=-3 x=2 b=6.88``): parsed by ``viz.expression``'s whitelist, never
``eval``; ``o = tanh(...)`` names the output ``o``, as in micrograd's
lecture. A program of the user's own (``run_program``) runs in the user's own
browser, and its last line gives the graph; it never comes from a link. For
each view the graph is built anew from the current input values and drawn
with viz: the drawing and the chain rule (``explain``), the player
(``viz.player``), forward mode with a tangent, and the exercise
(``viz.exercise``). ``parse_link`` and ``link_of`` read and write the
address's fragment, ``expr=tanh(w*x%2Bb)&w=-3&x=2&b=6.88`` (``&tangent=x``
for forward mode, ``&mode=exercise``), which carries only an expression and
numbers. The same module runs on a desktop with Graphviz's ``dot``: viz
chooses the layout backend (``viz/drawing.py``), so the tests run it there too.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from autograd_core import DomainError, Value
from autograd_core.errors import short_repr
from viz import explain
from viz.cli import parse_values
from viz.dot import draw_dot
from viz.drawing import pipe, svg_element
from viz.exercise import Exercise
from viz.expression import ExpressionError, evaluate_expression, names_in, parse_expression
from viz.player import exercise_parts, exercise_views, player_parts
from viz.sliders import Exploration, slider_for
from viz.text import format_number
from viz.trace import trace

__all__ = ["Playground", "parse_link", "link_of", "split_output_name", "MODES", "RESERVED"]

MODES = ("drawing", "player", "forward", "exercise")
RESERVED = ("expr", "mode", "tangent")  # the link's own keys: no input can be named so
NEW_INPUT = 1.0  # the value of a name the expression starts to use
_OUTPUT_NAME = re.compile(r"\s*([^\W\d]\w*)\s*=(?!=)(.*)", re.S)
_FAILURES = (ExpressionError, DomainError, ArithmeticError, ValueError, TypeError)


def split_output_name(text: str) -> tuple[str | None, str]:
    """``"o = tanh(n)"`` -> ``("o", "tanh(n)")``; an expression without ``name =`` -> ``(None, text)``."""
    match = _OUTPUT_NAME.fullmatch(text)
    return (match.group(1), match.group(2)) if match else (None, text)


def _number_text(value: float) -> str:
    """A number as a link and the inputs box write it: as short as Python's repr, without a trailing ``.0``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def link_of(expr: str, values: Mapping[str, float], mode: str = "drawing", tangent: str | None = None) -> str:
    """The address's fragment (without ``#``) for an expression, its inputs, the view and forward mode's tangent."""
    parts = [f"expr={quote(expr.strip(), safe='*()/,.')}"]
    parts += [f"{quote(name)}={_number_text(v)}" for name, v in values.items()]
    if mode == "forward" and tangent:
        parts.append(f"tangent={quote(tangent)}")
    elif mode in ("player", "exercise"):
        parts.append(f"mode={mode}")
    return "&".join(parts)


def parse_link(fragment: str) -> dict[str, Any]:
    """A link's fragment -> ``{"expr", "values", "mode", "tangent"}``; an ExpressionError naming a bad part.

    ``tangent=x`` alone means forward mode; ``mode=`` is one of ``MODES``.
    Every other key is an input's name and its value a number.
    """
    expr, values, mode, tangent = None, {}, None, None
    for key, text in parse_qsl(fragment.lstrip("#"), keep_blank_values=True):
        if key == "expr":
            expr = text
        elif key == "mode":
            if text not in MODES:
                raise ExpressionError(f"the link's mode={text!r} is not one of {', '.join(MODES)}")
            mode = text
        elif key == "tangent":
            tangent = text
        elif key.isidentifier():
            try:
                values[key] = float(text)
            except ValueError:
                raise ExpressionError(f"the link gives {key}={text!r}, which is not a number") from None
        else:
            raise ExpressionError(f"the link holds {key!r}, which is neither expr, mode, tangent nor an input's name")
    if expr is None:
        raise ExpressionError("the link holds no expression (expr=...)")
    return {"expr": expr, "values": values, "mode": mode or ("forward" if tangent else "drawing"), "tangent": tangent}


def _inputs_of(expr: str, values: Mapping[str, float]) -> dict[str, float]:
    """The values for the names ``expr`` uses: those given (in their order), then new names at ``NEW_INPUT``."""
    name, body = split_output_name(expr)
    used = names_in(parse_expression(body))
    reserved = [n for n in used if n in RESERVED]
    if reserved:
        raise ExpressionError(f"{reserved[0]!r} names the link's own part; call the input something else")
    if name is not None and name in used:
        raise ExpressionError(f"{name!r} is an input of the expression; name the output something else")
    kept = {n: float(v) for n, v in values.items() if n in used}
    return kept | {n: NEW_INPUT for n in used if n not in kept}


class Playground:
    """The page's state: the graph's source (an expression or a program), the open exercise."""

    def __init__(self) -> None:
        self._build: Callable[[dict[str, float]], Value] | None = None  # a program's graph for new input values
        self._program_inputs: dict[str, float] = {}
        self._exercise: Exercise | None = None

    # ------------------------------------------------------------ what the page calls (JSON text in and out)
    def link(self, fragment: str) -> str:
        """A link's fragment read: ``{"expr", "values", "mode", "tangent"}``, or ``{"error"}``."""
        try:
            return json.dumps(parse_link(fragment))
        except ExpressionError as exc:
            return json.dumps({"error": str(exc)})

    def show(self, request_json: str) -> str:
        """The view a request asks for (see ``view``), as JSON."""
        return json.dumps(self.view(json.loads(request_json)))

    def run_program(self, code: str) -> str:
        """Run a program of the user's own; its last line's Value becomes the graph (see ``program``), as JSON."""
        try:
            self.program(code)
        except _FAILURES as exc:
            return json.dumps({"error": f"{type(exc).__name__}: {exc}"})
        except SyntaxError as exc:
            return json.dumps({"error": f"SyntaxError on line {exc.lineno}: {exc.msg}"})
        return json.dumps({"values": self._program_inputs})

    def answer(self, step: int, text: str) -> str:
        """An exercise answer checked: ``{"views", "feedback", "score_text"}`` as JSON."""
        ex = self._exercise
        if ex is None:
            return json.dumps({"error": "no exercise is open"})
        try:
            check = ex.answer(step, text)
        except (TypeError, ValueError) as exc:  # a stale page: that step was answered already
            return json.dumps({"feedback": {"step": step, "status": "unreadable", "message": str(exc)}})
        return json.dumps(
            {
                "views": exercise_views(ex),
                "feedback": {"step": check.step, "status": check.status, "message": check.message},
                "score_text": f"score: {ex.score}",
            }
        )

    # ------------------------------------------------------------ the work
    def program(self, code: str) -> None:
        """Run ``code`` (the user's, in the user's browser); its last line must be a Value: the graph.

        Its labelled leaves become the inputs, as ``viz.explore`` makes
        sliders of them; a new value rebuilds the graph with the same ops.
        """
        tree = ast.parse(code, "<your program>")
        if not tree.body or not isinstance(tree.body[-1], ast.Expr):
            raise ValueError("the program's last line should be the Value to draw (o, for instance)")
        last = ast.Expression(tree.body.pop().value)
        namespace: dict[str, Any] = {"__name__": "__playground__"}
        exec(compile(tree, "<your program>", "exec"), namespace)  # noqa: S102 the user's own code, in their own browser
        root = eval(compile(last, "<your program>", "eval"), namespace)  # noqa: S307 the user's own code, as above
        if not isinstance(root, Value):
            raise TypeError(
                f"the program's last line gives {type(root).__name__} {short_repr(root)}, not a Value to draw"
            )
        exploration = Exploration(root, {})
        self._build = lambda values: exploration.build(values)[0]
        self._program_inputs = dict(exploration.initial)

    def view(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """What the page shows for ``request``: ``{"source": "expression" | "program", "expr", "values", "mode",
        "tangent"}``, and ``values_text`` for the inputs as typed (``w=-3 x=2``) instead of ``values``.

        Returns the inputs (with a slider's range each), the output's line, the link, and the view's own parts:
        ``svg`` and ``explain`` (drawing), ``fragment`` (player, forward mode, exercise; ``explain`` too in
        forward mode), ``views`` and ``score_text`` (exercise); or ``{"error"}`` saying what is wrong.
        """
        mode = request.get("mode") or "drawing"
        try:
            if mode not in MODES:
                raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
            if request.get("source") == "program":
                if self._build is None:
                    raise ValueError("run a program first")
                values = {n: float(request.get("values", {}).get(n, v)) for n, v in self._program_inputs.items()}
                root, expr = self._build(values), None
            else:
                expr = str(request.get("expr", ""))
                given = request.get("values", {})
                if request.get("values_text") is not None:  # the inputs box, in the command line's NAME=NUMBER
                    given = parse_values(str(request["values_text"]).split())
                values = _inputs_of(expr, given)
                name, body = split_output_name(expr)
                root = evaluate_expression(body, values)
                if name is not None:
                    root.label = name
            return self._parts(root, expr, values, mode, request.get("tangent"))
        except _FAILURES as exc:
            return {"error": str(exc)}

    def _parts(
        self, root: Value, expr: str | None, values: dict[str, float], mode: str, tangent: str | None
    ) -> dict[str, Any]:
        graph = trace(root)
        inputs = {n.name: n.value for n in graph.nodes if n.kind == "input" and n.name in values}
        out = graph.root.name
        reply: dict[str, Any] = {
            "values": values,
            "values_text": " ".join(f"{name}={_number_text(v)}" for name, v in values.items()),
            "inputs": [{"name": name, "value": v, **_range(name, v)} for name, v in values.items() if name in inputs],
            "output": f"{out} = {format_number(root.data)}",
            "mode": mode,
            "link": link_of(expr, values, mode, tangent) if expr is not None else None,
        }
        if mode == "drawing":
            root.backward()
            reply["svg"] = svg_element(pipe(draw_dot(root), "svg").decode("utf-8"))
            reply["explain"] = explain(root)
        elif mode == "player":
            reply["fragment"] = player_parts(root).fragment
        elif mode == "forward":
            if tangent not in inputs:
                tangent = next(iter(inputs), None)
            if tangent is None:
                raise ValueError("forward mode needs an input to move; the expression has none")
            seeds = {inputs[tangent]: 1.0}
            reply["tangent"] = tangent
            reply["link"] = link_of(expr, values, mode, tangent) if expr is not None else None
            reply["fragment"] = player_parts(root, tangents=seeds).fragment
            reply["explain"] = explain(root, tangents=seeds)
        else:
            self._exercise = Exercise(root)
            reply["fragment"] = exercise_parts(self._exercise).fragment
            reply["views"] = exercise_views(self._exercise)
            reply["score_text"] = f"score: {self._exercise.score}"
        return reply


def _range(name: str, value: float) -> dict[str, float]:
    """A slider's range and step for an input (``viz.sliders.slider_for``: around 0, wide enough for ``value``)."""
    slider = slider_for(name, value)
    return {"min": slider.min, "max": slider.max, "step": slider.step}
