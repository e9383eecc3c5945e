"""``cyclic_gc_paused``: pause Python's cyclic garbage collector while a big graph is alive.

The engine's graphs hold no reference cycles (a node has no closure), so
reference counting frees them the moment they are dropped. While a big graph
is alive, the cyclic collector, triggered by the allocations that build it,
only rescans it again and again: ``nn.fit`` runs each step inside this block,
``compile`` its traces and code generation.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["cyclic_gc_paused"]


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside the block, then restore its state.

    Cycles made inside the block are collected afterwards, by the collector's
    next run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
