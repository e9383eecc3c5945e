"""The README's Python examples run as written (in a scratch folder), so the docs cannot rot.

The blocks of one section run in order in one namespace, so a later example may
continue an earlier one, as a reader would in one session.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from helpers import require_tool

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = [
    (heading.strip(), re.findall(r"```python\n(.*?)```", body, flags=re.S))
    for heading, body in re.findall(
        r"^## (.*?)\n(.*?)(?=^## |\Z)", README.read_text(encoding="utf-8"), flags=re.S | re.M
    )
]
SECTIONS = [(heading, blocks) for heading, blocks in SECTIONS if blocks]

# Optional packages some examples use, and the words that show an example uses them.
OPTIONAL = {
    "sympy": ("to_sympy", "symbolic_grad", "chain_rule", "three_ways"),
    "matplotlib": ("savefig",),
    "numpy": ("batch_arrays", "fit_compiled"),
    "torch": ("to_torch", "import torch"),
}
INSTALL = {"torch": "make torch"}  # the rest are in the dev extra


def test_readme_has_examples():
    assert sum(len(blocks) for _, blocks in SECTIONS) >= 5


@pytest.mark.parametrize("blocks", [blocks for _, blocks in SECTIONS], ids=[heading for heading, _ in SECTIONS])
def test_readme_section_examples_run(blocks, tmp_path, monkeypatch):
    if any("viz" in source or "render" in source for source in blocks):
        # Drawing examples need Graphviz: skipped locally without it, a failure in CI.
        require_tool(shutil.which("dot") is not None, "Graphviz's dot program", "apt-get install graphviz")
    for package, words in OPTIONAL.items():  # in the dev extra: skipped locally without it, a failure in CI
        if any(word in source for source in blocks for word in words):
            require_tool(
                importlib.util.find_spec(package) is not None, package, INSTALL.get(package, "pip install -e '.[dev]'")
            )
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "readme_example"}
    for source in blocks:
        exec(compile(source, str(README), "exec"), namespace)  # noqa: S102 - our own docs
