"""compile(): generated code against the interpreted engine, kinks, parameters, user ops, source, errors."""

from __future__ import annotations

import math
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import DivisionByZeroError, DomainError, TraceMismatchError, Value, compile, define_op, grad, no_grad
from autograd_core.compiler import Guard
from autograd_core.hypothesis_strategies import expressions, points


def assert_close(actual: float, expected: float, what: str = "") -> None:
    """Equal to 1e-12 relative (both the same infinity or nan counts as equal)."""
    if math.isnan(expected):
        assert math.isnan(actual), what
        return
    assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=0.0), f"{what}: {actual!r} != {expected!r}"


def interpreted(f, inputs, params=()):
    """The engine's answer: output and gradients of the inputs, then of ``params``."""
    values = [Value(x) for x in inputs]
    out = f(*values)
    return out.data, grad(out, [*values, *params])


def assert_matches_engine(f, example, calls, params=()):
    """Compile ``f`` on ``example``; at every point of ``calls`` it must give the engine's numbers."""
    fn = compile(f, example, params=list(params) if params else None, accumulate=False)
    for point in calls:
        out, grads = fn(*point)
        expected_out, expected_grads = interpreted(f, point, fn.params)
        assert_close(out, expected_out, f"output at {point}")
        assert len(grads) == len(expected_grads)
        for i, (g, e) in enumerate(zip(grads, expected_grads)):
            assert_close(g, e, f"gradient {i} at {point}")
    return fn


# ------------------------------------------------------ random expressions
# Each step makes a node from earlier nodes (so nodes are reused: fan-out and
# diamonds), through forms that are safe for every real input.
_UNARY = [
    lambda a: a.tanh(),
    lambda a: a.sigmoid(),
    lambda a: a.sin(),
    lambda a: a.cos(),
    lambda a: -a,
    lambda a: a.tanh().exp(),
    lambda a: (a * a + 1).log(),
    lambda a: (a * a + 0.5).sqrt(),
    lambda a: a.relu(),
    lambda a: abs(a),
    lambda a: a**2,
    lambda a: a**3,
    lambda a: 2 - a,
    lambda a: 1.5 ** a.tanh(),
    lambda a: 3 / (a * a + 1),
]
_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1),
    lambda a, b: (a * a + 1) ** b.tanh(),
    lambda a, b: a * 0.5 + b,
]


def random_expression(seed: int, n_inputs: int, steps: int):
    """A seeded random function of ``n_inputs`` Values built in ``steps`` operations."""
    rng = random.Random(seed)
    recipe = []
    for step in range(steps):
        available = n_inputs + step
        if rng.random() < 0.4:
            recipe.append((rng.choice(_UNARY), (rng.randrange(available),)))
        else:
            recipe.append((rng.choice(_BINARY), (rng.randrange(available), rng.randrange(available))))

    def f(*xs):
        nodes = list(xs)
        for op, operands in recipe:
            nodes.append(op(*(nodes[i] for i in operands)))
        return nodes[-1]

    return f


@pytest.mark.parametrize("seed", range(40))
def test_random_expressions_match_the_engine(seed):
    rng = random.Random(1000 + seed)
    n_inputs = rng.randint(1, 4)
    f = random_expression(seed, n_inputs, steps=rng.randint(1, 25))
    example = [rng.uniform(-2, 2) for _ in range(n_inputs)]
    calls = [[rng.uniform(-2, 2) for _ in range(n_inputs)] for _ in range(5)]
    assert_matches_engine(f, example, [example, *calls])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(expressions(n, max_depth=4), points(n), points(n))))
def test_hypothesis_expressions_match_the_engine(case):
    expression, example, point = case
    assert_matches_engine(expression, example, [example, point])


# --------------------------------------------------------- random networks
def make_mlp(sizes, seed, activation="tanh"):
    """An MLP of labelled parameter Values (nn's label convention) and its forward."""
    rng = random.Random(seed)
    layers = []
    for li, (nin, nout) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = []
        for ni in range(nout):
            path = f"layers.{li}.neurons.{ni}"
            w = [Value(rng.uniform(-1, 1), f"{path}.w.{i}") for i in range(nin)]
            layer.append((w, Value(rng.uniform(-0.5, 0.5), f"{path}.b"), path))
        layers.append(layer)

    def forward(*x):
        for li, layer in enumerate(layers):
            outs = []
            for w, b, _path in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                last = li == len(layers) - 1
                outs.append(act if last else getattr(act, activation)())
            x = outs
        return x[0]

    params = [p for layer in layers for w, b, _ in layer for p in (*w, b)]
    return forward, params


