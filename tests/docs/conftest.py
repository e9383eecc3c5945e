"""The documentation site, built once per test session with ``make docs``'s command (strict) into a scratch folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import require_tool

ROOT = Path(__file__).resolve().parents[2]


def build_site(site: Path) -> subprocess.CompletedProcess:
    """``python -m mkdocs build --strict`` from the repository root (so this checkout's packages are imported)."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site, built strictly; the build's failure (its log) fails every test that asks for it."""
    require_tool(shutil.which("dot") is not None, "Graphviz's dot program", "apt-get install graphviz")
    site = tmp_path_factory.mktemp("site")
    result = build_site(site)
    assert result.returncode == 0, result.stderr[-4000:]
    return site
