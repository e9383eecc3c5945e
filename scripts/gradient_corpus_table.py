"""Run the gradient corpus through four checkers and write the comparison into docs/how-to/check-any-gradient.md.

    python scripts/gradient_corpus_table.py           # rewrite the tables between the page's markers
    python scripts/gradient_corpus_table.py --check   # exit 1 when the page's tables differ from a fresh run

The corpus is tests/gradient_corpus.py (40 functions over numpy, PyTorch and JAX). Needs numpy, torch, jax and
scipy (`make torch frameworks`). tests/autograd_core/test_gradient_corpus.py makes the same check.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "how-to" / "check-any-gradient.md"
START, END = "<!-- corpus tables: start (scripts/gradient_corpus_table.py) -->", "<!-- corpus tables: end -->"


def tables() -> str:
    """The summary table and the per-case table, from a fresh run of every checker on the corpus."""
    sys.path.insert(0, str(ROOT))  # this checkout's autograd_core
    sys.path.append(str(ROOT / "tests"))  # after it: tests/autograd_core is a folder of tests, not the package
    import gradient_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns on float32 inputs, jax on its internals: the tables say it
        results = {name: gradient_corpus.run(checker) for name, checker in gradient_corpus.CHECKERS.items()}
    return gradient_corpus.table(results) + "\n\n" + gradient_corpus.case_table(results)


def with_tables(page: str, body: str) -> str:
    """The page with ``body`` between its markers."""
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    page = PAGE.read_text(encoding="utf-8")
    fresh = with_tables(page, tables())
    if args.check:
        if fresh != page:
            print(f"{PAGE.relative_to(ROOT)}: the corpus tables differ from a fresh run; run {Path(__file__).name}")
            return 1
        return 0
    PAGE.write_text(fresh, encoding="utf-8")
    print(f"wrote the corpus tables into {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
