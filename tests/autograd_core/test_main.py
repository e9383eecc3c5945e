"""``python -m autograd_core``: the chain rule printed with d for total gradients and ∂ for local derivatives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_prints_the_chain_rule_in_the_notation():
    result = subprocess.run(
        [sys.executable, "-m", "autograd_core"],
        cwd=REPO,
        capture_output=True,
        timeout=60,
        env=dict(os.environ, PYTHONIOENCODING="utf-8"),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert "  dL/dL = 1.0000" in lines
    assert "  dL/ds += dL/dL \u00b7 \u2202L/\u2202s = 1.0000 \u00b7 0.0013 = 0.0013" in lines
    # The product's name is an expression: parenthesised, so it never reads as (dL/da)*b.
    assert "  dL/da += dL/d(a*b) \u00b7 \u2202(a*b)/\u2202a = 0.0013 \u00b7 -3.0000 = -0.0040" in lines
    assert not any("dL/da*b" in line for line in lines)
