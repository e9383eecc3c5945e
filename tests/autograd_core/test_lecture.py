"""The micrograd lecture, step by step, on our Value and on the lecture's kind of Value: the same numbers.

Andrej Karpathy's lecture "The spelled-out intro to neural networks and
backpropagation: building micrograd" (notebooks in github.com/karpathy/nn-zero-to-hero,
lectures/micrograd/, MIT licence) builds a ``Value`` whose nodes keep their
parents in a set ``_prev``, the op's name in ``_op`` and a closure
``_backward`` that does one chain-rule step. Its later cells use exactly
those names: a ``trace``/``draw_dot`` that reads ``_prev`` and ``_op``, a
backward pass run by hand (``o.grad = 1.0; o._backward(); n._backward(); ...``),
and an MLP trained for 20 steps.

``LectureValue`` below is such a class, written for this test (closures,
a set of parents, a recursive topological sort); each test runs the
lecture's sequence of steps on it and on ``autograd_core.Value`` and compares
every number. (The lecture's own notebook cells were also run unchanged on
``autograd_core.Value`` when this was written: every number agreed to within
3.1e-16 relative; see docs/explanation/how-the-engine-works.md.)
"""

from __future__ import annotations

import math
import random

import pytest
from helpers import close

from autograd_core import Value


class LectureValue:
    """A node as the lecture builds it: parents in a set, a closure per node for its chain-rule step."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __add__(self, other):
        other = other if isinstance(other, LectureValue) else LectureValue(other)
        out = LectureValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, LectureValue) else LectureValue(other)
        out = LectureValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        out = LectureValue(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = LectureValue(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = LectureValue(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):  # other + self
        return self + other

    def __rmul__(self, other):  # other * self
        return self * other

    def __neg__(self):  # -self
        return self * -1

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __truediv__(self, other):  # self / other
        return self * other**-1

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()


ENGINES = [pytest.param(Value, id="autograd_core.Value")]


def assert_same(ours: dict, theirs: dict, rel: float = 1e-14) -> None:
    """Every named node's data and grad agree (rel: the two classes round tanh and / differently)."""
    assert ours.keys() == theirs.keys()
    for name in ours:
        for mine, reference in zip(ours[name], theirs[name]):
            assert close(mine, reference, rel=rel, abs_=1e-15), (name, ours[name], theirs[name])


def numbers(**nodes) -> dict:
    return {name: (node.data, node.grad) for name, node in nodes.items()}


# ------------------------------------------------------ the lecture's cells
def first_expression(V):
    """a, b, c, e = a*b, d = e + c, f, L = d * f; then backward (the lecture's first graph)."""
    a, b, c = V(2.0, label="a"), V(-3.0, label="b"), V(10.0, label="c")
    # fmt: off
    e = a * b; e.label = "e"  # noqa: E702 - as the lecture writes it
    d = e + c; d.label = "d"  # noqa: E702 - as the lecture writes it
    f = V(-2.0, label="f")
    L = d * f; L.label = "L"  # noqa: E702 - as the lecture writes it
    # fmt: on
    L.backward()
    return dict(a=a, b=b, c=c, e=e, d=d, f=f, L=L)


def the_neuron(V, tanh_by_exp: bool = False):
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), tanh built from exp in the second half."""
    x1, x2 = V(2.0, label="x1"), V(0.0, label="x2")
    w1, w2 = V(-3.0, label="w1"), V(1.0, label="w2")
    b = V(6.8813735870195432, label="b")
    # fmt: off
    x1w1 = x1 * w1; x1w1.label = "x1*w1"  # noqa: E702 - as the lecture writes it
    x2w2 = x2 * w2; x2w2.label = "x2*w2"  # noqa: E702 - as the lecture writes it
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = "x1*w1 + x2*w2"  # noqa: E702 - as the lecture writes it
    n = x1w1x2w2 + b; n.label = "n"  # noqa: E702 - as the lecture writes it
    # fmt: on
    if tanh_by_exp:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, n=n, o=o)


def lecture_draw_dot(root):
    """The lecture's trace + draw_dot: reads _prev and _op, names nodes by id."""
    graphviz = pytest.importorskip("graphviz")
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ {n.label} | data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot, nodes, edges


# ---------------------------------------------------------------- the tests
@pytest.mark.parametrize("V", ENGINES)
def test_the_first_expression_and_its_gradients(V):
    ours, theirs = first_expression(V), first_expression(LectureValue)
    assert_same(numbers(**ours), numbers(**theirs), rel=0.0)
    assert ours["L"].data == -8.0 and ours["a"].grad == 6.0 and ours["d"].grad == -2.0


@pytest.mark.parametrize("V", ENGINES)
def test_the_lectures_draw_dot_draws_our_graphs(V):
    dot, nodes, edges = lecture_draw_dot(the_neuron(V)["o"])
    _, lecture_nodes, lecture_edges = lecture_draw_dot(the_neuron(LectureValue)["o"])
    assert len(nodes) == len(lecture_nodes) == 10 and len(edges) == len(lecture_edges) == 9
    assert sorted(n._op for n in nodes) == sorted(n._op for n in lecture_nodes)
    assert "label=tanh" in dot.source and "{ o | data 0.7071 | grad 0.0000 }" in dot.source


