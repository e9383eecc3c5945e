"""SGD and Adam: first steps against hand-computed numbers, many steps against torch.optim, argument checks."""

from __future__ import annotations

import math

import pytest

from autograd_core import Value
from nn import SGD, Adam


def _steps(optimizer, p: Value, grads: list[float]) -> list[float]:
    """Apply ``grads`` one step at a time; the parameter's value after each step."""
    seen = []
    for g in grads:
        optimizer.zero_grad()
        p.grad = g
        optimizer.step()
        seen.append(p.data)
    return seen


# p starts at 1.0; gradients 0.5 then 0.5 (SGD) or 0.5 then 0.25 (Adam).
HAND_CASES = [
    # p - lr * g = 1 - 0.1 * 0.5; then 0.95 - 0.05
    ("sgd", lambda ps: SGD(ps, lr=0.1), [0.5, 0.5], [0.95, 0.9]),
    # g = 0.5 + 0.1 * 1 = 0.6, buf = 0.6, p = 1 - 0.06 = 0.94;
    # g = 0.5 + 0.1 * 0.94 = 0.594, buf = 0.9 * 0.6 + 0.594 = 1.134, p = 0.94 - 0.1134 = 0.8266
    ("sgd momentum + decay", lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1), [0.5, 0.5], [0.94, 0.8266]),
    # buf = 0.5, step = g + 0.9 * buf = 0.95, p = 1 - 0.095 = 0.905;
    # buf = 0.9 * 0.5 + 0.5 = 0.95, step = 0.5 + 0.855 = 1.355, p = 0.905 - 0.1355 = 0.7695
    ("sgd nesterov", lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True), [0.5, 0.5], [0.905, 0.7695]),
    # m = 0.05, v = 0.00025, p = 1 - (0.1 / 0.1) * 0.05 / (sqrt(0.00025) / sqrt(0.001) + 1e-8)
    #   = 1 - 0.05 / (0.5 + 1e-8);
    # m = 0.07, v = 0.00031225, p -= (0.1 / 0.19) * 0.07 / (sqrt(0.00031225) / sqrt(0.001999) + 1e-8)
    ("adam", lambda ps: Adam(ps, lr=0.1), [0.5, 0.25], [0.900000002, 0.8067820404774617]),
    # g = 0.5 + 0.5 * 1 = 1.0: m = 0.1, v = 0.001, p = 1 - 1.0 * 0.1 / (1.0 + 1e-8)
    ("adam decay", lambda ps: Adam(ps, lr=0.1, weight_decay=0.5), [0.5], [1 - 0.1 / (1 + 1e-8)]),
]


@pytest.mark.parametrize("name, make, grads, expected", HAND_CASES, ids=[c[0] for c in HAND_CASES])
def test_first_steps_match_hand_computed_numbers(name, make, grads, expected):
    p = Value(1.0)
    assert _steps(make([p]), p, grads) == pytest.approx(expected, rel=1e-12)


def test_zero_grad_resets_the_gradients():
    ps = [Value(1.0), Value(2.0)]
    opt = SGD(ps, lr=0.1)
    for p in ps:
        p.grad = 3.0
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_lr_can_change_between_steps():
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    p.grad = 1.0
    opt.step()
    opt.lr = 0.5
    opt.step()
    assert p.data == pytest.approx(1.0 - 0.1 - 0.5)


TORCH_CASES = [
    ("sgd", lambda ps: SGD(ps, lr=0.05), lambda o, ps: o.SGD(ps, lr=0.05)),
    ("sgd momentum", lambda ps: SGD(ps, lr=0.05, momentum=0.9), lambda o, ps: o.SGD(ps, lr=0.05, momentum=0.9)),
    (
        "sgd all",
        lambda ps: SGD(ps, lr=0.05, momentum=0.8, weight_decay=0.01, nesterov=True),
        lambda o, ps: o.SGD(ps, lr=0.05, momentum=0.8, weight_decay=0.01, nesterov=True),
    ),
    ("adam", lambda ps: Adam(ps), lambda o, ps: o.Adam(ps)),
    (
        "adam custom",
        lambda ps: Adam(ps, lr=0.02, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.1),
        lambda o, ps: o.Adam(ps, lr=0.02, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.1),
    ),
]


