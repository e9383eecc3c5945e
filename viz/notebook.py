"""The notebook widgets' entry points: ``play``, ``explore`` and ``exercise_widget``.

Each imports ``viz.widgets`` (and so ``anywidget``, the ``widgets`` extra)
only when called, so ``import viz`` never needs it. The imports go one way:
this module imports the widgets, and nothing the widgets import imports it.
A drawing's own notebook display is ``viz.drawing.Drawing``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from autograd_core import Value
from autograd_core.errors import short_repr

from .exercise import Exercise

if TYPE_CHECKING:  # the widgets import anywidget: only when one is made
    from nn import Module

    from .widgets import ExerciseWidget, Explorer, Player

__all__ = ["play", "explore", "exercise_widget"]


def play(root: Value, **options: Any) -> Player:
    """The forward- then backward-pass player of ``root`` as a notebook widget (see ``viz.widgets.Player``).

    ``play(root, tangents={x: 1.0})`` plays the forward-mode pass instead;
    the other options are ``viz.player_fragment``'s.
    """
    from .widgets import Player  # anywidget: the widgets extra

    return Player(root, **options)


def explore(
    target: Callable[..., Any] | Value | Module,
    values: Mapping[str, float] | Sequence[float] | None = None,
    /,
    *,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    rankdir: str = "LR",
    group_by: str | None = None,
    **named_values: float,
) -> Explorer:
    """Sliders for the inputs of a graph, redrawing it with its new data and gradients as they move.

    ``explore(f, a=2.0, b=-3.0)``: a slider per argument of ``f`` (called with
    Values by name); ``explore(L)``: a slider per labelled leaf of a built
    graph; ``explore(model, [0.5, -1.0])``: sliders for an ``nn`` model's
    input point, listing every parameter's gradient. Pass the values as a
    dict (the second argument) when ``f`` has an argument named like an
    option. ``ranges`` maps names to (low, high); by default a slider spans
    at least -3..3 and twice its starting value.
    """
    from .widgets import Explorer  # anywidget: the widgets extra

    if values is not None and named_values:
        raise TypeError("explore: give the values either as a dict or as keywords, not both")
    return Explorer(
        target, values if values is not None else named_values, ranges=ranges, rankdir=rankdir, group_by=group_by
    )


def exercise_widget(exercise: Exercise, title: str | None = None, **options: Any) -> ExerciseWidget:
    """An exercise (``viz.exercise(root)``) as a notebook widget: the player with an answer box per step.

    ``title`` and ``options`` are the player's (``viz.player_fragment``'s);
    answers given before or after, from Python or on the page, are the same
    exercise's.
    """
    if not isinstance(exercise, Exercise):
        raise TypeError(
            f"exercise_widget takes an Exercise (viz.exercise(root)), got {type(exercise).__name__} "
            f"{short_repr(exercise)}"
        )
    from .widgets import ExerciseWidget  # anywidget: the widgets extra

    return ExerciseWidget(exercise, title, **options)