@pytest.mark.parametrize("seed", range(8))
def test_random_networks_match_the_engine(seed):
    rng = random.Random(seed)
    sizes = [rng.randint(1, 4)] + [rng.randint(1, 6) for _ in range(rng.randint(1, 3))] + [1]
    activation = rng.choice(["tanh", "relu", "sigmoid"])
    forward, params = make_mlp(sizes, seed, activation)
    example = [rng.uniform(-2, 2) for _ in range(sizes[0])]
    calls = [[rng.uniform(-2, 2) for _ in range(sizes[0])] for _ in range(4)]
    fn = assert_matches_engine(forward, example, [example, *calls], params=params)
    assert fn.params == tuple(params)


def test_a_large_network_matches():
    forward, params = make_mlp([3, 16, 16, 1], seed=3, activation="relu")
    example = [0.5, -1.0, 2.0]
    assert_matches_engine(forward, example, [example, [1.0, 0.25, -0.75]], params=params)


def test_compiled_training_step_equals_backward():
    """Accumulating parameter gradients per example, as backward() does, for a hinge loss."""
    forward, params = make_mlp([2, 4, 1], seed=5, activation="relu")
    data = [([0.3, -0.2], 1.0), ([-1.0, 0.5], -1.0), ([0.8, 0.9], 1.0)]

    def example_loss(x1, x2, y):
        return (1 + -y * forward(x1, x2)).relu() * (1.0 / len(data))

    fn = compile(example_loss, (*data[0][0], data[0][1]))
    for p in params:
        p.grad = 0.0
    total = sum(fn(*x, y)[0] for x, y in data)
    compiled = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    loss = sum(example_loss(*x, y) for x, y in data)
    loss.backward()
    assert_close(total, loss.data, "loss")
    for p, g in zip(params, compiled):
        assert_close(g, p.grad, p.label)


# ------------------------------------------------------------------ kinks
@pytest.mark.parametrize("op", ["relu", "abs"])
@pytest.mark.parametrize("traced_at", [1.5, -1.5])
def test_kinks_stay_exact_on_both_sides(op, traced_at):
    def f(x, w):
        y = x * w
        return (y.relu() if op == "relu" else abs(y)) * x

    fn = assert_matches_engine(f, (traced_at, 2.0), [(x, 2.0) for x in (2.0, 0.5, 0.0, -0.5, -2.0)])
    assert [(k.op.name, k.traced_input) for k in fn.kinks] == [(op, traced_at * 2.0)]


# --------------------------------------------------------- user-defined ops
@define_op(lambda x, y, out: y * math.cos(x * y), lambda x, y, out: x * math.cos(x * y))
def sin_of_product(x, y):
    return math.sin(x * y)


@define_op(lambda x, out: 1.0 / (2.0 * out))
def checked_root(x):
    if x <= 0:
        raise ValueError("checked_root needs x > 0")
    return math.sqrt(x)


def test_user_ops_compile_and_call_their_own_derivatives():
    def f(x, y):
        return sin_of_product(x, y) * checked_root(x * x + 1) + sin_of_product(y, 2.0)

    fn = assert_matches_engine(f, (0.4, 1.3), [(1.0, -2.0), (-0.3, 0.7)])
    assert "sin_of_product(x, y)" in fn.source
    assert "sin_of_product_local_grads(" in fn.source  # the op's own rule, not a copy


@define_op(lambda x, out: x.sigmoid() * (1 + x * (1 - x.sigmoid())))  # Value methods, no math
def swish(x):
    return x / (1.0 + math.exp(-x))


def test_a_user_op_whose_derivative_uses_value_methods_compiles():
    fn = assert_matches_engine(lambda x: swish(x * 2) + swish(x), (0.5,), [(1.5,), (-2.0,)])
    assert "swish_local_grads(" in fn.source


