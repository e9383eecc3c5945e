"""define_op: user-defined operations in the graph, first and second derivatives, and their errors."""

from __future__ import annotations

import math

import pytest

from autograd_core import (
    DivisionByZeroError,
    DomainError,
    Op,
    Value,
    backward_steps,
    define_op,
    grad,
    gradcheck,
    gradgradcheck,
    no_grad,
)


@define_op(lambda x, out: 1 - out * out)  # arithmetic: works on floats and Values
def my_tanh(x):
    return math.tanh(x)


@define_op(lambda x, y, out: y, lambda x, y, out: x)
def times(x, y):
    return x * y


@define_op(lambda x, out: x.sigmoid())  # a Value method: retried on Values in a first-order pass
def softplus(x):
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


@define_op(lambda x, out: 1 - math.tanh(x) ** 2)  # math: first derivatives only
def math_tanh(x):
    return math.tanh(x)


# --------------------------------------------------------- definition errors

DEFINITION_ERRORS = [
    # (case, derivatives, forward, options, words in the TypeError)
    ("no derivatives", (), lambda x: x, {}, "needs one derivative function per input"),
    ("too few derivatives", (lambda x, y, out: y,), lambda x, y: x * y, {}, "takes 2 input(s) but 1 derivative"),
    (
        "too many derivatives",
        (lambda x, out: 1.0, lambda x, out: 1.0),
        lambda x: x,
        {},
        "takes 1 input(s) but 2 derivative",
    ),
    ("derivative without out", (lambda x: 1.0,), lambda x: x, {}, "derivative 1 of '<lambda>' takes 1 argument(s)"),
    (
        "derivative with too many",
        (lambda x, y, z, out: 1.0,) * 2,
        lambda x, y: x,
        {},
        "derivative 1 of '<lambda>' takes 4 argument(s); it must take the 2 input(s) and the output (3 in all)",
    ),
    ("second derivative wrong", (lambda x, y, out: 1.0, lambda x, out: 1.0), lambda x, y: x, {}, "derivative 2 of"),
    ("derivative not callable", (1.0,), lambda x: x, {}, "derivative 1 must be callable, got float"),
    ("forward with *args", (lambda x, out: 1.0,), lambda *xs: xs[0], {}, "fixed number of inputs, not *args"),
    (
        "forward with required keyword",
        (lambda x, out: 1.0,),
        lambda x, *, scale: x,
        {},
        "required keyword-only arguments ['scale']",
    ),
    ("name not a str", (lambda x, out: 1.0,), lambda x: x, {"name": 3}, "name must be a non-empty str"),
    ("empty name", (lambda x, out: 1.0,), lambda x: x, {"name": ""}, "name must be a non-empty str"),
    ("forward not callable", (lambda x, out: 1.0,), 2.0, {}, "must decorate a function, got float"),
]


@pytest.mark.parametrize(
    ("case", "derivatives", "forward", "options", "words"), DEFINITION_ERRORS, ids=[c[0] for c in DEFINITION_ERRORS]
)
def test_definition_errors_are_type_errors_at_definition_time(case, derivatives, forward, options, words) -> None:
    with pytest.raises(TypeError) as caught:
        define_op(*derivatives, **options)(forward)
    assert words in str(caught.value)


def test_derivatives_with_defaults_or_star_args_are_accepted() -> None:
    op = define_op(lambda *args: args[0], lambda x, y, out, scale=1.0: scale * x)(lambda x, y: x * y)
    x, y = Value(2.0), Value(3.0)
    assert grad(op(x, y), [x, y]) == (2.0, 2.0)


# ------------------------------------------------------------ using the op


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((Value(0.5),), math.tanh(0.5)),
        ((0.5,), math.tanh(0.5)),  # a plain number
        ((1,), math.tanh(1)),  # an int
    ],
)
def test_op_on_values_and_numbers(args, expected) -> None:
    out = my_tanh(*args)
    assert isinstance(out, Value) and out.data == expected and out.op.name == "my_tanh"
    assert len(out.parents) == 1 and out.parents[0].data == float(
        args[0].data if isinstance(args[0], Value) else args[0]
    )


