"""The Value contract: what it accepts, what it refuses, how it prints and hashes."""

from __future__ import annotations

import copy
import fractions
import math
import operator
import pickle

import pytest

from autograd_core import Value
from autograd_core.ops import OPS


@pytest.mark.parametrize(
    "data, stored",
    [(3, 3.0), (2.5, 2.5), (True, 1.0), (False, 0.0), (fractions.Fraction(1, 4), 0.25), (-0.0, -0.0)],
    ids=["int", "float", "True", "False", "Fraction", "negative zero"],
)
def test_accepts_real_numbers_stored_as_float(data, stored):
    v = Value(data)
    assert type(v.data) is float
    assert v.data == stored
    assert v.grad == 0.0 and type(v.grad) is float
    assert v.label == "" and v.op is None and v.parents == ()


def test_accepts_numpy_scalars():
    np = pytest.importorskip("numpy")
    assert Value(np.float64(1.5)).data == 1.5
    assert Value(np.int32(3)).data == 3.0
    assert type(Value(np.float32(0.5)).data) is float


@pytest.mark.parametrize(
    "data, type_name",
    [("1.0", "str"), (None, "NoneType"), (1 + 2j, "complex"), ([1.0], "list"), (Value(1.0), "Value")],
)
def test_refuses_non_real_data_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=f"got {type_name}"):
        Value(data)


def test_refusing_a_value_suggests_data_or_detach():
    with pytest.raises(TypeError, match=r"\.detach\(\)"):
        Value(Value(1.0))


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, 3)


def test_data_grad_label_op_are_assignable_parents_are_not():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    c.data, c.grad, c.label = 5.0, 0.5, "c"
    assert (c.data, c.grad, c.label) == (5.0, 0.5, "c")
    c.op = OPS["+"]  # a plain field, as in micrograd
    assert c.op is OPS["+"] and c._op == "+"
    with pytest.raises(AttributeError):
        c.parents = ()
    with pytest.raises(AttributeError):  # __slots__: no attributes bolted on later
        c.colour = "red"


def test_parents_are_ordered_as_the_arguments():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    assert (a - b).parents == (a, b)
    assert (b - a).parents == (b, a)
    assert (a * a).parents == (a, a)


def test_constants_become_leaves():
    a = Value(1.0)
    out = 2 - a
    assert out.op.name == "-"
    constant, same = out.parents
    assert same is a and constant.data == 2.0 and constant.op is None and constant.parents == ()


def test_repr_is_short_and_uniform():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    v = Value(-3, "b")
    v.grad = 0.5
    assert repr(v) == "Value(data=-3.0, grad=0.5, label='b')"


def test_values_hash_by_identity_and_have_no_elementwise_eq():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b, a}) == 2
    assert {a: 1}[a] == 1


@pytest.mark.parametrize(
    "op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow], ids=["+", "-", "*", "/", "**"]
)
@pytest.mark.parametrize("other", ["x", None, [1.0], 1j])
def test_unsupported_operand_types_give_pythons_type_error(op, other):
    v = Value(1.0)
    with pytest.raises(TypeError, match="'Value'"):
        op(v, other)
    with pytest.raises(TypeError, match="'Value'"):
        op(other, v)


def test_no_float_conversion_so_math_functions_refuse_values():
    # Deliberate: math.tanh(v) would silently cut the graph. Use v.tanh() or v.data.
    import math

    with pytest.raises(TypeError):
        math.tanh(Value(0.5))


def test_detach_is_a_leaf_with_the_same_data_and_label():
    a = Value(2.0, "a")
    b = (a * 3).tanh()
    b.label = "b"
    d = b.detach()
    assert d is not b and d.data == b.data and d.label == "b"
    assert d.op is None and d.parents == ()
    (d * 2).backward()
    assert a.grad == 0.0


# ---------------------------------------------------- assignment is checked
@pytest.mark.parametrize(
    "value, error, message",
    [
        ("1.0", TypeError, "Value.data needs a real number, got str '1.0'"),
        (None, TypeError, "Value.data needs a real number, got NoneType None"),
        (1 + 2j, TypeError, "Value.data needs a real number, got complex"),
        (Value(1.0), TypeError, "got Value"),
        (10**400, OverflowError, "that fits in a float (at most about 1.8e308), got int 1000"),
    ],
)
def test_assigning_data_is_checked_at_once(value, error, message):
    v = Value(2.0, "v")
    with pytest.raises(error) as caught:
        v.data = value
    assert message in str(caught.value)
    assert v.data == 2.0  # unchanged


def test_assigned_data_is_stored_as_float():
    v = Value(0.0)
    v.data = 3
    assert type(v.data) is float and v.data == 3.0
    v.data += 0.5  # what an optimizer does
    assert v.data == 3.5


def test_assigning_a_label_is_checked_at_once():
    v = Value(1.0)
    with pytest.raises(TypeError, match="Value label must be a str, got int 3"):
        v.label = 3
    assert v.label == ""


def test_a_huge_int_names_itself_without_printing_400_digits():
    with pytest.raises(OverflowError) as caught:
        Value(10**400)
    message = str(caught.value)
    assert message.startswith("Value(data) needs a real number that fits in a float")
    assert "(401 characters)" in message and len(message) < 200


def test_accepts_numpy_bool_and_decimal_like_bool():
    np = pytest.importorskip("numpy")
    import decimal

    assert Value(np.bool_(True)).data == 1.0 and type(Value(np.bool_(False)).data) is float
    assert Value(decimal.Decimal("0.25")).data == 0.25
    with pytest.raises(TypeError, match="got complex128"):
        Value(np.complex128(1 + 1j))


