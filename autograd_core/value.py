"""``Value``: a number that remembers how it was made, and ``backward()``, which runs the chain rule back.

This is micrograd's design: a node holds its number (``data``), the
derivative of the output with respect to it (``grad``), the nodes it was
computed from (``parents``) and the operation that computed it (``op``).
``backward()`` lists the graph so that every node comes after the nodes it
was made from, then walks that list backwards, and each node passes its
gradient on to its parents by the chain rule (``_backward``).

Read the engine in this order: this file; ``ops.py``, the table in which
every operation states its forward and its local derivatives; ``backprop.py``,
the backward pass in its general form (gradients into a dictionary, recorded
steps, second derivatives). Everything else is built on those three. The
machinery the reading path only calls is kept in small modules beside it:
grad modes (``modes.py``), anomaly detection (``anomaly.py``), number checks
(``checks.py``) and error wording (``errors.py``).

A node has no closure and its parents sit in two slots (``_a``, ``_b``;
``_a`` holds a tuple for a ``sum`` and for ops of three or more inputs), so a
graph makes no reference cycles: Python frees it by reference counting as soon
as the last reference goes, and the cyclic garbage collector has nothing to
find (it is what makes micrograd slow).
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Iterable, Sequence
from typing import Any, SupportsFloat

from .anomaly import check_new_node, checked_backward
from .checks import as_float, check_label
from .errors import call_text, op_error, short_repr
from .modes import MODE
from .ops import OPS, Op

__all__ = ["Value", "apply", "topological_order"]


class Value:
    """A scalar node in a computation graph.

    Args:
        data: a real number (int, float, bool or any ``numbers.Real``), stored as float.
        label: a name shown in drawings and error messages.

    ``op`` is the ``Op`` that made the node (None for a leaf); ``str(node.op)``
    is its name. ``grad`` starts at 0.0. ``backward()`` fills it: leaves accumulate across
    calls until you reset them (as in PyTorch); interior nodes hold the
    gradient of the latest ``backward()`` only, so calling it twice never
    doubles them. ``place`` says where the node sits in a model: the code that
    built it may set it (``nn`` sets an ``nn.Place``); the engine never reads it.
    For code written against micrograd: ``_prev`` is the set of parents, ``_op``
    the op's name and ``_backward()`` the node's chain-rule step.

    Comparing compares the numbers, as in PyTorch: ``a < b``, ``a >= 2``
    (a Value or a number on either side) give a bool, so ``max(a, b)`` and
    ``sorted(values)`` work and return the Values themselves; ``bool(v)`` is
    ``v.data != 0`` (``if loss:`` asks whether the loss is non-zero). But
    ``==`` is identity: Values hash by identity, so they can be kept in sets
    and dicts; compare ``a.data == b.data`` to compare numbers. A Value is not
    a float: ``math.tanh(v)`` and ``float(v)`` are refused, saying to use
    ``v.tanh()`` (which the gradient follows) or ``v.data`` (a plain number).
    """

    __slots__ = {
        "_data": "the number (read and set through ``data``)",
        "_grad": "the gradient (read and set through ``grad``)",
        "_label": "the name (read and set through ``label``)",
        "op": "The Op that made this node (its forward and local derivatives); None for a leaf.",
        "_a": "the parents: _a and _b, or _a a tuple of them",
        "_b": "the second parent, or None",
        "place": "Where the node sits in a model (nn sets an nn.Place); None elsewhere. The engine never reads it.",
    }

    def __init__(self, data: SupportsFloat, label: str = "") -> None:
        """A leaf holding ``data`` (a real number, stored as float), named ``label`` in drawings and errors."""
        self._data = data if type(data) is float else as_float(data, "Value(data) needs a real number")
        self._grad = 0.0
        self._label = label if type(label) is str else check_label(label)
        self.op: Op | None = None  # the op that made this node (its forward and local derivatives); None for a leaf
        self._a: Any = None  # the parents: _a and _b, or _a a tuple of them
        self._b: Value | None = None
        self.place: Any = None  # where the node sits in a model (nn sets it); the engine never reads it

    # ------------------------------------------------- the number and its name
    @property
    def data(self) -> float:
        """The number this node holds (assignable: a real number, stored as float)."""
        return self._data

    @data.setter
    def data(self, value: SupportsFloat) -> None:
        self._data = value if type(value) is float else as_float(value, "Value.data needs a real number")

    @property
    def grad(self) -> float:
        """d output / d this node, filled by ``backward()`` (assignable: a real number, stored as float)."""
        return self._grad

    @grad.setter
    def grad(self, value: SupportsFloat) -> None:
        self._grad = value if type(value) is float else as_float(value, "Value.grad needs a real number")

    @property
    def label(self) -> str:
        """The name shown in drawings and error messages (assignable: a str)."""
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        self._label = value if type(value) is str else check_label(value)

    # ------------------------------------------------------- how it was made
    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in argument order."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if type(a) is tuple:
            return a
        return (a,) if b is None else (a, b)

    # micrograd's names, so code written for it (and its lecture) runs unchanged.
    @property
    def _prev(self) -> set[Value]:
        """micrograd's name: the set of parents."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's name: the op's name as a string, '' for a leaf."""
        op = self.op
        return op.name if op is not None else ""

    # ------------------------------------------------------------ arithmetic
    # Each op is one row of the table in ops.py (its forward and local
    # derivatives); a method only picks the row. A plain number is made a
    # constant leaf first.
    # The fast path: + and * make most nodes of a network, and `make bench` measured a training step
    # 20% slower when they went through _binary; so these two build their node here, as _node does.
    def __add__(self, other: Any) -> Value:
        """self + other."""
        if type(other) is not Value:
            other = _lift(other, "+")
            if other is None:
                return NotImplemented
        out = _new(Value)
        out._data = self._data + other._data
        out._grad = 0.0
        out._label = ""
        out.place = None
        if MODE.fast:
            out.op, out._a, out._b = _ADD, self, other
            return out
        return _record(out, _ADD, self, other)

    def __mul__(self, other: Any) -> Value:
        """self * other."""
        if type(other) is not Value:
            other = _lift(other, "*")
            if other is None:
                return NotImplemented
        out = _new(Value)
        out._data = self._data * other._data
        out._grad = 0.0
        out._label = ""
        out.place = None
        if MODE.fast:
            out.op, out._a, out._b = _MUL, self, other
            return out
        return _record(out, _MUL, self, other)

    def __sub__(self, other: Any) -> Value:
        """self - other."""
        other = _lift(other, "-")
        return NotImplemented if other is None else _binary(_SUB, self, other)

    def __truediv__(self, other: Any) -> Value:
        """self / other; ``DivisionByZeroError`` when other is 0."""
        other = _lift(other, "/")
        return NotImplemented if other is None else _binary(_DIV, self, other)

    def __pow__(self, other: Any) -> Value:
        """self ** other: a number exponent is a constant (op ``**``), a Value one gets a gradient (op ``pow``)."""
        if isinstance(other, Value):
            return _binary(_POW, self, other)
        exponent = _lift(other, "**")
        return NotImplemented if exponent is None else _binary(_POW_CONST, self, exponent)

    def __neg__(self) -> Value:
        """-self."""
        return _unary(_NEG, self)

    # Derived operations: one line each, no derivative of their own.
    def __radd__(self, other: object) -> Value:
        """other + self (``2 + x``, and Python's ``sum``, which starts from 0)."""
        return self + other

    def __rmul__(self, other: object) -> Value:
        """other * self (``2 * x``)."""
        return self * other

    def __rsub__(self, other: Any) -> Value:
        """other - self (``2 - x``)."""
        other = _lift(other, "-")
        return NotImplemented if other is None else other - self

    def __rtruediv__(self, other: Any) -> Value:
        """other / self (``2 / x``)."""
        other = _lift(other, "/")
        return NotImplemented if other is None else other / self

    def __rpow__(self, other: Any) -> Value:
        """other ** self (``2 ** x``): the exponent is this Value, so it gets a gradient."""
        other = _lift(other, "**")
        return NotImplemented if other is None else _binary(_POW, other, self)

    def __pos__(self) -> Value:
        """+self: the same node."""
        return self

    def __abs__(self) -> Value:
        """|self|; its derivative at 0 is taken as 0."""
        return _unary(OPS["abs"], self)

    def exp(self) -> Value:
        """e ** self."""
        return _unary(OPS["exp"], self)

    def log(self) -> Value:
        """Natural logarithm; ``DomainError`` for data <= 0."""
        return _unary(OPS["log"], self)

    def sqrt(self) -> Value:
        """Square root; ``DomainError`` for data < 0."""
        return _unary(OPS["sqrt"], self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary(OPS["tanh"], self)

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -self), computed without overflow."""
        return _unary(OPS["sigmoid"], self)

    def relu(self) -> Value:
        """max(0, self); its derivative at 0 is taken as 0."""
        return _unary(OPS["relu"], self)

    def sin(self) -> Value:
        """Sine."""
        return _unary(OPS["sin"], self)

    def cos(self) -> Value:
        """Cosine."""
        return _unary(OPS["cos"], self)

    @staticmethod
    def sum(terms: Iterable[Any]) -> Value:
        """One node for the sum of ``terms`` (Values or numbers), added left to right.

        Unlike Python's ``sum``, which builds a chain of ``+`` nodes, this is one
        ``sum`` node whose parents are the terms, each with local derivative 1:
        a neuron's ``w . x + b`` draws as its products feeding one node. An
        empty sum is the constant 0.
        """
        inputs = []
        for i, term in enumerate(terms):
            value = _lift(term, "Value.sum")
            if value is None:
                raise TypeError(
                    f"Value.sum: term {i} is {type(term).__name__} {short_repr(term)}, "
                    "expected a Value or a real number"
                )
            inputs.append(value)
        return apply(_SUM, *inputs) if inputs else Value(0.0)

    # ---------------------------------------------------- the backward pass
    def backward(self, grad: SupportsFloat = 1.0) -> None:
        """Fill ``.grad`` of this node and of every node it depends on, by the chain rule.

        ``grad`` is d(final output)/d(this node), 1 when this node is the
        output. Leaves accumulate (``+=``) across calls until reset; interior
        nodes are set to their gradient from this call.
        """
        seed = as_float(grad, "backward(grad) needs a real number")
        if self.op is None:  # a leaf: d self / d self
            self._grad += seed
            return
        order = topological_order(self, leaves=False)
        order.reverse()  # outputs first: a node's gradient is complete before it is passed on
        for node in order:
            node._grad = 0.0
        self._grad = seed
        if MODE.anomaly:  # inside detect_anomaly: check every step
            checked_backward(order)
            return
        for node in order:
            node._backward()

    def _backward(self) -> None:
        """This node's step of the backward pass: the chain rule, for each parent,

            parent.grad += d self / d parent * self.grad

        where ``d self / d parent``, the local derivative, comes from the op
        table. ``backward()`` calls this for every node, outputs first;
        calling it by hand, node by node, runs the backward pass one step at a
        time (as in micrograd's lecture). A leaf has no step.
        """
        a, b = self._a, self._b
        if b is not None:
            # Two parents (+ - * / **, most nodes of a graph) and one (tanh, relu, ...) are written out:
            # `make bench` measured the general loop below at twice their cost, the bulk of every backward().
            local_a, local_b = self.op.local_grads(a._data, b._data, self._data)  # type: ignore[union-attr]  # an op node has an op
            a._grad += local_a * self._grad
            b._grad += local_b * self._grad
            return
        if a is None:  # a leaf
            return
        if type(a) is not tuple:
            (local,) = self.op.local_grads(a._data, self._data)  # type: ignore[union-attr]  # as above
            a._grad += local * self._grad
            return
        parents = a
        upstream = self._grad
        local_grads = self.op.local_grads(*[p._data for p in parents], self._data)  # type: ignore[union-attr]  # as above
        for parent, local in zip(parents, local_grads):
            parent._grad += local * upstream

    # -------------------------------------------------- comparing, truth, floats
    def __lt__(self, other: Any) -> bool:
        """self < other, comparing the numbers (other a Value or a number)."""
        return _compare(self, "<", other)

    def __le__(self, other: Any) -> bool:
        """self <= other, comparing the numbers (other a Value or a number)."""
        return _compare(self, "<=", other)

    def __gt__(self, other: Any) -> bool:
        """self > other, comparing the numbers (other a Value or a number)."""
        return _compare(self, ">", other)

    def __ge__(self, other: Any) -> bool:
        """self >= other, comparing the numbers (other a Value or a number)."""
        return _compare(self, ">=", other)

    def __bool__(self) -> bool:
        """True when the number is not 0 (as PyTorch's ``bool(tensor)``): ``if loss:`` asks whether it is non-zero."""
        result = self._data != 0.0
        if MODE.compared is not None:  # the compiler is tracing: the branch taken is a guard
            MODE.compared.append((self, "!=", 0.0, result))
        return result

    def __float__(self) -> float:
        """Refused with a TypeError: ``math.tanh(v)``, ``float(v)`` would take the number out of the graph.

        Use the Value's own method (``v.tanh()``, ``v.exp()``, ``v.log()``,
        ...), which the gradient follows, or ``v.data`` for the plain number.
        """
        raise TypeError(
            f"a Value is not a float: for math.tanh(v), math.exp(v), ... use v.tanh(), v.exp(), ..., which the "
            f"gradient follows, or v.data for the plain number; got {self!r}"
        )

    # ------------------------------------------------------------- the rest
    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self._data, self._label)

    def __repr__(self) -> str:
        """``Value(data=0.5, grad=0.0, label='x')``."""
        label = f", label={self._label!r}" if self._label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}{label})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle a node with its graph (the parents are pickled with it)."""
        return (_rebuild, (self._data, self._grad, self._label, self.op, self._a, self._b, self.place))

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """A copy of the whole graph under this node, made without recursion (graphs can be deep)."""
        for node in topological_order(self):
            if id(node) in memo:
                continue
            a, b = node._a, node._b
            if type(a) is tuple:
                a = tuple(memo[id(p)] for p in a)
            elif a is not None:
                a, b = memo[id(a)], None if b is None else memo[id(b)]
            memo[id(node)] = _rebuild(node._data, node._grad, node._label, node.op, a, b, node.place)
        copy: Value = memo[id(self)]
        return copy


def topological_order(root: Value | Sequence[Value], leaves: bool = True) -> list[Value]:
    """Every node reachable from ``root``, each after the nodes it was computed from.

    An iterative depth-first search: a node is pushed again under a ``None``
    marker when first seen, and emitted when the marker comes back off the
    stack, after everything it was computed from. Parents are pushed last
    first, so they are visited in argument order (``a * b + c`` lists a, b,
    a * b, c, the sum). No recursion, so a chain a million nodes deep is fine.
    ``root`` may be a sequence of outputs: one order for all, each node once,
    the first output's nodes first. With ``leaves=False`` the leaves are left
    out: they have no step of their own in a backward pass, and most edges of a
    network lead to one (a weight, an input), so ``backward()`` is a sixth faster
    without looking them up. This is the one graph walk of the engine: the
    backward pass, forward mode and the compiler all use it.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Any] = [root] if isinstance(root, Value) else list(reversed(root))
    push, pop, emit, visit = stack.append, stack.pop, order.append, visited.add
    while stack:
        node = pop()
        if node is None:  # the marker: all of the node's parents are emitted
            emit(pop())
            continue
        if node in visited:
            continue
        visit(node)
        push(node)
        push(None)
        a, b = node._a, node._b  # node.parents, read from the slots: this loop runs once per node
        if b is not None:  # two parents, most nodes: b is pushed first so that a is visited first
            if (b.op is not None or leaves) and b not in visited:
                push(b)
            if (a.op is not None or leaves) and a not in visited:
                push(a)
        elif type(a) is tuple:
            for parent in reversed(a):
                if (parent.op is not None or leaves) and parent not in visited:
                    push(parent)
        elif a is not None and (a.op is not None or leaves) and a not in visited:
            push(a)
    return order


