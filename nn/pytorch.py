"""``to_torch`` and ``from_torch``: an nn model as a ``torch.nn.Sequential`` of the same weights, and back.

This is where the lesson continues once a scalar engine is outgrown: the same
network, layer for layer, as PyTorch tensors (float64, so the numbers agree
to rounding). A ``Layer`` of n neurons is a ``torch.nn.Linear`` whose weight
row j holds neuron j's weights and whose bias j its bias, followed by the
layer's activation module (none for "linear"). torch is imported only when
one of these functions is called; nn never needs it otherwise.
"""

from __future__ import annotations

from typing import Any

from .layers import MLP, Layer, Neuron
from .module import Module

__all__ = ["to_torch", "from_torch"]

MAX_PARAMETERS = 1_000_000
"""The most parameters ``from_torch`` converts unless told otherwise: each becomes a Value (about 150 bytes
and one scalar op per use), so a million is some 150 MB and a forward pass of seconds; a bigger model is
refused before any weight is read."""

_MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}  # activation -> torch.nn class name


def _layers(model: Module) -> list[tuple[str, list[Neuron]]]:
    """(activation, neurons) of each layer of an MLP, a Layer, or a Neuron (a layer of one)."""
    if isinstance(model, MLP):
        return [(layer.activation, layer.neurons) for layer in model.layers]
    if isinstance(model, Layer):
        return [(model.activation, model.neurons)]
    if isinstance(model, Neuron):
        return [(model.activation, [model])]
    raise TypeError(f"to_torch takes an nn MLP, Layer or Neuron, got {type(model).__name__}")


