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
import sys
import textwrap
import time

import pytest

from autograd_core import Value as EngineValue
from autograd_core.grading import CATALOGUE, Finding, Report, assert_value_class, check_value_class

LECTURE = '''
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
'''


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
    return textwrap.indent(textwrap.dedent(body).strip("\n"), "    ").replace(f"    def {name}", f"    def {name}", 1) + "\n"


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
    ("missing_reflected", "__rmul__", "    def __rmul__(self, other):  # other * self\n        return self * other\n", ""),
    ("missing_reflected", "__rsub__", "    def __rsub__(self, other):  # other - self\n        return other + (-self)\n", ""),
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
