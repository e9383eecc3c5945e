"""Every ```python block of the README and of the site's pages (docs/**/*.md) runs, and shows what it prints.

The blocks of one page run in order, in one namespace, in a scratch folder, as
a reader would type them into one session. A ```python block followed directly
by a ```text block prints exactly that text; a block without one runs and its
output is not compared. Shell commands are ```sh blocks, never run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shutil
from pathlib import Path

import pytest
from helpers import require_tool

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", flags=re.S | re.M)

# Optional packages some examples use, and the words that show an example uses them.
OPTIONAL = {
    "sympy": ("to_sympy", "symbolic_grad", "chain_rule", "three_ways"),
    "matplotlib": ("savefig", "nn.plots", "course.lessons"),
    "numpy": ("batch_arrays", "fit_compiled"),
    "torch": ("to_torch", "import torch"),
    "hypothesis": ("hypothesis",),
    "jax": ("import jax",),
    "scipy": ("scipy",),
}
INSTALL = {"torch": "make torch", "jax": "make frameworks", "scipy": "make frameworks"}  # the rest are in the dev extra


def examples(text: str) -> list[tuple[str, str | None]]:
    """The page's python blocks in order, each with the text block that follows it directly (or None)."""
    blocks = [(match.group(1), match.group(2), match.start(), match.end()) for match in FENCE.finditer(text)]
    found = []
    for i, (language, body, _, end) in enumerate(blocks):
        if language != "python":
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        shown = following[1] if following and following[0] == "text" and not text[end : following[2]].strip() else None
        found.append((body, shown))
    return found


PAGE_EXAMPLES = [(page, examples(page.read_text(encoding="utf-8"))) for page in PAGES]
PAGE_EXAMPLES = [(page, found) for page, found in PAGE_EXAMPLES if found]


def test_the_pages_have_examples_with_their_output():
    assert len(PAGE_EXAMPLES) >= 10
    assert sum(shown is not None for _, found in PAGE_EXAMPLES for _, shown in found) >= 15


def test_a_text_block_pairs_only_with_the_python_block_right_before_it():
    page = "```python\nprint(1)\n```\n\n```text\n1\n```\n\n```python\nx = 2\n```\n\nprose\n\n```text\nnot this\n```\n"
    assert examples(page) == [("print(1)\n", "1\n"), ("x = 2\n", None)]


@pytest.mark.parametrize("page, found", PAGE_EXAMPLES, ids=[str(page.relative_to(ROOT)) for page, _ in PAGE_EXAMPLES])
def test_page_examples_run_and_print_what_the_page_shows(page, found, tmp_path, monkeypatch):
    sources = [source for source, _ in found]
    if any("viz" in source or "render" in source for source in sources):
        # Drawing examples need Graphviz: skipped locally without it, a failure in CI.
        require_tool(shutil.which("dot") is not None, "Graphviz's dot program", "apt-get install graphviz")
    for package, words in OPTIONAL.items():  # skipped locally without it, a failure in CI
        if any(word in source for source in sources for word in words):
            require_tool(
                importlib.util.find_spec(package) is not None, package, INSTALL.get(package, "pip install -e '.[dev]'")
            )
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "docs_example"}
    name = str(page.relative_to(ROOT))
    for number, (source, shown) in enumerate(found, start=1):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(source, name, "exec"), namespace)  # noqa: S102 - our own docs, run as the reader runs them
        if shown is not None:
            assert printed.getvalue() == shown, f"{name}, python block {number}"