def to_torch(model: MLP | Layer | Neuron) -> Any:
    """``model`` as a ``torch.nn.Sequential`` (Linear and activation modules) in float64, with its weights.

    A Neuron becomes ``Linear(nin, 1)`` and its activation; its output is then
    a tensor of one element per example.
    """
    import torch

    modules = []
    for activation, neurons in _layers(model):
        linear = torch.nn.Linear(neurons[0].nin, len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules.append(linear)
        if activation != "linear":
            modules.append(getattr(torch.nn, _MODULES[activation])())
    return torch.nn.Sequential(*modules)


def _parse(sequential: Any) -> tuple[list[Any], list[str], list[str]]:
    """The Linear modules of ``sequential``, each one's activation ("linear" for none), and each one's name."""
    import torch

    names = {getattr(torch.nn, cls): act for act, cls in _MODULES.items()}
    linears: list[Any] = []
    activations: list[str] = []
    linear_names: list[str] = []
    if not isinstance(sequential, (torch.nn.Sequential, torch.nn.ModuleList, list, tuple)):
        raise TypeError(
            f"from_torch takes a torch.nn.Sequential of Linear layers and activations, got "
            f"{type(sequential).__name__}"
            + (": wrap it, torch.nn.Sequential(layer)" if isinstance(sequential, torch.nn.Module) else "")
        )
    children = (
        list(sequential.named_children())
        if isinstance(sequential, torch.nn.Module)
        else [(str(i), module) for i, module in enumerate(sequential)]
    )
    for i, (child_name, module) in enumerate(children):
        if isinstance(module, torch.nn.Identity):
            continue
        if isinstance(module, torch.nn.Linear):
            if isinstance(module.weight, torch.nn.parameter.UninitializedParameter):
                raise ValueError(
                    f"from_torch: module {i} ({type(module).__name__}) has no weights yet; run the "
                    "model on one batch first, so that its sizes are known"
                )
            expected = {"weight": (module.out_features, module.in_features), "bias": (module.out_features,)}
            for part, shape in expected.items():
                tensor = getattr(module, part)
                if tensor is not None and tuple(tensor.shape) != shape:
                    raise ValueError(
                        f"from_torch: {child_name}.{part} has shape {tuple(tensor.shape)}, but module "
                        f"{i} ({module}) needs {shape}"
                    )
            if module.bias is None:
                raise ValueError(
                    f"from_torch: module {i} ({module}) has no bias, and every nn neuron has one: "
                    "build the Linear with bias=True (a bias of 0 computes the same function)"
                )
            if linears and module.in_features != linears[-1].out_features:
                raise ValueError(
                    f"from_torch: module {i} takes {module.in_features} inputs but the layer before "
                    f"gives {linears[-1].out_features}"
                )
            linears.append(module)
            activations.append("linear")
            linear_names.append(child_name)
        elif type(module) in names:
            if not linears or activations[-1] != "linear":
                raise ValueError(f"from_torch: module {i} ({type(module).__name__}) must follow a Linear layer")
            activations[-1] = names[type(module)]
        else:
            raise TypeError(
                f"from_torch: module {i} is {type(module).__name__}; an MLP has Linear, ReLU, Tanh "
                "and Sigmoid modules only"
            )
    if not linears:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    return linears, activations, linear_names


def _numbers(tensor: Any, name: str) -> list:
    """A real, finite parameter as nested lists of floats; the parameter's name in any error."""
    import torch

    if tensor.is_complex():
        raise TypeError(
            f"from_torch: {name} is {str(tensor.dtype).removeprefix('torch.')}; an nn weight is "
            "a real number (taking the real part would lose the rest)"
        )
    if not tensor.is_floating_point():
        raise TypeError(f"from_torch: {name} is {str(tensor.dtype).removeprefix('torch.')}, not a float tensor")
    if tensor.device.type == "meta":
        raise ValueError(f"from_torch: {name} is on the meta device: it has a shape but no numbers to copy")
    values = tensor.detach().to("cpu", torch.float64)
    bad = (~torch.isfinite(values)).nonzero()
    if len(bad):
        where = ", ".join(str(i) for i in bad[0].tolist())
        raise ValueError(
            f"from_torch: {name}[{where}] is {values[tuple(bad[0].tolist())].item()!r}; "
            "an nn model's weights are finite numbers"
        )
    return values.tolist()


def from_torch(sequential: Any, max_parameters: int = MAX_PARAMETERS) -> MLP:
    """The ``MLP`` with the weights of a ``torch.nn.Sequential`` of Linear layers, each followed by at most one
    ReLU, Tanh or Sigmoid (the hidden layers all by the same one, as an MLP's are).

    Raises:
        TypeError: a module that is not Linear, ReLU, Tanh, Sigmoid or Identity.
        TypeError: complex or integer weights.
        ValueError: no Linear layer, a Linear without a bias (every nn neuron
            has one), sizes that do not chain, two activations in a row,
            hidden layers with different activations, or a weight that is
            nan or infinite (named: ``2.weight[0, 1]``).
        ValueError: more than ``max_parameters`` weights and biases (default
            ``MAX_PARAMETERS``, a million), counted before any is read.
    """
    linears, activations, names = _parse(sequential)
    count = sum(m.in_features * m.out_features + m.out_features for m in linears)
    if count > max_parameters:
        raise ValueError(
            f"from_torch: the model has {count:,} parameters, more than max_parameters={max_parameters:,}; "
            "each becomes a Value of the scalar engine (about 150 bytes, one op per use), so this would take "
            f"some {count * 150 / 2**20:,.0f} MB and slow passes. Pass max_parameters={count} to convert it anyway"
        )
    weights = [
        (_numbers(m.weight, f"{name}.weight"), _numbers(m.bias, f"{name}.bias")) for m, name in zip(linears, names)
    ]
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        raise ValueError(
            f"from_torch: the hidden layers' activations differ ({', '.join(activations[:-1])}); "
            "an MLP has one activation for all of them"
        )
    model = MLP(
        linears[0].in_features,
        [m.out_features for m in linears],
        activation=hidden.pop() if hidden else "relu",
        output_activation=activations[-1],
        seed=0,
    )
    for layer, (weight, bias) in zip(model.layers, weights):
        for neuron, row, b in zip(layer.neurons, weight, bias):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = b
    return model