def test_user_op_domain_error_fires_at_call_time():
    fn = compile(lambda x: checked_root(x), (4.0,))
    assert fn(9.0)[0] == 3.0
    with pytest.raises(DomainError, match=r"checked_root\(-1\.0\).*x > 0.*'x'"):
        fn(-1.0)


# --------------------------------------------------------------- parameters
def test_parameter_updates_after_compile_are_seen():
    w, b = Value(0.5, "w"), Value(-0.25, "b")
    fn = compile(lambda x: (w * x + b).tanh(), (1.0,))
    assert fn.params == (w, b)
    w.data, b.data = -1.5, 0.75  # an optimizer step
    out, (dx,) = fn(2.0)
    x = Value(2.0)
    expected = (w * x + b).tanh()
    assert_close(out, expected.data)
    w.grad = b.grad = 0.0
    expected.backward()
    assert_close(dx, x.grad)


def test_parameter_gradients_accumulate_like_backward():
    w = Value(3.0, "w")
    fn = compile(lambda x: w * x * x, (2.0,))
    fn(2.0)
    assert w.grad == 4.0
    fn(1.0)
    assert w.grad == 5.0  # accumulated, as backward() does for leaves


def test_accumulate_false_returns_parameter_gradients_and_leaves_grad_alone():
    w, b = Value(3.0, "w"), Value(1.0, "b")
    fn = compile(lambda x: w * x + b, (2.0,), params=[b, w], accumulate=False)
    out, grads = fn(2.0)
    assert (out, grads) == (7.0, (3.0, 1.0, 2.0))  # d/dx, then d/db, d/dw in params order
    assert w.grad == 0.0 and b.grad == 0.0


def test_params_must_cover_every_reached_parameter():
    w, b = Value(3.0, "w"), Value(1.0, "b")
    with pytest.raises(TraceMismatchError, match="not in params"):
        compile(lambda x: w * x + b, (2.0,), params=[w])
    with pytest.raises(TypeError, match=r"params\[0\] must be a Value"):
        compile(lambda x: w * x + b, (2.0,), params=[3.0])
    with pytest.raises(ValueError, match=r"params lists Value\(data=3\.0.*twice"):
        compile(lambda x: w * x + b, (2.0,), params=[w, b, w])


def test_an_unreached_parameter_and_input_get_zero():
    w, unused = Value(3.0, "w"), Value(1.0, "unused")
    fn = compile(lambda x, y: w * x, (2.0, 5.0), params=[w, unused], accumulate=False)
    assert fn(2.0, 5.0) == (6.0, (3.0, 0.0, 2.0, 0.0))


# ---------------------------------------------------------------- the source
def test_source_of_a_neuron_is_one_line_per_node_and_upstream_times_local():
    def neuron(w, x, b):
        return (w * x + b).tanh()

    fn = compile(neuron, (0.5, 2.0, -1.0))
    lines = [line.strip() for line in fn.source.splitlines()]
    assert lines[0] == "def neuron(w, x, b):"
    forward = [line for line in lines if re.fullmatch(r"\w+ = .*", line) and not line.startswith("g_")]
    # the names explain and the player give: labels, else v1, v2, ... (the output too)
    assert forward == ["v1 = w * x", "v2 = v1 + b", "v3 = tanh(v2)"]
    backward = [line for line in lines if re.fullmatch(r"g_\w+ \+?= g_\w+( \* .*)?", line)]
    # one line per edge, in the engine's backward order, each upstream * local (a local 1 is left out)
    assert backward == [
        "g_v2 = g_v3 * (1.0 - v3 * v3)",
        "g_v1 = g_v2",
        "g_b = g_v2",
        "g_w = g_v1 * x",
        "g_x = g_v1 * w",
    ]
    assert lines[-1] == "return v3, (g_w, g_x, g_b)"
    # and the numbers are the engine's
    assert_matches_engine(neuron, (0.5, 2.0, -1.0), [(0.3, 1.5, 0.1)])


def test_fan_out_is_written_as_accumulation():
    fn = compile(lambda x: x * x + x, (3.0,))
    lines = [line.strip() for line in fn.source.splitlines() if line.strip().startswith("g_x")]
    assert lines[0].startswith("g_x = ") and all(line.startswith("g_x += ") for line in lines[1:])
    assert len(lines) == 3
    assert fn(3.0) == (12.0, (7.0,))


