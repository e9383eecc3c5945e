"""The guard that turns a missing tool into a failure in CI and a skip elsewhere."""

from __future__ import annotations

import _pytest.outcomes
import helpers
import pytest


def test_missing_tool_skips_on_a_developer_machine(monkeypatch):
    monkeypatch.setattr(helpers, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="dot is not installed"):
        helpers.require_tool(False, "dot", "apt-get install graphviz")


def test_missing_tool_fails_in_ci(monkeypatch):
    monkeypatch.setattr(helpers, "IN_CI", True)
    with pytest.raises(_pytest.outcomes.Failed, match="CI must have it"):
        helpers.require_tool(False, "dot", "apt-get install graphviz")


def test_present_tool_passes_everywhere(monkeypatch):
    for in_ci in (False, True):
        monkeypatch.setattr(helpers, "IN_CI", in_ci)
        assert helpers.require_tool(True, "dot", "apt-get install graphviz") is None
