"""``python -m course.lessons NAME --out DIR``: run a lesson (or ``all``), print its numbers, write ``DIR/NAME.png``."""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Sequence

from . import LESSONS, run


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: which lesson, where to write its figure."""
    parser = argparse.ArgumentParser(prog="python -m course.lessons", description=__doc__.split(": ", 1)[1].rstrip("."))
    parser.add_argument("name", choices=[*LESSONS, "all"], help="the lesson to run, or all of them")
    parser.add_argument("--out", type=Path, default=Path("lessons-output"),
                        help="folder for the figures (default lessons-output)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the lessons asked for; returns the exit status."""
    args = parse_args(argv)
    if importlib.util.find_spec("matplotlib") is None:
        print("the lessons need matplotlib: pip install 'autograd-core[demo]'", file=sys.stderr)
        return 1
    if args.out.exists() and not args.out.is_dir():
        print(f"--out {args.out} is a file, not a folder", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name in LESSONS if args.name == "all" else [args.name]:
        started = time.perf_counter()
        lesson = run(name)
        seconds = time.perf_counter() - started
        path = args.out / f"{name}.png"
        lesson.figure.savefig(path, dpi=110)
        print(f"{lesson}\n  ({seconds:.1f} s; wrote {path})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
