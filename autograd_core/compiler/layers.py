"""Layers in a trace: sums of parameter-times-input products that share their inputs, for one matrix product.

A neuron is ``sum(w0 * x0, ..., wk * xk, b)``. Over a batch held as arrays,
that is k multiplications and k additions of whole arrays per neuron; a layer
of m neurons reading the same inputs is ``Z = W @ X + b`` (m x k by k x n),
k products and additions of m x n matrices in the neurons' own order
(``layer_sums``: the engine's numbers to the last bit, which a relu's kink
needs), and its backward pass two matrix products (``G @ X.T`` for the
weights, ``W.T @ G`` for the inputs). ``find_layers``
finds them from the graph alone: a ``sum`` node, or a tree of ``+`` nodes
read by nothing else (Python's ``sum(w * x for ..., b)``), whose terms are
``*`` nodes, each of a parameter and a batch variable and read by nothing
else, and at most one parameter (the bias). The built-in ops' local
derivatives are what make this exact: 1 for each term of a sum, and for a
product of two factors, the other factor. Sums over the same batch
variables, in the same order, adding their terms in the same order, are one
layer. When one layer's inputs are
one op (an activation) applied to each sum of another layer, in order, and
nothing else reads them, the op is applied to the whole matrix Z at once and
the result is the next layer's X.
"""

from __future__ import annotations

from typing import NamedTuple

from ..ops import OPS, Op
from ..value import Value
from .trace import TracedGraph

__all__ = ["DenseLayer", "find_layers"]

_SUM, _MUL, _ADD = OPS["sum"], OPS["*"], OPS["+"]


class DenseLayer(NamedTuple):
    """m neurons over the same k inputs: Z = W @ X + b."""

    sums: tuple[Value, ...]  # the m sum nodes, in graph order
    inputs: tuple[Value, ...]  # the k batch variables each sum multiplies, in term order
    weights: tuple[tuple[Value, ...], ...]  # m rows of k parameters
    biases: tuple[Value | None, ...]  # each sum's one parameter term, if it has one
    replaced: tuple[Value, ...]  # the products (and inner + nodes) the matrix product replaces
    order: tuple[int, ...] = ()  # how each sum adds its terms: k for the bias, j < k for the j-th product
    from_zero: bool = True  # the sum starts at 0 (the op sum, Python's sum) rather than at its first term (+)
    activation: Op | None = None  # the op applied to every sum to make the next layer's inputs
    activations: tuple[Value, ...] = ()  # those nodes: the next layer's X is activation(Z), one array op
    next_layer: int | None = None  # the index of the layer they feed
    input_layer: int | None = None  # the index of the layer whose activations are this layer's inputs


def _terms(node: Value, inner: set[Value]) -> tuple[list[Value], list[Value]]:
    """The terms of a sum node, or of a tree of + nodes, left to right; and the inner + nodes."""
    if node.op is _SUM:
        return list(node.parents), []
    terms, adds, stack = [], [], [node]
    while stack:
        top = stack.pop()
        if top is node or top in inner:
            adds.append(top)
            stack.extend(reversed(top.parents))
        else:
            terms.append(top)
    return terms, adds[1:]


def _neuron(
    node: Value, params: set[Value], batch: set[Value], uses: dict[Value, int], inner: set[Value]
) -> tuple[tuple[Value, ...], tuple[Value, ...], Value | None, tuple[Value, ...], tuple[int, ...]] | None:
    """(inputs, weights, bias, replaced nodes, the order it adds its terms in) when ``node`` sums
    parameter-times-input products, else None."""
    terms, adds = _terms(node, inner)
    biases = [t for t in terms if t in params]
    if len(biases) > 1:
        return None
    inputs, weights, products = [], [], []
    for product in terms:
        if product in params:
            continue
        if product.op is not _MUL or uses.get(product) != 1:
            return None
        a, b = product.parents
        if a in params and b in batch:
            weights.append(a)
            inputs.append(b)
        elif b in params and a in batch:
            weights.append(b)
            inputs.append(a)
        else:
            return None
        products.append(product)
    if not products or not _left_to_right(node, inner):
        return None
    position = {product: j for j, product in enumerate(products)}
    order = tuple(len(products) if t in params else position[t] for t in terms)
    return tuple(inputs), tuple(weights), biases[0] if biases else None, (*products, *adds), order