def test_op_metadata() -> None:
    assert isinstance(times.op, Op) and times.op.name == "times" and times.op.inputs == ("x", "y")
    assert times.__name__ == "times" and times(2, 3).op.name == "times"
    renamed = define_op(lambda x, out: 2.0, name="double")(lambda x: 2 * x)
    assert renamed(Value(1.0)).op.name == "double" and renamed.__name__ == "double"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "my_tanh() takes 1 input(s), got 0"),
        ((1.0, 2.0), "my_tanh() takes 1 input(s), got 2"),
        (("a",), "my_tanh() input 1 must be a Value or a real number, got str 'a'"),
        ((None,), "got NoneType None"),
    ],
)
def test_calling_with_wrong_arguments(args, words) -> None:
    with pytest.raises(TypeError) as caught:
        my_tanh(*args)
    assert words in str(caught.value)


def test_backward_through_user_ops_with_reuse() -> None:
    x, y = Value(0.5, "x"), Value(-1.5, "y")
    t = my_tanh(x)
    out = times(t, t) + times(x, y)  # t is used twice: its gradient accumulates
    out.backward()
    tx = math.tanh(0.5)
    assert x.grad == pytest.approx(2 * tx * (1 - tx * tx) + -1.5, rel=1e-12)
    assert y.grad == pytest.approx(0.5, rel=1e-12)


def test_backward_steps_show_the_user_derivative() -> None:
    x = Value(0.5, "x")
    (step,) = backward_steps(my_tanh(x))
    assert step.parent is x and step.local == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)


def test_value_method_derivative_in_a_first_order_pass() -> None:
    x = Value(0.5)
    softplus(x).backward()
    assert x.grad == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-15)
    assert grad(softplus(x), [x]) == (x.grad,)


# --------------------------------------------------------- second derivatives


@pytest.mark.parametrize(
    ("op", "second"),
    [
        (my_tanh, lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2)),
        (softplus, lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    ],
)
def test_second_derivatives_via_create_graph(op, second) -> None:
    for v in (-2.0, -0.3, 0.0, 0.7, 3.0):
        x = Value(v)
        (g,) = grad(op(x), [x], create_graph=True)
        assert isinstance(g, Value)
        (h,) = grad(g, [x])
        assert h == pytest.approx(second(v), rel=1e-12, abs=1e-15)


def test_two_input_op_hessian() -> None:
    x, y = Value(2.0), Value(3.0)
    gx, gy = grad(times(x, y) * x, [x, y], create_graph=True)  # f = x*x*y
    assert grad(gx, [x, y]) == (6.0, 4.0) and grad(gy, [x, y]) == (4.0, 0.0)


def test_math_derivative_works_first_order_and_explains_second_order() -> None:
    x = Value(0.5, "x")
    assert grad(math_tanh(x), [x])[0] == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)
    with pytest.raises(TypeError) as caught:
        grad(math_tanh(x), [x], create_graph=True)
    message = str(caught.value)
    assert "'math_tanh'" in message and "second derivative is unavailable" in message
    assert "Value arithmetic" in message


# ------------------------------------------------------------------ no_grad


def test_no_grad_makes_a_leaf() -> None:
    x = Value(0.5)
    with no_grad():
        out = my_tanh(x)
    assert out.data == math.tanh(0.5) and out.parents == () and out.op is None
    assert grad(out, [x]) == (0.0,)


# ------------------------------------------------------- errors from the op


def _raises(exc):
    def forward(x):
        raise exc

    return forward


