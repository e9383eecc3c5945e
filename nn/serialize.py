"""Save and load a model's parameters as JSON, safely.

The file is a small JSON object::

    {"format": "autograd-core/nn parameters", "version": 1,
     "model": "MLP(2 -> 16 -> 16 -> 1, relu, 337 parameters)",
     "parameters": {"layers.0.neurons.0.w.0": 0.5617..., ...}}

Numbers are written with Python's shortest exact repr, so a round trip gives
back the same floats. Saving goes through ``autograd_core.write_atomic`` (a
temporary file renamed over the target), so a crash leaves the old file or the
new one, never half of one. Loading checks everything (JSON,
layout, names, finite numbers) before it sets a single parameter; any problem
raises ``ModelFileError`` naming the file and the problem, and leaves the model as it was.

A file is untrusted input: loading reads only regular files of at most
``MAX_FILE_BYTES`` (64 MiB, about a million parameters), refuses what JSON
allows but a parameter file never holds (duplicate keys, integers or exponents
too large for a float, nesting deeper than Python's parser goes), and keeps
its messages short whatever the file holds.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, Union

from autograd_core.files import write_atomic

from .module import Module

__all__ = ["ModelFileError", "save_parameters", "load_parameters", "FORMAT", "VERSION", "MAX_FILE_BYTES"]

FORMAT = "autograd-core/nn parameters"
VERSION = 1
MAX_FILE_BYTES = 64 * 2**20  # a saved parameter takes about 50 bytes: room for a million
_MAX_DIGITS = len(str(int(sys.float_info.max)))  # 309: an integer with more digits cannot be a float
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
    return write_atomic(path, json.dumps(document, indent=1) + "\n")


def _shown(value: Any) -> str:
    """A JSON value as the file spells it, cut short; an array or object by its kind."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "an array"
    text = json.dumps(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"


def _reject_constant(name: str) -> float:
    raise ValueError(f"the file holds {name}, which is not a finite number")


def _parse_int(text: str) -> int:
    """A JSON integer, refused when no float can hold it (a parameter becomes a float)."""
    if len(text.lstrip("-")) > _MAX_DIGITS or abs(int(text)) > sys.float_info.max:
        raise ValueError(f"the file holds an integer of {len(text.lstrip('-'))} digits, too large for a float")
    return int(text)


def _parse_float(text: str) -> float:
    """A JSON number with a fraction or exponent, refused when it overflows a float (1e400)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the file holds the number {_shown(text)[1:-1]}, too large for a float")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; ValueError for a key given twice (json would keep the last one silently)."""
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {_shown(key)} appears twice in one object")
        document[key] = value
    return document


def _read_text(path: Path) -> str:
    """The file's text: a regular file, at most MAX_FILE_BYTES, UTF-8; ModelFileError otherwise."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ModelFileError(
                f"cannot read parameters from {path}: not a regular file (a device, FIFO, socket or folder)"
            )
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # a file that grew since stat() is still cut off here
    except OSError as exc:
        raise ModelFileError(f"cannot read parameters from {path}: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError(
            f"cannot read parameters from {path}: the file is larger than "
            f"{MAX_FILE_BYTES // 2**20} MiB, the most a parameter file may hold"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"cannot read parameters from {path}: {exc}") from None


def _read_state(path: Path) -> dict:
    """The ``parameters`` mapping of the file, after checking it is our JSON."""
    text = _read_text(path)
    try:
        document = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        # The JSON ran out: at the end of the text, in a string that never closes, or in a last number.
        tail = text[exc.pos :].strip()
        truncated = exc.msg.startswith("Unterminated string") or re.fullmatch(r"[0-9.eE+-]*", tail) is not None
        problem = "the file is truncated (the JSON stops early)" if truncated else "the file is not valid JSON"
        raise ModelFileError(f"cannot load parameters from {path}: {problem}: {exc}") from None
    except ValueError as exc:
        raise ModelFileError(f"cannot load parameters from {path}: {exc}") from None
    except RecursionError:
        raise ModelFileError(
            f"cannot load parameters from {path}: the JSON is nested too deeply (a parameter file is two levels deep)"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(
            f"cannot load parameters from {path}: not a parameter file "
            f'(expected a JSON object with "format": "{FORMAT}")'
        )
    version = document.get("version")
    if type(version) is not int or version != VERSION:  # not true, not 1.0: the file says 1
        raise ModelFileError(
            f"cannot load parameters from {path}: file version {_shown(version)}, this library reads version {VERSION}"
        )
    state = document.get("parameters")
    if not isinstance(state, dict):
        raise ModelFileError(f'cannot load parameters from {path}: "parameters" is missing or not an object')
    for name, value in state.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ModelFileError(
                f"cannot load parameters from {path}: parameter {_shown(name)} is {_shown(value)}, not a number"
            )
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
