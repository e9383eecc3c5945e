"""Where a node of a network's graph belongs: ``place_of(value)`` names its neuron, layer and role.

A drawing of a network groups nodes by neuron and layer, shortens
``layers.0.neurons.3.w.1`` to ``w.1`` inside the neuron's box, and puts x[0]
above x[1] and neuron 0 before neuron 1. All of that needs to know which
module a node belongs to and what it is there; this module is the one place
that knows, so ``viz`` asks ``place_of`` instead of taking labels apart.

nn stores a node's ``Place`` in the node's ``place`` slot (``Value.place``)
when it makes or labels the node. Each ``Place`` is made once per module and
role (when the module is labelled), not per node, and shared by every node
that role makes, so a forward pass pays one slot store per node. A label that
merely looks like nn's (a user's ``Value(1.0, "b")``) has no place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from autograd_core import Value

__all__ = ["Role", "Place", "place_of", "relative_name", "module_order"]


class Role(str, enum.Enum):
    """What a node is in its neuron (or, for an input, in the network)."""

    INPUT = "input"  # x[i]: a number given to the network, made a leaf
    WEIGHT = "weight"  # w.i
    BIAS = "bias"  # b
    PRODUCT = "product"  # wx.i = w.i * (input i)
    SUM = "sum"  # the sum of the products and the bias
    OUTPUT = "output"  # out: the activation (the sum itself for a linear neuron)


@dataclass(frozen=True)
class Place:
    """Where a node belongs.

    Attributes:
        role: what the node is.
        index: which input, weight or product (the i of x[i], w.i, wx.i); None otherwise.
        neuron: the path of its neuron ("layers.0.neurons.3"; "" for a Neuron
            that is the whole model); None for an input.
        layer: the path of the Layer holding that neuron; None when there is none.
        path: the node's full name, as in its label ("layers.0.neurons.3.w.1").
    """

    role: Role
    index: int | None
    neuron: str | None
    layer: str | None
    path: str

    @property
    def name(self) -> str:
        """The name inside its neuron: "w.1", "wx.0", "b", "sum", "out" (an input's full name, "x[0]")."""
        return self.name_within(self.neuron)

    def name_within(self, module: str | None) -> str:
        """The name relative to an enclosing module's path: "neurons.3.w.1" within "layers.0"."""
        return relative_name(self.path, module)

    @property
    def order(self) -> tuple:
        """A sort key in reading order: inputs first, then by neuron (layers.2 before layers.10), then w.0, ..., b."""
        neuron = () if self.neuron is None else module_order(self.neuron)
        return (neuron, _ROLES.index(self.role), -1 if self.index is None else self.index)


_ROLES = list(Role)


def relative_name(path: str, module: str | None) -> str:
    """A dotted path relative to an enclosing module ("neurons.3" within "layers.0"); the whole path outside it."""
    if module and path.startswith(module + "."):
        return path[len(module) + 1 :]
    return path


def module_order(path: str) -> tuple:
    """A sort key for module paths in reading order: layers.2 before layers.10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.split(".") if part)


def place_of(value: Value) -> Place | None:
    """Where ``value`` belongs in a network built with nn; None for a node nn did not make or label."""
    place = value.place
    return place if isinstance(place, Place) else None
