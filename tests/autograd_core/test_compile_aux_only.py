"""compile(..., has_aux=True) where an input or parameter is read only by the aux outputs, or the output is
constant: its gradient is 0 (as ``grad`` gives), in a call, ``batch`` and ``batch_arrays``, inline and in blocks."""

from __future__ import annotations

import random

import pytest

from autograd_core import Value, compile, grad
from autograd_core.compiler import codegen


def reference(f, point, params=()):
    """The interpreter's output, input gradients, parameter gradients and aux numbers."""
    leaves = [Value(x) for x in point]
    out, aux = f(*leaves)
    aux = [aux] if isinstance(aux, Value) else list(aux)
    grads = (
        grad(out, [*leaves, *params])
        if out.parents or out in leaves or out in params
        else [0.0] * (len(leaves) + len(params))
    )
    return out.data, list(grads[: len(leaves)]), list(grads[len(leaves) :]), [a.data for a in aux]


def cases():
    w, v = Value(1.5, "w"), Value(-2.0, "v")
    return [
        ("y only in aux", lambda x, y: (x * 3.0, [y * 2.0]), [1.0, 2.0], []),
        ("constant output", lambda x: (Value(3.0) * 1.0, [x * 2.0]), [1.0], []),
        ("parameter only in aux", lambda x: (x * w, [x * v + v]), [2.0], [w, v]),
        ("output a plain leaf", lambda x, y: (Value(4.0), (y.tanh(),)), [0.5, 0.25], []),
    ]


@pytest.mark.parametrize("name, f, point, params", cases(), ids=[c[0] for c in cases()])
@pytest.mark.parametrize("inline_limit", [codegen.INLINE_LIMIT, 0], ids=["inline", "blocked"])
def test_an_input_read_only_by_aux_has_gradient_zero(monkeypatch, name, f, point, params, inline_limit):
    monkeypatch.setattr(codegen, "INLINE_LIMIT", inline_limit)
    out, input_grads, param_grads, aux = reference(f, point, params)
    fn = compile(f, point, params=params or None, accumulate=False, has_aux=True)
    called = fn(*point)
    assert called[0] == out and list(called[1]) == input_grads + param_grads and list(called[2]) == aux
    rows = fn.batch([point, point])
    assert rows.outputs == [out, out] and [list(g) for g in rows.input_grads] == [input_grads] * 2
    assert list(rows.param_grads) == [2 * g for g in param_grads]
    arrays = fn.batch_arrays([point, point])
    assert arrays.outputs.tolist() == [out, out] and arrays.input_grads.tolist() == [input_grads] * 2
    assert list(arrays.param_grads) == [2 * g for g in param_grads]
    assert arrays.aux.tolist() == [aux] * 2


def test_accumulating_a_parameter_read_only_by_aux_adds_nothing():
    w, v = Value(1.5, "w"), Value(-2.0, "v")
    fn = compile(lambda x: (x * w, [x * v]), [2.0], params=[w, v], has_aux=True)
    fn(2.0)
    fn.batch([(1.0,), (3.0,)])
    assert (w.grad, v.grad) == (2.0 + 4.0, 0.0)


def random_program(seed: int):
    """A random has_aux program over 1-3 inputs and 0-2 parameters: output and aux picked from its nodes."""
    rng = random.Random(seed)
    point = [rng.uniform(-1, 1) for _ in range(rng.randint(1, 3))]
    params = [Value(rng.uniform(-1, 1), f"p{i}") for i in range(rng.randint(0, 2))]
    shape = rng.random()

    def f(*inputs):
        pick = random.Random(shape)  # the same program at every call
        pool = [*inputs, *params, Value(pick.uniform(-1, 1))]
        for _ in range(pick.randint(0, 5)):
            a, b = pick.choice(pool), pick.choice(pool)
            op = pick.choice([lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x.tanh(), lambda x, y: y * 2.0])
            pool.append(op(a, b))
        return pick.choice([*pool, Value(1.0)]), [pick.choice(pool) for _ in range(pick.randint(1, 2))]

    return f, point, params


@pytest.mark.parametrize("inline_limit", [codegen.INLINE_LIMIT, 0], ids=["inline", "blocked"])
def test_random_has_aux_programs_agree_with_the_interpreter(monkeypatch, inline_limit):
    monkeypatch.setattr(codegen, "INLINE_LIMIT", inline_limit)
    for seed in range(150):
        f, point, params = random_program(seed)
        out, input_grads, param_grads, aux = reference(f, point, params)
        fn = compile(f, point, params=params, accumulate=False, has_aux=True)
        called = fn(*point)
        assert called[0] == pytest.approx(out) and list(called[2]) == aux, seed
        assert list(called[1]) == pytest.approx(input_grads + param_grads, abs=1e-12), seed
        assert list(fn.batch([point]).input_grads[0]) == pytest.approx(input_grads, abs=1e-12), seed
        assert fn.batch_arrays([point]).input_grads[0].tolist() == pytest.approx(input_grads, abs=1e-12), seed