def test_constants_are_folded_into_literals():
    def f(x):
        c = Value(2.0) * 3  # made inside f from constants only
        return x * c + (-1.5)

    fn = compile(f, (1.0,))
    assert "x * 6.0" in fn.source and "(-1.5)" in fn.source
    assert fn.params == ()
    assert fn(2.0) == (10.5, (6.0,))


@pytest.mark.parametrize(
    "label, name",
    [
        ("layers.0.neurons.3.w.1", "layers_0_neurons_3_w_1"),
        ("lambda", "lambda_"),
        ("0th", "_0th"),
        ("tanh", "tanh"),  # the user's name stays; the function tanh is called by gives way
        ("params", "params_1"),  # one of the generated code's fixed names
    ],
)
def test_labels_become_identifiers(label, name):
    w = Value(0.5, label)
    fn = compile(lambda x: (w * x).tanh(), (1.0,))
    assert f"    {name} = params[0].data" in fn.source
    assert_close(fn(2.0)[0], math.tanh(1.0))


def test_repeated_labels_get_numbered():
    def f(x):
        s = x * 2
        s.label = "total"
        t = s + x
        t.label = "total"
        return t * t

    fn = compile(f, (1.0,))
    assert "total = x * 2.0" in fn.source and "total_2 = total + x" in fn.source  # total#2, as explain names it
    assert_close(fn(1.0)[0], 9.0)


@pytest.mark.parametrize(
    "f, expected",
    [
        (lambda x: x, (2.0, (1.0,))),  # the output is an input
        (lambda x: Value(3.0), (3.0, (0.0,))),  # the output is a constant
        (lambda x, y: x * 4, (8.0, (4.0, 0.0))),  # an input the output does not use
    ],
)
def test_degenerate_graphs(f, expected):
    example = (2.0,) * len(expected[1])
    assert compile(f, example)(*example) == expected


def test_a_function_of_parameters_only():
    w = Value(3.0, "w")
    fn = compile(lambda: 1e-4 * w * w, ())
    out, grads = fn()
    compiled = w.grad
    w.grad = 0.0
    loss = 1e-4 * w * w
    loss.backward()
    assert grads == () and out == loss.data and compiled == w.grad


def test_compiling_inside_no_grad_still_traces():
    with no_grad():
        fn = compile(lambda x: x * x, (3.0,))
    assert fn(3.0) == (9.0, (6.0,))


# ------------------------------------------------------------ control flow
def branchy(x):
    return x * 2 if x.data > 0 else x * x


def test_a_comparison_on_an_input_is_a_guard():
    fn = compile(branchy, (1.0,))
    assert fn.guards == (Guard(0, ">", 0.0, None, True),)
    assert "# traced where x > 0.0 was True" in fn.source
    assert fn(5.0) == (10.0, (2.0,))
    with pytest.raises(TraceMismatchError, match=r"another graph.*x > 0\.0 was True, not on these inputs"):
        fn(-3.0)


def test_a_guard_that_changes_nothing_in_the_graph_lets_the_call_through():
    fn = compile(lambda x, y: x * y if x.data < y.data else x * y, (1.0, 2.0))
    assert fn.guards == (Guard(0, "<", 0.0, 1, True),)
    assert fn(3.0, 2.0) == (6.0, (2.0, 3.0))  # traced again: the same graph


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x.log() + (x * 2).relu() + x.relu() + x.sigmoid() + x**2 + 1 / x + abs(x),
        lambda x: x.sqrt() + x.exp(),
    ],
)
def test_the_ops_own_domain_checks_are_not_guards(f):
    assert compile(f, (1.5,)).guards == ()


