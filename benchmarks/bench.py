"""Speed and memory of autograd-core against micrograd, in one process, interleaved.

    python benchmarks/bench.py            # full run (about a minute)
    python benchmarks/bench.py --quick    # fewer repeats, smaller chain

Workloads (the same model code runs on both engines; only the Value class differs):

* train step: one full-batch step of micrograd's demo: MLP 2-16-16-1 with ReLU,
  100 two-moons points, hinge loss + L2 1e-4, backward, SGD update. Besides
  the two engines it runs in two more modes: *compiled* (``autograd_core.compile``
  of the per-example loss and of the L2 term, each compiled once and called on
  plain floats) and *hand-written floats* (the same step written out by hand
  on lists of floats, no graph at all: the floor for pure Python). The script
  also times compiling, and checks that the four modes agree after one step.
* chain: x = x * c + d repeated until the graph has N nodes; forward and backward.
* product sum: sum of 20,000 products a_i * b_i; forward and backward.

Each workload alternates engines repeat by repeat and reports the median, with
Python's cyclic garbage collector left on, as a user runs it; a timing includes
collecting the garbage the engine left (the training step runs three steps back
to back, as a training loop does, and reports the time per step). Memory is
tracemalloc's peak during forward+backward of the training step, divided by the
number of graph nodes. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import statistics
import sys
import threading
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from autograd_core import Value as OurValue  # noqa: E402
from autograd_core import compile as compile_graph  # noqa: E402

try:
    from micrograd.engine import Value as MicroValue
except ImportError:  # pragma: no cover - the dev extra installs it
    sys.exit("benchmarks need micrograd 0.1.0: pip install -e '.[dev]'")


# ----------------------------------------------------------------- workloads
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


# ------------------------------------------------------------ compiled mode
def compile_train_loss(model, xs, ys) -> tuple:
    """The train step's loss compiled once: the per-example hinge term and the L2 term."""
    n = len(xs)

    def example_loss(x1, x2, y):
        return (1 + -y * mlp_forward(model, [x1, x2])).relu() * (1.0 / n)

    def l2():
        return 1e-4 * sum(p * p for p in parameters(model))

    return compile_graph(example_loss, (*xs[0], ys[0])), compile_graph(l2, ())


def compiled_train_step(model, compiled, xs, ys, lr=0.5):
    """train_step on the compiled loss: the calls add the parameters' gradients into .grad."""
    example_loss, l2 = compiled
    params = parameters(model)
    for p in params:
        p.grad = 0.0
    loss = l2()[0]
    for (x1, x2), y in zip(xs, ys):
        loss += example_loss(x1, x2, y)[0]
    for p in params:
        p.data -= lr * p.grad
    return loss


