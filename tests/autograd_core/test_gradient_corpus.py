"""The gradient corpus (tests/gradient_corpus.py): our checker's goal, and the docs' comparison table.

Goal: no false failure on the 20 right gradients, at least 19 of the 20
planted bugs caught, each with the diagnosis it calls for. The comparison
with torch.autograd.gradcheck, jax.test_util.check_grads and
scipy.optimize.check_grad is run afresh and must match the tables in
docs/how-to/check-any-gradient.md (scripts/gradient_corpus_table.py writes them).
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import gradient_corpus as corpus
import pytest
from helpers import require_tool

pytestmark = pytest.mark.torch
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def frameworks() -> None:
    for module, install in (
        ("numpy", "pip install numpy"),
        ("torch", "make torch"),
        ("jax", "make frameworks"),
        ("scipy", "make frameworks"),
    ):
        require_tool(importlib.util.find_spec(module) is not None, module, install)


@pytest.fixture(scope="module")
def ours(frameworks) -> list[corpus.Outcome]:
    return corpus.run(corpus.ours)


def test_the_corpus_is_what_the_issue_asks_for() -> None:
    right = [case for case in corpus.CASES if not case.bug]
    wrong = [case for case in corpus.CASES if case.bug]
    assert len(right) >= 20 and len(wrong) >= 20
    assert {case.framework for case in corpus.CASES} == {"numpy", "torch", "jax"}
    assert {case.bug for case in wrong} == {
        "sign",
        "factor 2",
        "transposed Jacobian",
        "missing term",
        "wrong at a kink",
        "float32 precision lost",
    }
    assert len({case.name for case in corpus.CASES}) == len(corpus.CASES)


def test_ours_meets_the_goal(ours) -> None:
    false_failures = [case.name for case, o in zip(corpus.CASES, ours) if not case.bug and not o.passed]
    caught = [case for case, o in zip(corpus.CASES, ours) if case.bug and not o.passed]
    assert false_failures == []
    assert len(caught) >= 19
    for case, outcome in zip(corpus.CASES, ours):
        if case.bug and not outcome.passed:
            assert outcome.detail == case.diagnosis, case.name


def test_the_docs_tables_match_a_fresh_run(ours) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns on float32 inputs
        results = {
            name: ours if checker is corpus.ours else corpus.run(checker) for name, checker in corpus.CHECKERS.items()
        }
    fresh = corpus.table(results) + "\n\n" + corpus.case_table(results)
    page = (ROOT / "docs" / "how-to" / "check-any-gradient.md").read_text(encoding="utf-8")
    committed = page.split("corpus tables: start (scripts/gradient_corpus_table.py) -->\n", 1)[1].split("\n<!--", 1)[0]
    assert committed == fresh, "the docs' tables are out of date: run python scripts/gradient_corpus_table.py"
