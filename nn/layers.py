"""``Neuron``, ``Layer`` and ``MLP``: a multilayer perceptron made of Values, after micrograd's nn.py.

A neuron computes ``activation(w . x + b)`` as one node per product, ONE
``sum`` node for ``w0*x0 + w1*x1 + ... + b`` (the engine's n-ary sum), and the
activation, so every gradient in the network can be seen and drawn. The nodes
are labelled with the neuron's path and their role (``layers.0.neurons.3.wx.1``
for the product of weight 1, ``.sum`` for the sum, ``.out`` for the output), and
inputs given as numbers ``x[0]``, ``x[1]``...; each node's ``place`` slot holds
its ``nn.Place`` (neuron, layer and role), which ``nn.place_of`` reads. The
labels and places are made once per neuron, not per node.

Initialisation (seeded, reproducible): weights are drawn from
``uniform(-bound, bound)`` and biases start at 0, with

* ``bound = sqrt(6 / nin)`` for ReLU neurons (He/Kaiming uniform: the weights'
  variance is 2/nin, which keeps the size of the signal roughly constant
  through ReLU layers, since ReLU zeroes half of it), and
* ``bound = sqrt(3 / nin)`` for tanh, sigmoid and linear neurons (LeCun
  uniform: variance 1/nin, so ``w . x`` has about the variance of one input).

micrograd draws ``uniform(-1, 1)`` whatever the fan-in, which makes the
outputs of wide layers large. The draws happen layer by layer, neuron by
neuron, weight by weight, from one generator (see ``nn._rng`` for ``seed``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from autograd_core import Value

from ._rng import Seed, as_random
from .module import Module
from .places import Place, Role

__all__ = ["ACTIVATIONS", "Neuron", "Layer", "MLP", "init_bound"]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
_APPLY = {"relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "linear": None}

Input = float | Value

_input_places: list[Place] = []  # x[0], x[1], ...: one Place per input position, shared by all graphs


def _input_place(i: int) -> Place:
    while len(_input_places) <= i:
        n = len(_input_places)
        _input_places.append(Place(Role.INPUT, n, None, None, f"x[{n}]"))
    return _input_places[i]


def _check_size(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, got {type(n).__name__} {n!r}")
    if n < 1:
        raise ValueError(f"{what} must be at least 1, got {n}")
    return n


def _check_activation(activation: object) -> str:
    if activation not in _APPLY:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    return activation


def init_bound(nin: int, activation: str) -> float:
    """The half-width of the uniform weight init: sqrt(6/nin) for relu, sqrt(3/nin) otherwise."""
    return math.sqrt((6.0 if activation == "relu" else 3.0) / nin)


def as_inputs(x: object, nin: int, owner: Module) -> list[Value]:
    """``x`` checked and made into Values for ``owner``: numbers become leaves labelled ``x[i]``.

    Raises:
        TypeError: ``x`` is not a sequence, or an item is neither a number nor a Value.
        ValueError: ``x`` does not have ``nin`` items.
    """
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__") or not hasattr(x, "__iter__"):
        raise TypeError(f"{owner._describe()} takes a list of {nin} inputs, got {type(x).__name__} {x!r}")
    if len(x) != nin:
        raise ValueError(f"{owner._describe()} expects {nin} inputs, got {len(x)}")
    values = []
    for i, xi in enumerate(x):
        if isinstance(xi, Value):  # a Value or a subclass (compile's traced inputs)
            values.append(xi)
        elif isinstance(xi, numbers.Real):
            place = _input_place(i)
            value = Value(xi, place.path)
            value.place = place
            values.append(value)
        else:
            raise TypeError(
                f"{owner._describe()}: input {i} is {type(xi).__name__} {xi!r}, expected a number or a Value"
            )
    return values


class Neuron(Module):
    """``activation(w . x + b)``: ``nin`` weights ``.w`` and a bias ``.b``.

    Args:
        nin: the number of inputs.
        activation: "relu", "tanh", "sigmoid" or "linear" (no activation).
        seed: None, an int or a random.Random (see the module docstring for the init).
    """

    def __init__(self, nin: int, activation: str = "relu", *, seed: Seed = None) -> None:
        self.nin = _check_size(nin, "Neuron nin")
        self.activation = _check_activation(activation)
        rng = as_random(seed, "Neuron")
        bound = init_bound(nin, activation)
        self.w = [Value(rng.uniform(-bound, bound)) for _ in range(nin)]
        self.b = Value(0.0)
        self._apply = _APPLY[activation]
        self.relabel()

    def _on_relabel(self, path: str, ancestors: tuple[Module, ...]) -> None:
        layer = next((a for a in reversed(ancestors) if isinstance(a, Layer)), None)
        layer_path = layer._path if layer is not None else None
        prefix = f"{path}." if path else ""

        def place(role: Role, name: str, index: int | None = None) -> Place:
            return Place(role, index, path, layer_path, prefix + name)

        for i, w in enumerate(self.w):
            w.place = place(Role.WEIGHT, f"w.{i}", i)
            w.label = w.place.path
        self.b.place = place(Role.BIAS, "b")
        self.b.label = self.b.place.path
        self._wx_places = [place(Role.PRODUCT, f"wx.{i}", i) for i in range(self.nin)]
        self._sum_place, self._out_place = place(Role.SUM, "sum"), place(Role.OUTPUT, "out")

    def __call__(self, x: Sequence[Input]) -> Value:
        """The neuron's output for one input list (numbers or Values)."""
        return self._forward(as_inputs(x, self.nin, self))

    def _forward(self, x: list[Value]) -> Value:
        """The output for checked inputs: sum(w0*x0, w1*x1, ..., b), then the activation."""
        terms = []
        for wi, xi, place in zip(self.w, x, self._wx_places):
            product = wi * xi
            product.label, product.place = place.path, place
            terms.append(product)
        terms.append(self.b)
        total = Value.sum(terms)
        total.label, total.place = self._sum_place.path, self._sum_place
        out = total if self._apply is None else self._apply(total)
        out.label, out.place = self._out_place.path, self._out_place
        return out

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.activation}"


