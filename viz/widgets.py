"""The notebook widgets, on anywidget: the player (``viz.play``), the exercise, the sliders (``viz.explore``).

anywidget runs one ES module in the notebook's page (JupyterLab, Notebook 7,
VS Code, Colab) with no Jupyter extension to install; this is the only module
that imports it. The player's module is the HTML player's own script
(``player.js``) followed by ``player_widget.js``; it steps in the page, and
its step is a trait, so Python can read and move it. The sliders' Python
computes (``viz.sliders``) and the page shows: the traits carry the drawing
as SVG and the numbers as text. Each widget's
output bundle also holds a static picture (``viz.drawing.static_bundle``)
for wherever widgets cannot run.

The exercise (``ExerciseWidget``) is built on the player so: a
``_Stepping`` widget (the player's markup, its step, the static picture)
whose module is ``PLAYER_SCRIPT``, then ``player_widget.js`` (``mountPlayer``),
then its own render function (``exercise_widget.js``), which adds an answer
box to the player's step panel; the kernel checks each answer and sends
back what the steps show (``player.update``). Build another widget on the
player the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from autograd_core import Value
from nn import Module

from .drawing import static_bundle
from .exercise import Check, Exercise, Score
from .player import PlayerParts, exercise_parts, exercise_views, player_parts
from .player_page import CSS as PLAYER_CSS
from .player_page import SCRIPT as PLAYER_SCRIPT
from .sliders import Exploration, Frame
from .text import format_number

__all__ = ["Player", "ExerciseWidget", "Explorer"]

_HERE = Path(__file__).parent
WIDGET_SCRIPT = (_HERE / "player_widget.js").read_text(encoding="utf-8")
EXERCISE_SCRIPT = (_HERE / "exercise_widget.js").read_text(encoding="utf-8")

EXERCISE_CSS = """
.ag-widget .ag-player { padding: 4px 0; }
.ag-player .ag-step.ag-right { background: #dcfce7; border-color: #86efac; }
.ag-player .ag-step.ag-wrong { background: #fee2e2; border-color: #fca5a5; }
.ag-player .ag-verdict { color: var(--right); font: var(--ag-text)/1.4 ui-monospace, "DejaVu Sans Mono", Menlo,
  Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.ag-player .ag-verdict:empty { display: none; }
.ag-player .ag-answer { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; margin-top: 6px;
  font: var(--ag-text)/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.ag-player .ag-answer[hidden] { display: none; }
.ag-player .ag-input { font: inherit; width: min(16em, 100%); padding: 2px 6px; border: 1px solid #64748b;
  border-radius: 5px; }
.ag-player .ag-check { font: var(--ag-ui) system-ui, sans-serif; padding: 3px 12px; border: 1px solid #cbd5e1;
  border-radius: 6px; background: #f8fafc; cursor: pointer; }
.ag-player .ag-feedback { flex-basis: 100%; color: var(--wrong); font-size: .8em; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.ag-player .ag-score { margin-left: auto; font-weight: 600; }
"""

EXPLORER_CSS = """
.ag-explorer { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1f2937; display: grid; grid-template-columns: minmax(16em, 24em) minmax(0, 1fr); gap: 6px 16px; }
.ag-explorer .ag-sliders { display: flex; flex-direction: column; gap: 2px; }
.ag-explorer .ag-slider { display: grid; grid-template-columns: minmax(2.5em, max-content) minmax(6em, 1fr) 5.5em;
  gap: 8px; align-items: center; }
.ag-explorer .ag-name, .ag-explorer .ag-number, .ag-explorer .ag-output, .ag-explorer table {
  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.ag-explorer .ag-number { text-align: right; }
.ag-explorer .ag-output { font-weight: 600; }
.ag-explorer .ag-error { color: #b91c1c; }
.ag-explorer .ag-readout { max-height: 14em; overflow: auto; scrollbar-gutter: stable; }
.ag-explorer table { border-collapse: collapse; font-size: 14px; }
.ag-explorer th, .ag-explorer td { padding: 0 10px 0 0; text-align: left; }
.ag-explorer td + td { text-align: right; }
.ag-explorer .ag-picture-box { grid-column: 1 / -1; position: relative; }
.ag-explorer .ag-picture { border: 1px solid #e5e7eb; border-radius: 6px; padding: 4px; overflow: auto;
  max-height: 80vh; }
.ag-explorer ::-webkit-scrollbar { width: 12px; height: 12px; }
.ag-explorer ::-webkit-scrollbar-thumb { background: #94a3b8; border-radius: 6px; border: 2px solid #f1f5f9; }
.ag-explorer ::-webkit-scrollbar-track { background: #f1f5f9; }
.ag-explorer .ag-picture svg { display: block; height: auto; margin: 0 auto; }
.ag-explorer .ag-size { position: absolute; right: 18px; top: 6px; z-index: 1; font: 14px system-ui, sans-serif;
  padding: 1px 8px; border: 1px solid #cbd5e1; border-radius: 5px; background: #f8fafc; cursor: pointer; }
"""


class _Widget(anywidget.AnyWidget):
    """A widget whose output also holds a static picture of it, shown wherever widgets cannot run."""

    def _static(self) -> dict[str, str]:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data.update(self._static())
        return data, metadata


class _Stepping(_Widget):
    """A widget made of one player: its markup, its step shared with Python, and its static picture.

    ``step`` (0 to ``total``) follows the page and moves it: ``next()``,
    ``previous()``, ``reset()``, or assign it.
    """

    fragment = traitlets.Unicode("").tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)

    def __init__(self, parts: PlayerParts, height: int = 0, **traits: Any) -> None:
        self._parts = parts
        self.total = len(parts.steps)
        super().__init__(fragment=parts.fragment, height=height, **traits)

    @traitlets.validate("step")
    def _in_range(self, proposal: dict[str, Any]) -> int:
        return max(0, min(self.total, proposal["value"]))

    def next(self) -> int:
        """One step on (as the Next button); returns the new step."""
        self.step += 1
        return self.step

    def previous(self) -> int:
        """One step back (as the Previous button); returns the new step."""
        self.step -= 1
        return self.step

    def reset(self) -> int:
        """Back to step 0 (as the Reset button)."""
        self.step = 0
        return self.step


class Player(_Stepping):
    """The forward- then backward-pass player of a graph (or its forward-mode pass), in a notebook cell.

    The same steps, buttons and keys as the HTML player (``viz.write_html``),
    the graph fitted to the cell's width, with zoom and pan.
    """

    _esm = f"{PLAYER_SCRIPT}\n{WIDGET_SCRIPT}\nexport default {{ render: renderPlayer }};\n"
    _css = PLAYER_CSS + ".ag-widget .ag-player { padding: 4px 0; }"

    def __init__(self, root: Value, title: str | None = None, *, height: int = 0, **options: Any) -> None:
        """The player of ``root``'s graph.

        ``options`` are ``viz.player_fragment``'s (rankdir, group_by, collapse,
        max_nodes, interval_ms, color_by_grad, tangents); ``height`` is in
        pixels, or 0 for as tall as the graph's shape needs at the cell's width.
        """
        super().__init__(player_parts(root, title, **options), height)

    @property
    def text(self) -> str:
        """The current step's text, as the page shows it ("" at step 0)."""
        return self._parts.steps[self.step - 1] if self.step else ""

    def __repr__(self) -> str:
        return f"<Player: step {self.step} of {self.total}; {self._parts.heading}>"

    def _static(self) -> dict[str, str]:
        lines = [self._parts.heading, "(The player: run the notebook to step through it. Every step:)"]
        return static_bundle(self._parts.final_svg, self._parts.heading, lines, self._parts.steps)


class ExerciseWidget(_Stepping):
    """An exercise (``viz.exercise``) in a notebook cell: the player, a step per question, an answer box.

    The page sends each answer to the kernel, which checks it with the
    exercise (so ``answer``, ``checks`` and ``score`` are the exercise's, and
    an answer given from Python shows on the page too) and sends back what
    each step shows: right, or wrong with the correct value.
    """

    _esm = f"{PLAYER_SCRIPT}\n{WIDGET_SCRIPT}\n{EXERCISE_SCRIPT}\nexport default {{ render: renderExercise }};\n"
    _css = PLAYER_CSS + EXERCISE_CSS
    views = traitlets.List(traitlets.Dict()).tag(sync=True)
    feedback = traitlets.Dict().tag(sync=True)
    score_text = traitlets.Unicode("").tag(sync=True)

    def __init__(self, exercise: Exercise, title: str | None = None, *, height: int = 0, **options: Any) -> None:
        """The widget of ``exercise``; ``options`` are rankdir, group_by and max_nodes (``draw_dot``'s)."""
        super().__init__(
            exercise_parts(exercise, title, **options),
            height,
            views=exercise_views(exercise),
            score_text=f"score: {exercise.score}",
        )
        self.exercise = exercise
        self._checked = 0
        exercise.on_check(self._show)
        self.on_msg(self._receive)

    def _receive(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        """An answer from the page: checked by the exercise (``_show`` then updates the page).

        A message that is not an object (``{"step": ..., "answer": ...}``) is
        not the page's: it is ignored.
        """
        if not isinstance(content, dict):
            return
        try:
            self.exercise.answer(content.get("step"), content.get("answer"))
        except (TypeError, ValueError) as exc:  # a stale page: the step was answered from Python meanwhile
            self._checked += 1
            self.feedback = {
                "step": content.get("step"),
                "status": "unreadable",
                "message": str(exc),
                "n": self._checked,
            }

    def _show(self, check: Check) -> None:
        with self.hold_sync():
            self.views = exercise_views(self.exercise)
            self._checked += 1  # a new dict each time, so the page hears of an answer that reads as the last one did
            self.feedback = {"step": check.step, "status": check.status, "message": check.message, "n": self._checked}
            self.score_text = f"score: {self.exercise.score}"

    def answer(self, step: int, text: str) -> Check:
        """Answer question ``step`` from Python (``Exercise.answer``); the page shows the check."""
        return self.exercise.answer(step, text)

    @property
    def score(self) -> Score:
        return self.exercise.score

    @property
    def text(self) -> str:
        """The current step's text, as the page shows it ("" at step 0)."""
        return self.views[self.step - 1]["text"] if self.step else ""

    def __repr__(self) -> str:
        return f"<ExerciseWidget: step {self.step} of {self.total}; {self.exercise.score}>"

    def _static(self) -> dict[str, str]:
        lines = [self._parts.heading, "(The exercise: run the notebook to answer it. The questions:)"]
        return static_bundle(self._parts.final_svg, self._parts.heading, lines, self._parts.steps)


class Explorer(_Widget):
    """Sliders for a graph's inputs; moving one redraws the graph with its new data and gradients.

    Python side: ``values`` (read, or assign a dict), ``set(a=1.0)``,
    ``output`` and ``gradients`` (floats), ``frame`` (the last redraw, with its
    times). A forward pass that fails (``log`` of a negative number) keeps the
    last drawing and shows the error.
    """

    _esm = (_HERE / "explorer.js").read_text(encoding="utf-8")
    _css = EXPLORER_CSS
    sliders = traitlets.List(traitlets.Dict()).tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    readout = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        target: Callable[..., Any] | Value | Module,
        values: Mapping[str, float] | Sequence[float],
        *,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        rankdir: str = "LR",
        group_by: str | None = None,
    ) -> None:
        self._exploration = Exploration(target, values, ranges, rankdir=rankdir, group_by=group_by)
        self.frame: Frame = self._exploration.first
        super().__init__(
            sliders=[asdict(s) for s in self._exploration.sliders],
            values=dict(self.frame.values),
            svg=self.frame.svg,
            readout=self._readout(self.frame),
        )
        self.observe(self._redraw, names="values")

    @traitlets.validate("values")
    def _as_floats(self, proposal: dict[str, Any]) -> dict[str, Any]:
        """The page sends 1 for 1.0 (JSON): keep floats, so ``values`` reads the same whoever set it."""
        return {
            name: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for name, v in proposal["value"].items()
        }

    def _readout(self, frame: Frame) -> dict[str, Any]:
        kind = "input or parameter" if isinstance(self._exploration.target, Module) else "input"
        out = frame.graph.root.name
        return {
            "output": f"{out} = {format_number(frame.root.data)}",
            "columns": [kind, f"gradient of {out}"],
            "gradients": [[name, format_number(g)] for name, g in frame.named_grads],
        }

    def _redraw(self, change: dict[str, Any]) -> None:
        try:
            frame = self._exploration.frame(change["new"])
        except (ValueError, ArithmeticError, TypeError) as exc:  # a domain error, a bad value: say so, keep the drawing
            with self.hold_sync():
                self.error = f"{type(exc).__name__}: {exc}"
                self.revision += 1
            return
        self.frame = frame
        with self.hold_sync():
            self.svg, self.readout, self.error = frame.svg, self._readout(frame), ""
            self.revision += 1

    def set(self, **values: float) -> None:
        """Move some sliders (by name) and redraw, as dragging them would."""
        unknown = set(values) - set(self.values)
        if unknown:
            raise ValueError(f"no slider named {sorted(unknown)}; the sliders are {list(self.values)}")
        self.values = {**self.values, **values}

    @property
    def output(self) -> float:
        """The output's value for the current slider values."""
        return self.frame.root.data

    @property
    def gradients(self) -> dict[str, float]:
        """d output / d each slider's input (and each parameter of a model), by name."""
        return dict(self.frame.named_grads)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={format_number(v)}" for name, v in self.frame.values.items())
        return f"<Explorer of {self.readout['output']} at {shown}>"

    def _static(self) -> dict[str, str]:
        frame = self.frame
        point = ", ".join(f"{n} = {format_number(v)}" for n, v in frame.values.items())
        lines = [
            f"{self.readout['output']} at {point}",
            f"{self.readout['columns'][1]}: " + ", ".join(f"{n} {t}" for n, t in self.readout["gradients"]),
            "(Sliders: run the notebook to move them.)",
        ]
        return static_bundle(frame.svg, f"the graph of {self.readout['output']}", lines)
