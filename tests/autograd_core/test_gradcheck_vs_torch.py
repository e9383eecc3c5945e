"""Our gradcheck against PyTorch's on the same wrong derivative: theirs passes it, ours does not."""

from __future__ import annotations

import math

import pytest

from autograd_core import define_op, gradcheck

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@pytest.mark.parametrize("factor", [1.001, 1.0001])
def test_torch_defaults_pass_a_slightly_wrong_derivative_ours_fail(factor) -> None:
    class Softplus(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return torch.nn.functional.softplus(x)

        @staticmethod
        def backward(ctx, upstream):
            (x,) = ctx.saved_tensors
            return upstream * factor * torch.sigmoid(x)

    x = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(Softplus.apply, (x,))  # atol=1e-5, rtol=1e-3: passes

    softplus = define_op(lambda x, out: factor * x.sigmoid(), name="softplus")(
        lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0)
    )
    assert not gradcheck(softplus, [0.5], raise_exception=False)
