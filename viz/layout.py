"""Reading order in a network's drawing: written, laid out by Graphviz, checked, and rewritten until it holds.

A drawing of a network should read in order: x[0] above x[1], w.0 above
w.1, neuron 0 before neuron 1. The tools Graphviz's ``dot`` offers are
invisible *flat* edges (``a -> b`` inside a ``rank=same`` group asks for ``a``
first) and the order in which clusters are written; ``ordering=in/out`` is
ignored between clusters and invisible edges between clusters do not order
them. Measured on Graphviz 2.43 (Debian's) with the MLPs of the tests, flat
chains outside clusters are always kept, but inside clusters they may come
out backwards, and sibling clusters come out in an order that depends on the
graph (neurons 2, 0, 1 for a 2-3-1 MLP): crossing minimisation breaks the
ties between identical neurons its own way.

So ``arrange`` does what a person would: it writes the DOT source, asks
``dot`` where every node went (``-Tplain``), and where a chain came out
backwards or sibling clusters out of order, writes them the other way and
tries again, keeping the first layout that reads in order (or, after a few
tries, the one with the fewest wrong orders). Without Graphviz the source is
written in the natural order. The layouts come from ``drawing.pipe``: the
``dot`` program on a desktop, Graphviz compiled to WebAssembly in the browser
(Debian's 2.43 and the WebAssembly 16.1 break ties differently; the checks
hold on both, tests/viz/test_viz_wasm_layout.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import graphviz

from .drawing import GraphvizNotFoundError, pipe

__all__ = ["Arrangement", "Orders", "arrange"]

ATTEMPTS = 6


@dataclass
class Arrangement:
    """How the DOT source is written: sibling clusters' order and which chains are written backwards."""

    cluster_rank: dict[str, int] = field(default_factory=dict)  # cluster key -> its place among its siblings
    backwards: set[Hashable] = field(default_factory=set)  # chain keys written last to first


@dataclass
class Orders:
    """What should read in order: chains of node ids, and sibling clusters (key and member node ids)."""

    chains: dict[Hashable, list[str]]
    siblings: list[list[tuple[str, list[str]]]]  # each: the clusters of one parent, in the wanted order

    def __bool__(self) -> bool:
        return any(len(c) > 1 for c in self.chains.values()) or any(len(s) > 1 for s in self.siblings)


def _positions(plain: str, rankdir: str) -> dict[str, float]:
    """Each node's place in reading order (top to bottom for LR/RL, left to right for TB/BT), from ``-Tplain``."""
    out = {}
    for line in plain.splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[0] == "node":
            x, y = float(parts[2]), float(parts[3])
            out[parts[1].strip('"')] = -y if rankdir in ("LR", "RL") else x
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / max(1, len(values))


def _inversions(values: Sequence[float]) -> int:
    return sum(1 for i, a in enumerate(values) for b in values[i + 1 :] if a >= b)


def _review(orders: Orders, at: dict[str, float], arrangement: Arrangement) -> tuple[int, Arrangement]:
    """How many pairs read out of order, and the arrangement to try next."""
    wrong = 0
    following = Arrangement(dict(arrangement.cluster_rank), set(arrangement.backwards))
    for key, ids in orders.chains.items():
        values = [at[i] for i in ids if i in at]
        bad = _inversions(values)
        wrong += bad
        if bad:  # write it the other way (inside a cluster, dot may keep a chain backwards)
            following.backwards ^= {key}
    for group in orders.siblings:
        keys = [key for key, _ in group]
        centre = {key: _mean([at[i] for i in ids if i in at]) for key, ids in group}
        shown = sorted(keys, key=centre.__getitem__)
        bad = _inversions([centre[k] for k in keys])
        wrong += bad
        if bad:
            # Written in slot s, a cluster was shown at place p(s): write cluster k in the slot that is shown at k.
            written = sorted(keys, key=lambda k: arrangement.cluster_rank.get(k, keys.index(k)))
            slot_shown_at = {shown.index(k): slot for slot, k in enumerate(written)}
            for place, key in enumerate(keys):
                following.cluster_rank[key] = slot_shown_at[place]
    return wrong, following


def arrange(write: Callable[[Arrangement], graphviz.Digraph], orders: Orders, rankdir: str) -> graphviz.Digraph:
    """The Digraph ``write`` makes for the arrangement that Graphviz lays out in reading order (see the module doc)."""
    arrangement = Arrangement()
    best: tuple[int, graphviz.Digraph] | None = None
    if not orders:
        return write(arrangement)
    for _ in range(ATTEMPTS):
        g = write(arrangement)
        try:
            plain = pipe(g, "plain").decode("utf-8", "replace")
        except (GraphvizNotFoundError, RuntimeError):  # no Graphviz, or it failed: the source as written
            return g
        wrong, following = _review(orders, _positions(plain, rankdir), arrangement)
        if best is None or wrong < best[0]:
            best = (wrong, g)
        if wrong == 0 or following == arrangement:
            break
        arrangement = following
    return best[1]
