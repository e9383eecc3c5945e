"""A model compiled once and used as one op: nn's own training loop, about 5x faster, same results.

    from nn import MLP, SGD, fit, make_moons, signed_labels
    from nn.compiled import CompiledModel, fit_compiled

    X, y = make_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit_compiled(model, X, signed_labels(y), SGD(model.parameters(), lr=0.1), steps=100, l2=1e-4)
    # the same as fit(CompiledModel(model, X[0]), ...): fit's own loop

``CompiledModel(model, example)`` compiles the model's forward and backward for
one example once, with ``autograd_core.compile`` (one function per output; the
weights are parameters, read at every call, so optimizer updates are seen).
Calling it on an example returns a ``Value`` like the model does, but instead
of a graph of a thousand nodes it is ONE node, whose op is the compiled
function: its parents are the example's inputs and the model's weights, its
local derivatives d output / d weight come from the same compiled call. The
loss, the L2 term, ``backward()`` and the optimizer are then nn's own, so
``nn.fit`` trains a ``CompiledModel`` with no change; ``fit_compiled`` just
wraps the model. The one chain-rule step across the op, ``p.grad += d L / d out
* d out / d p``, is the engine's, as for every node.

An MLP has no Python control flow that depends on the data (relu is an op,
evaluated at every call), so the compiled code is exact for every input; the
loss is not compiled, so a loss that branches on the data
(``binary_cross_entropy``) takes the right branch for every example. Results
equal ``fit``'s to rounding: the gradients are the same sums added in another
order. A compiled model has no second derivatives (``grad(...,
create_graph=True)`` raises).
"""

from __future__ import annotations

from typing import Any, Sequence

from autograd_core import CompiledFunction, Op, Value, apply, compile, is_grad_enabled

from .layers import as_inputs
from .module import Module
from .train import History, fit

__all__ = ["CompiledModel", "fit_compiled"]

# Gradients kept between an output's forward and its backward; dropped past this many
# (a batch of more examples, or outputs never differentiated), then recomputed if needed.
_MAX_PENDING = 4096


class CompiledModel:
    """``model`` compiled for one example at a time, called like the model; each output is one node.

    Args:
        model: an nn Module called on one list of ``len(example)`` numbers
            (an ``MLP``), returning a Value or a list of Values.
        example: one input list, used to trace the model; any values do, since
            an MLP builds the same graph for every input.
    """

    def __init__(self, model: Module, example: Sequence[float]) -> None:
        self.model = model
        self._params = model.parameters()
        example = [float(x) for x in example]
        self.n_inputs = len(example)
        traced = model([Value(x) for x in example])
        self.n_outputs = 1 if isinstance(traced, Value) else len(traced)
        self.functions: list[CompiledFunction] = [
            compile(self._output(j), example, params=self._params, accumulate=False) for j in range(self.n_outputs)
        ]
        name = type(model).__name__
        self.ops = [self._make_op(fn, name if self.n_outputs == 1 else f"{name}[{j}]")
                    for j, fn in enumerate(self.functions)]

    def _output(self, j: int):
        model, single = self.model, self.n_outputs == 1

        def output(*x: Value) -> Value:
            out = model(list(x))
            return out if single else out[j]

        output.__name__ = "output" if single else f"output_{j}"
        return output

    def _make_op(self, fn: CompiledFunction, name: str) -> Op:
        """An Op whose forward is the compiled function and whose local derivatives its gradients.

        One compiled call gives both, so the forward keeps the gradients until
        the backward asks for them (keyed by the exact inputs, weights
        included: a lookup can only find the same numbers). Built as an ``Op``
        rather than with ``define_op``, which takes one derivative function per
        input: here one call gives all of them at once.
        """
        n_inputs, pending = self.n_inputs, {}

        def forward(*args: float) -> float:
            out, grads = fn(*args[:n_inputs])
            if is_grad_enabled():
                if len(pending) >= _MAX_PENDING:
                    pending.clear()
                pending[args] = grads
            return out

        def local_grads(*args: Any) -> tuple:
            if isinstance(args[-1], Value):
                raise TypeError(f"{name} is a compiled model: it has first derivatives only")
            grads = pending.pop(args[:-1], None)
            return grads if grads is not None else fn(*args[:n_inputs])[1]

        labels = tuple(f"x{i}" for i in range(n_inputs)) + tuple(p.label or f"p{i}" for i, p in enumerate(self._params))
        return Op(name, labels, forward, local_grads)

    def parameters(self) -> list[Value]:
        """The model's parameters (the same Values)."""
        return self.model.parameters()

    def zero_grad(self) -> None:
        self.model.zero_grad()

    def __call__(self, x: Sequence[float | Value]) -> Value | list[Value]:
        """The model's output for one example: one node per output, as ``model(x)`` gives values."""
        inputs = as_inputs(x, self.n_inputs, self.model)  # the model's own checks and input labels
        outputs = [apply(op, *inputs, *self._params) for op in self.ops]
        return outputs[0] if self.n_outputs == 1 else outputs

    def __repr__(self) -> str:
        return f"CompiledModel({self.model!r})"


def fit_compiled(model: Module, X: Sequence, y: Sequence, optimizer: Any, **options: Any) -> History:
    """``nn.fit`` on the model compiled once (see the module docstring): same arguments, same History."""
    if not X:
        return fit(model, X, y, optimizer, **options)  # fit's own error for an empty data set
    return fit(CompiledModel(model, X[0]), X, y, optimizer, **options)

