"""Speed and memory of autograd-core against micrograd, in one process, interleaved.

    python benchmarks/bench.py            # full run (about a minute)
    python benchmarks/bench.py --quick    # fewer repeats, smaller chain

Workloads (the same model code runs on both engines; only the Value class differs):

* train step: one full-batch step of micrograd's demo: MLP 2-16-16-1 with ReLU,
  100 two-moons points, hinge loss + L2 1e-4, backward, SGD update.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a shorter chain")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    chain_n = 200_000 if args.quick else 1_000_000

    xs, ys = two_moons(100)
    ours_model = build_mlp(OurValue, [2, 16, 16, 1])
    micro_model = build_mlp(MicroValue, [2, 16, 16, 1])

    rows = []
    step = interleaved(
        {"micrograd": lambda: train_step(micro_model, xs, ys), "ours": lambda: train_step(ours_model, xs, ys)},
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
    print("| workload | micrograd | autograd-core | speed-up |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t['micrograd'] * 1e3:.1f} ms | {t['ours'] * 1e3:.1f} ms | {t['micrograd'] / t['ours']:.1f}x |")

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
