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
- ``for_latex(text)``: ``visible`` text as LaTeX text that ``pdflatex``
  compiles with the base fonts: the ten special characters (``_ % # & $ \\ {
  } ~ ^``) and ``< > | "`` written as commands, ligatures (``--``, ``''``)
  kept apart, ∂ · × − ≤ → ∞ ∑ √, Greek letters, sub- and superscript digits
  and accented Latin letters mapped to LaTeX, and every other character
  written visibly as its code point in a small box (like a missing glyph).

A label is only ever shown: never parsed as markup, never run, and never
used to compute anything, so no label changes a result.
"""

from __future__ import annotations

import html
import unicodedata

__all__ = ["MAX_LABEL_CHARS", "ELLIPSIS", "visible", "for_dot", "for_html", "for_latex"]

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


# LaTeX: what each character that is not plain ASCII text becomes. Math symbols go in $...$ (text mode has none).
_LATEX_ASCII = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"{\ttfamily\char95}",  # a real underscore: OT1 draws \_ as a rule, which a PDF reader cannot copy
    "~": r"{\ttfamily\char126}",  # the ASCII glyphs of cmtt: \textasciitilde is an accent in OT1
    "^": r"{\ttfamily\char94}",
    "<": r"\textless{}",  # the OT1 fonts show "<" as an inverted exclamation mark
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"{\ttfamily\char34}",  # a straight double quote, which OT1's text fonts lack
}
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho varsigma sigma tau "
    "upsilon phi chi psi omega"
).split()
_LATEX_MATH = {
    "\u2202": r"\partial",
    "\u00b7": r"\cdot",
    "\u22c5": r"\cdot",
    "\u00d7": r"\times",
    "\u00f7": r"\div",
    "\u2212": "-",
    "\u00b1": r"\pm",
    "\u2264": r"\le",
    "\u2265": r"\ge",
    "\u2260": r"\ne",
    "\u2248": r"\approx",
    "\u2192": r"\to",
    "\u2190": r"\leftarrow",
    "\u21d2": r"\Rightarrow",
    "\u2211": r"\sum",
    "\u220f": r"\prod",
    "\u221a": r"\surd",
    "\u221e": r"\infty",
    "\u2207": r"\nabla",
    "\u2208": r"\in",
    "\u2032": "'",
    "\u00ac": r"\neg",
    "\u00b0": r"^\circ",
    "\u1d40": r"^{\mathrm{T}}",
    **{chr(0x3B1 + i): "\\" + ("omicron" if name == "omicron" else name) for i, name in enumerate(_GREEK)},
    **{chr(0x2070 + d): f"^{d}" for d in (0, 4, 5, 6, 7, 8, 9)},
    "\u00b9": "^1",
    "\u00b2": "^2",
    "\u00b3": "^3",
    "\u207a": "^+",
    "\u207b": "^-",
    **{chr(0x2080 + d): f"_{d}" for d in range(10)},
}
_LATEX_MATH["\u03bf"] = "o"  # omicron is a Latin o in math too
_LATEX_MATH.update(
    zip(
        "\u0393\u0394\u0398\u039b\u039e\u03a0\u03a3\u03a5\u03a6\u03a8\u03a9",
        (f"\\{name}" for name in "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()),
    )
)
_LATEX_TEXT = {
    "\u2026": r"\ldots{}",
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u00df": r"\ss{}",
    "\u00e6": r"\ae{}",
    "\u00c6": r"\AE{}",
    "\u00f8": r"\o{}",
    "\u00d8": r"\O{}",
    "\u00e5": r"\aa{}",
    "\u00c5": r"\AA{}",
    "\u0153": r"\oe{}",
    "\u0152": r"\OE{}",
    "\u00a0": "~",
    "\u00a7": r"\S{}",
    "\u00b6": r"\P{}",
    "\u00a9": r"\copyright{}",
    "\u02d9": r"\.{}",  # the spacing dot above: a tangent, (x*y)˙
    "\u02c6": r"\^{}",
    "\u02dc": r"\~{}",
    "\u00a8": r"\"{}",
    "\u00b4": r"\'{}",
}
# Greek capitals that look like Latin ones are Latin letters in LaTeX's math too.
_LATEX_TEXT.update(
    zip("\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a7", "ABEZHIKMNOPTX")
)
_ACCENTS = {  # combining mark -> the LaTeX accent command that puts it on a letter
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0327": "c",
    "\u0328": "k",
}
_LIGATURE_STARTS = "-`'!?"  # "--", "``", "''", "!`", "?`" would join into one character


def _latex_char(char: str) -> str:
    """One character as LaTeX text (every character that is not plain ASCII text)."""
    if char in _LATEX_ASCII:
        return _LATEX_ASCII[char]
    if " " <= char <= "~":
        return char
    if char in _LATEX_TEXT:
        return _LATEX_TEXT[char]
    if char in _LATEX_MATH:
        return f"${_LATEX_MATH[char]}$"
    base, *marks = unicodedata.normalize("NFD", char)
    if marks and base.isascii() and base.isalpha() and all(m in _ACCENTS for m in marks):
        text = base if base not in "ij" else "\\" + base  # dotless i and j under an accent
        for mark in marks:
            text = f"\\{_ACCENTS[mark]}{{{text}}}"
        return text
    return f"{{\\fboxsep=0.4pt\\fbox{{\\ttfamily\\tiny {ord(char):04X}}}}}"  # its code in a box: like a missing glyph


def for_latex(text: str, limit: int | None = MAX_LABEL_CHARS) -> str:
    """``text`` as LaTeX text for ``pdflatex``: ``visible``, then every special or non-ASCII character written out.

    The result compiles in text mode with the base fonts (OT1), with no
    package; a character with no LaTeX spelling here is shown as its code
    point, small, in a box (``€`` as a boxed ``20AC``).
    """
    shown = unicodedata.normalize("NFC", visible(text, limit))
    out: list[str] = []
    for i, char in enumerate(shown):
        if char in _ACCENTS and out and out[-1] != "{}":  # a mark on the character before it (v̇1)
            out[-1] = f"\\{_ACCENTS[char]}{{{out[-1]}}}"
            continue
        out.append(_latex_char(char))
        if char in _LIGATURE_STARTS and shown[i + 1 : i + 2] in ("-", "`", "'"):
            out.append("{}")
    return "".join(out)
