"""Shared test helpers: finite differences, and tools that must exist in CI.

A test that needs an outside tool (Graphviz's ``dot``, Chromium) asks for it
with ``require_tool``: where the tool is missing it is skipped on a developer's
machine, but fails in CI (``CI`` set), because ``make test`` installs it there
and a missing tool means the install step is broken.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import require_tool


@pytest.fixture
def dot_program() -> str:
    """Path of Graphviz's ``dot``; skips locally, fails in CI, when missing."""
    path = shutil.which("dot")
    require_tool(path is not None, "Graphviz's dot program", "make test installs it; or apt-get install graphviz")
    return path


@pytest.fixture
def chromium_path() -> str:
    """Path of Debian's Chromium for Playwright; skips locally, fails in CI, when missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require_tool(path is not None, "Chromium", "make test installs it; or apt-get install chromium")
    return path


@pytest.fixture
def shared_folder():
    """A folder under /tmp, mode 0o777, that the unprivileged user of ``as_user_without_root_rights`` can reach."""
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture(scope="session")
def playground_site(tmp_path_factory) -> Path:
    """The playground built once (scripts/build_playground.py): needs Node.js and ``npm ci``'s node_modules."""
    from build_playground import MODULES, build

    require_tool(shutil.which("node") is not None, "Node.js", "make test installs it; or apt-get install nodejs npm")
    require_tool((MODULES / "pyodide").is_dir(), "the playground's npm packages", "make test runs `npm ci`")
    site = tmp_path_factory.mktemp("playground") / "site"
    build(site)
    return site
