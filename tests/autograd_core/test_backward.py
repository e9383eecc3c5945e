"""backward(): reuse, diamonds, accumulation semantics, deep graphs, and micrograd compatibility."""

from __future__ import annotations

import math

import pytest
from helpers import central_difference, close

from autograd_core import Value, backward_steps, topological_order
from autograd_core.backprop import backward_order


def test_chain_rule_on_the_teaching_example():
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    L = (a * b + c).tanh()
    L.backward()
    dtanh = 1 - math.tanh(4.0) ** 2
    assert L.grad == 1.0
    assert close(a.grad, dtanh * -3.0, rel=1e-14)
    assert close(b.grad, dtanh * 2.0, rel=1e-14)
    assert close(c.grad, dtanh, rel=1e-14)


def test_same_node_twice_in_one_op():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    y = Value(3.0)
    (y + y).backward()
    assert y.grad == 2.0


def test_diamond_accumulates_both_paths():
    # a feeds b and c, both feed d: dd/da = db/da * dd/db + dc/da * dd/dc
    a = Value(0.7, "a")
    b = a.exp()
    c = a.sin()
    d = b * c
    d.backward()
    expected = math.exp(0.7) * math.sin(0.7) + math.exp(0.7) * math.cos(0.7)
    assert close(a.grad, expected, rel=1e-14)
    assert close(a.grad, central_difference(lambda t: math.exp(t) * math.sin(t), 0.7), rel=1e-8)


def test_interior_node_reused_many_times():
    x = Value(1.5)
    h = x.tanh()  # an interior node with fan-out 3
    out = h * h + h.exp() - 2 * h
    out.backward()
    t = math.tanh(1.5)
    dh = 2 * t + math.exp(t) - 2
    assert close(h.grad, dh, rel=1e-14)
    assert close(x.grad, dh * (1 - t * t), rel=1e-14)


def test_in_place_style_reassignment():
    c = Value(1.0)
    original = c
    c += c + 1  # c = c + (c + 1): d/dc = 2
    c += 1 + c + (-original)  # c2 = c1 + (1 + c1 - c0) = 2 c1 + 1 - c0 ; dc1/dc0 = 2 -> 4 - 1 = 3
    c.backward()
    assert original.grad == 3.0


def test_backward_twice_accumulates_leaves_but_not_interior_nodes():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    mid = a * b
    out = mid.tanh()
    out.backward()
    first = (a.grad, b.grad, mid.grad, out.grad)
    out.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])  # leaves accumulate, as in PyTorch
    assert (mid.grad, out.grad) == (first[2], first[3])  # interior: the latest backward only


def test_zeroing_leaves_resets_accumulation():
    w = Value(0.5)
    (w * 4).backward()
    w.grad = 0.0
    (w * 4).backward()
    assert w.grad == 4.0


def test_backward_with_a_seed_gradient():
    x = Value(2.0)
    (x * x).backward(0.5)
    assert x.grad == 2.0
    with pytest.raises(TypeError, match="needs a real number, got str"):
        (x * x).backward("1")


def test_backward_of_a_leaf():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_unreachable_nodes_are_untouched():
    a, b = Value(1.0), Value(2.0)
    other = b * 3
    (a * 2).backward()
    assert b.grad == 0.0 and other.grad == 0.0


def test_deep_chain_of_a_million_nodes_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(500_000):  # two nodes per step: a constant leaf and the product
        y = y * 1.000001
    y.backward()
    assert close(x.grad, 1.000001**500_000, rel=1e-9)
    del y  # freeing a long chain must not overflow the C stack either


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    position = {id(n): i for i, n in enumerate(order)}
    assert len(order) == 5 and order[-1] is e
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert backward_order(e) == order[::-1]


def test_order_is_deterministic():
    def build():
        a, b = Value(1.0, "a"), Value(2.0, "b")
        c = (a * b).tanh() + a.exp() * b
        return [n.label or n.op.name for n in topological_order(c)]

    assert build() == build()


def test_backward_steps_are_the_chain_rule_steps_in_order():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    d = c + a  # a fans out to c and d
    steps = backward_steps(d)
    assert [(s.node, s.parent) for s in steps] == [(d, c), (d, a), (c, a), (c, b)]
    for s in steps:
        assert s.contribution == s.upstream * s.local
    d.backward()
    assert a.grad == sum(s.contribution for s in steps if s.parent is a) == 1 + -3
    assert d.grad == 1.0


def test_micrograd_code_runs_unchanged_and_agrees():
    """micrograd's own test expression, run on both engines."""
    micrograd_engine = pytest.importorskip("micrograd.engine")

    def expression(V):
        a = V(-4.0)
        b = V(2.0)
        c = a + b
        d = a * b + b**3
        c += c + 1
        c += 1 + c + (-a)
        d += d * 2 + (b + a).relu()
        d += 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        g += 10.0 / f
        g.backward()
        return a, b, g

    ours = expression(Value)
    theirs = expression(micrograd_engine.Value)
    for x, y in zip(ours, theirs):
        assert close(x.data, y.data, rel=1e-14)
        assert close(x.grad, y.grad, rel=1e-12)
    assert close(ours[2].data, 24.70408163265306, rel=1e-12)
    assert close(ours[0].grad, 138.83381924198252, rel=1e-12)


def test_a_graph_makes_no_reference_cycles():
    """Freed by reference counting alone: the cyclic collector finds nothing (micrograd's closures do)."""
    import gc

    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        y = x
        for _ in range(200):
            y = (y * 1.01 + x).tanh()
        y.backward()
        steps = backward_steps(y)
        del x, y, steps
        assert gc.collect() == 0
    finally:
        gc.enable()