def _left_to_right(node: Value, inner: set[Value]) -> bool:
    """True for a sum node, or a tree of + nodes that adds its terms one after another, left to right
    (``a + b + c``): the order a layer's sums are computed in (``layer_sums``), so that they are the engine's."""
    if node.op is _SUM:
        return True
    while node.op is _ADD:
        left, right = node.parents
        if right.op is _ADD and right in inner:
            return False
        if not (left.op is _ADD and left in inner):
            return True
        node = left
    return True


def find_layers(trace: TracedGraph, uses: dict[Value, int]) -> list[DenseLayer]:
    """The layers of the part of ``trace`` that the output depends on, each in the order of its first sum."""
    params = set(trace.params)
    batch: set[Value] = set(trace.inputs)  # the variables that hold one number per example
    inner: set[Value] = set()  # + nodes whose only reader is a + node: inside a tree of +
    # (inputs, order of the terms, from zero) -> (sum, weights, bias, replaced nodes) of each neuron so
    grouped: dict[
        tuple[tuple[Value, ...], tuple[int, ...], bool],
        list[tuple[Value, tuple[Value, ...], Value | None, tuple[Value, ...]]],
    ] = {}
    for node in trace.order[: trace.output_graph_size]:
        op = node.op
        if op is None or node not in trace.live:
            continue
        if any(p in batch for p in node.parents):
            batch.add(node)
        if op is _ADD:
            inner.update(p for p in node.parents if p.op is _ADD and uses.get(p) == 1)
    for node in trace.order[: trace.output_graph_size]:
        if node.op in (_SUM, _ADD) and node in trace.live and node not in inner:
            found = _neuron(node, params, batch, uses, inner)
            if found is not None:  # sums over the same inputs that add their terms in the same order
                inputs, weights, bias, replaced, order = found
                grouped.setdefault((inputs, order, node.op is _SUM), []).append((node, weights, bias, replaced))
    layers = []
    for (inputs, order, from_zero), neurons in grouped.items():
        sums, weight_rows, biases, replaced_groups = zip(*neurons)
        layers.append(
            DenseLayer(
                sums,
                inputs,
                weight_rows,
                biases,
                tuple(p for group in replaced_groups for p in group),
                order,
                from_zero,
            )
        )
    return _linked(layers, uses, {trace.output, *trace.aux})


def _activation(layer: DenseLayer, following: DenseLayer, uses: dict[Value, int], outputs: set[Value]) -> Op | None:
    """The op whose results, one per sum of ``layer``, are exactly ``following``'s inputs and read by nothing else."""
    if len(following.inputs) != len(layer.sums):
        return None
    op = following.inputs[0].op
    if op is None or op.variadic or op.derivative_exprs is None or len(op.inputs) != 1:
        return None
    for s, a in zip(layer.sums, following.inputs):
        if (
            a.op is not op
            or a.parents != (s,)
            or uses.get(s) != 1
            or uses.get(a) != len(following.sums)
            or s in outputs
            or a in outputs
        ):
            return None
    return op


def _linked(layers: list[DenseLayer], uses: dict[Value, int], outputs: set[Value]) -> list[DenseLayer]:
    """The layers, each one whose activations feed another marked so (``activation``, ``next_layer``)."""
    for i, layer in enumerate(layers):
        for j, following in enumerate(layers):
            op = _activation(layer, following, uses, outputs)
            if op is not None and following.input_layer is None:
                layers[i] = layer._replace(activation=op, activations=following.inputs, next_layer=j)
                layers[j] = following._replace(input_layer=i)
                break
    return layers
