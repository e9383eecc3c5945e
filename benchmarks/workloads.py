"""The benchmark's workloads: micrograd's demo training step in every mode, a long chain, a big sum.

The same model code (``build_mlp``, ``mlp_forward``, ``train_loss``) runs on
any ``Value`` class, so micrograd and this engine do the same work. The other
modes of the training step do the same arithmetic without an interpreted
graph: compiled (a loop over the examples inside the generated code, or one
program over numpy arrays), hand-written float code, and a PyTorch tensor MLP.
"""

from __future__ import annotations

import math
import random

from autograd_core import compile as compile_graph


def two_moons(n: int, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """n two-moons points with labels -1/+1 (as micrograd's demo uses sklearn's)."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), -1.0
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1.0
        xs.append([x + rng.gauss(0, 0.1), y + rng.gauss(0, 0.1)])
        ys.append(label)
    return xs, ys


def build_mlp(V, sizes: list[int], seed: int = 0) -> list[list[tuple[list, object]]]:
    """An MLP as layers of neurons (weights, bias), micrograd's init: uniform(-1, 1), bias 0."""
    rng = random.Random(seed)
    return [
        [([V(rng.uniform(-1, 1)) for _ in range(nin)], V(0)) for _ in range(nout)]
        for nin, nout in zip(sizes[:-1], sizes[1:])
    ]


def mlp_forward(model, x):
    """Forward through the MLP: ReLU on every layer but the last (as micrograd's nn.MLP)."""
    for li, layer in enumerate(model):
        last = li == len(model) - 1
        out = []
        for w, b in layer:
            act = sum((wi * xi for wi, xi in zip(w, x)), b)
            out.append(act if last else act.relu())
        x = out
    return x[0]


def parameters(model) -> list:
    return [p for layer in model for w, b in layer for p in (*w, b)]


def train_loss(model, xs, ys):
    """micrograd demo's loss: mean hinge loss + 1e-4 * L2."""
    scores = [mlp_forward(model, x) for x in xs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in parameters(model))
    return data_loss + reg_loss


def train_step(model, xs, ys, lr=0.5):
    loss = train_loss(model, xs, ys)
    for p in parameters(model):
        p.grad = 0.0
    loss.backward()
    for p in parameters(model):
        p.data -= lr * p.grad
    return loss


# ------------------------------------------------------------ compiled modes
def compile_train_loss(model, xs, ys) -> tuple:
    """The train step's loss compiled once: the per-example hinge term and the L2 term (gradients into .grad)."""
    n = len(xs)

    def example_loss(x1, x2, y):
        return (1 + -y * mlp_forward(model, [x1, x2])).relu() * (1.0 / n)

    def l2():
        return 1e-4 * sum(p * p for p in parameters(model))

    return compile_graph(example_loss, (*xs[0], ys[0])), compile_graph(l2, ())


def _sgd(model, lr: float) -> None:
    for p in parameters(model):
        p.data -= lr * p.grad


def _zero_grad(model) -> None:
    for p in parameters(model):
        p.grad = 0.0


def loop_train_step(model, compiled, rows, lr=0.5) -> float:
    """train_step on the compiled loss, the loop over the examples inside the generated function."""
    example_loss, l2 = compiled
    _zero_grad(model)
    loss = l2()[0] + math.fsum(example_loss.batch(rows).outputs)
    _sgd(model, lr)
    return loss


def arrays_train_step(model, compiled, X, lr=0.5) -> float:
    """train_step on the compiled loss run once over the batch as numpy arrays (X: examples x (x1, x2, y))."""
    example_loss, l2 = compiled
    _zero_grad(model)
    loss = l2()[0] + float(example_loss.batch_arrays(X).outputs.sum())
    _sgd(model, lr)
    return loss


def interpreted_gradients(model, xs, ys, chunk: int = 500) -> list[float]:
    """train_loss's gradients by the interpreted engine, a chunk of examples at a time (big batches fit in memory).

    The same chain rule in the same engine; only the sums over the examples are
    added chunk by chunk.
    """
    _zero_grad(model)
    n = len(xs)
    for start in range(0, n, chunk):
        part = [
            (1 + -yi * mlp_forward(model, x)).relu()
            for x, yi in zip(xs[start : start + chunk], ys[start : start + chunk])
        ]
        (sum(part) * (1.0 / n)).backward()
    (1e-4 * sum(p * p for p in parameters(model))).backward()
    return [p.grad for p in parameters(model)]


# ------------------------------------------------------------------ pytorch
def torch_model(torch, floats):
    """float_mlp's weights as float64 tensors (W1, b1, W2, b2, ...), requiring gradients."""
    tensors = []
    for rows, biases in floats:
        tensors += [
            torch.tensor(rows, dtype=torch.float64, requires_grad=True),
            torch.tensor(biases, dtype=torch.float64, requires_grad=True),
        ]
    return tensors


def torch_train_step(torch, tensors, X, Y, lr=0.5) -> float:
    """train_step as a PyTorch float64 tensor MLP: the whole batch at once, autograd, SGD."""
    h = X
    for i in range(0, len(tensors), 2):
        h = h @ tensors[i].T + tensors[i + 1]
        if i + 2 < len(tensors):
            h = torch.relu(h)
    loss = torch.relu(1 - Y * h[:, 0]).mean() + 1e-4 * sum((t * t).sum() for t in tensors)
    for t in tensors:
        t.grad = None
    loss.backward()
    with torch.no_grad():
        for t in tensors:
            t -= lr * t.grad
    return loss.item()


def torch_gradients(torch, floats, xs, ys) -> list[float]:
    tensors = torch_model(torch, floats)
    torch_train_step(
        torch, tensors, torch.tensor(xs, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64), lr=0.0
    )
    grads = []
    for i in range(0, len(tensors), 2):
        for row, b in zip(tensors[i].grad.tolist(), tensors[i + 1].grad.tolist()):
            grads += [*row, b]
    return grads


# ------------------------------------------------------- hand-written floats
def float_mlp(sizes: list[int], seed: int = 0) -> list[tuple[list[list[float]], list[float]]]:
    """build_mlp's initial weights as plain floats: per layer, (weight rows, biases)."""
    rng = random.Random(seed)
    return [
        ([[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
        for nin, nout in zip(sizes[:-1], sizes[1:])
    ]


def float_train_step(model, xs, ys, lr=0.5, gradients: list | None = None):
    """train_step written out by hand on floats: forward, hinge + L2, backward, SGD; no graph.

    ``gradients``, if given, receives each parameter's gradient (in ``parameters``' order).
    """
    n = len(xs)
    grads = [([[0.0] * len(row) for row in rows], [0.0] * len(biases)) for rows, biases in model]
    data_loss = 0.0
    for x, y in zip(xs, ys):
        # forward, keeping each layer's input and pre-activation
        inputs, sums = [], []
        a = x
        for li, (rows, biases) in enumerate(model):
            z = [sum((wi * ai for wi, ai in zip(row, a)), b) for row, b in zip(rows, biases)]
            inputs.append(a)
            sums.append(z)
            a = z if li == len(model) - 1 else [zi if zi > 0 else 0.0 for zi in z]
        margin = 1 - y * a[0]
        if margin <= 0:
            continue  # the hinge is flat here: no loss, no gradient
        data_loss += margin / n
        # backward: d loss / d z for the output, then layer by layer
        dz = [-y / n]
        for li in range(len(model) - 1, -1, -1):
            rows, _ = model[li]
            grad_rows, grad_biases = grads[li]
            a = inputs[li]
            for j, dzj in enumerate(dz):
                grad_row = grad_rows[j]
                for i, ai in enumerate(a):
                    grad_row[i] += dzj * ai
                grad_biases[j] += dzj
            if li:
                below = sums[li - 1]
                dz = [sum(dz[j] * rows[j][i] for j in range(len(dz))) if below[i] > 0 else 0.0 for i in range(len(a))]
    reg_loss = 0.0
    for (rows, biases), (grad_rows, grad_biases) in zip(model, grads):
        for row, grad_row in zip(rows, grad_rows):
            for i, w in enumerate(row):
                reg_loss += w * w
                row[i] = w - lr * (grad_row[i] + 2e-4 * w)
        for j, b in enumerate(biases):
            reg_loss += b * b
            biases[j] = b - lr * (grad_biases[j] + 2e-4 * b)
    if gradients is not None:
        for (rows, biases), (grad_rows, grad_biases) in zip(model, grads):
            for row, grad_row, b, grad_b in zip(rows, grad_rows, biases, grad_biases):
                gradients += [g + 2e-4 * w for g, w in zip(grad_row, row)] + [grad_b + 2e-4 * b]
    return data_loss + 1e-4 * reg_loss


def max_relative_difference(a: list[float], b: list[float]) -> float:
    return max(abs(x - y) / max(abs(x), abs(y), 1e-300) for x, y in zip(a, b))


def chain(V, n: int):
    """A chain of about n nodes (x*c + d adds 4: two constants, * and +), then backward."""
    x = V(0.5)
    for _ in range(n // 4):
        x = x * 0.999999 + 1e-6
    x.backward()
    return x


def product_sum(V, n: int, seed: int = 0):
    rng = random.Random(seed)
    a = [V(rng.uniform(-1, 1)) for _ in range(n)]
    b = [V(rng.uniform(-1, 1)) for _ in range(n)]
    total = sum(ai * bi for ai, bi in zip(a, b))
    total.backward()
    return total
