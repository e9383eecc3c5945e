"""Save and load a model's parameters as JSON, safely.

The file is a small JSON object::

    {"format": "autograd-core/nn parameters", "version": 1,
     "model": "MLP(2 -> 16 -> 16 -> 1, relu, 337 parameters)",
     "parameters": {"layers.0.neurons.0.w.0": 0.5617..., ...}}

Numbers are written with Python's shortest exact repr, so a round trip gives
back the same floats. Saving writes a temporary file next to the target and
renames it over the target (``os.replace`` is atomic), so a crash leaves the
old file or the new one, never half of one. Loading checks everything (JSON,
layout, names, finite numbers) before it sets a single parameter; any problem
raises ``ModelFileError`` naming the file and the problem, and leaves the model as it was.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
from pathlib import Path
from typing import Union

from .module import Module

__all__ = ["ModelFileError", "save_parameters", "load_parameters", "FORMAT", "VERSION"]

FORMAT = "autograd-core/nn parameters"
VERSION = 1
PathLike = Union[str, "os.PathLike[str]"]


class ModelFileError(ValueError):
    """A parameter file could not be read or does not fit the model; the model is unchanged."""


def save_parameters(model: Module, path: PathLike) -> Path:
    """Write ``model``'s parameters to ``path`` as JSON, atomically; returns the path.

    Raises:
        ValueError: a parameter is not finite (JSON cannot hold nan or inf); nothing is written.
    """
    path = Path(path)
    state = model.state_dict()
    for name, value in state.items():
        if not math.isfinite(value):
            raise ValueError(f"cannot save {path}: parameter {name!r} is {value!r} (JSON holds only finite numbers)")
    document = {"format": FORMAT, "version": VERSION, "model": model._describe(), "parameters": state}
    text = json.dumps(document, indent=1) + "\n"
    # A fresh name (O_EXCL) with mode 0o666 less the umask: the file gets the
    # permissions open() would give it (mkstemp would make it private, 0o600).
    temp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    return path


def _reject_constant(name: str) -> float:
    raise ValueError(f"the file holds {name}, which is not a finite number")


def _read_state(path: Path) -> dict:
    """The ``parameters`` mapping of the file, after checking it is our JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"cannot read parameters from {path}: {exc}") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # The JSON ran out: at the end of the text, in a string that never closes, or in a last number.
        tail = text[exc.pos:].strip()
        truncated = exc.msg.startswith("Unterminated string") or re.fullmatch(r"[0-9.eE+-]*", tail) is not None
        problem = "the file is truncated (the JSON stops early)" if truncated else "the file is not valid JSON"
        raise ModelFileError(f"cannot load parameters from {path}: {problem}: {exc}") from None
    except ValueError as exc:
        raise ModelFileError(f"cannot load parameters from {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"cannot load parameters from {path}: not a parameter file "
                             f"(expected a JSON object with \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION:
        raise ModelFileError(f"cannot load parameters from {path}: file version {document.get('version')!r}, "
                             f"this library reads version {VERSION}")
    state = document.get("parameters")
    if not isinstance(state, dict):
        raise ModelFileError(f"cannot load parameters from {path}: \"parameters\" is missing or not an object")
    return state


def load_parameters(model: Module, path: PathLike) -> Module:
    """Set ``model``'s parameters from a file written by ``save_parameters``; returns the model.

    Raises:
        ModelFileError: the file is unreadable, truncated, not JSON, not a
            parameter file, or its names or numbers do not fit the model. The
            model is unchanged.
    """
    path = Path(path)
    state = _read_state(path)
    try:
        model.load_state_dict(state)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"cannot load parameters from {path}: {exc}") from None
    return model