@pytest.mark.parametrize(
    "f, traced, other, baked",
    [
        (lambda x: x * x.data, 2.0, 3.0, 6.0),  # a number taken out of a Value: x * 2.0
        (lambda x: x + no_grad()(lambda: x * 3)(), 1.0, 2.0, 5.0),  # a no_grad result: x + 3.0
        (lambda x: x * 2 if x.data * 2 > 1 else x * 3, 1.0, 0.25, 0.5),  # a number made from x compared
    ],
)
def test_what_guards_cannot_see_is_baked_and_check_finds_it(f, traced, other, baked):
    assert compile(f, (traced,)).guards == ()
    assert compile(f, (traced,))(other)[0] == baked  # the traced graph, evaluated at `other`
    fn = compile(f, (traced,), check=True)
    fn(traced)  # the traced inputs pass
    with pytest.raises(TraceMismatchError, match="another graph"):
        fn(other)


def test_check_passes_when_the_path_is_the_same():
    fn = compile(branchy, (1.0,), check=True)
    assert fn(5.0) == (10.0, (2.0,))


def test_a_random_function_cannot_be_compiled():
    rng = random.Random(0)
    with pytest.raises(TraceMismatchError, match="two different graphs"):
        compile(lambda x: x * rng.random(), (1.0,))


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "result, message",
    [
        (lambda x: x.data * 2, r"must return a Value, got float 4\.0; build the result"),
        (lambda x: (x, x), r"must return a Value, got tuple.*one scalar output"),
        (lambda x: None, r"must return a Value, got NoneType None"),
    ],
)
def test_f_must_return_a_value(result, message):
    with pytest.raises(TypeError, match=message):
        compile(result, (2.0,))


@pytest.mark.parametrize(
    "example, message",
    [
        (2.0, r"example_inputs must be a sequence of numbers.*got float 2\.0"),
        ("12", r"example_inputs must be a sequence"),
        ((Value(2.0),), r"example input 0 must be a real number, got Value.*pass its \.data"),
        ((1.0, "x"), r"example input 1 must be a real number, got str 'x'"),
    ],
)
def test_bad_example_inputs(example, message):
    with pytest.raises(TypeError, match=message):
        compile(lambda x, y=1.0: x * y, example)


@pytest.mark.parametrize(
    "args, message",
    [
        ((1.0,), r"compiled neuron\(\) takes 2 input\(s\) \(w, x\), got 1"),
        ((1.0, 2.0, 3.0), r"takes 2 input\(s\) \(w, x\), got 3"),
        ((1.0, "2"), r"input 'x' must be a real number, got str '2'"),
        ((Value(1.0), 2.0), r"input 'w' must be a real number, got Value.*pass its \.data"),
    ],
)
def test_bad_call_arguments(args, message):
    def neuron(w, x):
        return (w * x).tanh()

    with pytest.raises(TypeError, match=message):
        compile(neuron, (1.0, 2.0))(*args)


def test_ints_and_bools_are_accepted_as_numbers():
    fn = compile(lambda x, y: x * y, (1, 2))
    assert fn(3, True) == (3.0, (1.0, 3.0))


@pytest.mark.parametrize(
    "f, example, bad, error, message",
    [
        (lambda x: x.log(), 1.0, -1.0, DomainError, r"log\(-1\.0\): log is defined only for x > 0.*'x'"),
        (lambda x: (x * 2).sqrt(), 1.0, -1.0, DomainError, r"sqrt\(-2\.0\).*'v1' \(data=-2\.0\)"),
        (lambda x: 1 / x, 1.0, 0.0, DivisionByZeroError, r"1\.0 / 0\.0: division by zero.*'x' \(data=0\.0\)"),
        (lambda x: x**-1, 1.0, 0.0, DivisionByZeroError, r"0\.0 \*\* \(-1\.0\): zero cannot be raised"),
        (lambda x: x.exp(), 1.0, 1000.0, OverflowError, r"exp\(1000\.0\).*too large"),
    ],
)
def test_domain_errors_fire_at_call_time_naming_the_op(f, example, bad, error, message):
    fn = compile(f, (example,))
    with pytest.raises(error, match=message) as info:
        fn(bad)
    assert "line" in str(info.value) and "of compiled f" in str(info.value)  # and the generated line


def test_division_by_zero_is_also_a_zero_division_error():
    with pytest.raises(ZeroDivisionError):
        compile(lambda x, y: x / y, (1.0, 2.0))(1.0, 0.0)


