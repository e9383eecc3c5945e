"""no_grad / enable_grad as blocks and decorators, and detect_anomaly: modes that nest, per thread."""

from __future__ import annotations

import asyncio
import math
import threading

import pytest

from autograd_core import NonFiniteError, Value, detect_anomaly, enable_grad, no_grad
from autograd_core.modes import is_grad_enabled


def recorded(v: Value) -> bool:
    return bool(v.parents)


# ----------------------------------------------------------------- nesting
def test_one_instance_entered_twice_restores_each_level():
    block = no_grad()
    x = Value(2.0)
    with block:
        with block:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
        assert not recorded(x * x)
    assert is_grad_enabled()
    assert recorded(x * x)


def test_enable_grad_inside_no_grad_inside_enable_grad():
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            assert recorded(x + 1)
            with no_grad():
                assert not recorded(x + 1)
            assert recorded(x + 1)
        assert not recorded(x + 1)
    assert recorded(x + 1)


def test_an_instance_used_by_two_threads_at_once():
    block, ready, results = no_grad(), threading.Barrier(2), []

    def worker():
        with block:
            ready.wait()
            results.append(is_grad_enabled())
        results.append(is_grad_enabled())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True, True]
    assert is_grad_enabled()


# --------------------------------------------------------------- decorators
def test_a_decorated_generator_records_nothing_inside_and_leaves_the_caller_alone():
    @no_grad()
    def doubles(values):
        for v in values:
            yield v * 2

    x = Value(1.5)
    seen = []
    for out in doubles([x, x]):
        seen.append((recorded(out), is_grad_enabled()))  # the caller runs with recording on
    assert seen == [(False, True), (False, True)]
    assert is_grad_enabled()


def test_a_decorated_generator_gets_sent_values_thrown_errors_and_returns():
    @no_grad()
    def accumulate():
        total = Value(0.0)
        try:
            while True:
                sent = yield total
                total = total + sent
        except KeyError:
            yield "caught"
        return "done"

    gen = accumulate()
    next(gen)
    out = gen.send(Value(2.0))
    assert out.data == 2.0 and not recorded(out)
    assert gen.throw(KeyError("k")) == "caught"
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done"
    assert is_grad_enabled()


def test_enable_grad_decorates_a_generator_inside_no_grad():
    @enable_grad()
    def squares(x):
        yield x * x

    with no_grad():
        (out,) = list(squares(Value(3.0)))
        assert recorded(out) and not is_grad_enabled()


@pytest.mark.parametrize("block", [no_grad, enable_grad, detect_anomaly])
def test_coroutines_are_refused_at_decoration_time(block):
    with pytest.raises(TypeError, match="cannot decorate the coroutine .*leak into other tasks"):

        @block()
        async def step():
            return Value(1.0) * 2

    with pytest.raises(TypeError, match="cannot decorate the coroutine"):

        @block()
        async def stream():
            yield Value(1.0)


def test_no_grad_is_per_thread_not_per_task_as_documented():
    # The mode is per thread (as PyTorch's): two tasks of one event loop share it.
    seen = []

    async def inside():
        with no_grad():
            await asyncio.sleep(0)
            await asyncio.sleep(0)

    async def other():
        await asyncio.sleep(0)
        seen.append(is_grad_enabled())

    async def main():
        await asyncio.gather(inside(), other())

    asyncio.run(main())
    assert seen == [False]  # the other task saw the block: use no_grad only around code without awaits


# ------------------------------------------------------------ detect_anomaly
# (what, build(detect) -> None, the error's message parts)
def _divide_by_tiny():
    one, tiny = Value(1.0, "one"), Value(1e-320, "tiny")
    return one / tiny


def _zero_times_infinity():
    y, big = Value(0.0, "y"), Value(math.inf, "big")
    return y * big


ANOMALIES = [
    (
        "the first infinity, from finite inputs",
        _divide_by_tiny,
        ["1.0 / 1e-320 = inf", "first infinity", "'one' (data=1.0)", "'tiny' (data=1e-320)", "test_grad_mode.py"],
    ),
    (
        "the first nan, 0 * inf",
        _zero_times_infinity,
        ["0.0 * inf = nan", "first nan", "'y' (data=0.0)", "'big' (data=inf)", "test_grad_mode.py"],
    ),
]