class Layer(Module):
    """``nout`` neurons reading the same inputs; returns a list of ``nout`` Values (always a list)."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, seed: Seed = None) -> None:
        self.nin = _check_size(nin, "Layer nin")
        self.nout = _check_size(nout, "Layer nout")
        self.activation = _check_activation(activation)
        rng = as_random(seed, "Layer")
        self.neurons = [Neuron(nin, activation, seed=rng) for _ in range(nout)]
        self.relabel()

    def __call__(self, x: Sequence[Input]) -> list[Value]:
        """The ``nout`` outputs for one input list."""
        return self._forward(as_inputs(x, self.nin, self))

    def _forward(self, x: list[Value]) -> list[Value]:
        return [neuron._forward(x) for neuron in self.neurons]

    def extra_repr(self) -> str:
        return f"{self.nin} -> {self.nout}, {self.activation}"


class MLP(Module):
    """A multilayer perceptron: ``activation`` on the hidden layers, ``output_activation`` on the last.

    Args:
        nin: the number of inputs.
        nouts: the size of each layer, e.g. ``[16, 16, 1]``.
        activation: of the hidden layers: "relu", "tanh", "sigmoid" or "linear".
        output_activation: of the last layer, "linear" by default (scores for a
            loss); micrograd's lecture uses "tanh" throughout:
            ``MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")``.
        seed: None, an int or a random.Random; the same seed gives the same weights.

    Calling it returns a single Value when the last layer has one neuron, else a list.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        *,
        output_activation: str = "linear",
        seed: Seed = None,
    ) -> None:
        self.nin = _check_size(nin, "MLP nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"MLP nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [self.nin] + [_check_size(n, f"MLP nouts[{i}]") for i, n in enumerate(nouts)]
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        rng = as_random(seed, "MLP")
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, seed=rng)
            for i in range(len(nouts))
        ]
        self.relabel()

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        """The network's output for one input list: a Value, or a list for several outputs."""
        values = self.layer_outputs(x)[-1]
        return values[0] if len(values) == 1 else values

    def layer_outputs(self, x: Sequence[Input]) -> list[list[Value]]:
        """Every layer's outputs for one input list, first layer first (the last is the network's output)."""
        values: list[Value] = as_inputs(x, self.nin, self)
        outputs = []
        for layer in self.layers:
            values = layer._forward(values)
            outputs.append(values)
        return outputs

    def extra_repr(self) -> str:
        sizes = [self.nin] + [layer.nout for layer in self.layers]
        count = sum((layer.nin + 1) * layer.nout for layer in self.layers)
        output = "" if self.output_activation == "linear" else f", {self.output_activation} output"
        return f"{' -> '.join(map(str, sizes))}, {self.activation}{output}, {count} parameters"
