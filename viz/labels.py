"""Labels are free text: the one place that makes a label safe to show in each output.

A Value's label may hold anything a ``str`` can: NUL, ESC and other control
characters, a lone surrogate (``"\\ud800"``, which no UTF-8 file can hold),
bidirectional overrides that reorder the text around them, or 100,000
characters. Every writer shows a label through one function of this module:

- ``visible(text)``: one line of printable text. Each C0 control character
  becomes its Unicode control picture (NUL ``␀``, tab ``␉``, newline ``␊``,
  ESC ``␛``; DEL ``␡``); C1 controls, bidirectional controls, the line and
  paragraph separators and the non-characters U+FFFE/U+FFFF are written as
  escapes (``\\x85``, ``\\u202e``); a lone surrogate becomes ``�`` (U+FFFD).
  A label longer than ``MAX_LABEL_CHARS`` keeps its first
  ``MAX_LABEL_CHARS - 1`` characters and ends with ``…``.
- ``for_dot(text)``: ``visible`` text inside a Graphviz HTML-like label
  (``< > & " '`` as entities, a backslash doubled so Graphviz never reads
  ``\\N`` or ``\\G`` as the node's or graph's name).
- ``for_html(text)``: ``visible`` text inside an HTML page's text or an
  attribute's value.

A label is only ever shown: never parsed as markup, never run, and never
used to compute anything, so no label changes a result.
"""

from __future__ import annotations

import html

__all__ = ["MAX_LABEL_CHARS", "ELLIPSIS", "visible", "for_dot", "for_html"]

MAX_LABEL_CHARS = 100  # a node's name that is longer cannot be read in a drawing anyway
ELLIPSIS = "\u2026"


def _visible_table() -> dict[int, str]:
    """Code point -> what ``visible`` writes for it (every other character stays as it is)."""
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟
    table[0x7F] = "\u2421"  # ␡
    escaped = [
        *range(0x80, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x2028,
        0x2029,
        0xFFFE,
        0xFFFF,
    ]
    table.update({code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in escaped})
    table.update(dict.fromkeys(range(55296, 57344), "�"))  # lone surrogates
    return table


_VISIBLE = _visible_table()


def visible(text: str, limit: int | None = MAX_LABEL_CHARS) -> str:
    """``text`` as one line of printable text, at most ``limit`` characters before escaping (None: any length)."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    return text.translate(_VISIBLE)


def for_dot(text: str, limit: int | None = MAX_LABEL_CHARS) -> str:
    """``text`` for a Graphviz HTML-like label: ``visible``, then shown as written, never as markup or an escape."""
    return html.escape(visible(text, limit)).replace("\\", "\\\\")


def for_html(text: str, limit: int | None = MAX_LABEL_CHARS) -> str:
    """``text`` for an HTML page (element text or an attribute's value in quotes): ``visible``, then escaped."""
    return html.escape(visible(text, limit))
