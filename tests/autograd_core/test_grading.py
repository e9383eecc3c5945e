"""The grader of student Value classes (autograd_core.grading): correct classes pass, every planted mistake is named.

The student classes are source text: ``LECTURE`` is the class micrograd's
lecture builds (with ``/``, ``-``, the reflected ops, ``tanh``, ``exp``,
``relu`` and ``log``), and each row of ``PLANTS`` is one edit of it
(``old`` -> ``new``) that plants one misconception. Each is planted alone
and with every other, and must be found and named with its op; ``HIDES``
lists the pairs in which one mistake keeps the probe that shows the other
from running, and why.
"""

from __future__ import annotations

import itertools
import re
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autograd_core import Value as EngineValue
from autograd_core.grading import CATALOGUE, Finding, Report, assert_value_class, check_value_class

LECTURE = """
import math


class Value:
    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float)), "only supporting int/float powers for now"
        out = Value(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad += other * self.data ** (other - 1) * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):  # self / other
        return self * other**-1

    def __rtruediv__(self, other):  # other / self
        return other * self**-1

    def __neg__(self):  # -self
        return self * -1

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __rsub__(self, other):  # other - self
        return other + (-self)

    def __radd__(self, other):  # other + self
        return self + other

    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        x = self.data
        out = Value(math.exp(x), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(0.0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += (1 / self.data) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
"""


def load(source: str, name: str = "Value") -> type:
    """The class ``name`` defined by ``source``."""
    namespace: dict = {}
    exec(compile(source, f"<student {name}>", "exec"), namespace)  # noqa: S102 - the tests' own student classes
    return namespace[name]


