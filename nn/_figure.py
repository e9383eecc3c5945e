"""A matplotlib Figure that shows itself in a notebook, whatever matplotlib's backend.

``nn.plots`` makes its figures with this class, never through pyplot, so
making one changes no global state: no backend is chosen or switched, no
figure is left open in pyplot's list (to be closed, or shown a second time by
the notebook at the end of the cell). IPython displays an object through its
``_repr_png_`` method (its rich display protocol), so a figure that is a
cell's last expression shows inline even where matplotlib's inline backend was
never loaded; where it was, IPython's own display of Figures is used instead.

Imported only inside the plotting functions: matplotlib is an optional extra.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["NotebookFigure"]


class NotebookFigure(Figure):
    """A Figure with a PNG representation for notebooks (cropped to its contents, as the inline backend does)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
