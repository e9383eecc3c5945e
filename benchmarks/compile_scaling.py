"""Compile time and memory per node, from a thousand nodes to a million: each size in a fresh process.

    python benchmarks/compile_scaling.py chain 1000000     # one measurement, printed as JSON

Graphs: ``chain`` (x = x * c + d repeated: n nodes), ``sum`` (``Value.sum`` of
n parameters: one node over n leaves) and ``python-sum`` (Python's ``sum`` of
n parameters: a chain of n ``+`` nodes). A fresh process per measurement
makes the memory figure its own: the growth of the process's peak resident
memory while compiling (the graph it traces included). Small graphs are
compiled several times and the median time is reported.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from autograd_core import Value, compile


def graph(kind: str, n: int):
    """(f, example inputs) for a graph of about n nodes."""
    if kind == "chain":

        def f(x):
            for _ in range(n // 4):  # x * c + d adds four nodes: two constants, * and +
                x = x * 0.999999 + 1e-6
            return x

        return f, (0.5,)
    leaves = [Value(i * 1e-6) for i in range(n)]
    if kind == "sum":
        return (lambda: Value.sum(leaves)), ()
    if kind == "python-sum":
        return (lambda: sum(leaves)), ()
    raise SystemExit(f"unknown graph {kind!r}")


def peak_memory() -> int:
    """This process's peak resident memory in bytes (Linux's VmHWM: ``ru_maxrss`` survives exec, so a child
    started by a big process would report its parent's peak)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def measure(kind: str, n: int) -> dict:
    f, example = graph(kind, n)
    repeats = max(1, min(9, 200_000 // n))
    before = peak_memory()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn = compile(f, example)
        times.append(time.perf_counter() - start)
        del fn
    peak = peak_memory()
    return {"kind": kind, "nodes": n, "seconds": statistics.median(times), "memory": peak - before}


def run(kind: str, n: int) -> dict:
    """``measure`` in a fresh Python process."""
    out = subprocess.run([sys.executable, __file__, kind, str(n)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