FORWARD_ERRORS = [
    # (case, forward, error type, words in the message)
    ("ValueError", _raises(ValueError("needs x > 0")), DomainError, "bad_op(-1.0): needs x > 0; input 1 is 'w'"),
    ("ZeroDivisionError", lambda x: 1 / (x + 1), DivisionByZeroError, "bad_op(-1.0): float division by zero"),
    ("OverflowError", lambda x: math.exp(-1000 * x), OverflowError, "bad_op(-1.0): math range error"),
    (
        "Value method on a float",
        lambda x: x.exp(),
        TypeError,
        "bad_op(-1.0): the forward failed: 'float' object has no attribute 'exp' (the forward gets plain floats",
    ),
    (
        "returns a str",
        lambda x: "one",
        TypeError,
        "the forward of op 'bad_op' must return a real number, got str 'one'; input 1 is 'w'",
    ),
    (
        "returns 10**400",
        lambda x: 10**400,
        OverflowError,
        "bad_op(-1.0): the forward of op 'bad_op' must return a real number that fits in a float",
    ),
]


@pytest.mark.parametrize(("case", "forward", "error", "words"), FORWARD_ERRORS, ids=[c[0] for c in FORWARD_ERRORS])
def test_forward_errors_name_the_op_and_the_node(case, forward, error, words) -> None:
    op = define_op(lambda x, out: 1.0, name="bad_op")(forward)
    with pytest.raises(error) as caught:
        op(Value(-1.0, "w"))
    assert words in str(caught.value) and "'w' (data=-1.0)" in str(caught.value)


@pytest.mark.parametrize(
    "arg, error, words",
    [
        (
            10**400,
            OverflowError,
            "my_tanh() input 1 is int 1000000000000000000000000000... (401 characters), too large for a float",
        ),
        (
            "x" * 1000,
            TypeError,
            "my_tanh() input 1 must be a Value or a real number, got str 'xxxxxxxxxxxxxxxxxxxxxxxxxxx... "
            "(1002 characters)",
        ),
    ],
    ids=["400 digits", "a long str"],
)
def test_bad_inputs_to_a_user_op_are_named_briefly(arg, error, words) -> None:
    with pytest.raises(error) as caught:
        my_tanh(arg)
    assert str(caught.value) == words


@pytest.mark.parametrize("create_graph", [False, True])
def test_derivative_returning_a_non_number(create_graph) -> None:
    op = define_op(lambda x, out: "one", name="bad_derivative")(lambda x: x)
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"derivative 1 of op 'bad_derivative' \(d out/dx\) returned str 'one'"):
        grad(op(x), [x], create_graph=create_graph)


def _times(d_dx, d_dy, name):
    """A product op whose derivatives are given, defined with define_op."""
    return define_op(d_dx, d_dy, name=name)(lambda x, y: x * y)