# ------------------------------------------------------- micrograd's names
def test_micrograd_names_prev_op_and_backward():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    leaf_prev, leaf_op = a._prev, a._op
    assert leaf_prev == set() and leaf_op == ""
    assert c._prev == {a, b} and c._op == "*"
    assert (a + a)._prev == {a}  # a set, as in micrograd
    assert (a**2)._op == "**" and Value.sum([a, b, c])._op == "sum"
    with pytest.raises(AttributeError):
        c._prev = set()
    with pytest.raises(AttributeError):
        c._op = "+"


def test_backward_method_is_one_chain_rule_step_into_grad():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    L = c.tanh()
    L.grad = 1.0
    L._backward()  # dL/dc += (1 - tanh(c)^2) * dL/dL
    assert c.grad == pytest.approx(1 - math.tanh(-6.0) ** 2, rel=1e-15)
    assert a.grad == 0.0  # not reached yet
    c._backward()
    assert a.grad == pytest.approx(-3.0 * c.grad, rel=1e-15) and b.grad == pytest.approx(2.0 * c.grad, rel=1e-15)
    c._backward()  # accumulates, as micrograd's closures do
    assert a.grad == pytest.approx(-6.0 * c.grad, rel=1e-15)
    a._backward()  # a leaf has no step
    assert a.grad == pytest.approx(-6.0 * c.grad, rel=1e-15)


def test_backward_method_of_a_sum_adds_to_every_term():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    s = Value.sum([a, b, a, 4.0])
    s.grad = 0.5
    s._backward()
    assert (a.grad, b.grad) == (1.0, 0.5)


# ------------------------------------------------------- copying, pickling
def test_a_graph_pickles_and_unpickles_with_its_ops():
    import pickle

    a = Value(2.0, "a")
    L = (a * a + Value.sum([a, 1.0])).tanh()
    L.backward()
    copy = pickle.loads(pickle.dumps(L))
    assert copy.data == L.data and copy.grad == L.grad and copy.op.name == "tanh"
    inner = copy.parents[0]
    assert inner.op.name == "+" and inner.parents[0].parents[0] is inner.parents[0].parents[1]  # a * a: one node
    assert inner.parents[0].op is L.parents[0].parents[0].op  # the op table's own Op
    copy.parents[0].parents[1].parents[0].grad = 0.0
    copy.backward()
    assert copy.parents[0].parents[1].parents[0].grad == a.grad  # the copy's a accumulated as a did


def test_a_deep_graph_deep_copies_without_recursion():
    import copy as copying

    x = Value(0.5, "x")
    y = x
    for _ in range(100_000):
        y = y * 0.999 + 0.001
    clone = copying.deepcopy(y)
    assert clone is not y and clone.data == y.data
    node = clone
    while node.parents:
        node = node.parents[0]
    assert node.label == "x" and node is not x
    pair = copying.deepcopy([x, x * 2])
    assert pair[1].parents[0] is pair[0]  # sharing is kept


# ------------------------------------- numbers too large, named where they come in
@pytest.mark.parametrize(
    "build, where",
    [
        (lambda x: x + 10**400, "an operand of +"),
        (lambda x: 10**400 - x, "an operand of -"),
        (lambda x: x * 10**400, "an operand of *"),
        (lambda x: x / 10**400, "an operand of /"),
        (lambda x: x**10**400, "an operand of **"),
        (lambda x: Value.sum([x, 10**400]), "an operand of Value.sum"),
        (lambda x: x.backward(10**400), "backward(grad)"),
    ],
)
def test_an_int_too_large_for_a_float_is_named_with_its_op(build, where):
    with pytest.raises(OverflowError) as caught:
        build(Value(1.0, "x"))
    assert str(caught.value).startswith(where) and "fits in a float" in str(caught.value)


def test_an_int_past_pythons_digit_limit_still_gets_the_overflow_message():
    with pytest.raises(OverflowError, match="too large to show"):
        Value(10**5000)


def test_assigning_grad_is_checked_at_once():
    v = Value(1.0, "v")
    for bad in ("a", None, Value(2.0)):
        with pytest.raises(TypeError, match="Value.grad needs a real number"):
            v.grad = bad
    v.grad = 1  # an int is stored as a float
    assert type(v.grad) is float and v.grad == 1.0


def test_cyclic_gc_paused_restores_the_collector_state():
    import gc

    from autograd_core.collector import cyclic_gc_paused

    was = gc.isenabled()
    try:
        for before in (True, False):
            (gc.enable if before else gc.disable)()
            with pytest.raises(RuntimeError):
                with cyclic_gc_paused():
                    assert not gc.isenabled()
                    raise RuntimeError("left the block")
            assert gc.isenabled() is before
    finally:
        (gc.enable if was else gc.disable)()


def test_place_is_none_on_every_new_node_settable_and_kept_by_copies():
    a, b = Value(2.0, "a"), Value(3.0, "b")
    made = [a, a + b, a * b, a - b, a + 1, 2 * a, a.tanh(), Value.sum([a, b, 1.0]), a.detach()]
    made += [p for node in made for p in node.parents]  # the constant leaves lifted from 1 and 2
    assert all(node.place is None for node in made)
    out = a * b + a
    a.place, out.place = ("somewhere", 1), "the output"  # any object: the engine never reads it
    out.backward()
    assert (a.grad, b.grad) == (4.0, 2.0)
    for copied in (copy.deepcopy(out), pickle.loads(pickle.dumps(out))):
        assert copied.place == "the output" and copied.parents[1].place == ("somewhere", 1)
