"""The inputs ``check_gradient`` takes: plain numbers, this engine's Values, numpy, PyTorch and JAX arrays.

A ``Point`` holds ``x`` flattened to floats, the precision ``f`` computes in,
and how to build an ``x`` of the same kind, shape and dtype from floats. It
reads ``f``'s output and a claimed gradient back as floats, and gives the
framework's own derivative where it has one (PyTorch's autograd, ``jax.grad``,
this engine's ``grad``). numpy, torch and jax are imported only here, and only
when ``x`` is one of their arrays: the engine itself needs none of them.
"""

from __future__ import annotations

import math
import numbers
import struct
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .backprop import grad
from .errors import short_repr
from .value import Value

__all__ = ["Point", "point_of"]

# The machine epsilon and the struct code (to test that a number is representable) of each float precision.
_PRECISIONS = {
    "float64": (sys.float_info.epsilon, "d"),
    "float32": (2.0**-23, "f"),
    "float16": (2.0**-10, "e"),
    "bfloat16": (2.0**-7, ""),
}


def _framework(x: Any) -> str:
    """'numpy', 'torch' or 'jax' for an array of theirs (read from its type: nothing is imported), else ''."""
    root = type(x).__module__.split(".")[0]
    return {"numpy": "numpy", "torch": "torch", "jax": "jax", "jaxlib": "jax"}.get(root, "")


class Point:
    """``x`` as floats, with its kind, shape and precision; builds new ``x``s and reads results back."""

    def __init__(self, x: Any, kind: str, values: list[float], shape: tuple[int, ...], dtype: str) -> None:
        self.x, self.kind, self.values, self.shape, self.dtype = x, kind, values, shape, dtype
        if dtype not in _PRECISIONS:
            raise TypeError(f"check_gradient: x has dtype {dtype}; derivatives are checked in float16/32/64")
        self.epsilon, self._code = _PRECISIONS[dtype]

    def describe(self) -> str:
        """'x=0.5', 'x=[1.0, 2.0]', or 'x: numpy float32 array of shape (3, 4)'."""
        if self.kind in ("float", "sequence", "value") and len(self.values) <= 8:
            shown = self.values[0] if self.kind == "float" or (self.kind == "value" and not self.shape) else self.values
            return f"x={shown!r}"
        return f"x: {self.kind} {self.dtype} {'array' if self.kind != 'sequence' else 'list'} of shape {self.shape}"

    def names(self) -> list[str]:
        """The name of each entry of x: 'x' for one number, else 'x[i]' or 'x[i, j]'."""
        if not self.shape:
            return ["x"]
        names = []
        for flat in range(len(self.values)):
            index, rest = [], flat
            for size in reversed(self.shape):
                index.append(rest % size)
                rest //= size
            names.append("x[" + ", ".join(str(i) for i in reversed(index)) + "]")
        return names

    def representable(self, t: float) -> bool:
        """Whether t is exactly a number of x's precision (stencil points must be)."""
        if not self._code or self._code == "d":
            return True
        try:
            return bool(struct.unpack(self._code, struct.pack(self._code, t))[0] == t)
        except OverflowError:
            return False

    def build(self, values: Sequence[float], *, complex_: bool = False) -> Any:
        """An x of the same kind, shape and dtype holding ``values`` (complex numbers for ``complex_``)."""
        if self.kind == "float":
            return values[0]
        if self.kind == "sequence":
            return list(values)
        if self.kind == "numpy":
            import numpy as np

            dtype = np.complex128 if complex_ else self.x.dtype
            return np.array(values, dtype=dtype).reshape(self.shape)
        if self.kind == "torch":
            import torch

            dtype = torch.complex128 if complex_ else self.x.dtype
            return torch.tensor(list(values), dtype=dtype).reshape(self.shape)
        import jax.numpy as jnp
        import numpy as np

        return jnp.asarray(np.array(values, dtype=self.x.dtype).reshape(self.shape))

    def evaluate(self, f: Callable[[Any], Any], values: Sequence[float], what: str) -> list[float]:
        """f at the point holding ``values``, its output flattened to floats."""
        x = self.build(values)
        if self.kind == "numpy":  # a stencil point outside f's domain is found by its value, not by a warning
            import numpy as np

            with np.errstate(all="ignore"):
                return floats(f(x), what)
        if self.kind == "torch":
            import torch

            with torch.no_grad():
                return floats(f(x), what)
        return floats(f(x), what)

    def own_jacobian(self, f: Callable[[Any], Any], fname: str) -> list[list[float]]:
        """The framework's own derivative of f at x, one row per output: the claim when none is given."""
        if self.kind == "torch":
            import torch

            x = self.x.detach().clone().requires_grad_(True)
            out = f(x)
            if not isinstance(out, torch.Tensor) or not out.requires_grad:
                raise TypeError(
                    f"check_gradient: {fname}(x) returned {short_repr(out)}, not a tensor that depends on x; "
                    "PyTorch's autograd has no derivative of it to check (pass grad=)"
                )
            rows = []
            flat = out.reshape(-1)
            for i in range(flat.numel()):
                (g,) = torch.autograd.grad(flat[i], x, retain_graph=True, allow_unused=True)
                rows.append([0.0] * len(self.values) if g is None else g.detach().double().reshape(-1).tolist())
            return rows
        if self.kind == "jax":
            import jax
            import numpy as np

            jac = np.asarray(jax.jacrev(f)(self.x), dtype=np.float64)
            return jac.reshape(-1, len(self.values)).tolist()
        if self.kind == "value":
            xs = [Value(v, name) for v, name in zip(self.values, self.names())]
            out = f(xs[0] if not self.shape else xs)
            outs = out if isinstance(out, (list, tuple)) else [out]
            for o in outs:
                if not isinstance(o, Value):
                    raise TypeError(
                        f"check_gradient: {fname} returned {type(o).__name__} {short_repr(o)}, not a Value; "
                        "f must build its result from the Values it is given, or pass grad= with the claimed gradient"
                    )
            return [list(grad(o, xs)) for o in outs]
        raise TypeError(
            f"check_gradient: x is a {self.kind} {'array' if self.kind == 'numpy' else 'value'} "
            f"({short_repr(self.x)}), which has no derivative of its own: pass grad=, jacobian= or vjp= "
            "with the claimed derivative"
        )


