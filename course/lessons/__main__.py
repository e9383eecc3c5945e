"""``python -m course.lessons NAME --out DIR``: run a lesson (or ``all``), print its numbers, write ``DIR/NAME.png``."""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from autograd_core.files import write_atomic

from . import LESSONS, run


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: which lesson, where to write its figure."""
    parser = argparse.ArgumentParser(prog="python -m course.lessons", description=__doc__.split(": ", 1)[1].rstrip("."))
    parser.add_argument("name", choices=[*LESSONS, "all"], help="the lesson to run, or all of them")
    parser.add_argument(
        "--out", type=Path, default=Path("lessons-output"), help="folder for the figures (default lessons-output)"
    )
    return parser.parse_args(argv)


def _kind(info: os.stat_result) -> str | None:
    """What a path that is not a regular file is ("a folder", "a FIFO (named pipe)"...); None for a regular file."""
    if stat.S_ISREG(info.st_mode):
        return None
    if stat.S_ISDIR(info.st_mode):
        return "a folder"
    return "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "not a regular file (a device or a socket)"


def _check_folder(out: Path) -> str | None:
    """Why the figures cannot go into ``out`` (made here if missing), or None when they can."""
    if out.is_symlink() and not out.exists():
        return f"--out {out} is a symbolic link to {os.readlink(out)}, which does not exist"
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder"
    above = next((p for p in out.parents if p.exists() or p.is_symlink()), None)
    if not out.exists() and above is not None and not above.is_dir():
        return f"--out {out}: {above} is a file, not a folder, so no folder can be made inside it"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"--out {out}: cannot make the folder ({exc.strerror or exc})"
    if not os.access(out, os.W_OK | os.X_OK):
        return f"--out {out}: this user may not write in that folder"
    return None


def _check_figure(path: Path) -> str | None:
    """Why ``path`` cannot take a figure, or None when it can (missing, or a regular file this user may write)."""
    if path.is_symlink() and not path.exists() and not path.resolve().parent.is_dir():
        return f"{path} is a symbolic link to {os.readlink(path)}, whose folder does not exist"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    kind = _kind(info)
    if kind is not None:
        return f"cannot write {path}: it is {kind}; the figure needs a regular file or a free name"
    if not os.access(path, os.W_OK):
        return f"cannot write {path}: the file is read-only for this user"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the lessons asked for; returns the exit status (2: the output folder or a figure's path is unusable).

    Every path is checked before the first lesson runs, so a bad ``--out``
    costs nothing; each figure is then written atomically (``write_atomic``).
    """
    args = parse_args(argv)
    if importlib.util.find_spec("matplotlib") is None:
        print("the lessons need matplotlib: pip install 'autograd-core[demo]'", file=sys.stderr)
        return 1
    names = list(LESSONS) if args.name == "all" else [args.name]
    problem = _check_folder(args.out) or next(
        (p for p in (_check_figure(args.out / f"{name}.png") for name in names) if p), None
    )
    if problem:
        print(" ".join(problem.split()), file=sys.stderr)
        return 2
    for name in names:
        started = time.perf_counter()
        lesson = run(name)
        seconds = time.perf_counter() - started
        path = args.out / f"{name}.png"
        picture = io.BytesIO()
        lesson.figure.savefig(picture, format="png", dpi=110)
        try:
            write_atomic(path, picture.getvalue())
        except OSError as exc:
            print(" ".join(str(exc).split()), file=sys.stderr)
            return 1
        print(f"{lesson}\n  ({seconds:.1f} s; wrote {path})\n")
    return 0


def interrupted(argv: Sequence[str] | None = None) -> int:
    """``main``, with Ctrl-C ending the run in one line and exit status 130 (128 + SIGINT), as a shell's commands do.

    A figure is written atomically, so an interrupted run leaves every figure
    whole or absent.
    """
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C): stopped before the lessons finished", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(interrupted())
