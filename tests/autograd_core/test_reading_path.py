"""The engine reads top-down: ``class Value`` first, the chain rule in one place, one graph walk."""

from __future__ import annotations

import ast
from pathlib import Path

import autograd_core

ENGINE = Path(autograd_core.__file__).parent


def _tree(name: str) -> ast.Module:
    return ast.parse((ENGINE / name).read_text(encoding="utf-8"))


def test_value_py_opens_with_class_value_and_imports_only_the_machinery_it_calls():
    tree = _tree("value.py")
    definitions = [node for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))]
    assert isinstance(definitions[0], ast.ClassDef) and definitions[0].name == "Value"
    engine_modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1}
    assert engine_modules == {"anomaly", "checks", "errors", "modes", "ops"}


def _grad_accumulations(tree: ast.Module) -> list[str]:
    """The functions in which some ``x._grad += ...`` or ``x.grad += ...`` is written."""
    found = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.AugAssign)
                    and isinstance(node.target, ast.Attribute)
                    and node.target.attr in ("grad", "_grad")
                    and isinstance(node.op, ast.Add)
                ):
                    found.append(function.name)
    return found


def test_gradients_are_accumulated_in_place_only_by_value_backward():
    """``parent.grad += local * node.grad`` is written in ``Value._backward`` and nowhere else.

    (``backward()`` adds the seed to a leaf output's gradient, the one other ``+=``;
    ``backprop.py``'s dictionary form and the compiler's printed lines are checked
    to agree with it by the property tests.)
    """
    everywhere = {}
    for path in ENGINE.rglob("*.py"):
        functions = _grad_accumulations(ast.parse(path.read_text(encoding="utf-8")))
        if functions:
            everywhere[str(path.relative_to(ENGINE))] = sorted(set(functions))
    assert everywhere == {"value.py": ["_backward", "backward"]}


def test_one_graph_walk():
    """Only ``topological_order`` pushes parents on a stack; every other module calls it."""
    walkers = []
    for path in ENGINE.rglob("*.py"):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(function, ast.FunctionDef):
                reads_parent_slots = any(
                    isinstance(n, ast.Attribute) and n.attr in ("_a", "_b") for n in ast.walk(function)
                )
                has_visited_set = any(isinstance(n, ast.Name) and n.id == "visited" for n in ast.walk(function))
                if reads_parent_slots and has_visited_set:
                    walkers.append(f"{path.relative_to(ENGINE)}:{function.name}")
    assert walkers == ["value.py:topological_order"]