def edit(source: str, old: str, new: str) -> str:
    """``source`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert source.count(old) == 1, f"not exactly once in the class: {old!r}"
    return source.replace(old, new)


def method(name: str, body: str) -> str:
    """A method of the lecture class, written at its indentation."""
    return (
        textwrap.indent(textwrap.dedent(body).strip("\n"), "    ").replace(f"    def {name}", f"    def {name}", 1)
        + "\n"
    )


OWN_SUB = method(
    "__sub__",
    """
    def __sub__(self, other):  # self - other
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += out.grad
            other.grad += {sign}out.grad

        out._backward = _backward
        return out
    """,
)
OWN_NEG = method(
    "__neg__",
    """
    def __neg__(self):  # -self
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad += {sign}out.grad

        out._backward = _backward
        return out
    """,
)
OWN_DIV = method(
    "__truediv__",
    """
    def __truediv__(self, other):  # self / other
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += 1 / other.data * out.grad
            other.grad += {d_other} * out.grad

        out._backward = _backward
        return out
    """,
)
LECTURE_SUB = "    def __sub__(self, other):  # self - other\n        return self + (-other)\n"
LECTURE_NEG = "    def __neg__(self):  # -self\n        return self * -1\n"
LECTURE_RMUL = "    def __rmul__(self, other):  # other * self\n        return self * other\n"
LECTURE_RSUB = "    def __rsub__(self, other):  # other - self\n        return other + (-self)\n"
LECTURE_DIV = "    def __truediv__(self, other):  # self / other\n        return self * other**-1\n"


# ------------------------------------------------------------------ the plants
# (misconception, op, old, new): one edit of LECTURE. The first row of each misconception is the one paired.
PLANTS = [
    ("overwrite", "*", "self.grad += other.data * out.grad", "self.grad = other.data * out.grad"),
    ("overwrite", "+", "other.grad += 1.0 * out.grad", "other.grad = 1.0 * out.grad"),
    ("overwrite", "tanh", "self.grad += (1 - t**2) * out.grad", "self.grad = (1 - t**2) * out.grad"),
    ("no_upstream", "+", "self.grad += 1.0 * out.grad\n            other.grad += 1.0 * out.grad",
     "self.grad += 1.0\n            other.grad += 1.0"),
    ("no_upstream", "exp", "self.grad += out.data * out.grad", "self.grad += out.data"),
    ("wrong_sign", "neg", LECTURE_NEG, OWN_NEG.format(sign="")),
    ("wrong_sign", "-", LECTURE_SUB, OWN_SUB.format(sign="")),
    ("power_rule", "**", "other * self.data ** (other - 1) * out.grad", "other * self.data**other * out.grad"),
    ("power_rule", "**", "other * self.data ** (other - 1) * out.grad", "self.data ** (other - 1) * out.grad"),
    ("quotient_rule", "/", LECTURE_DIV, OWN_DIV.format(d_other="-1 / other.data**2")),
    ("quotient_rule", "/", LECTURE_DIV, OWN_DIV.format(d_other="self.data / other.data**2")),
    ("product_rule", "*", "other.grad += self.data * out.grad", "other.grad += other.data * out.grad"),
    ("input_for_output", "tanh", "(1 - t**2) * out.grad", "(1 - x**2) * out.grad"),
    ("input_for_output", "exp", "self.grad += out.data * out.grad", "self.grad += x * out.grad"),
    ("wrong_local", "relu", "(out.data > 0) * out.grad", "out.data * out.grad"),
    ("wrong_local", "log", "(1 / self.data) * out.grad", "(1 / out.data) * out.grad"),
    ("wrong_forward", "exp", "Value(math.exp(x), (self,)", "Value(math.e * x, (self,)"),
    ("wrong_forward", "relu", "0.0 if self.data < 0 else self.data", "0.0 if self.data > 0 else self.data"),
    ("no_topo_order", None, "in reversed(topo):", "in topo:"),
    ("stops_early", None, "            node._backward()\n", "            node._backward()\n            break\n"),
    ("no_seed", None, "        self.grad = 1.0\n        for", "        for"),
    ("missing_reflected", "__rmul__", LECTURE_RMUL, ""),
    ("missing_reflected", "__rsub__", LECTURE_RSUB, ""),
    ("reflected_order", "__rsub__", "return other + (-self)", "return self - other"),
    ("reflected_order", "__rtruediv__", "return other * self**-1", "return self / other"),
    ("not_wrapped", "+",
     '        other = other if isinstance(other, Value) else Value(other)\n        out = Value(self.data + other.data',
     "        out = Value(self.data + other.data"),
    ("missing_child", "*", '(self, other), "*")', '(self,), "*")'),
    ("missing_child", "+", '(self, other), "+")', '(other,), "+")'),
    ("closure_wrong_node", "+", "out._backward = _backward\n        return out\n\n    def __mul__",
     "self._backward = _backward\n        return out\n\n    def __mul__"),
]  # fmt: skip
FIRST = {}
for row in PLANTS:
    FIRST.setdefault(row[0], row)
MISCONCEPTIONS = list(FIRST)


def plant(*rows) -> type:
    source = LECTURE
    for _, _, old, new in rows:
        source = edit(source, old, new)
    return load(source)


def test_the_catalogue_has_at_least_twelve_misconceptions_and_each_is_planted():
    guards = {"raises", "endless_recursion", "too_long"}  # what the safety tests below plant
    assert len(MISCONCEPTIONS) >= 12
    assert set(CATALOGUE) == set(MISCONCEPTIONS) | guards
    for key, m in CATALOGUE.items():
        assert m.key == key and m.message.endswith((".", ")", "?")) and m.hint


def test_the_lecture_class_has_no_finding():
    report = check_value_class(load(LECTURE))
    assert report.findings == () and bool(report), str(report)
    assert report.not_written == () and report.not_checked == ()
    assert report.checked == ("+", "*", "**", "neg", "-", "/", "tanh", "exp", "relu", "log",
                              "__radd__", "__rmul__", "__rsub__", "__rtruediv__")  # fmt: skip


@pytest.mark.parametrize("row", PLANTS, ids=[f"{r[0]}-{r[1]}" for r in PLANTS])
def test_each_plant_alone_is_found_and_named_with_its_op(row):
    key, op = row[0], row[1]
    report = check_value_class(plant(row))
    assert report.keys() == [(key, op)], str(report)
    (finding,) = report.findings
    assert finding.message == CATALOGUE[key].message and finding.hint
    assert finding.expected and finding.obtained and finding.expected != finding.obtained
    assert "Value(" in finding.graph


# Pairs in which one mistake hides the other: (hider, hidden) -> why the probe that shows the hidden one does not run.
GRADIENTS = ["overwrite", "no_upstream", "wrong_sign", "power_rule", "quotient_rule", "product_rule",
             "input_for_output", "wrong_local"]  # fmt: skip
HIDES = {
    **{
        (backward, gradient): "every gradient probe runs backward(), which must first seed the output and call "
        "each node's step once, in order"
        for backward in ("no_topo_order", "stops_early", "no_seed")
        for gradient in GRADIENTS
    },
    ("stops_early", "no_topo_order"): "the loop stops after its first step: the order of the steps is not seen",
    ("product_rule", "overwrite"): "a * a's gradient is wrong already on leaves used once (a * b)",
    ("product_rule", "no_upstream"): "the upstream probes multiply the op's output by c, with a wrong *",
    ("missing_child", "overwrite"): "* builds nodes whose _prev misses an operand: its gradients are not checked",
    ("missing_child", "no_upstream"): "the upstream probes multiply by c with *, whose _prev misses an operand",
    ("missing_child", "product_rule"): "* builds nodes whose _prev misses an operand: its gradients are not checked",
    ("closure_wrong_node", "no_upstream"): "+'s step sits on an input: its gradients are not checked",
    ("not_wrapped", "reflected_order"): "3 - a is 3 + (-a) in the lecture's class: it needs + to wrap the 3",
}


@pytest.mark.parametrize("pair", list(itertools.combinations(MISCONCEPTIONS, 2)), ids="+".join)
def test_each_pair_of_plants_is_found_and_named(pair):
    rows = [FIRST[key] for key in pair]
    report = check_value_class(plant(*rows))
    found = set(report.keys())
    expected = {(row[0], row[1]) for row in rows}
    for hider, hidden in itertools.permutations(pair):
        if (hider, hidden) in HIDES:
            expected.discard((hidden, FIRST[hidden][1]))
            assert report.not_checked, "a hidden mistake is listed as not checked"
    assert found == expected, str(report)


# ------------------------------------------------------------------ correct classes, written in other styles
ITERATIVE_TOPO = """
    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                topo.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if child not in visited)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