def test_an_error_in_a_user_derivative_names_the_op():
    @define_op(lambda x, out: 1.0 / x)
    def shaky(x):
        return x

    fn = compile(lambda x: shaky(x) * 2, (1.0,))
    with pytest.raises(ZeroDivisionError, match=r"the derivative of op 'shaky' failed at \(0\.0\)"):
        fn(0.0)


def test_repr_and_graph_size():
    fn = compile(lambda x, y: (x * y).relu(), (1.0, 2.0))
    assert repr(fn) == "<CompiledFunction f(x, y): 4 nodes, 0 parameters>"


# ------------------------------------------------------------ free-text labels
def _labelled(labels):
    """f(x, y) whose interior nodes and parameter carry ``labels`` (cycled), using tanh, log and a sum."""
    w = Value(0.75, labels[0])

    def f(x, y):
        nodes = [x * w, (x * y).tanh(), (y * y + 1).log(), Value.sum([x, y, w])]
        for node, label in zip(nodes, labels[1:] * 4):
            node.label = label
        return nodes[0] * nodes[1] + nodes[2] * nodes[3] + x

    return f, w


# Python reads identifiers NFKC-normalised: each pair below is ONE name to it.
@pytest.mark.parametrize(
    "labels",
    [
        ["𝑥", "𝑥", "𝑦"],  # U+1D465 is x: a node named so would overwrite the input x
        ["µ", "μ", "µ"],  # micro sign and Greek mu
        ["ﬁ", "fi", "ﬁ"],  # the ligature and f, i
        ["𝐭𝐚𝐧𝐡", "𝐥𝐨𝐠", "tanh"],  # would shadow the functions tanh and log are called by
        ["params", "g_x", "mm_X0", "out", "v0", "local_grads_", "True", "x.y", "", "1"],  # the code's own names
    ],
    ids=["math-italic-x", "micro-mu", "fi-ligature", "bold-tanh", "code-names"],
)
def test_unicode_and_code_names_as_labels_change_nothing(labels):
    f, w = _labelled(labels)
    fn = assert_matches_engine(f, (0.5, -0.25), [(1.5, 0.75), (-0.3, 2.0)], params=[w])
    names = list(re.findall(r"^\s+(\w+) = ", fn.source, flags=re.M))
    assert len(names) == len(set(names))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=6), min_size=5, max_size=5))
def test_hypothesis_any_label_text_changes_nothing(labels):
    f, w = _labelled(labels)
    plain, _ = _labelled(["", "", "", "", ""])
    fn = compile(f, (0.5, -0.25), params=[w], accumulate=False)
    out, grads = fn(1.25, 0.5)
    expected_out, expected_grads = interpreted(f, (1.25, 0.5), [w])
    assert_close(out, expected_out)
    for g, e in zip(grads, expected_grads):
        assert_close(g, e)


# ------------------------------------------------------------- big graphs
@pytest.fixture
def blocked(monkeypatch):
    """Every graph written in the blocked layout (lists of values, block functions), as big graphs are."""
    import autograd_core.compiler.codegen as codegen

    monkeypatch.setattr(codegen, "INLINE_LIMIT", 0)
    monkeypatch.setattr(codegen, "BLOCK_LINES", 7)


@pytest.mark.parametrize("seed", range(12))
def test_blocked_layout_matches_the_engine(blocked, seed):
    rng = random.Random(2000 + seed)
    n_inputs = rng.randint(1, 4)
    f = random_expression(seed, n_inputs, steps=rng.randint(1, 25))
    example = [rng.uniform(-2, 2) for _ in range(n_inputs)]
    fn = assert_matches_engine(f, example, [example, [rng.uniform(-2, 2) for _ in range(n_inputs)]])
    assert "for block in BLOCKS" in fn.source


def test_blocked_layout_with_parameters_user_ops_and_long_sums(blocked):
    forward, params = make_mlp([3, 5, 1], seed=4, activation="relu")
    ws = [Value(0.1 * i, f"w{i}") for i in range(20)]

    def f(x, y, z):
        return forward(x, y, z) * sin_of_product(x, y) + Value.sum([*ws, x * z, *ws[:3]]) * swish(z)

    fn = assert_matches_engine(f, (0.5, -1.0, 2.0), [(1.0, 0.25, -0.75)], params=[*params, *ws])
    assert "*P[" in fn.source and "for i in range(" in fn.source  # the run of parameters: one slice, one loop


