"""``compile``: trace a function once and write its graph out as Python, for one example or a whole batch.

A scalar graph engine pays for every node it builds on every call. ``compile``
builds the graph once, on ``Value``s, then generates Python: the forward pass
one line per node and the backward pass one ``g_parent += g_node * local``
line per edge, with the lines taken from the op table, so no derivative is
written twice and the arithmetic is the engine's own.

Each module reads the ones before it: ``trace.py`` runs ``f`` and works out
everything about the graph once (live nodes, parameters, names, guards,
kinks), with ``names.py`` making identifiers from labels; ``expressions.py``
turns the op table's expressions into templates; ``layers.py`` finds the
layers a batch program computes as matrix products; ``lines.py`` writes the
forward and backward lines; ``codegen.py`` puts them in a function (for one
call, a loop over rows, or numpy arrays) and compiles it; ``arrays.py`` binds
the numpy forms of the helpers; ``function.py`` is what the user calls. The
compiler uses the engine only through its public API.
"""

from .expressions import is_atom
from .function import BatchResult, CompiledFunction, compile
from .trace import Guard, Kink, TraceMismatchError

__all__ = ["compile", "CompiledFunction", "BatchResult", "Kink", "Guard", "TraceMismatchError", "is_atom"]
