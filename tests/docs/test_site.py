"""The documentation site builds strictly, with its reference, its tutorials and its live players; the README's
links all resolve to files of the repository."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_site_builds_strictly_with_every_page(built_site):
    for page in ("index.html", "tutorials/1-chain-rule/index.html", "reference/autograd_core/index.html"):
        assert (built_site / page).stat().st_size > 5_000, page
    nav = re.findall(r"^\s+- (tutorials/[\w-]+)\.ipynb$", (ROOT / "mkdocs.yml").read_text(), flags=re.M)
    assert nav == [f"tutorials/{path.stem}" for path in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    for tutorial in nav:
        assert "jp-Notebook" in (built_site / tutorial / "index.html").read_text(encoding="utf-8"), tutorial


@pytest.mark.parametrize("package", ["autograd_core", "nn", "viz"])
def test_the_reference_documents_every_public_name(built_site, package):
    page = (built_site / "reference" / package / "index.html").read_text(encoding="utf-8")
    for name in importlib.import_module(package).__all__:
        assert f'id="{package}.{name}"' in page, name


def test_the_live_pages_are_written_into_the_site_and_load_nothing(built_site):
    for name in ("player", "forward-player", "exercise"):
        html = (built_site / "live" / f"{name}.html").read_text(encoding="utf-8")
        assert 'class="ag-player"' in html and "<svg" in html
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), name


OUTSIDE = re.compile(r"""<(?:script|link|img|iframe)[^>]*(?:src|href)=["']((?:https?:)?//[^"']+)""")


def test_no_page_of_the_site_loads_anything_from_another_host(built_site):
    for page in built_site.rglob("*.html"):
        found = OUTSIDE.findall(page.read_text(encoding="utf-8"))
        assert found == [], page.relative_to(built_site)


def test_a_public_name_without_a_docstring_stops_the_build(monkeypatch):
    import docs_hooks  # scripts/ is on the tests' path
    from mkdocs.exceptions import PluginError

    assert docs_hooks.missing_docstrings() == []
    package = types.ModuleType("undocumented")

    def documented():
        """Has one."""

    def bare():
        pass

    package.documented, package.bare, package.__all__ = documented, bare, ["documented", "bare"]
    monkeypatch.setitem(sys.modules, "undocumented", package)
    monkeypatch.setattr(docs_hooks, "PACKAGES", ("undocumented",))
    with pytest.raises(PluginError, match=r"without a docstring of their own: undocumented\.bare$"):
        docs_hooks.on_config({})


README_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_relative_link_of_the_readme_is_a_file_of_the_repository():
    links = README_LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    relative = [link for link in links if not re.match(r"^[a-z]+:", link) and not link.startswith("#")]
    assert len(relative) >= 20
    missing = [link for link in relative if not (ROOT / link.split("#")[0]).is_file()]
    assert missing == []


def test_the_performance_page_is_what_make_bench_writes_from_its_report():
    spec = importlib.util.spec_from_file_location("performance_page", ROOT / "benchmarks" / "performance_page.py")
    performance_page = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(performance_page)
    page = (ROOT / "docs" / "explanation" / "performance.md").read_text(encoding="utf-8")
    report = re.search(r"^```text\n(.*?)^```$", page, flags=re.S | re.M).group(1)
    assert "medians of" in report and "targets: GC on" in report
    assert performance_page.render(report) == page