def floats(out: Any, what: str) -> list[float]:
    """A number, a Value, a sequence of them, or an array (numpy, PyTorch, JAX) as a flat list of floats."""
    if isinstance(out, Value):
        return [out.data]
    if isinstance(out, numbers.Real):
        return [float(out)]
    framework = _framework(out)
    if framework == "torch":
        if out.is_complex():
            raise TypeError(f"{what} is complex ({short_repr(out)}); the derivative of a real function is checked")
        return out.detach().double().reshape(-1).tolist()  # type: ignore[no-any-return]  # torch's tolist is Any
    if framework:
        import numpy as np

        array = np.asarray(out)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{what} is {short_repr(out)} of dtype {array.dtype}; expected real numbers")
        return array.astype(np.float64).reshape(-1).tolist()  # type: ignore[no-any-return]  # numpy's tolist is Any
    if isinstance(out, (list, tuple)):
        return [v for item in out for v in floats(item, what)]
    raise TypeError(f"{what} is {type(out).__name__} {short_repr(out)}; expected a number or an array of numbers")


def point_of(x: Any, framework_claim: bool) -> Point:
    """x as a Point: a float, a sequence of floats, or a numpy, PyTorch or JAX array of floats.

    ``framework_claim``: no claim was given, so plain numbers mean a function of this engine's Values.
    """
    framework = _framework(x)
    if framework == "torch":
        values = x.detach().double().reshape(-1).tolist()
        dtype = str(x.dtype).replace("torch.", "")
        point = Point(x, "torch", values, tuple(x.shape), dtype)
    elif framework:
        import numpy as np

        array = np.asarray(x)
        if array.dtype.kind in "biu":  # integers: checked as float64
            x, array = array.astype(np.float64), array.astype(np.float64)
        if array.dtype.kind != "f":
            raise TypeError(f"check_gradient: x has dtype {array.dtype}; derivatives are checked for real floats")
        kind = "numpy" if framework == "numpy" else "jax"
        point = Point(
            x if kind == "jax" else array,
            kind,
            array.astype(np.float64).reshape(-1).tolist(),
            array.shape,
            str(array.dtype),
        )
    elif isinstance(x, Value):
        raise TypeError(f"check_gradient: x is a number or an array, got a Value; pass its number, {x!r}.data")
    elif isinstance(x, numbers.Real):
        point = Point(x, "value" if framework_claim else "float", [float(x)], (), "float64")
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            if isinstance(v, Value):
                raise TypeError(f"check_gradient: x is numbers, but x[{i}] is {v!r}; pass its .data")
            if not isinstance(v, numbers.Real):
                raise TypeError(f"check_gradient: x[{i}] must be a real number, got {type(v).__name__} {short_repr(v)}")
        point = Point(x, "value" if framework_claim else "sequence", [float(v) for v in x], (len(x),), "float64")
    else:
        raise TypeError(
            f"check_gradient: x must be a number, a list of numbers, or a numpy, PyTorch or JAX array; "
            f"got {type(x).__name__} {short_repr(x)}"
        )
    if not point.values:
        raise ValueError("check_gradient: x is empty; there is no derivative to check")
    for name, v in zip(point.names(), point.values):
        if not math.isfinite(v):
            raise ValueError(f"check_gradient: {name} is {v!r}; derivatives can only be checked at finite points")
    return point
