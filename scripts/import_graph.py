"""Every import between the project's files, read from their source: import loops and imports up the layers.

    python scripts/import_graph.py      # prints each loop and each import up the packages; exit status 1 if any

Every ``import`` statement counts wherever it stands: at the top of a file,
inside a function (a lazy import) or under ``if TYPE_CHECKING``, because each
is a dependency a reader has to follow. An import names the module it reads
(``from .dot import draw_dot`` in ``viz/render.py`` is ``viz.render ->
viz.dot``; ``from nn import Role`` is ``-> nn``, the package's
``__init__.py``). The packages are layered, lowest first, as ``LAYERS``
lists them: a package imports only those below it. ``tests/test_import_layers.py``
runs these checks; ``[tool.importlinter]`` in pyproject.toml states the same
layers for import-linter.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("autograd_core", "nn", "viz", "course")  # lowest first: a package imports only the ones before it

__all__ = [
    "LAYERS",
    "Import",
    "modules",
    "imports",
    "project_imports",
    "loops",
    "shortest_loop",
    "upward",
    "outside_stdlib",
    "run_on_import",
    "main",
]


@dataclass(frozen=True)
class Import:
    """One import statement's dependency: ``importer`` (a module of the project) reads ``imported``."""

    importer: str
    imported: str
    path: Path  # the importer's file
    line: int
    lazy: bool  # it does not run when the file is imported: inside a function, or under ``if TYPE_CHECKING``

    def __str__(self) -> str:
        where = "lazy" if self.lazy else "at file level"
        return f"{self.importer} -> {self.imported} ({self.path.relative_to(ROOT)}:{self.line}, {where})"


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the layered packages under ``root``: dotted name -> file."""
    found = {}
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _resolved(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name a ``from ... import`` reads (``from ..data import x`` in nn/lessons/a.py is nn.data)."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if node.level - 1 > len(package) - 1:
        raise ValueError(f"{path}:{node.lineno}: a relative import above the top-level package")
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _type_checking(node: ast.AST) -> TypeGuard[ast.If]:
    """Whether ``node`` is ``if TYPE_CHECKING:`` (or ``if typing.TYPE_CHECKING:``), whose body never runs."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement in ``tree``, with whether it is lazy (in a function or under ``if TYPE_CHECKING``)."""
    found = []

    def walk(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((node, lazy))
        elif _type_checking(node):
            for statement in node.body:
                walk(statement, True)
            for statement in node.orelse:  # the else branch runs
                walk(statement, lazy)
        else:
            inner = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            for child in ast.iter_child_nodes(node):
                walk(child, inner)

    walk(tree, False)
    return found


def imports(root: Path = ROOT) -> list[Import]:
    """Every dependency of every module of the layered packages, on project modules and on anything else.

    ``from package import name`` reads ``package.name`` when that is a module
    of the project, else ``package`` (its ``__init__.py``), as ``from .dot
    import draw_dot`` reads ``dot`` and not ``viz/__init__.py``.
    """
    known = modules(root)
    found = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, lazy in _statements(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolved(module, path, node)
                submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
                targets = submodules + ([base] if len(submodules) < len(node.names) else [])
            found += [Import(module, target, path, node.lineno, lazy) for target in targets]
    return found


def project_imports(root: Path = ROOT) -> list[Import]:
    """The dependencies between modules of the layered packages."""
    known = modules(root)
    return [i for i in imports(root) if i.imported in known]


def loops(edges: list[Import]) -> list[list[str]]:
    """Each group of modules that import one another in a loop (a strongly connected component), sorted.

    Tarjan's algorithm; ``shortest_loop`` shows one loop through a group.
    """
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(start: str) -> None:  # iterative Tarjan: an explicit stack of (node, its remaining children)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in graph[node]:
                        groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(groups)


def shortest_loop(edges: list[Import], group: list[str]) -> list[str]:
    """A shortest loop from the group's first module back to itself, inside the group: [a, b, ..., a]."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph.get(node, set()) & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return path[::-1] + [start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no loop through {start} in its own component {group}")


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def upward(edges: list[Import]) -> list[Import]:
    """The imports that run up the layers: a package reading one above it (nn importing viz)."""
    return [e for e in edges if _layer(e.importer) < _layer(e.imported)]


def outside_stdlib(package: str = "autograd_core", root: Path = ROOT) -> list[Import]:
    """The imports of ``package``'s modules that read neither the standard library nor the package itself."""
    return [
        i
        for i in imports(root)
        if i.importer.split(".")[0] == package and i.imported.split(".")[0] not in sys.stdlib_module_names | {package}
    ]


def run_on_import(package: str, root: Path = ROOT) -> set[str]:
    """The modules that ``import package`` runs: its ``__init__`` and all they import at file level, transitively."""
    edges = [e for e in project_imports(root) if not e.lazy]
    found, stack = {package}, [package]
    while stack:
        module = stack.pop()
        for edge in edges:
            if edge.importer == module and edge.imported not in found:
                found.add(edge.imported)
                stack.append(edge.imported)
    return found


def main() -> int:
    """Print the import loops, the imports up the layers and the engine's imports outside the standard library."""
    edges = project_imports()
    found_loops, found_upward = loops(edges), upward(edges)
    for group in found_loops:
        print(
            f"import loop among {len(group)} modules ({', '.join(group)}), e.g. "
            + " -> ".join(shortest_loop(edges, group))
        )
    for edge in found_upward:
        print(f"import up the layers ({' < '.join(LAYERS)}): {edge}")
    engine = run_on_import("autograd_core")
    for edge in outside_stdlib():
        runs = "; runs on `import autograd_core`" if not edge.lazy and edge.importer in engine else ""
        print(f"autograd_core outside the standard library: {edge}{runs}")
    if not found_loops and not found_upward:
        print(f"no import loop and no import up the layers among {len(modules())} modules ({len(edges)} imports)")
    return 1 if found_loops or found_upward else 0


if __name__ == "__main__":
    sys.exit(main())
