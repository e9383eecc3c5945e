"""docs/how-to/check-any-gradient.md: its examples run, and print what the page says they print."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from docs_pages import run_page
from helpers import require_tool

PAGE = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "check-any-gradient.md"


def test_the_page_prints_what_it_shows() -> None:
    for module, install in (("numpy", "pip install numpy"), ("torch", "make torch"), ("jax", "make frameworks")):
        require_tool(importlib.util.find_spec(module) is not None, module, install)
    pairs = run_page(PAGE)
    assert len(pairs) >= 8
    for expected, printed in pairs:
        assert printed == expected


@pytest.mark.parametrize("words", ["## A numpy gradient", "## A PyTorch `autograd.Function`", "## How it compares"])
def test_the_page_has_its_sections(words) -> None:
    assert words in PAGE.read_text(encoding="utf-8")
