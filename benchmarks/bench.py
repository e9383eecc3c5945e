"""Speed and memory of autograd-core: against micrograd, hand-written float code and PyTorch, in one process.

    python benchmarks/bench.py            # full run (several minutes: it compiles million-node graphs)
    python benchmarks/bench.py --quick    # fewer repeats, graphs up to 100,000 nodes
    python benchmarks/bench.py --page docs/explanation/performance.md   # also write the site's page (make bench)

Workloads (``workloads.py``): micrograd's demo training step (MLP 2-16-16-1
with ReLU, two-moons points, hinge loss + L2 1e-4, backward, SGD update) run

* interpreted, on micrograd's Value and on ours (the same model code), with
  Python's cyclic garbage collector on as users run it (the timing includes
  collecting the garbage each engine left) and off for both (collected
  outside the timing);
* compiled (``autograd_core.compile`` of the per-example loss and the L2
  term), as one generated loop over the examples and as one program over
  numpy arrays;
* written by hand on floats (no graph: the floor for pure Python), and as a
  PyTorch float64 tensor MLP on one thread (where torch is installed; numpy's
  BLAS is given one thread too);

at 100 and 10,000 points; plus a chain of a million nodes and a sum of
20,000 products, and compile time and memory per node from a thousand to a
million nodes (``compile_scaling.py``, each size in a fresh process).

Timings alternate the modes repeat by repeat and report medians. Before any
timing the gradients of every mode are compared with the interpreted engine's.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
# One thread for numpy's BLAS, as for PyTorch (torch.set_num_threads(1)): before numpy is first imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import compile_scaling  # noqa: E402 - after the thread settings above
import performance_page  # noqa: E402 - after the thread settings above
from workloads import (  # noqa: E402 - after the thread settings above
    arrays_train_step,
    build_mlp,
    chain,
    compile_train_loss,
    float_mlp,
    float_train_step,
    interpreted_gradients,
    loop_train_step,
    parameters,
    product_sum,
    torch_gradients,
    torch_model,
    torch_train_step,
    train_loss,
    train_step,
    two_moons,
)

from autograd_core import Value as OurValue  # noqa: E402 - after the thread settings above

try:
    from micrograd.engine import Value as MicroValue
except ImportError:  # pragma: no cover - the dev extra installs it
    sys.exit("benchmarks need micrograd 0.1.0: pip install -e '.[dev]'")


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


def timed(fn, calls: int = 1, gc_mode: str = "collect") -> float:
    """Seconds per call of ``fn``, run ``calls`` times back to back as a program would.

    ``gc_mode`` "collect": the collector on, and the clock also covers a final
    ``gc.collect()``: freeing its own garbage is part of what an engine costs
    (micrograd's closures make reference cycles that only the cyclic
    collector can free), so no engine leaves its garbage for the next one to
    pay for. "off": the collector off, its garbage collected after the clock
    stops. "on": the collector on, as a program runs, with no forced collection
    (for code that makes no cyclic garbage: a forced full collection would
    only time the scan of everything else alive).
    """
    if gc_mode == "off":
        gc.disable()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    if gc_mode == "collect":
        gc.collect()
    elapsed = time.perf_counter() - start
    gc.enable()
    gc.collect()
    return elapsed / calls


def interleaved(fns: dict, repeats: int, calls: int = 1, gc_mode: str = "collect") -> dict[str, float]:
    """Median seconds per call of each function, running them in turn, repeat by repeat."""
    times = {name: [] for name in fns}
    gc.collect()
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(timed(fn, calls, gc_mode))
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


def gradient_difference(reference: list[float], other: list[float]) -> float:
    """The largest difference between two gradient vectors, relative to the largest gradient."""
    scale = max(abs(g) for g in reference)
    return max(abs(a - b) for a, b in zip(reference, other)) / scale


def load_torch():
    """torch on one thread, or None where it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def check_gradients(xs, ys, torch) -> dict[str, float]:
    """Every mode's gradients for one step, against the interpreted engine's; exits if one is off by > 1e-12."""
    import numpy as np

    model = build_mlp(OurValue, [2, 16, 16, 1])
    reference = interpreted_gradients(model, xs, ys)
    compiled = compile_train_loss(model, xs, ys)
    rows = [(a, b, y) for (a, b), y in zip(xs, ys)]
    found = {}
    for mode, step in (
        ("loop", lambda: loop_train_step(model, compiled, rows, lr=0.0)),
        ("numpy", lambda: arrays_train_step(model, compiled, np.array(rows), lr=0.0)),
    ):
        step()
        found[mode] = [p.grad for p in parameters(model)]
    floats = float_mlp([2, 16, 16, 1])
    found["floats"] = []
    float_train_step(floats, xs, ys, lr=0.0, gradients=found["floats"])
    if torch is not None:
        found["torch"] = torch_gradients(torch, floats, xs, ys)
    differences = {mode: gradient_difference(reference, grads) for mode, grads in found.items()}
    if max(differences.values()) > 1e-12:
        raise SystemExit(f"{len(xs)} points: a mode's gradients differ from the interpreted engine's: {differences}")
    return differences


