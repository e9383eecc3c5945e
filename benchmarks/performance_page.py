"""The site's performance page (docs/explanation/performance.md), written from a report of ``bench.py``.

``make bench`` runs ``bench.py --page docs/explanation/performance.md``: the
report it prints goes into the page between fixed text that says how it was
measured and what each target is, so the committed page always shows one
whole run. ``--report-from FILE`` writes the page from a saved report instead
of measuring (CI never runs the benchmark).
"""

from __future__ import annotations

from pathlib import Path

INTRO = """\
# Speed and memory

`make bench` (or `python benchmarks/bench.py`; `--quick` for a shorter run)
measures everything below in one run, in one process where it can: the modes
take turns repeat by repeat and each figure is a median. The same model code
runs on micrograd's `Value` and on ours; the other modes of the training step
(`benchmarks/workloads.py`) do the same arithmetic without an interpreted
graph. With Python's cyclic garbage collector on, as you run them, a timing
includes collecting the garbage the engine left behind (micrograd's closures
make reference cycles only the collector frees); with it off for both, the
garbage is collected after the clock stops. Before any timing, every mode's
gradients are compared with the interpreted engine's. Compile time and
memory are measured for each size in a fresh process (`compile_scaling.py`;
memory is the growth of the process's peak resident memory while compiling).

`make bench` writes this page; the report below is that run's, on the machine
its first line describes (this project's machine has 2 cores, shared with other
jobs, so timings vary by a few tens of percent between runs).
"""

TARGETS = """\
## The targets

Each line of the report that starts with `targets`, or that says `target`,
sets the measurement beside it:

- Interpreted engine: at least 10x micrograd with the collector on, 2x with it
  off, at most 140 bytes per graph node. The interpreted rows are timed first,
  before the benchmark imports PyTorch and numpy, so that the collector sees what
  a script training with micrograd has alive; with PyTorch imported as well,
  every full collection scans its objects too (that row is printed). `nn.fit`
  pauses the collector during each step, so training with `nn` does not pay it.
- Compiled training step (see [Compile and batch](../how-to/compile-and-batch.md)):
  the loop over the examples at or below the hand-written float step; the batch
  over numpy arrays at most 0.5x of it at 100 points and 0.03x at 10,000, and
  within 3x of a PyTorch float64 tensor MLP on one thread at both sizes (the
  stretch: at or below PyTorch at 10,000 points).
- Compiling: at most 30 us per node, flat within 1.3x from 1,000 to 1,000,000
  nodes; a chain of a million nodes in under 30 s and 1 GB; a sum of a million
  parameters in under 60 s and 2 GB.

## Where the speed comes from

Interpreted: a node is seven slots with no closure and no set, so a graph makes
no reference cycles and is freed by reference counting the moment it is
dropped; the derivatives are one shared rule per op; the graph walk is one
iterative pass. Compiled: no graph at all at run time, the loop over examples
inside the generated function, parameters read once; over numpy arrays, a
layer is one matrix product. micrograd needs a raised recursion limit and a
large thread stack for the million-node chain; the benchmark gives it both.
"""


def render(report: str) -> str:
    """The page's markdown around ``report``, the text ``bench.py`` printed."""
    return f"{INTRO}\n```text\n{report.strip()}\n```\n\n{TARGETS}"


def write(path: Path, report: str) -> Path:
    """Write the page for ``report`` to ``path`` and return the path."""
    path.write_text(render(report), encoding="utf-8")
    return path
