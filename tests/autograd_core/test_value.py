"""The Value contract: what it accepts, what it refuses, how it prints and hashes."""

from __future__ import annotations

import fractions
import operator

import pytest

from autograd_core import Value


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
    assert v.label == "" and v.op == "" and v.parents == ()


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


def test_data_grad_label_are_assignable_op_and_parents_are_not():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    c.data, c.grad, c.label = 5.0, 0.5, "c"
    assert (c.data, c.grad, c.label) == (5.0, 0.5, "c")
    with pytest.raises(AttributeError):
        c.op = "+"
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
    assert out.op == "-"
    constant, same = out.parents
    assert same is a and constant.data == 2.0 and constant.op == "" and constant.parents == ()


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


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow],
                         ids=["+", "-", "*", "/", "**"])
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
    assert d.op == "" and d.parents == ()
    (d * 2).backward()
    assert a.grad == 0.0