# ------------------------------------------------------- hand-written floats
def float_mlp(sizes: list[int], seed: int = 0) -> list[tuple[list[list[float]], list[float]]]:
    """build_mlp's initial weights as plain floats: per layer, (weight rows, biases)."""
    rng = random.Random(seed)
    return [
        ([[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
        for nin, nout in zip(sizes[:-1], sizes[1:])
    ]


def float_train_step(model, xs, ys, lr=0.5):
    """train_step written out by hand on floats: forward, hinge + L2, backward, SGD; no graph."""
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
                dz = [sum(dz[j] * rows[j][i] for j in range(len(dz))) if below[i] > 0 else 0.0
                      for i in range(len(a))]
    reg_loss = 0.0
    for (rows, biases), (grad_rows, grad_biases) in zip(model, grads):
        for row, grad_row in zip(rows, grad_rows):
            for i, w in enumerate(row):
                reg_loss += w * w
                row[i] = w - lr * (grad_row[i] + 2e-4 * w)
        for j, b in enumerate(biases):
            reg_loss += b * b
            biases[j] = b - lr * (grad_biases[j] + 2e-4 * b)
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


# ------------------------------------------------------------------ measuring
def count_nodes(root) -> int:
    """Nodes reachable from root in either engine (ours: .parents, micrograd: ._prev)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        for p in getattr(node, "_parents", None) or getattr(node, "_prev", ()):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def timed(fn, calls: int = 1) -> float:
    """Seconds per call of ``fn``, run ``calls`` times back to back as a program would.

    The clock also covers a final ``gc.collect()``: freeing its own garbage is
    part of what an engine costs (micrograd's closures make reference cycles
    that only the cyclic collector can free), so no engine leaves its garbage
    for the next one to pay for.
    """
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    gc.collect()
    return (time.perf_counter() - start) / calls


def interleaved(fns: dict, repeats: int, calls: int = 1) -> dict[str, float]:
    """Median seconds per call of each function, running them in turn, repeat by repeat."""
    times = {name: [] for name in fns}
    gc.collect()
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(timed(fn, calls))
    return {name: statistics.median(ts) for name, ts in times.items()}


def bytes_per_node(V, xs, ys) -> tuple[float, int]:
    model = build_mlp(V, [2, 16, 16, 1])
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    loss = train_loss(model, xs, ys)
    loss.backward()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    nodes = count_nodes(loss)
    return used / nodes, nodes


def check_agreement(xs, ys) -> dict[str, float]:
    """One step in every mode from the same weights: how far each mode's parameters are from ours."""
    ours, micro, compiled_model = (build_mlp(V, [2, 16, 16, 1]) for V in (OurValue, MicroValue, OurValue))
    floats = float_mlp([2, 16, 16, 1])
    losses = {"ours": train_step(ours, xs, ys).data, "micrograd": train_step(micro, xs, ys).data,
              "compiled": compiled_train_step(compiled_model, compile_train_loss(compiled_model, xs, ys), xs, ys),
              "hand-written floats": float_train_step(floats, xs, ys)}
    reference = [p.data for p in parameters(ours)]
    updated = {
        "micrograd": [p.data for p in parameters(micro)],
        "compiled": [p.data for p in parameters(compiled_model)],
        "hand-written floats": [v for rows, biases in floats for row, b in zip(rows, biases) for v in (*row, b)],
    }
    if max(abs(loss - losses["ours"]) for loss in losses.values()) > 1e-9 * abs(losses["ours"]):
        raise SystemExit(f"the modes disagree on the loss: {losses}")
    return {mode: max_relative_difference(reference, values) for mode, values in updated.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a shorter chain")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    chain_n = 200_000 if args.quick else 1_000_000

    xs, ys = two_moons(100)
    ours_model = build_mlp(OurValue, [2, 16, 16, 1])
    micro_model = build_mlp(MicroValue, [2, 16, 16, 1])

    compiled_model = build_mlp(OurValue, [2, 16, 16, 1])
    floats_model = float_mlp([2, 16, 16, 1])
    agreement = check_agreement(xs, ys)
    compile_times = [timed(lambda: compile_train_loss(compiled_model, xs, ys)) for _ in range(repeats)]
    compiled = compile_train_loss(compiled_model, xs, ys)

    rows = []
    step = interleaved(
        {
            "micrograd": lambda: train_step(micro_model, xs, ys),
            "ours": lambda: train_step(ours_model, xs, ys),
            "compiled": lambda: compiled_train_step(compiled_model, compiled, xs, ys),
            "floats": lambda: float_train_step(floats_model, xs, ys),
        },
        repeats,
        calls=3,
    )
    rows.append(("train step (MLP 2-16-16-1, 100 pts)", step))
    chain_t = interleaved({"micrograd": lambda: chain(MicroValue, chain_n), "ours": lambda: chain(OurValue, chain_n)},
                          max(1, repeats // 2))
    rows.append((f"chain of {chain_n:,} nodes", chain_t))
    psum = interleaved({"micrograd": lambda: product_sum(MicroValue, 20_000), "ours": lambda: product_sum(OurValue, 20_000)},
                       repeats)
    rows.append(("sum of 20,000 products", psum))

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {repeats} interleaved runs, GC on\n")
    print("| workload | micrograd | autograd-core | speed-up | compiled | hand-written floats |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t in rows:
        extra = " | ".join(f"{t[mode] * 1e3:.1f} ms" if mode in t else "-" for mode in ("compiled", "floats"))
        print(f"| {name} | {t['micrograd'] * 1e3:.1f} ms | {t['ours'] * 1e3:.1f} ms | "
              f"{t['micrograd'] / t['ours']:.1f}x | {extra} |")

    compile_cost = statistics.median(compile_times)
    print(f"\ncompiled train step: {step['micrograd'] / step['compiled']:.0f}x faster than micrograd (target >= 30x), "
          f"{step['compiled'] / step['floats']:.2f}x the hand-written floats step (target <= 3x), "
          f"{step['ours'] / step['compiled']:.1f}x faster than interpreted autograd-core")
    print(f"compiling it: {compile_cost * 1e3:.1f} ms = {compile_cost / step['ours']:.2f} interpreted steps "
          f"(target < 10)")
    print("after one step from the same weights, parameters differ from the interpreted engine's by at most "
          + ", ".join(f"{diff:.1e} ({mode})" for mode, diff in agreement.items()) + " (relative)")

    # Linear growth of the chain: time per node at three lengths.
    lengths = [chain_n // 4, chain_n // 2, chain_n]
    per_node = {n: interleaved({"ours": lambda n=n: chain(OurValue, n)}, 1)["ours"] / n * 1e9 for n in lengths}
    print("\nchain time per node (ours): " + ", ".join(f"{n:,}: {ns:.0f} ns" for n, ns in per_node.items())
          + f"  (ratio longest/shortest {per_node[lengths[-1]] / per_node[lengths[0]]:.2f}; 1.0 is linear)")

    ours_b, ours_n = bytes_per_node(OurValue, xs, ys)
    micro_b, micro_n = bytes_per_node(MicroValue, xs, ys)
    print(f"memory per graph node (train step, forward+backward, tracemalloc): "
          f"micrograd {micro_b:.0f} B ({micro_n:,} nodes), autograd-core {ours_b:.0f} B ({ours_n:,} nodes)")


if __name__ == "__main__":
    # micrograd's topological sort is recursive: a million-node chain needs a
    # deep recursion limit and a large thread stack. Both engines run in it.
    sys.setrecursionlimit(10_000_000)
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=main)
    worker.start()
    worker.join()
