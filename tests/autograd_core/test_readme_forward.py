"""The README's forward-mode and formula sections show real output: each example's printout is re-run and compared."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest
from helpers import require_tool

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTIONS = {
    name: re.search(rf"<!-- {name}:start -->(.*?)<!-- {name}:end -->", README, flags=re.S).group(1)
    for name in ("forward", "symbolic")
}
EXAMPLES = [
    (name, code, output)
    for name, text in SECTIONS.items()
    for code, output in re.findall(r"```python\n(.*?)```\s*```text\n(.*?)```", text, flags=re.S)
]


def test_each_section_has_examples_with_output():
    assert {name for name, _, _ in EXAMPLES} == set(SECTIONS) and len(EXAMPLES) >= 4


@pytest.mark.parametrize("name, code, output", EXAMPLES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(EXAMPLES)])
def test_printed_output_is_what_the_example_prints(name, code, output, tmp_path, monkeypatch):
    if name == "symbolic":
        for package in ("sympy", "matplotlib"):  # both in the dev extra: skipped locally without, a failure in CI
            require_tool(importlib.util.find_spec(package) is not None, package, "pip install -e '.[dev]'")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102 - our own docs
    assert printed.getvalue().rstrip("\n") == output.rstrip("\n")  # explain_forward ends in a newline, print adds one


def test_the_committed_figure_is_in_the_symbolic_section():
    assert "(docs/three-ways.png)" in SECTIONS["symbolic"]
    assert (Path(__file__).resolve().parents[2] / "docs" / "three-ways.png").stat().st_size > 10_000
