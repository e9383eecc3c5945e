"""Hostile labels (NUL, ESC, control characters, 100,000 characters, lone surrogates) in every output.

A label is free text: ``viz.labels`` makes it safe for each output, and every
writer (the DOT source, the rendered pictures, the player's page, the
exercises) goes through it. No label breaks a writer or changes a number.
"""

from __future__ import annotations

import html
import re

import pytest

from autograd_core import Value
from viz import draw_dot, exercise, render, write_html
from viz.labels import ELLIPSIS, MAX_LABEL_CHARS, for_dot, for_html, visible

HOSTILE = {
    "nul": "a\x00b",
    "esc": "a\x1b[31mred\x1b[0m",
    "controls": "a\x07\x08\t\n\r\x7f\x85\x9bb",
    "long": "x" * 100_000,
    "surrogate": "a\ud800b",
    "bidi": "a\u202eevil\u2066",
    "separators": "a\u2028b\u2029c\ufffe",
    "markup": '</TD><TD>"&amp;\\N\\G<script>',
}


def build(label: str) -> Value:
    """y = label * label + 1 (y labelled after it), after backward."""
    x = Value(2.0, label)
    y = x * x + 1.0
    y.label = label + "_y"
    y.backward()
    return y


def printable(text: str) -> bool:
    """No control, format-override or surrogate character left."""
    return not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufffe\uffff]", text)


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a\x00b", "a\u2400b"),
        ("\x1b[31m", "\u241b[31m"),
        ("tab\there\nnew", "tab\u2409here\u240anew"),
        ("del\x7f", "del\u2421"),
        ("c1\x85", "c1\\x85"),
        ("rtl\u202e", "rtl\\u202e"),
        ("half\ud800", "half\ufffd"),
        ("ünïcødé 𝑥 ∂", "ünïcødé 𝑥 ∂"),
    ],
)
def test_visible_writes_every_invisible_character_visibly(text, shown):
    assert visible(text) == shown


def test_visible_truncates_with_an_ellipsis():
    assert visible("x" * MAX_LABEL_CHARS) == "x" * MAX_LABEL_CHARS
    long = visible("y" * 100_000)
    assert len(long) == MAX_LABEL_CHARS and long.endswith(ELLIPSIS)
    assert visible("y" * 100_000, limit=None) == "y" * 100_000


def test_for_dot_and_for_html_escape_markup():
    assert for_html('<b a="1">&') == "&lt;b a=&quot;1&quot;&gt;&amp;"
    assert for_dot("\\N<") == "\\\\N&lt;"
    assert for_dot("\x85") == "\\\\x85"  # Graphviz reads the doubled backslash as one: shown as \x85


@pytest.mark.parametrize("name", HOSTILE)
def test_dot_source_is_plain_and_safe(name, tmp_path):
    y = build(HOSTILE[name])
    source = draw_dot(y).source
    source.encode("utf-8")  # no surrogate left
    assert printable(source.replace("\n", "").replace("\t", ""))
    assert len(source) < 5_000
    path = render(y, tmp_path / "g.dot")
    assert path.read_text(encoding="utf-8") == source


@pytest.mark.parametrize("name", HOSTILE)
def test_rendered_svg_shows_the_label(dot_program, name, tmp_path):
    label = HOSTILE[name]
    svg = render(build(label), tmp_path / "g.svg").read_text(encoding="utf-8")
    assert visible(label) in html.unescape(svg)
    assert "data 5.0000" in svg  # the numbers are the same whatever the label


@pytest.mark.parametrize("name", HOSTILE)
def test_player_page_is_written(dot_program, name, tmp_path):
    label = HOSTILE[name]
    page = write_html(build(label), tmp_path / "p.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<script>\n" not in page.split("<body>")[1].split("<script type")[0]
    assert printable(page.replace("\n", "").replace("\t", "").replace("\r", ""))


@pytest.mark.parametrize("name", HOSTILE)
def test_exercise_answers_with_a_hostile_label(name):
    ex = exercise(build(HOSTILE[name]))
    assert ex.answer(1, "a\x00").status == "unreadable"  # a NUL in the answer is not understood, not a crash
    checks = [ex.answer(q.number, "1") for q in ex.questions]  # d(x*x + 1)/d(x*x) = 1; d(x*x)/dx = 2 twice
    assert [c.status for c in checks] == ["right", "wrong", "wrong"]
    assert [q.expected for q in ex.questions] == [1.0, 2.0, 2.0]


def test_dot_stopping_early_is_a_runtime_error(monkeypatch, tmp_path):
    import graphviz

    def stops(self, *args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(graphviz.Digraph, "pipe", stops)
    with pytest.raises(RuntimeError, match="dot stopped before it had read the graph"):
        render(build("a"), tmp_path / "g.svg")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------ terminal text and the player's sentences (issue 18)
CONTROL = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))} - {"\n"}


def _hostile_graph():
    from autograd_core import Value

    a, b = Value(2.0, "a\x1b[31mRED\x00"), Value(-3.0, "b\x07\nnext line\x85")
    c = a * b
    c.label = "c\x1b]0;title\x07"
    return a, c


def test_explain_prints_no_control_character_of_a_label():
    """ESC, BEL, NUL and a newline inside labels reached the terminal raw; now as their pictures (␛ ␇ ␀ ␊)."""
    from viz import explain

    a, c = _hostile_graph()
    for text in (explain(c), explain(c, tangents={a: 1.0})):
        assert not CONTROL & set(text), repr(text)
        assert "a␛[31mRED␀" in text and "b␇␊next line\\x85" in text
    assert len(explain(c).splitlines()) == 6  # the seed, 2 steps, a heading, 2 leaves: no label breaks a line


def test_the_players_sentences_hold_no_control_character_of_a_label():
    from viz.player import player_parts

    a, c = _hostile_graph()
    for parts in (player_parts(c), player_parts(c, tangents={a: 1.0})):
        for sentence in parts.steps:
            assert not CONTROL & set(sentence), repr(sentence)
        assert any("a␛[31mRED␀" in s for s in parts.steps)