def test_blocked_layout_errors_name_the_op_and_the_line(blocked):
    fn = compile(lambda x, y: (x * 2 + y).sqrt() * y, (1.0, 1.0))
    with pytest.raises(DomainError, match=r"sqrt\(-1\.0\).*\(line \d+ of compiled f: v\[\d+\] = sqrt"):
        fn(-1.0, 1.0)


# ----------------------------------------------------------------- batches
def _batch_case(seed):
    forward, params = make_mlp([2, 4, 3, 1], seed=seed, activation="relu")
    rng = random.Random(seed)

    def loss(x1, x2, y):
        return (1 + -y * forward(x1, x2)).relu() + abs(forward(x2, x1)) * 0.5

    rows = [(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.choice([-1.0, 1.0])) for _ in range(9)]
    rows.append((0.0, 0.0, 1.0))  # relu and abs exactly at their kinks
    return loss, params, rows


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("layout", ["inline", "blocked"])
def test_batches_give_the_calls_numbers(seed, layout, request):
    if layout == "blocked":
        request.getfixturevalue("blocked")
    loss, params, rows = _batch_case(seed)
    fn = compile(loss, rows[0], params=params, accumulate=False)
    calls = [fn(*row) for row in rows]
    summed = [math.fsum(call[1][3 + i] for call in calls) for i in range(len(params))]
    by_rows = fn.batch(rows)
    by_arrays = fn.batch_arrays(rows)
    for result in (by_rows, by_arrays):
        for i, (out, grads) in enumerate(calls):
            assert_close(float(result.outputs[i]), out, f"output {i}")
            for j in range(3):
                assert_close(float(result.input_grads[i][j]), grads[j], f"input gradient {i}, {j}")
        for p, got, expected in zip(params, result.param_grads, summed):
            assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-15), p.label


def test_batches_accumulate_parameter_gradients_like_backward():
    loss, params, rows = _batch_case(7)
    fn = compile(loss, rows[0], params=params)
    for run in (fn.batch, fn.batch_arrays):
        for p in params:
            p.grad = 0.0
        run(rows)
        got = [p.grad for p in params]
        for p in params:
            p.grad = 0.0
        total = Value.sum([loss(*row) for row in rows])
        total.backward()
        for p, g in zip(params, got):
            assert math.isclose(g, p.grad, rel_tol=1e-12, abs_tol=1e-15), p.label


@pytest.mark.parametrize("run", ["batch", "batch_arrays"])
@pytest.mark.parametrize(
    "f, rows, error, message",
    [
        (
            lambda x: (x * 2).log(),
            [(1.0,), (2.0,), (-1.0,), (-2.0,)],
            DomainError,
            r"log\(-2\.0\): log is defined only for x > 0; input 1 is 'v1' \(data=-2\.0\) \(example 2; line \d+",
        ),
        (lambda x: 1 / x, [(1.0,), (0.0,)], DivisionByZeroError, r"1\.0 / 0\.0: division by zero.*\(example 1; line"),
        (lambda x: x.exp(), [(1.0,), (1000.0,)], OverflowError, r"exp\(1000\.0\).*too large.*\(example 1; line"),
        (lambda x: checked_root(x), [(4.0,), (-1.0,)], DomainError, r"checked_root\(-1\.0\).*\(example 1; line"),
    ],
)
def test_batch_errors_name_the_op_and_the_example(run, f, rows, error, message):
    fn = compile(f, rows[0])
    with pytest.raises(error, match=message):
        getattr(fn, run)(rows)


def test_batch_guards_are_checked_per_example():
    fn = compile(branchy, (1.0,))
    assert fn.batch([(2.0,), (3.0,)]).outputs == [4.0, 6.0]
    for run in (fn.batch, fn.batch_arrays):
        with pytest.raises(TraceMismatchError, match=r"x > 0\.0 was True, not on these inputs"):
            run([(2.0,), (-3.0,)])


