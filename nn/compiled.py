"""A model compiled once: nn's own training loop on generated code, whole batches at a time, same results.

    from nn import MLP, SGD, hinge_loss, make_moons, signed_labels
    from nn.compiled import CompiledModel, fit_compiled

    X, y = make_moons(10_000, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit_compiled(model, X, signed_labels(y), hinge_loss, SGD(model.parameters(), lr=0.1), steps=100)
    # the same as fit(CompiledModel(model, X[0]), ...): fit's own loop

``CompiledModel(model, example)`` wraps a model for ``nn.fit``. Two uses:

* ``batch_loss`` (what ``fit`` calls on a model that has one): the loss of a
  whole batch. The *per-example* loss, ``loss_fn([model(x)], [label])``, is
  compiled once per distinct label with ``autograd_core.compile`` (nn's losses
  take their labels as numbers, and a class index picks a logit, so a label
  is a constant of its program: two programs for -1/+1 labels, one per class
  for cross-entropy) and run over the batch at once: by default as one program over numpy
  arrays (``batch="numpy"``), or as one generated loop over the examples
  (``batch="python"``, standard library only). The batch loss is the mean of
  the examples' losses, as every nn loss is (checked on the first batch). It
  is returned as ONE node whose parents are the weights and
  whose local derivatives are the compiled gradients, so ``loss.backward()``
  and the optimizer are nn's own.
* Called on one example (``batch="node"``, or any custom use), it returns the
  model's output as one node whose op is the compiled model, and the loss is
  interpreted: any loss works, one example at a time.

An MLP builds the same graph for every input (relu is compiled as a branch,
evaluated per example), so the compiled model is exact for every input. The
loss is traced once, and ``compile`` cannot guard a branch on a computed
node's ``.data`` (the score's), so the traced formula serves every example.
For nn's own losses that is exact (``binary_cross_entropy`` picks one of two
equal stable formulas by the score's sign; it raises OverflowError, naming
the op and the example, where the traced one would overflow). Any other loss
is run again, interpreted, on every example's score, and a batch where it
takes another path (scikit-learn's modified Huber, ``... if z.data >= -1
else -4 * z``) is refused with a ValueError naming the example. Results equal
``fit``'s to rounding: the gradients are the same sums added in another
order. A compiled model has no second derivatives.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd_core import Op, Value, compile, no_grad
from autograd_core.compiler import CompiledFunction
from autograd_core.errors import short_repr
from autograd_core.modes import is_grad_enabled
from autograd_core.value import apply

from .layers import as_inputs
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from .module import Module
from .train import History, LossFn, checked_data, fit

__all__ = ["CompiledModel", "fit_compiled", "BATCH_MODES"]

BATCH_MODES = ("numpy", "python", "node")

# Gradients kept between an output's forward and its backward; dropped past this many
# (a batch of more examples, or outputs never differentiated), then recomputed if needed.
_MAX_PENDING = 4096
# A batch with more distinct labels than this is not compiled per label (the loss is built per example).
_MAX_PROGRAMS = 16
# nn's losses whose traced graph gives every score's loss: hinge and mse never read .data;
# binary_cross_entropy picks between two formulas equal for every logit, and cross_entropy
# subtracts the traced largest logit, which changes no number but by rounding. Any other
# loss is checked on every example (``CompiledModel._check_paths``).
_ONE_PATH_LOSSES = frozenset({hinge_loss, mse_loss, binary_cross_entropy, cross_entropy})


class CompiledModel:
    """``model`` compiled for one example at a time, called like the model; each output is one node.

    Args:
        model: an nn Module called on one list of ``len(example)`` numbers
            (an ``MLP``), returning a Value or a list of Values.
        example: one input list, used to trace the model; any values do, since
            an MLP builds the same graph for every input.
        batch: how ``batch_loss`` runs a batch: "numpy" (one program over
            arrays; the default when numpy is installed), "python" (one
            generated loop over the examples) or "node" (no batch program:
            ``fit`` calls the model per example and interprets the loss).
    """

    def __init__(self, model: Module, example: Sequence[float], *, batch: str = "auto") -> None:
        if batch == "auto":
            batch = "numpy" if importlib.util.find_spec("numpy") else "python"
        if batch not in BATCH_MODES:
            raise ValueError(f"CompiledModel batch must be 'auto' or one of {', '.join(BATCH_MODES)}; got {batch!r}")
        self.batch = batch
        self._losses: dict[tuple, CompiledFunction] = {}  # (loss_fn, class label or None) -> its compiled program
        self._checked: set[Callable] = set()  # the loss functions seen to be means over the examples
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
        self.ops = [
            self._make_op(fn, name if self.n_outputs == 1 else f"{name}[{j}]") for j, fn in enumerate(self.functions)
        ]

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

    # ------------------------------------------------------------ batches
    def batch_loss(self, X: Sequence, y: Sequence, loss_fn: Callable) -> tuple[Value, list] | Any:
        """The loss of the batch (mean over the examples), as one node; and the scores.

        ``nn.fit`` calls this instead of building the loss graph. Returns
        ``NotImplemented`` (fit then builds the loss itself, calling this
        model per example) with ``batch="node"``, for labels that are not
        numbers, or for more than ``_MAX_PROGRAMS`` distinct labels (a
        regression's targets: each label is a constant of its program).
        """
        groups: dict[tuple, list[int]] = {}
        for i, label in enumerate(y):
            groups.setdefault((type(label), label), []).append(i)
        if self.batch == "node" or len(groups) > _MAX_PROGRAMS:
            return NotImplemented
        n = len(X)
        losses, scores, grads = [0.0] * n, [None] * n, [0.0] * len(self._params)
        for (_, label), rows in groups.items():
            result = self._run(self._loss_program(loss_fn, label), [X[i] for i in rows])
            for i, loss, aux in zip(rows, result.outputs, result.aux):
                losses[i], scores[i] = float(loss), aux
            grads = [g + r for g, r in zip(grads, result.param_grads)]
        if loss_fn not in _ONE_PATH_LOSSES:
            self._check_paths(loss_fn, y, losses, scores)
        self._check_mean(loss_fn, X, y, losses)
        total = math.fsum(losses) / n
        grads = [g / n for g in grads]
        return _batch_node(total, grads, self._params), [self._score(aux) for aux in scores]

    def _loss_program(self, loss_fn: Callable, label: Any) -> CompiledFunction:
        """The compiled per-example loss for one label: (loss, the model's outputs as aux)."""
        key = (loss_fn, type(label), label)
        if key not in self._losses:
            model = self.model

            def example_loss(*x: Value) -> tuple[Value, Any]:
                scores = model(list(x))
                return loss_fn([scores], [label]), scores

            self._losses[key] = compile(
                example_loss, [0.5] * self.n_inputs, params=self._params, accumulate=False, has_aux=True
            )
        return self._losses[key]

    def _run(self, fn: CompiledFunction, rows: list) -> Any:
        if self.batch == "numpy":
            return fn.batch_arrays(rows)
        return fn.batch([tuple(row) for row in rows])

    def _score(self, aux: Any) -> Value | list[Value]:
        """A model output as ``fit``'s accuracy reads it: a Value, or a list of Values for several outputs."""
        values = [Value(float(a)) for a in aux]
        return values[0] if self.n_outputs == 1 else values

    def _check_mean(self, loss_fn: Callable, X: Sequence, y: Sequence, losses: list[float]) -> None:
        """Once per loss function: its loss of two examples must be the mean of theirs, as batch_loss assumes."""
        if loss_fn in self._checked:
            return
        k = min(2, len(X))
        if not all(map(math.isfinite, losses[:k])):
            return  # a nan or an infinite loss tells nothing (fit stops on it); the next finite batch is checked
        expected = loss_fn([self.model(x) for x in X[:k]], list(y[:k])).data
        if not math.isclose(expected, math.fsum(losses[:k]) / k, rel_tol=1e-9, abs_tol=1e-12):
            raise ValueError(
                f"CompiledModel: {getattr(loss_fn, '__name__', loss_fn)!r} is not the mean of the "
                "examples' losses (reduction='sum'?); use CompiledModel(..., batch='node')"
            )
        self._checked.add(loss_fn)

    def _check_paths(self, loss_fn: Callable, y: Sequence, losses: list[float], scores: list) -> None:
        """Every example's compiled loss must be the loss ``loss_fn`` gives on that example's score.

        ``compile`` guards the comparisons made on its inputs' ``.data``, not
        those on a computed node's (``z.data >= -1`` with ``z = y * score``):
        a loss that branches on the score runs the traced branch for every
        example. So a loss other than nn's own (``_ONE_PATH_LOSSES``) is run
        again, interpreted, on each example's score: cheap beside the model,
        and a disagreement is refused rather than trained on.
        """
        with no_grad():
            for i, (loss, aux) in enumerate(zip(losses, scores)):
                given = [float(a) for a in aux]
                score = [Value(a) for a in given]
                expected = loss_fn([score[0] if self.n_outputs == 1 else score], [y[i]]).data
                if not (
                    expected == loss
                    or (expected != expected and loss != loss)
                    or math.isclose(expected, loss, rel_tol=1e-9, abs_tol=1e-12 * (1.0 + sum(map(abs, given))))
                ):
                    name = getattr(loss_fn, "__name__", repr(loss_fn))
                    raise ValueError(
                        f"CompiledModel: the compiled {name!r} gives {loss!r} for example {i} (score "
                        f"{short_repr(given if self.n_outputs > 1 else given[0])}, label {y[i]!r}), but {name} "
                        f"itself gives {expected!r}: its Python code takes another path on this example than "
                        "where it was traced (it branches on a computed node's .data, which compile cannot "
                        "guard); train it with nn.fit, or CompiledModel(..., batch='node')"
                    )

    def __repr__(self) -> str:
        return f"CompiledModel({self.model!r})"


def _batch_node(total: float, grads: list[float], params: list[Value]) -> Value:
    """The batch's loss as one node: its parents the parameters, its local derivatives their gradients."""
    op = Op(
        "batch loss", tuple(p.label or f"p{i}" for i, p in enumerate(params)), lambda *_: total, lambda *_: tuple(grads)
    )
    return apply(op, *params)


def fit_compiled(
    model: Module, X: Sequence, y: Sequence, loss_fn: LossFn, optimizer: Any, *, batch: str = "auto", **options: Any
) -> History:
    """``nn.fit`` on the model compiled once (see the module docstring): same arguments, same History."""
    X, y = checked_data(X, y, "fit_compiled")  # before compiling: the data, not the compiler, is wrong
    return fit(CompiledModel(model, X[0], batch=batch), X, y, loss_fn, optimizer, **options)
