"""nn.from_torch refuses what an nn MLP cannot hold, naming the module or parameter (needs torch).

An nn neuron always has a bias, so a ``Linear(bias=False)`` is refused with
the module's position (copying it with a bias of 0 would add a parameter that
trains); complex weights are refused (their imaginary part would be lost), and
so are nan and infinite weights, by the parameter's name in ``named_parameters``.
"""

from __future__ import annotations

import re

import pytest

from nn import from_torch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def test_linear_without_bias_is_refused_by_position():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1, bias=False))
    with pytest.raises(
        ValueError,
        match=r"module 2 \(Linear\(in_features=3, out_features=1, bias=False\)\) has no "
        r"bias.*every nn neuron has one",
    ):
        from_torch(model)


def test_complex_weights_are_refused():
    model = torch.nn.Sequential(torch.nn.Linear(2, 1, dtype=torch.complex128))
    with pytest.raises(TypeError, match=r"0\.weight is complex128.*real"):
        from_torch(model)


@pytest.mark.parametrize(
    "bad, where",
    [(float("nan"), "2.weight[0, 2]"), (float("inf"), "2.weight[0, 2]"), (-float("inf"), "2.weight[0, 2]")],
)
def test_nonfinite_weights_are_refused_by_name(bad, where):
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    with torch.no_grad():
        model[2].weight[0, 2] = bad
    with pytest.raises(ValueError, match=re.escape(f"{where} is {bad!r}")):
        from_torch(model)


def test_nonfinite_bias_is_refused_by_name():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3))
    with torch.no_grad():
        model[0].bias[1] = float("nan")
    with pytest.raises(ValueError, match=r"0\.bias\[1\] is nan"):
        from_torch(model)


def test_an_uninitialised_lazy_linear_is_refused():
    with pytest.raises((TypeError, ValueError), match="from_torch: module 0"):
        from_torch(torch.nn.Sequential(torch.nn.LazyLinear(3)))


def test_weights_on_the_meta_device_are_refused():
    model = torch.nn.Sequential(torch.nn.Linear(2, 1, device="meta"))
    with pytest.raises(ValueError, match=r"from_torch: 0\.weight .*meta"):
        from_torch(model)


def test_a_named_layer_is_named_as_pytorch_names_it():
    from collections import OrderedDict

    model = torch.nn.Sequential(
        OrderedDict(hidden=torch.nn.Linear(2, 2), act=torch.nn.Tanh(), head=torch.nn.Linear(2, 1))
    )
    with torch.no_grad():
        model.head.bias[0] = float("inf")
    assert "head.bias" in dict(model.named_parameters())
    with pytest.raises(ValueError, match=r"from_torch: head\.bias\[0\] is inf"):
        from_torch(model)


def test_float32_and_float16_weights_still_load_exactly():
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        model = torch.nn.Sequential(torch.nn.Linear(2, 1, dtype=dtype))
        mlp = from_torch(model)
        assert [p.data for p in mlp.parameters()] == model[0].weight.double().flatten().tolist() + model[
            0
        ].bias.double().tolist()


def test_a_weight_of_the_wrong_shape_is_refused():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3))
    model[0].weight = torch.nn.Parameter(torch.zeros(5, 7, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"0\.weight has shape \(5, 7\), but module 0 .* needs \(3, 2\)"):
        from_torch(model)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3))
    model[0].bias = torch.nn.Parameter(torch.zeros(5))
    with pytest.raises(ValueError, match=r"0\.bias has shape \(5,\).* needs \(3,\)"):
        from_torch(model)


@pytest.mark.parametrize(
    "given, hint", [(3, "got int"), (torch.nn.Linear(2, 1), "wrap it"), (torch.nn.Tanh(), "wrap it")]
)
def test_what_is_not_a_sequential_is_named(given, hint):
    with pytest.raises(TypeError, match=rf"from_torch takes a torch.nn.Sequential.*{hint}"):
        from_torch(given)
