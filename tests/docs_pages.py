"""Run a markdown page's examples: its ```python blocks in order, in one namespace, in a scratch folder.

A ```text block right after a ```python block is what that block must print. ``run_page`` returns the
(expected, printed) pairs; ``filled`` returns the page with every such text block replaced by what was printed
(used once, by hand, to write a page's outputs; the tests compare them).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

import autograd_core  # noqa: F401 - imported before the scratch folder becomes the working directory (sys.path has '')

BLOCK = re.compile(r"```python\n(.*?)```\n(\n```text\n(.*?)```\n)?", re.S)


def run_page(path: Path) -> list[tuple[str, str]]:
    """(expected, printed) for every python block followed by a text block; every python block runs."""
    text = path.read_text(encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "__page__"}
    pairs = []
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            for match in BLOCK.finditer(text):
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(compile(match.group(1), str(path), "exec"), namespace)  # noqa: S102 - the page's own examples
                if match.group(2):
                    pairs.append((match.group(3), out.getvalue()))
        finally:
            os.chdir(cwd)
    return pairs


def filled(path: Path) -> str:
    """The page with each text block after a python block replaced by what the block prints."""
    text = path.read_text(encoding="utf-8")
    printed = iter(got for _, got in run_page(path))

    def replace(match: re.Match[str]) -> str:
        if not match.group(2):
            return match.group(0)
        return f"```python\n{match.group(1)}```\n\n```text\n{next(printed)}```\n"

    return BLOCK.sub(replace, text)