"""
KAHN = """
    def backward(self):
        users, seen, stack = {}, {self}, [self]
        while stack:
            node = stack.pop()
            for child in node._prev:
                users[child] = users.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            node._backward()
            for child in node._prev:
                users[child] -= 1
                if users[child] == 0:
                    ready.append(child)
"""
VISITED_LIST = """
    def backward(self):
        topo, visited = [], []

        def build(v):
            if all(v is not w for w in visited):
                visited.append(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for node in topo[::-1]:
            node._backward()
"""
ZERO_FIRST = """
    def backward(self, grad=1.0):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        for node in topo:
            if node._prev:
                node.grad = 0.0
        self.grad = grad
        for node in reversed(topo):
            node._backward()
"""
BACKWARD = LECTURE[LECTURE.index("    def backward(self):") :]


def with_backward(source: str) -> str:
    return edit(LECTURE, BACKWARD, textwrap.dedent(source).strip("\n").replace("\n", "\n    ").join(["    ", "\n"]))


HELPER_CLOSURES = '''
import math


def _node(data, parents, op, local_grads):
    """A node and its step, made in one helper: each parent gets local * out.grad."""
    out = Value(data, parents, op)

    def _backward():
        for parent, local in zip(parents, local_grads):
            parent.grad += local * out.grad

    out._backward = _backward
    return out


def _wrap(x):
    return x if isinstance(x, Value) else Value(x)


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = list(_children)
        self._op = _op

    def __add__(self, other):
        other = _wrap(other)
        return _node(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other):
        other = _wrap(other)
        return _node(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __sub__(self, other):
        other = _wrap(other)
        return _node(self.data - other.data, (self, other), "-", (1.0, -1.0))

    def __truediv__(self, other):
        other = _wrap(other)
        return _node(self.data / other.data, (self, other), "/", (1 / other.data, -self.data / other.data**2))

    def __pow__(self, k):
        return _node(self.data**k, (self,), "**", (k * self.data ** (k - 1),))

    def __neg__(self):
        return _node(-self.data, (self,), "neg", (-1.0,))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _wrap(other) - self

    def __rtruediv__(self, other):
        return _wrap(other) / self

    def tanh(self):
        t = math.tanh(self.data)
        return _node(t, (self,), "tanh", (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return _node(e, (self,), "exp", (e,))

    def relu(self):
        return _node(max(self.data, 0.0), (self,), "relu", (float(self.data > 0),))

    def log(self):
        return _node(math.log(self.data), (self,), "log", (1 / self.data,))

    def backward(self):
        order, seen, stack = [], set(), [self]
        while stack:
            node = stack[-1]
            if node in seen:
                stack.pop()
                if node not in order:
                    order.append(node)
                continue
            seen.add(node)
            stack.extend(p for p in node._prev if p not in seen)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
'''
STORED_LOCALS = '''
import math


class Value:
    """No closures: a node keeps its parents and their local derivatives; _backward is a method."""

    def __init__(self, data, _children=(), _op="", _locals=()):
        self.data = data
        self.grad = 0
        self._prev = tuple(_children)
        self._op = _op
        self._locals = tuple(_locals)

    def _backward(self):
        for parent, local in zip(self._prev, self._locals):
            parent.grad += local * self.grad

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), "+", (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1 - t**2,))

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1
        for node in reversed(topo):
            node._backward()
'''


def slots(source: str) -> str:
    return edit(
        source,
        "class Value:\n",
        'class Value:\n    __slots__ = ("data", "grad", "_backward", "_prev", "_op", "label")\n\n',
    )


def only(source: str, *methods: str) -> str:
    """The lecture class with only these op methods (and __init__, __repr__, backward)."""
    keep = {"__init__", "__repr__", "backward", *methods}
    parts = source.split("\n    def ")
    return "\n    def ".join([parts[0], *[p for p in parts[1:] if p.split("(")[0] in keep]])


RIGHT_D_OTHER = "-self.data / other.data**2"
CORRECT = {
    "lecture": LECTURE,
    "without label": edit(edit(LECTURE, ', label=""):', "):"), "        self.label = label\n", ""),
    "iterative topological sort": with_backward(ITERATIVE_TOPO),
    "Kahn's algorithm (counts of users)": with_backward(KAHN),
    "visited kept in a list": with_backward(VISITED_LIST),
    "backward(grad=1.0), interior gradients zeroed first": with_backward(ZERO_FIRST),
    "__slots__": slots(LECTURE),
    "__slots__ and an iterative sort": slots(with_backward(ITERATIVE_TOPO)),
    "_prev as a list": edit(LECTURE, "self._prev = set(_children)", "self._prev = list(_children)"),
    "_prev as a tuple": edit(LECTURE, "self._prev = set(_children)", "self._prev = tuple(_children)"),
    "closures built in a helper": HELPER_CLOSURES,
    "no closures: local derivatives stored, _backward a method": STORED_LOCALS,
    "tanh from math.tanh": edit(LECTURE, "t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)", "t = math.tanh(x)"),
    "data stored as float": edit(LECTURE, "self.data = data\n", "self.data = float(data)\n"),
    "grad an int at first": edit(LECTURE, "        self.grad = 0.0\n", "        self.grad = 0\n"),
    "subtraction and division with their own steps": edit(
        edit(LECTURE, LECTURE_SUB, OWN_SUB.format(sign="-")), LECTURE_DIV, OWN_DIV.format(d_other=RIGHT_D_OTHER)
    ),
    "negation with its own step": edit(LECTURE, LECTURE_NEG, OWN_NEG.format(sign="-")),
    "only + and * (the rest not written yet)": only(LECTURE, "__add__", "__mul__", "__radd__", "__rmul__"),
    "only +, *, ** and tanh": only(LECTURE, "__add__", "__mul__", "__radd__", "__rmul__", "__pow__", "tanh"),
    "only +": only(LECTURE, "__add__", "__radd__"),
    "exp's derivative from math.exp(x)": edit(
        LECTURE, "self.grad += out.data * out.grad", "self.grad += math.exp(x) * out.grad"
    ),
    "a class with another name": LECTURE.replace("Value", "StudentValue"),
}  # fmt: skip


def correct_class(name: str) -> type:
    return load(CORRECT[name], "StudentValue" if "another name" in name else "Value")


@pytest.mark.parametrize("name", list(CORRECT))
def test_correct_classes_have_no_finding(name):
    report = check_value_class(correct_class(name))
    assert report.findings == () and report.not_checked == (), str(report)
    assert bool(report) and "no finding" in str(report)


def test_micrograd_and_this_engine_have_no_finding():
    micrograd = pytest.importorskip("micrograd.engine")
    for cls in (micrograd.Value, EngineValue):
        report = check_value_class(cls)
        assert report.findings == () and report.not_checked == (), str(report)
    assert check_value_class(micrograd.Value).not_written == ("tanh", "exp", "log")


def test_there_are_at_least_twenty_correct_variants():
    assert len(CORRECT) + 2 >= 20  # with micrograd's and this engine's


def test_ops_not_written_are_listed_not_reported():
    report = check_value_class(correct_class("only + and * (the rest not written yet)"))
    assert report.checked == ("+", "*", "__radd__", "__rmul__")
    assert report.not_written == ("**", "neg", "-", "/", "tanh", "exp", "relu", "log", "__rsub__", "__rtruediv__")
    assert "not written yet: ** neg - / tanh exp relu log __rsub__ __rtruediv__" in str(report)


# ------------------------------------------------------------------ backward() without a topological order, other forms
RECURSIVE_WITHOUT_ORDER = """
    def backward(self):
        self.grad = 1.0

        def go(v):
            v._backward()
            for child in v._prev:
                go(child)

        go(self)
"""
BREADTH_FIRST = """
    def backward(self):
        self.grad = 1.0
        queue, seen = [self], {self}
        while queue:
            node = queue.pop(0)
            node._backward()
            for child in node._prev:
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
"""
RECURSIVE_VISITED_PREORDER = """
    def backward(self):
        self.grad = 1.0
        visited = set()

        def go(v):
            if v not in visited:
                visited.add(v)
                v._backward()
                for child in v._prev:
                    go(child)

        go(self)
"""


@pytest.mark.parametrize(
    "backward",
    [RECURSIVE_WITHOUT_ORDER, BREADTH_FIRST, RECURSIVE_VISITED_PREORDER],
    ids=["recursive", "breadth-first", "recursive, each node once"],
)
def test_a_backward_without_topological_order_is_named(backward):
    report = check_value_class(load(with_backward(backward)))
    assert report.keys() == [("no_topo_order", None)], str(report)
    assert "backward() on a" in str(report) or report.not_checked


def test_breadth_first_is_right_on_the_diamond_and_wrong_on_the_shortcut():
    (finding,) = check_value_class(load(with_backward(BREADTH_FIRST))).findings
    assert "h3 = h2 * c\nout = h3 * h1" in finding.graph  # the long chain with a shortcut, not the diamond


# ------------------------------------------------------------------ student code that misbehaves: reported, never hangs
def misbehaving(body: str, where: str = "backward") -> type:
    """The lecture class whose ``where`` method starts with ``body``."""
    head = "    def backward(self):\n" if where == "backward" else "    def __add__(self, other):\n"
    return load(edit(LECTURE, head, head + textwrap.indent(textwrap.dedent(body).strip("\n"), "        ") + "\n"))


@pytest.mark.parametrize(
    ("body", "where", "key", "op"),
    [
        ("self.backward()", "backward", "endless_recursion", None),
        ("raise ValueError('not done yet')", "backward", "raises", None),
        ("while True:\n    pass", "backward", "too_long", None),
        ("while self.data == self.data:\n    self.grad = 0.0", "backward", "too_long", None),
        ("return", "backward", "no_seed", None),
        ("self.grad = 1.0\nself._backward()\nreturn", "backward", "stops_early", None),
        ("while True:\n    pass", "__add__", "too_long", "+"),
        ("return self.__add__(other)", "__add__", "endless_recursion", "+"),
        ("raise NotImplementedError", "__add__", "raises", "+"),
    ],
    ids=["recursion", "raises", "loop", "loop on data", "returns at once", "returns after one step", "loop in +",
         "recursion in +", "raises in +"],
)  # fmt: skip
def test_misbehaving_code_is_reported_and_the_grader_finishes(body, where, key, op):
    start = time.perf_counter()
    limit, trace, stdout = sys.getrecursionlimit(), sys.gettrace(), sys.stdout
    report = check_value_class(misbehaving(body, where), seconds_per_probe=0.5)
    assert time.perf_counter() - start < 10
    assert (key, op) in report.keys() and not report, str(report)
    assert (sys.getrecursionlimit(), sys.gettrace(), sys.stdout) == (limit, trace, stdout)


def test_a_loop_is_stopped_by_the_line_budget_and_the_time_guard():
    looping = misbehaving("while True:\n    pass")
    by_lines = check_value_class(looping, lines_per_probe=1000, seconds_per_probe=60)
    assert "more than 1000 lines run" in str(by_lines)
    start = time.perf_counter()
    by_time = check_value_class(looping, lines_per_probe=10**12, seconds_per_probe=0.2)
    assert "more than 0.2 s" in str(by_time)
    assert time.perf_counter() - start < 3  # the guard stops the grading after 3 stopped probes
    assert "the time guard stopped 3 probes" in str(by_time)


def test_what_student_code_prints_is_counted_not_shown():
    report = check_value_class(misbehaving("for i in range(1000):\n    print('visiting', i)"))
    assert report.findings == ()
    (note,) = report.notes
    assert note.startswith("the class printed ") and "characters while graded" in note and "visiting 0" in note
    assert len(str(report)) < 1000


def test_a_tracer_already_set_is_put_back():
    calls = []

    def tracer(frame, event, arg):
        calls.append(event)

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        check_value_class(misbehaving("while True:\n    pass"), seconds_per_probe=0.1)
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def test_keyboard_interrupt_goes_through_and_everything_is_put_back():
    limit, trace, stdout, stderr = sys.getrecursionlimit(), sys.gettrace(), sys.stdout, sys.stderr
    with pytest.raises(KeyboardInterrupt):
        check_value_class(misbehaving("print('x')\nraise KeyboardInterrupt"))
    assert (sys.getrecursionlimit(), sys.gettrace(), sys.stdout, sys.stderr) == (limit, trace, stdout, stderr)


def test_a_class_without_the_lecture_interface_gets_one_finding():
    report = check_value_class(load("class Value:\n    def __init__(self, data):\n        self.data = data\n"))
    (finding,) = report.findings
    assert finding.key == "raises" and finding.op is None and "AttributeError" in finding.obtained


# ------------------------------------------------------------------ the report
def test_the_report_reads_as_text_markdown_and_html():
    report = check_value_class(plant(FIRST["overwrite"]))
    assert isinstance(report, Report) and not report
    (finding,) = report.findings
    assert isinstance(finding, Finding)
    assert (
        report.keys() == [("overwrite", "*")]
        and finding.graph == "a = Value(-1.5)\nh = a * a\nout = h * a\nout.backward()"
    )
    assert (finding.expected, finding.obtained) == ("a.grad = 6.75", "a.grad = 4.5")
    text = str(report)
    assert text.startswith("Value: 1 finding\nchecked: + * ** neg - / tanh exp relu log")
    assert "1. [*] A node used twice gets its gradient overwritten" in text and "       h = a * a\n" in text
    markdown = report._repr_markdown_()
    assert "| op | misconception | graph | expected | obtained | hint |" in markdown
    assert (
        "| * | A node used twice" in markdown
        and "`a = Value(-1.5); h = a * a; out = h * a; out.backward()`" in markdown
    )
    page = report._repr_html_()
    assert page.count("<tr>") == 2 and "<pre>a = Value(-1.5)\nh = a * a\n" in page and "a.grad = 6.75" in page


def test_assert_value_class_raises_with_the_report():
    assert_value_class(load(LECTURE))
    with pytest.raises(AssertionError, match=r"(?s)1 finding.*\[\+\] A plain number is not wrapped"):
        assert_value_class(plant(FIRST["not_wrapped"]))


# ------------------------------------------------------------------ the how-to page
PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "grade-a-value-class.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", flags=re.S | re.M)


def test_the_how_to_page_lists_every_misconception():
    text = PAGE.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)`", text, flags=re.M)
    assert rows[:-1] == list(CATALOGUE)[:-3] and rows[-1] == "raises"
