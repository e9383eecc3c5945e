"""``Module``: the base class of every network piece, after minitorch's Module and PyTorch's nn.Module.

A module's parameters are the ``Value``s it holds in its attributes, directly
(``self.b``) or in a list (``self.w``); its submodules are the modules it holds
the same way (``self.layers``). Walking the attributes in the order they were
set gives every parameter a dotted name, ``layers.0.neurons.3.w.1``, which is
also its label, so an error message or a drawing says where a number came from.

``state_dict()`` copies the parameters' numbers out by name; ``load_state_dict``
checks a whole state against the model before it changes anything, so a bad
state never leaves a model half-loaded.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping

from autograd_core import Value
from autograd_core.errors import short_repr

__all__ = ["Module"]

_SHOWN_KEYS = 5  # how many missing or unexpected keys an error message lists


def _join(prefix: str, name: str) -> str:
    """``prefix.name``, or ``name`` alone at the top."""
    return f"{prefix}.{name}" if prefix else name


class Module:
    """A piece of a network: holds parameters (Values) and submodules in its attributes.

    Subclasses set their parameters and submodules as attributes, alone or in
    lists, and call ``self.relabel()`` at the end of ``__init__``. Attributes
    whose names start with ``_`` are private and never walked.
    """

    # ------------------------------------------------------------ walking
    def _members(self) -> Iterator[tuple[str, Value | Module]]:
        """(name, Value or Module) for each public attribute, list items named ``attr.i``."""
        for name, value in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(value, (Value, Module)):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, (Value, Module)):
                        yield f"{name}.{i}", item

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules, with their names (``layers.0``)."""
        for name, member in self._members():
            if isinstance(member, Module):
                yield name, member

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every submodule below it, with dotted names."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(_join(prefix, name))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """Every parameter below this module, with its dotted name, in attribute order."""
        for name, member in self._members():
            if isinstance(member, Module):
                yield from member.named_parameters(_join(prefix, name))
            else:
                yield _join(prefix, name), member

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of ``named_parameters``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients accumulate across ``backward`` calls)."""
        for p in self.parameters():
            p.grad = 0.0

    # ------------------------------------------------------------- labels
    def relabel(self, prefix: str = "") -> None:
        """Label every parameter with its dotted name, as if this module were named ``prefix``.

        Each module also learns its own path (``_on_relabel``), so the nodes it
        makes in a forward pass carry it too. Constructors call this; call it
        again after putting a module inside one of your own.
        """
        for name, p in self.named_parameters(prefix):
            p.label, p.place = name, None  # a module that knows its parameters' places sets them below
        self._relabel_tree(prefix, ())

    def _relabel_tree(self, path: str, ancestors: tuple[Module, ...]) -> None:
        """Call ``_on_relabel`` on this module and every submodule, parents first."""
        self._path = path
        self._on_relabel(path, ancestors)
        for name, child in self.named_children():
            child._relabel_tree(_join(path, name), (*ancestors, self))

    def _on_relabel(self, path: str, ancestors: tuple[Module, ...]) -> None:
        """Hook: a module that labels its parameters or the nodes it makes does it here.

        ``path`` is the module's dotted name; ``ancestors`` the modules holding
        it, outermost first (each has its ``_path``). Runs after the
        parameters got their plain dotted names, so a module may replace them.
        """

    # -------------------------------------------------------------- state
    def state_dict(self) -> dict[str, float]:
        """Every parameter's number, by dotted name (a copy: changing it changes nothing)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state``, which must name exactly this module's parameters.

        Everything is checked before any parameter changes: on an error the
        module is untouched.

        Raises:
            TypeError: ``state`` is not a mapping, or a value is not a real number.
            ValueError: keys are missing or unexpected, or a value is not finite.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping of names to numbers, got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [key for key in state if key not in params]
        if missing or unexpected:
            problems = [
                f"{what} {len(keys)} key(s): {_some(keys)}"
                for what, keys in (("missing", missing), ("unexpected", unexpected))
                if keys
            ]
            raise ValueError(
                f"state does not match {self._describe()} ({len(params)} parameters, "
                f"the state has {len(state)}): {'; '.join(problems)}"
            )
        values = {}
        for name in params:
            value = state[name]
            if isinstance(value, (bool, Value)) or not isinstance(value, numbers.Real):
                raise TypeError(
                    f"state[{name!r}] is {type(value).__name__} {short_repr(value)}, expected a real number"
                )
            try:
                value = float(value)
            except OverflowError:
                raise ValueError(
                    f"state[{name!r}] is {type(value).__name__} {short_repr(value)}, too large for a float"
                ) from None
            if not math.isfinite(value):
                raise ValueError(f"state[{name!r}] is {value!r}, expected a finite number")
            values[name] = value
        for name, p in params.items():
            p.data = values[name]

    # ----------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """What goes between the parentheses of this module's repr (its sizes, activation)."""
        return ""

    def _describe(self) -> str:
        """One line naming the module: ``Layer(2 -> 16, relu)``."""
        return f"{type(self).__name__}({self.extra_repr()})"

    def __repr__(self) -> str:
        """Nested, one line per submodule; runs of identical submodules shown once (``16 x Neuron(2, relu)``)."""
        children = list(self.named_children())
        if not children:
            return self._describe()
        lines = _grouped(children)
        if all(next(child.named_children(), None) is None for _, child in children):  # children are leaves
            return f"{self._describe()} [{', '.join(lines)}]"
        body = "\n".join("  " + line for text in lines for line in text.splitlines())
        return f"{self._describe()} [\n{body}\n]"


def _some(keys: list[str]) -> str:
    """The first few keys, quoted, and how many more there are."""
    shown = ", ".join(short_repr(k) for k in keys[:_SHOWN_KEYS])
    return shown + (f" and {len(keys) - _SHOWN_KEYS} more" if len(keys) > _SHOWN_KEYS else "")


def _grouped(children: list[tuple[str, Module]]) -> list[str]:
    """``name: repr`` per child, consecutive equal reprs merged: ``neurons.0-15: 16 x Neuron(2, relu)``."""
    runs: list[list] = []  # [first name, last name, repr, count]
    for name, child in children:
        text = repr(child)
        if runs and runs[-1][2] == text and runs[-1][1].rpartition(".")[0] == name.rpartition(".")[0]:
            runs[-1][1] = name
            runs[-1][3] += 1
        else:
            runs.append([name, name, text, 1])
    lines = []
    for first, last, text, count in runs:
        if count == 1:
            lines.append(f"{first}: {text}")
        else:
            lines.append(f"{first}-{last.rpartition('.')[2]}: {count} x {text}")
    return lines