@pytest.mark.parametrize("build, parts", [pytest.param(b, p, id=w) for w, b, p in ANOMALIES])
def test_detect_anomaly_names_the_op_the_inputs_and_the_line(build, parts):
    assert not math.isfinite(build().data)  # outside the block: no check, the number just goes bad
    with pytest.raises(NonFiniteError) as caught:
        with detect_anomaly():
            build()
    for part in parts:
        assert part in str(caught.value)
    assert "return one / tiny" in str(caught.value) or "return y * big" in str(caught.value)  # the source line
    assert is_grad_enabled()


def test_detect_anomaly_does_not_stop_at_values_already_bad():
    with detect_anomaly():
        big = Value(math.inf, "big")
        out = big + 1.0  # inf from an inf: not the first one
        assert out.data == math.inf


def test_a_log_of_a_value_driven_negative_is_a_domain_error_with_or_without_it():
    from autograd_core import DomainError

    w = Value(0.5, "w")
    for _ in range(3):
        w.data -= 0.3  # an update that overshoots
    with (
        detect_anomaly(),
        pytest.raises(DomainError, match=r"log\(-0\.(4|39)\d*\): log is defined only for x > 0; input 1 is 'w'"),
    ):
        w.log()


def test_detect_anomaly_in_backward_names_the_node_and_where_it_was_built():
    with detect_anomaly():
        a = Value(0.0, "a")
        s = a.sqrt()
        s.label = "s"
        out = s * 2.0
        with pytest.raises(NonFiniteError) as caught:
            out.backward()
    message = str(caught.value)
    assert "gradient of 'a' (data=0.0) became inf" in message
    assert "node 's'" in message and "op 'sqrt'" in message and "local derivative inf" in message
    assert "s = a.sqrt()" in message


@pytest.mark.parametrize("create_graph", [False, True])
def test_detect_anomaly_checks_grad_with_and_without_create_graph(create_graph):
    from autograd_core import grad

    with detect_anomaly():
        a = Value(0.0, "a")
        s = a.sqrt()
        s.label = "s"
        with pytest.raises(NonFiniteError) as caught:
            grad(s * 2.0, [a], create_graph=create_graph)
    message = str(caught.value)
    assert "in grad(), the gradient of 'a' (data=0.0) became inf" in message
    assert "node 's'" in message and "op 'sqrt'" in message and "local derivative inf" in message
    assert "s = a.sqrt()" in message
    (g,) = grad(a.sqrt(), [a], create_graph=create_graph)  # outside the block: no check
    assert getattr(g, "data", g) == math.inf


def test_backward_outside_the_block_does_not_check():
    a = Value(0.0, "a")
    s = a.sqrt()
    s.backward()
    assert a.grad == math.inf


def test_nodes_built_inside_are_let_go_after_the_block():
    from autograd_core.anomaly import built_at

    with detect_anomaly():
        x = Value(1.0) * 2
        assert built_at(x).endswith("x = Value(1.0) * 2")
    assert built_at(x) == ""


def test_training_inside_detect_anomaly_keeps_no_graph_alive_between_steps():
    """Each step's nodes are let go once its backward pass has checked them (they were kept until the block ended)."""
    from autograd_core.anomaly import remembered_nodes
    from nn import MLP, SGD, hinge_loss

    model = MLP(2, [4, 1], activation="tanh", seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    with detect_anomaly():
        for _ in range(3):
            loss = hinge_loss([model([1.0, -1.0])], [1.0])
            assert remembered_nodes() > 10  # the step's nodes, with the lines that built them
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            assert remembered_nodes() == 0


def test_detect_anomaly_checks_ops_inside_no_grad_too():
    with detect_anomaly(), no_grad():
        assert not recorded(Value(1.0) * 2)  # no_grad still holds
        with pytest.raises(NonFiniteError, match=r"1\.0 / 1e-320 = inf"):
            Value(1.0) / Value(1e-320)  # an evaluation pass is checked as well
    assert is_grad_enabled()
