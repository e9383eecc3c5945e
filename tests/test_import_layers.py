"""The packages talk one way: autograd_core <- nn <- viz <- course, with no import loop between files.

Every import statement counts, lazy ones and ``if TYPE_CHECKING`` ones
included (``scripts/import_graph.py`` reads them from the source).
"""

import ast

import import_graph
from import_graph import (
    LAYERS,
    Import,
    loops,
    modules,
    outside_stdlib,
    project_imports,
    run_on_import,
    shortest_loop,
    upward,
)

ENGINE = "autograd_core"


def test_no_import_loop():
    edges = project_imports()
    found = loops(edges)
    assert not found, "import loops:\n" + "\n".join(" -> ".join(shortest_loop(edges, group)) for group in found)


def test_no_import_runs_up_the_layers():
    found = upward(project_imports())
    assert not found, f"imports up the layers ({' < '.join(LAYERS)}):\n" + "\n".join(map(str, found))


def test_import_autograd_core_needs_only_the_standard_library():
    """What ``import autograd_core`` runs imports no other package; numpy, sympy, ... only lazily or on request."""
    runs = run_on_import(ENGINE)
    assert {"autograd_core.value", "autograd_core.backprop", "autograd_core.ops"} <= runs
    found = [i for i in outside_stdlib(ENGINE) if not i.lazy and i.importer in runs]
    assert not found, "\n".join(map(str, found))


def test_every_package_and_module_is_read():
    found = modules()
    for package in LAYERS:
        assert package in found, f"{package}/__init__.py was not found under {import_graph.ROOT}"
    assert "viz.dot" in found and "autograd_core.compiler.function" in found
    assert all(name.split(".")[0] in LAYERS for name in found)


# ------------------------------------------------------------ the checker itself, on small trees
def _tree(tmp_path, files: dict[str, str]):
    for package in LAYERS:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


def test_a_lazy_import_closes_a_loop(tmp_path):
    root = _tree(
        tmp_path,
        {
            "viz/a.py": "from .b import thing\n",
            "viz/b.py": "def f():\n    from .c import other\n",
            "viz/c.py": "from viz.a import thing\n",
        },
    )
    edges = project_imports(root)
    assert loops(edges) == [["viz.a", "viz.b", "viz.c"]]
    assert shortest_loop(edges, ["viz.a", "viz.b", "viz.c"]) == ["viz.a", "viz.b", "viz.c", "viz.a"]
    assert [e.lazy for e in edges if e.importer == "viz.b"] == [True]


def test_a_type_checking_import_closes_a_loop(tmp_path):
    root = _tree(
        tmp_path,
        {
            "viz/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n",
            "viz/b.py": "from . import a\n",
        },
    )
    assert loops(project_imports(root)) == [["viz.a", "viz.b"]]


def test_relative_imports_resolve_from_a_package_and_from_a_module(tmp_path):
    root = _tree(
        tmp_path,
        {
            "course/lessons/__init__.py": "from .one import one\n",
            "course/lessons/one.py": "from ..demo import main\nfrom . import two, NAMES\n",
            "course/lessons/two.py": "",
            "course/demo.py": "import nn.layers\n",
            "nn/layers.py": "",
        },
    )
    pairs = {(e.importer, e.imported) for e in project_imports(root)}
    assert pairs == {
        ("course.lessons", "course.lessons.one"),
        ("course.lessons.one", "course.demo"),
        ("course.lessons.one", "course.lessons"),
        ("course.lessons.one", "course.lessons.two"),
        ("course.demo", "nn.layers"),
    }
    assert loops(project_imports(root)) == [["course.lessons", "course.lessons.one"]]


def test_an_import_up_the_layers_is_found_wherever_it_stands(tmp_path):
    root = _tree(tmp_path, {"nn/demo.py": "def main():\n    import viz\n", "viz/dot.py": "from nn import Role\n"})
    found = upward(project_imports(root))
    assert [(e.importer, e.imported, e.line, e.lazy) for e in found] == [("nn.demo", "viz", 2, True)]
    assert loops(project_imports(root)) == []  # nn.demo -> viz -> ... never comes back to nn.demo


def test_imports_outside_the_standard_library_are_told_from_the_engines_own(tmp_path):
    root = _tree(
        tmp_path,
        {"autograd_core/ops.py": "import math\nimport numpy as np\nfrom . import value\ndef f():\n    import sympy\n"},
    )
    found = outside_stdlib(ENGINE, root)
    assert [(i.imported, i.lazy) for i in found] == [("numpy", False), ("sympy", True)]
    assert all(isinstance(i, Import) for i in found)


def test_what_an_import_runs_leaves_out_lazy_and_type_checking_imports(tmp_path):
    root = _tree(
        tmp_path,
        {
            "autograd_core/__init__.py": "from .value import Value\n",
            "autograd_core/value.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .arrays import A\n"
            "else:\n    from . import ops\n"
            "def backward():\n    from .backprop import backward\n",
            "autograd_core/ops.py": "",
            "autograd_core/arrays.py": "import numpy\n",
            "autograd_core/backprop.py": "",
        },
    )
    assert run_on_import(ENGINE, root) == {"autograd_core", "autograd_core.value", "autograd_core.ops"}
    lazy = {(e.imported, e.lazy) for e in project_imports(root) if e.importer == "autograd_core.value"}
    assert lazy == {("autograd_core.arrays", True), ("autograd_core.ops", False), ("autograd_core.backprop", True)}


def test_every_import_statement_in_the_tree_is_counted():
    """The checker reads every import statement Python's parser finds, in functions and classes too."""
    statements = set()
    for path in modules().values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        statements |= {(path, n.lineno) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))}
    counted = {(i.path, i.line) for i in import_graph.imports()}
    assert counted == statements
    assert any(i.lazy for i in import_graph.imports()), "no import inside a function was found"