def test_aux_outputs_are_returned_and_not_differentiated():
    w = Value(2.0, "w")

    def f(x):
        score = w * x
        return (score - 1.0) ** 2, [score, score.tanh()]

    fn = compile(f, (1.0,), has_aux=True, accumulate=False)
    out, grads, aux = fn(3.0)
    assert (out, grads, aux) == (25.0, (20.0, 30.0), (6.0, math.tanh(6.0)))
    assert fn.batch([(3.0,), (0.5,)]).aux == [(6.0, math.tanh(6.0)), (1.0, math.tanh(1.0))]
    assert fn.batch_arrays([[3.0], [0.5]]).aux.tolist() == [[6.0, math.tanh(6.0)], [1.0, math.tanh(1.0)]]


def _value_sum_network(seed):
    """Neurons written as nn writes them: Value.sum of the products and the bias; plus sums that are no layer."""
    rng = random.Random(seed)
    w1 = [[Value(rng.uniform(-1, 1), f"w1.{i}.{j}") for j in range(3)] for i in range(4)]
    b1 = [Value(rng.uniform(-0.5, 0.5), f"b1.{i}") for i in range(4)]
    w2 = [Value(rng.uniform(-1, 1), f"w2.{j}") for j in range(4)]

    def f(x, y, z):
        hidden = [Value.sum([w * v for w, v in zip(row, (x, y, z))] + [b]).tanh() for row, b in zip(w1, b1)]
        score = Value.sum([w * h for w, h in zip(w2, hidden)])  # no bias: a layer of one neuron, the output's
        odd = Value.sum([x * y, w2[0] * 2.0, hidden[0]])  # products of two batch variables: not a layer
        return score * z + odd

    return f, [p for row in w1 for p in row] + b1 + w2


@pytest.mark.parametrize("network", ["Value.sum", "python sum"])
def test_a_layer_over_arrays_is_one_matrix_product(network):
    if network == "Value.sum":
        f, params = _value_sum_network(3)
        rows = [(0.5, -1.0, 2.0), (1.5, 0.25, -0.75), (0.0, 0.0, 0.0), (-2.0, 1.0, 0.5)]
    else:
        f, params, rows = _batch_case(5)
    fn = compile(f, rows[0], params=params, accumulate=False)
    result = fn.batch_arrays(rows)
    assert "layer_sums(mm_W0, mm_X0" in fn._arrays_program.source
    for i, row in enumerate(rows):
        out, grads = fn(*row)
        assert math.isclose(result.outputs[i], out, rel_tol=1e-12, abs_tol=1e-14)
        for j in range(len(row)):
            assert math.isclose(result.input_grads[i][j], grads[j], rel_tol=1e-12, abs_tol=1e-14)
    summed = [math.fsum(fn(*row)[1][len(rows[0]) + k] for row in rows) for k in range(len(params))]
    for got, expected in zip(result.param_grads, summed):
        assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-14)


@pytest.mark.parametrize("x", [-2.0, -0.0, 0.0, 3.0, math.inf, -math.inf, math.nan])
def test_arrays_keep_the_float_semantics_at_kinks_and_special_values(x):
    """relu, abs and their derivatives over arrays: the same numbers, signs of zero and nan as on floats."""

    def f(x, y):
        return (x * y).relu() + abs(x) * y + (x - y).relu() * 2.0

    fn = compile(f, (1.0, 1.0))
    rows = [(x, 1.0), (x, -1.0), (1.0, x)]
    result = fn.batch_arrays(rows)
    for i, row in enumerate(rows):
        out, grads = fn(*row)
        for got, expected in zip([result.outputs[i], *result.input_grads[i]], [out, *grads]):
            assert repr(float(got)) == repr(expected), row


def test_batch_results_are_python_floats():
    loss, params, rows = _batch_case(1)
    fn = compile(loss, rows[0], params=params)
    for run in (fn.batch, fn.batch_arrays):
        result = run(rows)
        assert all(type(g) is float for g in result.param_grads)
        assert all(type(p.grad) is float for p in params)


def test_blocked_layout_writes_a_python_sum_of_parameters_as_loops(blocked):
    ws = [Value(0.01 * i - 0.1, f"w{i}") for i in range(30)]

    def f(x):
        return sum(ws) * x + sum(w * x for w in ws[::-1])

    fn = assert_matches_engine(f, (0.5,), [(1.5,), (-2.0,)], params=ws)
    assert "for i in range(29, -1, -1): G[i] += " in fn.source
