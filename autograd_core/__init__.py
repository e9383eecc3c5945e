"""autograd_core: a small, exact, fast scalar reverse-mode automatic-differentiation engine.

    from autograd_core import Value
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    L = (a * b + c).tanh()
    L.backward()          # a.grad, b.grad, c.grad now hold dL/da, dL/db, dL/dc

Standard library only. ``value.py`` has the node, ``ops.py`` the table of local
derivatives, ``backprop.py`` the graph walk and the chain rule, ``define.py``
user-defined ops, ``checker.py`` the gradient checker (``check_gradient`` for any
function, with ``frameworks.py`` for numpy, PyTorch and JAX arrays; ``gradcheck.py`` and
``testing.py`` its form for Value functions; ``finite_differences.py``), the ``compiler`` package code generation
(``compile``: one example, a loop over a batch, or numpy arrays); ``forward.py`` forward mode
and ``functional.py`` the derivative operators built on both modes;
``symbolic.py`` (sympy, imported only when called) the derivative as a
formula; ``files.py`` the atomic file writes that ``nn`` and ``viz`` share.
``hypothesis_strategies.py`` (test helpers for hypothesis) is imported only on
request.
"""

from .anomaly import detect_anomaly
from .backprop import ChainRuleStep, backward_steps, grad
from .checker import assert_gradient, check_gradient
from .compiler import (
    TraceMismatchError,
    compile,
)
from .define import define_op
from .errors import DivisionByZeroError, DomainError, NonFiniteError
from .forward import ForwardStep, explain_forward, forward_steps, jvp
from .functional import hessian, hvp, jacobian, vjp
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .modes import enable_grad, no_grad
from .ops import Op
from .symbolic import chain_rule, symbolic_grad, to_sympy
from .testing import assert_gradients_close
from .value import Value, topological_order

__version__ = "0.3.0"

# The names the docs teach (docs/reference/); everything else is imported from its module
# (``autograd_core.files.write_atomic``, ``autograd_core.value.apply``, ...).
__all__ = [
    # the node and its backward pass
    "Value",
    "topological_order",
    "backward_steps",
    "ChainRuleStep",
    "grad",
    "no_grad",
    "enable_grad",
    "detect_anomaly",
    # ops
    "Op",
    "define_op",
    "DomainError",
    "DivisionByZeroError",
    "NonFiniteError",
    # forward mode and derivative operators
    "jvp",
    "forward_steps",
    "ForwardStep",
    "explain_forward",
    "jacobian",
    "hessian",
    "hvp",
    "vjp",
    # the derivative as a formula
    "to_sympy",
    "symbolic_grad",
    "chain_rule",
    # checking gradients
    "check_gradient",
    "assert_gradient",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "assert_gradients_close",
    # compiling
    "compile",
    "TraceMismatchError",
]
