"""Optimizers: ``SGD`` and ``Adam``, with PyTorch's update formulas (torch.optim), on Values.

Each optimizer holds a list of parameters and, per parameter, the state its
formula needs (a momentum buffer; Adam's two moment estimates). ``step()``
reads every ``.grad`` and updates every ``.data``; ``zero_grad()`` sets the
gradients back to 0 (``backward()`` accumulates into them).

The formulas, for parameter p with gradient g at step t (t = 1, 2, ...):

SGD (dampening 0, as torch's default)::

    g = g + weight_decay * p
    buf = g                                   (t = 1)
    buf = momentum * buf + g                  (t > 1)
    g = g + momentum * buf if nesterov else buf   (only when momentum != 0)
    p = p - lr * g

Adam (torch.optim.Adam, weight_decay as an L2 term added to the gradient)::

    g = g + weight_decay * p
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    p = p - (lr / (1 - beta1**t)) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

L2 regularisation is ``weight_decay``, as in PyTorch: the optimizer adds
``weight_decay * p`` to each gradient, which is the gradient of a penalty
``weight_decay / 2 * sum(p**2)`` added to the loss (the loss itself stays the
data's loss).

``lr`` is an attribute of every optimizer: set it between steps for a
schedule (``nn.fit(..., lr_schedule=...)`` does); a value that is not a
finite number >= 0 is refused when it is set. ``state_dict()`` and
``load_state_dict()`` copy the learning rate and the per-parameter state out
and back (``fit`` uses them to undo an update that made a weight non-finite).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd_core import Value

__all__ = ["Optimizer", "SGD", "Adam"]


def _check_number(value: object, name: str, low: float, high: float = math.inf, *, high_open: bool = False) -> float:
    """``value`` as a finite float in [low, high] (or [low, high)); errors name the argument and the range."""
    if isinstance(value, (bool, Value)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    above = value >= high if high_open else value > high
    if not math.isfinite(value) or value < low or above:
        # Without an upper bound, "in [0.0, inf]" would seem to admit inf, which is refused.
        allowed = f"a finite number >= {low}" if high == math.inf else f"in [{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


class Optimizer:
    """Holds the parameters and the learning rate ``lr``; subclasses implement ``step``.

    ``STATE`` names the attributes that hold a subclass's per-parameter state
    (lists of floats, or counters), which ``state_dict`` copies.
    """

    STATE: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value):
            raise TypeError(f"{type(self).__name__} needs a list of parameters, got a single Value; use [value]")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        seen: dict[int, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: parameter {i} is {type(p).__name__} {p!r}, expected a Value")
            if id(p) in seen:
                raise ValueError(
                    f"{type(self).__name__}: parameter {i} ({p.label or p.data!r}) is the same Value "
                    f"as parameter {seen[id(p)]}; it would be updated twice"
                )
            seen[id(p)] = i
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate of the next step."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _check_number(value, f"{type(self).__name__} lr", 0.0)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """A copy of the learning rate and the per-parameter state (momentum buffers, moments, step count)."""
        state: dict[str, Any] = {"lr": self.lr}
        for name in self.STATE:
            value = getattr(self, name)
            state[name] = list(value) if isinstance(value, list) else value
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Put back what ``state_dict`` returned (copied, so the dict can be loaded again)."""
        self.lr = state["lr"]
        for name in self.STATE:
            value = state[name]
            setattr(self, name, list(value) if isinstance(value, list) else value)


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (and Nesterov) and L2 weight decay."""

    STATE = ("buffers",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_number(momentum, "SGD momentum", 0.0)
        self.weight_decay = _check_number(weight_decay, "SGD weight_decay", 0.0)
        if nesterov and self.momentum == 0:
            raise ValueError("SGD nesterov=True needs a momentum > 0")
        self.nesterov = bool(nesterov)
        self.buffers: list[float] | None = None  # the momentum buffers, made at the first step

    def step(self) -> None:
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        if momentum == 0:
            for p in self.params:
                p.data -= lr * (p.grad + decay * p.data if decay else p.grad)
            return
        first = self.buffers is None
        buffers = self.buffers = [0.0] * len(self.params) if first else self.buffers
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data if decay else p.grad
            buf = buffers[i] = g if first else momentum * buffers[i] + g
            p.data -= lr * (g + momentum * buf if self.nesterov else buf)

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} parameters, lr={self.lr}, momentum={self.momentum}, "
            f"weight_decay={self.weight_decay}{', nesterov=True' if self.nesterov else ''})"
        )


class Adam(Optimizer):
    """Adam with bias correction, as torch.optim.Adam (weight_decay adds weight_decay * p to the gradient)."""

    STATE = ("t", "m", "v")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_number(betas[0], "Adam betas[0]", 0.0, 1.0, high_open=True),
            _check_number(betas[1], "Adam betas[1]", 0.0, 1.0, high_open=True),
        )
        self.eps = _check_number(eps, "Adam eps", 0.0)
        self.weight_decay = _check_number(weight_decay, "Adam weight_decay", 0.0)
        self.t = 0  # steps taken
        self.m = [0.0] * len(self.params)  # first-moment (mean) estimates
        self.v = [0.0] * len(self.params)  # second-moment (uncentred variance) estimates

    def step(self) -> None:
        self.t += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1.0 - beta1**self.t)
        correction2_sqrt = math.sqrt(1.0 - beta2**self.t)
        eps, decay, m, v = self.eps, self.weight_decay, self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data if decay else p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / correction2_sqrt + eps)

    def __repr__(self) -> str:
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr}, betas={self.betas}, eps={self.eps}, "
            f"weight_decay={self.weight_decay})"
        )
