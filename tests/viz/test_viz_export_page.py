"""docs/how-to/export-diagrams.md: its python blocks run in order, in a scratch folder, and print its text blocks."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "export-diagrams.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", flags=re.S | re.M)


def test_the_exports_page_runs_and_prints_what_it_shows(dot_program, tmp_path, monkeypatch):
    text = PAGE.read_text(encoding="utf-8")
    blocks = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "docs_example"}
    compared = 0
    for i, (language, body, _, end) in enumerate(blocks):
        if language != "python":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(body, str(PAGE), "exec"), namespace)  # noqa: S102 - our own page, run as a reader runs it
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following and following[0] == "text" and not text[end : following[2]].strip():
            assert printed.getvalue() == following[1], body
            compared += 1
    assert compared >= 5
    for picture in re.findall(r"\]\((\.\./images/[\w-]+\.png)\)", text):
        assert (PAGE.parent / picture).is_file(), picture
