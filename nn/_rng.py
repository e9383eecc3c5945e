"""One way to turn a ``seed=`` argument into a random generator, shared by nn's builders.

``seed`` may be ``None`` (a generator seeded from the ``random`` module's global
one, so ``random.seed(0)`` makes a run reproducible, as ``torch.manual_seed`` does),
an ``int`` (a fresh ``random.Random(seed)``: the same numbers every time), or a
``random.Random`` the caller owns (its state advances, so several models can
draw from one stream).
"""

from __future__ import annotations

import random

__all__ = ["Seed", "as_random"]

Seed = None | int | random.Random


def as_random(seed: Seed, where: str) -> random.Random:
    """The generator ``seed`` stands for; TypeError naming ``where`` for anything else."""
    if seed is None:
        # Seeded from the global generator: random.seed(0) beforehand fixes the result.
        return random.Random(random.getrandbits(64))
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"{where}: seed must be None, an int or a random.Random, got {type(seed).__name__} {seed!r}")
