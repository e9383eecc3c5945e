"""autograd_core: a small, exact, fast scalar reverse-mode automatic-differentiation engine.

    from autograd_core import Value
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    L = (a * b + c).tanh()
    L.backward()          # a.grad, b.grad, c.grad now hold dL/da, dL/db, dL/dc

Standard library only. ``value.py`` has the node, ``ops.py`` the table of local
derivatives, ``backprop.py`` the graph walk and the chain rule, ``define.py``
user-defined ops, ``gradcheck.py`` (with ``finite_differences.py`` and
``testing.py``) gradient checking, the ``compiler`` package code generation
(``compile``: one example, a loop over a batch, or numpy arrays); ``forward.py`` forward mode
and ``functional.py`` the derivative operators built on both modes;
``symbolic.py`` (sympy, imported only when called) the derivative as a
formula; ``files.py`` the atomic file writes that ``nn`` and ``viz`` share.
``hypothesis_strategies.py`` (test helpers for hypothesis) is imported only on
request.
"""

from .backprop import ChainRuleStep, backward_order, backward_steps, grad, local_derivatives, topological_order
from .compiler import BatchResult, CompiledFunction, Guard, Kink, TraceMismatchError
from .compiler import compile  # noqa: A004 - shadows the builtin in this namespace only
from .define import define_op, input_names
from .errors import DivisionByZeroError, DomainError, NonFiniteError
from .files import write_atomic
from .forward import ForwardStep, explain_forward, forward_steps, jvp
from .functional import hessian, hvp, jacobian, vjp
from .gradcheck import GradcheckError, GradcheckResult, GradcheckRow, gradcheck, gradgradcheck
from .ops import OPS, Op
from .symbolic import ChainRule, chain_rule, symbolic_grad, to_sympy
from .testing import assert_gradients_close
from .anomaly import detect_anomaly
from .collector import cyclic_gc_paused
from .errors import op_error
from .modes import enable_grad, is_grad_enabled, no_grad
from .value import Value, apply

__version__ = "0.1.0"

__all__ = [
    "Value",
    "apply",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "cyclic_gc_paused",
    "define_op",
    "input_names",
    "Op",
    "OPS",
    "DomainError",
    "DivisionByZeroError",
    "NonFiniteError",
    "op_error",
    "ChainRuleStep",
    "backward_steps",
    "backward_order",
    "topological_order",
    "local_derivatives",
    "jvp",
    "forward_steps",
    "ForwardStep",
    "explain_forward",
    "jacobian",
    "hessian",
    "hvp",
    "vjp",
    "to_sympy",
    "symbolic_grad",
    "chain_rule",
    "ChainRule",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "GradcheckResult",
    "GradcheckRow",
    "assert_gradients_close",
    "compile",
    "CompiledFunction",
    "BatchResult",
    "Kink",
    "Guard",
    "TraceMismatchError",
    "write_atomic",
]
