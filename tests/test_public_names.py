"""The public surface: each package's exports and its reference page, one name per class, `.op` never a str."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["autograd_core", "nn", "viz"]


def reference_table(package: str) -> list[str]:
    """The names in the "Public names" table of the package's reference page (docs/reference/<package>.md), in order."""
    text = (ROOT / "docs" / "reference" / f"{package}.md").read_text(encoding="utf-8")
    section = re.search(r"^## Public names\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert section, f"docs/reference/{package}.md has no '## Public names' section"
    return re.findall(r"^\| `(\w+)` \|", section.group(1), flags=re.M)


def reference_entries(package: str) -> list[str]:
    """The names the reference page documents from their docstrings (its ``::: package.name`` lines), in order."""
    text = (ROOT / "docs" / "reference" / f"{package}.md").read_text(encoding="utf-8")
    return re.findall(rf"^::: {package}\.(\w+)$", text, flags=re.M)


@pytest.mark.parametrize("package", PACKAGES)
def test_the_reference_lists_exactly_the_exported_names(package):
    module = importlib.import_module(package)
    assert reference_table(package) == list(module.__all__)
    assert reference_entries(package) == list(module.__all__)


@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_namespace_holds_only_its_exports(package):
    module = importlib.import_module(package)
    public = {name for name, value in vars(module).items() if not name.startswith("_") and not inspect.ismodule(value)}
    assert public == set(module.__all__)
    assert len(module.__all__) == len(set(module.__all__))


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_has_its_own_docstring(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        doc = inspect.getdoc(value)
        assert doc and doc != inspect.getdoc(type(value)), f"{package}.{name} has no docstring of its own"


def test_the_engine_exports_only_names_about_derivatives():
    import autograd_core

    for name in ("write_atomic", "cyclic_gc_paused", "op_error", "input_names", "local_derivatives", "OPS"):
        assert name not in autograd_core.__all__ and not hasattr(autograd_core, name)


def test_the_version_is_the_one_pyproject_and_the_changelog_give():
    import autograd_core

    root = Path(__file__).resolve().parent.parent
    (version,) = re.findall(r'^version = "(.*)"$', (root / "pyproject.toml").read_text(encoding="utf-8"), flags=re.M)
    assert autograd_core.__version__ == version
    assert f"\n## {version}\n" in (root / "CHANGELOG.md").read_text(encoding="utf-8")


def _modules(package: str):
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        if info.name.endswith(
            ("__main__", "hypothesis_strategies", "plots", "_figure", "pytorch", "widgets", "notebook", "sliders")
        ):
            continue  # they import optional packages (hypothesis, matplotlib, torch, anywidget)
        yield importlib.import_module(info.name)


def test_no_two_public_classes_share_a_name():
    seen: dict[str, set[str]] = {}
    for package in PACKAGES:
        for module in _modules(package):
            for name in getattr(module, "__all__", []):
                value = getattr(module, name)
                if inspect.isclass(value):
                    seen.setdefault(name, set()).add(f"{value.__module__}.{value.__qualname__}")
    shared = {name: places for name, places in seen.items() if len(places) > 1}
    assert shared == {}


def _compares_op_with_a_str(node: ast.Compare) -> bool:
    sides = [node.left, *node.comparators]
    reads_op = any(isinstance(side, ast.Attribute) and side.attr == "op" for side in sides)

    def is_text(side: ast.expr) -> bool:
        if isinstance(side, ast.Constant):
            return isinstance(side.value, str)
        if isinstance(side, (ast.Tuple, ast.List, ast.Set)):
            return any(is_text(item) for item in side.elts)
        return isinstance(side, ast.JoinedStr)

    return reads_op and any(is_text(side) for side in sides)


def test_no_module_compares_op_with_a_str():
    """``node.op`` is an ``Op``: ``node.op == "tanh"`` would be False, silently; compare ``node.op.name``."""
    found = []
    for folder in ("autograd_core", "nn", "viz", "course", "tests", "benchmarks", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Compare) and _compares_op_with_a_str(node)
            ]
    assert found == []


def test_the_check_finds_a_comparison_of_op_with_a_str():
    tree = ast.parse('node.op == "tanh"\nnode.op in ("+", "*")\nnode.op.name == "tanh"\nnode.op is None\n')
    assert [_compares_op_with_a_str(statement.value) for statement in tree.body] == [True, True, False, False]
