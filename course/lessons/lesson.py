"""``Lesson``: what each lesson returns, its numbers and its figure, and how it prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Lesson"]


@dataclass
class Lesson:
    """One lesson's result: the numbers it shows (asserted in the tests), the lines it prints, its figure.

    ``numbers`` holds plain floats, ints, strings and lists of them, by name;
    ``lines`` says what they mean, one finding a line.
    """

    name: str
    title: str
    numbers: dict[str, Any]
    lines: list[str]
    figure: Figure

    def __str__(self) -> str:
        return "\n".join([f"{self.name}: {self.title}", *("  " + line for line in self.lines)])