@pytest.mark.parametrize("V", ENGINES)
def test_the_backward_pass_by_hand_node_by_node(V):
    """o.backward(), then the lecture's manual pass: o.grad = 1.0, o._backward(), n._backward(), ..."""
    runs = []
    for engine in (V, LectureValue):
        nodes = the_neuron(engine)
        nodes["o"].backward()
        snapshots = [numbers(**nodes)]
        nodes["o"].grad = 1.0
        for name in ("o", "n", "b", "x1w1x2w2", "x2w2", "x1w1"):
            nodes[name]._backward()
            snapshots.append(numbers(**nodes))
        runs.append(snapshots)
    for ours, theirs in zip(*runs):
        assert_same(ours, theirs)
    assert close(runs[0][0]["x1"][1], -1.5, rel=1e-12) and close(runs[0][0]["w1"][1], 1.0, rel=1e-12)


@pytest.mark.parametrize("V", ENGINES)
def test_the_backward_pass_by_hand_on_a_fresh_graph(V):
    """Without backward() first: each _backward() call is exactly the lecture's closure."""
    runs = []
    for engine in (V, LectureValue):
        nodes = the_neuron(engine)
        nodes["o"].grad = 1.0
        snapshots = []
        for name in ("o", "n", "b", "x1w1x2w2", "x2w2", "x1w1"):
            nodes[name]._backward()
            snapshots.append(numbers(**nodes))
        runs.append(snapshots)
    for ours, theirs in zip(*runs):
        assert_same(ours, theirs)
    final = runs[0][-1]
    assert close(final["n"][1], 0.5, rel=1e-12) and close(final["x1"][1], -1.5, rel=1e-12)


@pytest.mark.parametrize("V", ENGINES)
def test_tanh_built_from_exp_gives_the_same_gradients(V):
    ours, theirs = the_neuron(V, tanh_by_exp=True), the_neuron(LectureValue, tanh_by_exp=True)
    ours["o"].backward()
    theirs["o"].backward()
    assert_same(numbers(**ours), numbers(**theirs), rel=1e-12)


@pytest.mark.parametrize("V", ENGINES)
def test_a_node_used_twice(V):
    """The lecture's bug hunt: b = a + a must give a.grad = 2, and f = (a*b) * (a+b) both paths."""
    for engine in (V, LectureValue):
        a = engine(3.0, label="a")
        b = a + a
        b.backward()
        assert a.grad == 2.0
    runs = []
    for engine in (V, LectureValue):
        a, b = engine(-2.0, label="a"), engine(3.0, label="b")
        d, e = a * b, a + b
        f = d * e
        f.backward()
        runs.append(numbers(a=a, b=b, d=d, e=e, f=f))
    assert_same(*runs, rel=0.0)
    assert runs[0]["a"][1] == -3.0 and runs[0]["b"][1] == -8.0


def lecture_mlp(V, seed: int):
    """The lecture's Neuron/Layer/MLP (tanh on every layer, the last included), trained 20 steps."""
    rng = random.Random(seed)

    class Neuron:
        def __init__(self, nin):
            self.w = [V(rng.uniform(-1, 1)) for _ in range(nin)]
            self.b = V(rng.uniform(-1, 1))

        def __call__(self, x):
            return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

        def parameters(self):
            return self.w + [self.b]

    class Layer:
        def __init__(self, nin, nout):
            self.neurons = [Neuron(nin) for _ in range(nout)]

        def __call__(self, x):
            outs = [n(x) for n in self.neurons]
            return outs[0] if len(outs) == 1 else outs

        def parameters(self):
            return [p for neuron in self.neurons for p in neuron.parameters()]

    class MLP:
        def __init__(self, nin, nouts):
            sz = [nin] + nouts
            self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(nouts))]

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self):
            return [p for layer in self.layers for p in layer.parameters()]

    return MLP(3, [4, 4, 1])


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def train(n, steps: int = 20, lr: float = 0.1) -> list[float]:
    """The lecture's training loop: squared error, zero the grads, backward, p.data += -lr * p.grad."""
    losses = []
    for _ in range(steps):
        ypred = [n(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -lr * p.grad
        losses.append(loss.data)
    return losses


@pytest.mark.parametrize("V", ENGINES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_lectures_mlp_trains_to_the_same_losses(V, seed):
    ours, theirs = train(lecture_mlp(V, seed)), train(lecture_mlp(LectureValue, seed))
    for mine, reference in zip(ours, theirs):
        assert close(mine, reference, rel=1e-12, abs_=1e-15)
    assert ours[-1] < ours[0] / 5  # and it learns


def test_nn_mlp_with_tanh_output_is_the_lectures_mlp():
    """nn.MLP(..., activation="tanh", output_activation="tanh") with the lecture net's weights trains the same."""
    from nn import MLP

    reference = lecture_mlp(LectureValue, seed=3)
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=0)
    for ours, theirs in zip(model.parameters(), reference.parameters()):
        ours.data = theirs.data  # both list each neuron's weights, then its bias
    assert len(model.parameters()) == len(reference.parameters()) == 41
    losses, reference_losses = train(model), train(reference)
    for mine, theirs in zip(losses, reference_losses):
        assert close(mine, theirs, rel=1e-12, abs_=1e-15)
