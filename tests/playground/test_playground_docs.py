"""docs/how-to/playground.md: its python blocks run in order, each printing exactly the text block after it."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "playground.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", flags=re.S | re.M)


def test_the_pages_python_prints_what_the_page_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(PAGE.read_text(encoding="utf-8"))]
    namespace: dict = {}
    compared = 0
    for (language, body), following in zip(blocks, blocks[1:] + [("", "")]):
        if language != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(body, str(PAGE), "exec"), namespace)  # noqa: S102 the page's own examples, as a reader runs them
        if following[0] == "text":
            assert out.getvalue() == following[1]
            compared += 1
    assert compared == 1


def test_the_pages_pictures_exist():
    for name in re.findall(r"\]\(\.\./images/([^)]+)\)", PAGE.read_text(encoding="utf-8")):
        assert (PAGE.parent.parent / "images" / name).is_file(), name