# ------------------------------------------------------------ making nodes
_ADD, _SUB, _MUL, _DIV, _NEG, _SUM = OPS["+"], OPS["-"], OPS["*"], OPS["/"], OPS["neg"], OPS["sum"]
_POW_CONST, _POW = OPS["**"], OPS["pow"]
_new = object.__new__


def _node(data: float, op: Op, a: Any, b: Value | None) -> Value:
    """The result node of an op: parents ``a`` (and ``b``), or ``a`` the tuple of a sum's inputs."""
    out = _new(Value)
    out._data = data
    out._grad = 0.0
    out._label = ""
    out.place = None
    if MODE.fast:
        out.op, out._a, out._b = op, a, b
        return out
    return _record(out, op, a, b)


def _record(out: Value, op: Op, a: Any, b: Value | None) -> Value:
    """Record ``out``'s op and parents as the thread's mode asks (off the fast path: no_grad, detect_anomaly)."""
    if MODE.enabled:  # inside detect_anomaly
        out.op, out._a, out._b = op, a, b
    else:  # inside no_grad: a leaf
        out.op = out._a = out._b = None
    if MODE.anomaly:
        check_new_node(out, op, (a if type(a) is tuple else (a,) if b is None else (a, b)))
    return out


def _unary(op: Op, x: Value) -> Value:
    """A built-in one-input op (its forward returns a float)."""
    try:
        data = op.forward(x._data)
    except (ValueError, ArithmeticError) as exc:
        raise op_error(op, (x,), exc) from None
    return _node(data, op, x, None)