DERIVATIVE_ERRORS = [
    # (case, op, create_graph, error type, the message): the backward pass names the op, the derivative, the point.
    (
        "math domain error",
        _times(lambda x, y, out: y, lambda x, y, out: math.log(x), "logged"),
        False,
        DomainError,
        "derivative 2 of op 'logged' (d out/dy) raised ValueError: math domain error, at logged(x=-2.0, y=3.0) = -6.0",
    ),
    (
        "division by zero",
        _times(lambda x, y, out: 1 / (x + 2), lambda x, y, out: x, "shifted"),
        False,
        DivisionByZeroError,
        "derivative 1 of op 'shifted' (d out/dx) raised ZeroDivisionError: float division by "
        "zero, at shifted(x=-2.0, y=3.0) = -6.0",
    ),
    (
        "overflow",
        _times(lambda x, y, out: math.exp(-1000 * x), lambda x, y, out: x, "grown"),
        False,
        OverflowError,
        "derivative 1 of op 'grown' (d out/dx) raised OverflowError: math range error, at grown(x=-2.0, y=3.0)",
    ),
    (
        "returns 10**400",
        _times(lambda x, y, out: 10**400, lambda x, y, out: x, "huge"),
        False,
        OverflowError,
        "derivative 1 of op 'huge' (d out/dx) returned int too large for a float, at huge(x=-2.0, y=3.0) = -6.0",
    ),
    (
        "returns 10**400, create_graph",
        _times(lambda x, y, out: 10**400, lambda x, y, out: x, "huge"),
        True,
        OverflowError,
        "derivative 1 of op 'huge' (d out/dx) returned int too large for a float, at huge(x=-2.0, "
        "y=3.0) = -6.0; input 1 is 'a' (data=-2.0); input 2 is 'b' (data=3.0)",
    ),
    (
        "a bug on floats",
        _times(lambda x, y, out: x[0], lambda x, y, out: x, "indexed"),
        False,
        TypeError,
        "derivative 1 of op 'indexed' (d out/dx) raised TypeError: 'float' object is not subscriptable, at "
        "indexed(x=-2.0, y=3.0) = -6.0",
    ),
    (
        "a Value method, retried on Values",
        _times(lambda x, y, out: x.log(), lambda x, y, out: x, "vlog"),
        False,
        DomainError,
        "derivative 1 of op 'vlog' (d out/dx) raised DomainError: log(-2.0): log is defined only for x > 0",
    ),
    (
        "domain error on Values",
        _times(lambda x, y, out: x.log(), lambda x, y, out: x, "vlog"),
        True,
        DomainError,
        "at vlog(x=-2.0, y=3.0) = -6.0; input 1 is 'a' (data=-2.0); input 2 is 'b' (data=3.0)",
    ),
]


@pytest.mark.parametrize(
    ("case", "op", "create_graph", "error", "words"), DERIVATIVE_ERRORS, ids=[c[0] for c in DERIVATIVE_ERRORS]
)
def test_derivative_errors_name_the_op_the_derivative_and_the_point(case, op, create_graph, error, words) -> None:
    a, b = Value(-2.0, "a"), Value(3.0, "b")
    with pytest.raises(error) as caught:
        grad(op(a, b) * 2, [a, b], create_graph=create_graph)
    assert words in str(caught.value)


# ------------------------------------------------------- checked end to end


def test_softplus_end_to_end() -> None:
    for v in (-20.0, -1.0, 0.0, 0.25, 4.0, 20.0):
        assert gradcheck(softplus, [v]) and gradgradcheck(softplus, [v])
        assert gradcheck(lambda x, y: softplus(times(x, y) + my_tanh(y)), [v / 10, 0.5])


def test_user_ops_in_drawings_and_explanations() -> None:
    viz = pytest.importorskip("viz")
    x = Value(0.5, "x")
    y = softplus(x * 2)
    y.label = "y"
    y.backward()
    assert "softplus" in viz.draw_dot(y).source
    assert "(y = softplus(" in viz.explain(y)


def test_a_derivative_with_math_asked_for_a_second_derivative_says_how_to_write_it():
    import math as m

    @define_op(lambda x, out: 1 / (1 + m.exp(-x)))
    def softplus_math(x):
        return m.log1p(m.exp(-abs(x))) + max(x, 0.0)

    x = Value(0.5, "x")
    assert grad(softplus_math(x), [x])[0] == pytest.approx(1 / (1 + m.exp(-0.5)), rel=1e-15)  # first order: fine
    with pytest.raises(TypeError) as caught:
        grad(softplus_math(x), [x], create_graph=True)  # the derivative as a graph, for a second one
    message = str(caught.value)
    assert message.startswith("derivative 1 of op 'softplus_math' (d out/dx) cannot be computed on Values")
    assert "instead of math functions" in message and "input 1 is 'x'" in message


def test_a_derivative_returning_a_string_is_named_as_such_under_create_graph_too():
    op = define_op(lambda x, out: "one", name="stringy")(lambda x: 2 * x)
    x = Value(0.5, "x")
    with pytest.raises(TypeError, match="derivative 1 of op 'stringy' .* returned str 'one'") as caught:
        grad(op(x), [x], create_graph=True)
    assert "cannot be computed on Values" not in str(caught.value)