@pytest.mark.torch
@pytest.mark.parametrize("name, ours, theirs", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_ten_steps_match_torch_optim(name, ours, theirs):
    torch = pytest.importorskip("torch")
    start = [0.5, -1.5, 2.0, 0.0]
    ps = [Value(x) for x in start]
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    opt, topt = ours(ps), theirs(torch.optim, tensors)
    for step in range(10):
        for i, (p, t) in enumerate(zip(ps, tensors)):
            g = math.sin(3 * p.data + i) + 0.1 * step  # the same gradient both sides (the data agree)
            p.grad = g
            t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        topt.step()
        for p, t in zip(ps, tensors):
            assert p.data == pytest.approx(t.item(), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: SGD([Value(1.0)], lr=-0.1), ValueError, "SGD lr must be a finite number >= 0.0, got -0.1"),
        (lambda: SGD([Value(1.0)], lr=math.nan), ValueError, "SGD lr must be a finite number >= 0.0, got nan"),
        (lambda: SGD([Value(1.0)], lr=math.inf), ValueError, "SGD lr must be a finite number >= 0.0, got inf"),
        (lambda: Adam([Value(1.0)], lr=math.inf), ValueError, "Adam lr must be a finite number >= 0.0, got inf"),
        (
            lambda: Adam([Value(1.0)], weight_decay=-math.inf),
            ValueError,
            "Adam weight_decay must be a finite number >= 0.0, got -inf",
        ),
        (lambda: Adam([Value(1.0)], betas=(math.inf, 0.9)), ValueError, "Adam betas[0] must be in [0.0, 1.0), got inf"),
        (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "SGD lr must be a real number, got str"),
        (
            lambda: SGD([Value(1.0)], lr=0.1, weight_decay="1e-4"),
            TypeError,
            "SGD weight_decay must be a real number, got str",
        ),
        (
            lambda: SGD([Value(1.0)], lr=0.1, weight_decay=-1e-4),
            ValueError,
            "SGD weight_decay must be a finite number >= 0.0, got -0.0001",
        ),
        (
            lambda: Adam([Value(1.0)], weight_decay=math.nan),
            ValueError,
            "Adam weight_decay must be a finite number >= 0.0, got nan",
        ),
        (lambda: SGD([Value(1.0)], lr=0.1, momentum=-1), ValueError, "SGD momentum"),
        (lambda: SGD([Value(1.0)], lr=0.1, nesterov=True), ValueError, "nesterov=True needs a momentum > 0"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "Adam betas[1] must be in [0.0, 1.0), got 1.0"),
        (lambda: Adam([Value(1.0)], betas=0.9), TypeError, "Adam betas must be a pair"),
        (lambda: Adam([Value(1.0)], eps=-1e-8), ValueError, "Adam eps"),
        (lambda: SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda: SGD(Value(1.0), lr=0.1), TypeError, "got a single Value; use [value]"),
        (lambda: SGD([Value(1.0), 2.0], lr=0.1), TypeError, "parameter 1 is float 2.0, expected a Value"),
    ],
)
def test_bad_arguments_are_rejected(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert message in str(info.value)


def test_a_parameter_listed_twice_is_rejected():
    p = Value(1.0, "w")
    with pytest.raises(ValueError, match=r"parameter 2 \('w'\) is the same Value as parameter 0"):
        Adam([p, Value(2.0), p])


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: Adam(ps, lr=0.1)], ids=["SGD", "Adam"])
@pytest.mark.parametrize(
    "value, error, message",
    [
        ("0.1", TypeError, "lr must be a real number, got str '0.1'"),
        (-0.5, ValueError, "lr must be a finite number >= 0.0, got -0.5"),
        (math.inf, ValueError, "lr must be a finite number >= 0.0, got inf"),
    ],
)
def test_lr_is_an_attribute_checked_when_it_is_set(make, value, error, message):
    opt = make([Value(1.0)])
    assert opt.lr == 0.1
    with pytest.raises(error, match=message):
        opt.lr = value
    assert opt.lr == 0.1  # unchanged


@pytest.mark.parametrize(
    "make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)], ids=["SGD momentum", "Adam"]
)
def test_state_dict_puts_the_optimizer_back_where_it_was(make):
    p = Value(1.0)
    opt = make([p])
    _steps(opt, p, [0.5, -0.25])
    saved, weight = opt.state_dict(), p.data
    after = _steps(opt, p, [0.3, 0.1])
    opt.lr = 0.7
    opt.load_state_dict(saved)
    p.data = weight
    assert opt.lr == 0.1 and _steps(opt, p, [0.3, 0.1]) == after  # the same two steps again, exactly
    opt.load_state_dict(saved)  # loading copies: the saved state is still the one saved
    p.data = weight
    assert _steps(opt, p, [0.3, 0.1]) == after