def _binary(op: Op, x: Value, y: Value) -> Value:
    """A built-in two-input op (its forward returns a float)."""
    try:
        data = op.forward(x._data, y._data)
    except (ValueError, ArithmeticError) as exc:
        raise op_error(op, (x, y), exc) from None
    return _node(data, op, x, y)


def apply(op: Op, *inputs: Value) -> Value:
    """Run ``op`` forward on the inputs' data and record the node (errors name the inputs).

    The general path, for user-defined ops and any ``Op``: it checks that the
    forward returned a real number. Built-in ops take ``_unary``/``_binary``.
    """
    try:
        data = op.forward(*[x._data for x in inputs])
    except (ValueError, ArithmeticError) as exc:
        raise op_error(op, inputs, exc) from None
    except (TypeError, AttributeError) as exc:  # a bug in the forward: say which op, on which inputs
        shown, where = call_text(op.name, inputs)
        hint = (
            " (the forward gets plain floats: use math.exp(x), not x.exp())"
            if (isinstance(exc, AttributeError) and "'float' object" in str(exc))
            else ""
        )
        raise TypeError(f"{shown}: the forward failed: {exc}{hint}; {where}") from exc
    if type(data) is not float:
        try:
            data = as_float(data, f"the forward of op {op.name!r} must return a real number")
        except (TypeError, OverflowError) as exc:
            shown, where = call_text(op.name, inputs)
            raise type(exc)(f"{shown}: {exc}; {where}") from None
    if op.variadic or not 1 <= len(inputs) <= 2:
        return _node(data, op, tuple(inputs), None)
    return _node(data, op, inputs[0], inputs[1] if len(inputs) == 2 else None)


_COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _compare(x: Value, symbol: str, other: Any) -> bool:
    """``x symbol other`` on the numbers (NotImplemented for anything but a Value or a real number).

    While the compiler traces ``f`` (``MODE.compared`` is a list), the
    comparison and its result are noted: the compiled code checks it again at
    every call, since a later call could take the other branch.
    """
    if isinstance(other, Value):
        right: Any = other._data
    elif isinstance(other, numbers.Real):
        right = other
    else:
        return NotImplemented  # type: ignore[no-any-return]  # Python then asks the other operand, or raises
    result: bool = _COMPARISONS[symbol](x._data, right)
    if MODE.compared is not None:
        MODE.compared.append((x, symbol, other, result))
    return result


def _lift(x: Any, op: str = "a Value op") -> Value | None:
    """``x`` as a Value: itself, a constant leaf for a real number, None for anything else.

    ``op`` names the operation in the error for a number too large for a float.
    """
    if isinstance(x, Value):
        return x
    if type(x) is not float:
        if not isinstance(x, numbers.Real):
            return None
        x = as_float(x, f"an operand of {op} needs a real number")
    out = _new(Value)  # a constant leaf, made here: every number in an expression comes through
    out._data = x
    out._grad = 0.0
    out._label = ""
    out.op = out._a = out._b = out.place = None
    return out


def _rebuild(data: float, grad: float, label: str, op: Op | None, a: Any, b: Value | None, place: Any) -> Value:
    """A node from its fields (how a constant, a pickled or a copied Value is made)."""
    out = _new(Value)
    out._data, out._grad, out._label, out.op, out._a, out._b, out.place = data, grad, label, op, a, b, place
    return out
