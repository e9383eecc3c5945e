"""``Lesson``: what each lesson returns, its numbers and its figure, and how it prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Lesson", "rises"]


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


def rises(values: list[float]) -> int:
    """How many of ``values`` are larger than the one before (a loss that went up, an epoch or a step later)."""
    return sum(after > before for before, after in zip(values, values[1:]))
