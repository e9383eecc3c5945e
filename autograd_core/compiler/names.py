"""Variable names for generated code: identifiers made from free-text labels, unique as Python reads them.

Python NFKC-normalises identifiers when it compiles source (PEP 3131): ``𝑥``
(U+1D465) *is* ``x``, the micro sign ``µ`` is the Greek ``μ``, ``ﬁ`` is ``fi``.
A name is therefore made in its normalised form first and only then checked
for uniqueness, so two labels that Python would read as one variable get two
names. The generated code's own names (its helpers, ``params``, ...) are
reserved before any label is looked at, and no node's name starts with ``g_``,
which is the prefix of gradients (``g_`` + a node's name is that node's
gradient, unique because the node's name is), or ``mm_``, the prefix of the
matrices of layers computed as one matrix product.
"""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Iterable

__all__ = ["identifier", "Namer", "GRAD_PREFIX", "MATRIX_PREFIX"]

GRAD_PREFIX = "g_"
MATRIX_PREFIX = "mm_"  # the matrices of layers computed as one matrix product (``layers.py``)


def identifier(text: str) -> str:
    """``text`` as a Python identifier in NFKC form ('layers.0.w.1' -> 'layers_0_w_1'), '' if none fits."""
    if text.isascii() and text.isidentifier():  # the common case, already normalised
        return text + "_" if keyword.iskeyword(text) else text
    text = unicodedata.normalize("NFKC", text)
    name = "".join(char if ("_" + char).isidentifier() else "_" for char in text)
    if name and not name[0].isidentifier():  # a digit or a combining mark cannot start a name
        name = "_" + name
    name = unicodedata.normalize("NFKC", name)
    if keyword.iskeyword(name) or name in ("True", "False", "None"):
        name += "_"
    return name if name.isidentifier() and unicodedata.normalize("NFKC", name) == name else ""


class Namer:
    """Unique identifiers: the first of a base keeps it, later ones get _1, _2, ...; unnamed ones v0, v1, ..."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.used = {unicodedata.normalize("NFKC", name) for name in reserved}
        self._auto = 0

    def new(self, text: str = "") -> str:
        """A fresh name made from ``text`` (a label, a parameter name), or v0, v1, ... when it gives none."""
        base = identifier(text)
        if base.startswith((GRAD_PREFIX, MATRIX_PREFIX)):
            base = "_" + base
        if not base:
            while f"v{self._auto}" in self.used:
                self._auto += 1
            base = f"v{self._auto}"
        name, suffix = base, 0
        while name in self.used:
            suffix += 1
            name = f"{base}_{suffix}"
        self.used.add(name)
        return name
