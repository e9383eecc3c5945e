"""The README's Python examples run as written (in a scratch folder), so the docs cannot rot."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import require_tool

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block {i + 1}" for i in range(len(BLOCKS))])
def test_readme_example_runs(source, tmp_path, monkeypatch):
    if "viz" in source or "render" in source:
        # Drawing examples need Graphviz: skipped locally without it, a failure in CI.
        require_tool(shutil.which("dot") is not None, "Graphviz's dot program", "apt-get install graphviz")
    monkeypatch.chdir(tmp_path)
    exec(compile(source, str(README), "exec"), {"__name__": "readme_example"})  # noqa: S102 - our own docs
