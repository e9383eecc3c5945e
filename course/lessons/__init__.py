"""The lessons of backpropagation, each shown with the engine: a function returning its numbers and a figure.

    from course.lessons import run
    lesson = run("learning-rate")
    print(lesson)                   # what it found, one line a finding
    lesson.figure                   # a matplotlib Figure: shows inline in a notebook

``python -m course.lessons NAME --out DIR`` (or ``all``) writes ``DIR/NAME.png``
and prints the numbers. Each lesson is one module, small enough to read
whole: its docstring says what it teaches, its function trains with
``nn.fit`` and returns a ``Lesson``, its ``_figure`` draws it with
``nn.plots``. The tests assert each lesson's claim on its numbers, with the
seeds it uses. Needs matplotlib (``pip install 'autograd-core[demo]'``).
"""

from __future__ import annotations

from collections.abc import Callable

from .batches import batches
from .learning_rate import learning_rate
from .lesson import Lesson
from .local_minima import local_minima
from .overfitting import overfitting
from .update_rule import update_rule
from .vanishing import vanishing

__all__ = [
    "Lesson",
    "LESSONS",
    "run",
    "update_rule",
    "learning_rate",
    "vanishing",
    "local_minima",
    "overfitting",
    "batches",
]

LESSONS: dict[str, Callable[[], Lesson]] = {
    "update-rule": update_rule,
    "learning-rate": learning_rate,
    "vanishing": vanishing,
    "local-minima": local_minima,
    "overfitting": overfitting,
    "batches": batches,
}


def run(name: str) -> Lesson:
    """The lesson called ``name`` (one of ``LESSONS``), run with its default settings."""
    if name not in LESSONS:
        raise ValueError(f"no lesson called {name!r}; the lessons are {', '.join(LESSONS)}")
    return LESSONS[name]()