def train_steps(xs, ys) -> dict:
    """One training step on each engine, from the same initial weights."""
    ours, micro = build_mlp(OurValue, [2, 16, 16, 1]), build_mlp(MicroValue, [2, 16, 16, 1])
    return {"micrograd": lambda: train_step(micro, xs, ys), "ours": lambda: train_step(ours, xs, ys)}


def interpreted_rows(xs, ys, repeats: int) -> list[tuple[str, dict]]:
    """The interpreted training step against micrograd in both GC modes, a long chain and a big sum."""
    steps = train_steps(xs, ys)
    rows = [
        ("train step, GC on (collection timed)", interleaved(steps, repeats, calls=3)),
        ("train step, GC off (collected after timing)", interleaved(steps, repeats, calls=3, gc_mode="off")),
    ]
    rows.append(
        (
            "chain of 1,000,000 nodes, GC on",
            interleaved(
                {"micrograd": lambda: chain(MicroValue, 1_000_000), "ours": lambda: chain(OurValue, 1_000_000)},
                max(1, repeats // 2),
            ),
        )
    )
    rows.append(
        (
            "sum of 20,000 products, GC on",
            interleaved(
                {"micrograd": lambda: product_sum(MicroValue, 20_000), "ours": lambda: product_sum(OurValue, 20_000)},
                repeats,
            ),
        )
    )
    return rows


def compiled_row(n: int, repeats: int, torch) -> dict[str, float]:
    """One step at ``n`` points in every mode that needs no interpreted graph."""
    import numpy as np

    xs, ys = two_moons(n)
    rows = [(a, b, y) for (a, b), y in zip(xs, ys)]
    X = np.array(rows)
    loop_model, arrays_model = build_mlp(OurValue, [2, 16, 16, 1]), build_mlp(OurValue, [2, 16, 16, 1])
    start = time.perf_counter()
    loop_compiled = compile_train_loss(loop_model, xs, ys)
    compile_seconds = time.perf_counter() - start
    arrays_compiled = compile_train_loss(arrays_model, xs, ys)
    arrays_train_step(arrays_model, arrays_compiled, X[:2], lr=0.0)  # generate the numpy program before timing
    loop_train_step(loop_model, loop_compiled, rows[:2], lr=0.0)
    floats = float_mlp([2, 16, 16, 1])
    modes = {
        "floats": lambda: float_train_step(floats, xs, ys),
        "loop": lambda: loop_train_step(loop_model, loop_compiled, rows),
        "numpy": lambda: arrays_train_step(arrays_model, arrays_compiled, X),
    }
    if torch is not None:
        tensors = torch_model(torch, float_mlp([2, 16, 16, 1]))
        Xt, Yt = torch.tensor(xs, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
        modes["torch"] = lambda: torch_train_step(torch, tensors, Xt, Yt)
    times = interleaved(modes, repeats, calls=1 if n > 1000 else 10, gc_mode="on")
    times["compile"] = compile_seconds
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds >= 0.01 else f"{seconds * 1e3:.2f} ms"


def print_interpreted(rows, xs, ys) -> None:
    print("| workload | micrograd | autograd-core | speed-up |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {ms(t['micrograd'])} | {ms(t['ours'])} | {t['micrograd'] / t['ours']:.1f}x |")
    ours_b, ours_n = bytes_per_node(OurValue, xs, ys)
    micro_b, micro_n = bytes_per_node(MicroValue, xs, ys)
    on, off = rows[0][1], rows[1][1]
    print(
        f"\ntargets: GC on >= 10x micrograd: {on['micrograd'] / on['ours']:.1f}x; GC off >= 2x: "
        f"{off['micrograd'] / off['ours']:.1f}x"
    )
    print(
        f"memory per graph node (train step, forward+backward, tracemalloc): micrograd {micro_b:.0f} B "
        f"({micro_n:,} nodes), autograd-core {ours_b:.0f} B ({ours_n:,} nodes) (target <= 140 B)"
    )


def print_compiled(results: dict[int, dict], differences: dict[int, dict], torch) -> None:
    print(
        "| points | hand-written floats | compiled: loop per example | compiled: numpy batch | "
        "PyTorch float64, 1 thread |"
    )
    print("|---:|---:|---:|---:|---:|")
    for n, t in results.items():
        floats = t["floats"]
        cells = [ms(floats)] + [f"{ms(t[m])} ({t[m] / floats:.3f}x)" for m in ("loop", "numpy")]
        cells.append(f"{ms(t['torch'])} ({t['torch'] / floats:.3f}x)" if "torch" in t else "not installed")
        print(f"| {n:,} | " + " | ".join(cells) + " |")
    print()
    for n, t in results.items():
        line = (
            f"{n:,} points: loop {t['loop'] / t['floats']:.2f}x floats (target <= 1); numpy "
            f"{t['numpy'] / t['floats']:.3f}x floats (target <= {0.5 if n <= 100 else 0.03})"
        )
        if "torch" in t:
            line += f", {t['numpy'] / t['torch']:.1f}x PyTorch (target <= 3)"
        print(line + f"; compiling the step: {ms(t['compile'])}")
    for n, d in differences.items():
        print(
            f"gradients at {n:,} points, max |difference| / max |gradient| against the interpreted engine: "
            + ", ".join(f"{mode} {value:.1e}" for mode, value in d.items())
            + " (checked <= 1e-12 before timing)"
        )
    if torch is None:
        print("PyTorch is not installed: its column is empty (make torch installs it)")


def print_compile_scaling(quick: bool) -> None:
    sizes = [1_000, 10_000, 100_000] + ([] if quick else [1_000_000])
    cases = [("chain", n) for n in sizes]
    if not quick:
        cases += [("sum", 1_000_000), ("python-sum", 1_000_000)]
    names = {
        "chain": "chain x = x * c + d",
        "sum": "Value.sum of n parameters (one node)",
        "python-sum": "Python sum of n parameters (n + nodes)",
    }
    print("| graph | nodes | compile | per node | memory |")
    print("|---|---:|---:|---:|---:|")
    per_node = {}
    for kind, n in cases:
        r = compile_scaling.run(kind, n)
        per_node[(kind, n)] = r["seconds"] / n
        print(
            f"| {names[kind]} | {n:,} | {r['seconds']:.2f} s | {r['seconds'] / n * 1e6:.1f} us | "
            f"{r['memory'] / 2**20:.0f} MB |"
        )
    chain_costs = [per_node[("chain", n)] for n in sizes]
    growth = max(chain_costs) / min(chain_costs)
    print(
        f"\nchain: per-node cost from {sizes[0]:,} to {sizes[-1]:,} nodes grows {growth:.2f}x "
        f"(target <= 1.3x), at most {max(chain_costs) * 1e6:.1f} us (target <= 30 us)"
    )


class _Tee(io.StringIO):
    """Standard output that is also kept, to write the page from what was printed."""

    def __init__(self, stream) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.stream.flush()
        return super().write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, graphs up to 100,000 nodes")
    parser.add_argument("--page", type=Path, help="also write the report as the site's performance page here")
    parser.add_argument(
        "--report-from", type=Path, help="write --page from this saved report instead of measuring", metavar="FILE"
    )
    args = parser.parse_args()
    if args.report_from is not None:
        if args.page is None:
            parser.error("--report-from needs --page")
        print(f"wrote {performance_page.write(args.page, args.report_from.read_text(encoding='utf-8'))}")
        return
    report = _Tee(sys.stdout)
    with contextlib.redirect_stdout(report):
        measure(args.quick)
    if args.page is not None:
        print(f"wrote {performance_page.write(args.page, report.getvalue())}")


def measure(quick: bool) -> None:
    """Run every benchmark and print the report."""
    repeats = 3 if quick else 7
    xs, ys = two_moons(100)
    # The interpreted engines run first, before PyTorch and numpy are imported: the collector then
    # sees what a script training with micrograd has alive. Every full collection scans every
    # live object, PyTorch's ~150,000 too; that cost is measured separately below.
    gc.collect()
    alive = len(gc.get_objects())
    interpreted = interpreted_rows(xs, ys, repeats)
    torch = load_torch()
    if torch is not None:
        gc.collect()
        row = f"train step, GC on, PyTorch imported too ({len(gc.get_objects()):,} objects alive)"
        interpreted.append((row, interleaved(train_steps(xs, ys), repeats, calls=3)))
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, medians of {repeats} interleaved runs"
        + (f", PyTorch {torch.__version__}" if torch is not None else "")
        + "\n"
    )

    differences = {n: check_gradients(*two_moons(n), torch) for n in (100, 10_000)}
    print(
        "Interpreted engine against micrograd (MLP 2-16-16-1, 100 points, hinge loss + L2, SGD; "
        f"{alive:,} objects alive for the collector besides the graphs):\n"
    )
    print_interpreted(interpreted, xs, ys)
    print("\nThe same training step without an interpreted graph:\n")
    results = {n: compiled_row(n, repeats if n <= 100 else max(2, repeats // 2), torch) for n in (100, 10_000)}
    print_compiled(results, differences, torch)
    print("\nCompiling (trace, code generation, CPython's compile), each size in a fresh process:\n")
    print_compile_scaling(quick)


if __name__ == "__main__":
    # micrograd's topological sort is recursive: a million-node chain needs a
    # deep recursion limit and a large thread stack. Both engines run in it.
    sys.setrecursionlimit(10_000_000)
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=main)
    worker.start()
    worker.join()
