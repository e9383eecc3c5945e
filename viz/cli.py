"""The command line: ``python -m viz "tanh(w*x + b)" w=-3 x=2 b=6.88 -o graph.svg``, and ``python -m viz exercise``.

Parses the expression safely (``viz.expression``: an ``ast`` whitelist, never
``eval``), runs forward and backward, and writes the drawing or the player,
prints the chain-rule steps, or both; ``--tangent x=1`` explains or plays the
forward-mode pass instead; ``-o x.tex`` writes the drawing as a LaTeX (TikZ)
document, ``--slides -o x.tex`` a Beamer frame that plays the passes, and
``-o x.gif``/``x.mp4`` an animation of the player (``viz.export``).
``python -m viz exercise EXPRESSION NAME=NUMBER ...``
asks the backward pass's local derivatives one by one on stdin and checks each
answer (``viz.exercise``). Bad input (also an argument, or an answer on stdin,
whose bytes are not UTF-8) gives one line on stderr and exit status 2, and no
file is written; a missing Graphviz or an unwritable path gives exit status 1,
and so does a reader that closes stdout early (``| head``); Ctrl-C is exit
status 130, as a shell reports it. Nothing this command prints fails on a
terminal that cannot show a character: it is escaped.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from autograd_core import DomainError, Value

from .dot import DEFAULT_MAX_NODES, GraphTooLargeError
from .drawing import GraphvizNotFoundError
from .exercise import exercise, run_in_terminal
from .explain import explain
from .export import animate, write_slides
from .expression import FUNCTIONS, SUM, ExpressionError, evaluate_expression
from .player import write_html
from .render import RENDER_FORMATS, SOURCE_FORMATS, render
from .text import format_number
from .trace import trace

__all__ = ["main", "build_parser", "build_exercise_parser"]

OUTPUT_SUFFIXES = tuple(f".{f}" for f in RENDER_FORMATS + SOURCE_FORMATS) + (".tex", ".html", ".gif", ".mp4")
ANIMATIONS = (".gif", ".mp4")
BAD_INPUT, FAILED, INTERRUPTED = 2, 1, 130  # 130: killed by SIGINT, as shells report it

EPILOG = f"""\
examples:
  python -m viz "tanh(w*x + b)" w=-3 x=2 b=6.88 -o graph.svg
  python -m viz "tanh(w*x + b)" w=-3 x=2 b=6.88 --explain
  python -m viz "a*b + a" a=2 b=-3 -o backward.html     # the step-by-step player
  python -m viz "a*b + a" a=2 b=-3 -o graph.tex          # the drawing as a TikZ picture (pdflatex graph.tex)
  python -m viz "a*b + a" a=2 b=-3 --slides -o slides.tex   # a Beamer frame, an overlay per step
  python -m viz "a*b + a" a=2 b=-3 -o backward.gif       # the player as an animation (or .mp4), a frame per step
  python -m viz "tanh(w*x + b)" w=-3 x=2 b=6.88 --explain --tangent x=1   # forward mode, x moving
  python -m viz --explain -- "-x**2" x=3               # options, then "--", for an expression starting with "-"
  python -m viz exercise "tanh(w*x + b)" w=-3 x=2 b=6.88   # supply the local derivatives yourself

The expression may use numbers, names, + - * / **, unary minus, the
functions {", ".join(FUNCTIONS)}, and {SUM}(...) of any number of terms
(sum(a*b, c, 2); write long sums so); math as typed is read too (x^2, a·b,
a×b, 1−x, x², x³). Every name needs a value (NAME=NUMBER).
The output format comes from the suffix of -o: {", ".join(OUTPUT_SUFFIXES)}
(.dot/.gv need no Graphviz; the others need its `dot` program; .gif and .mp4
need Pillow, .mp4 also ffmpeg: pip install 'autograd-core[export]').
Without -o and --explain, prints the output's value and every input's gradient.

exit status: 0 done; 2 bad input (nothing written); 1 Graphviz (or Pillow, ffmpeg) missing or the file
cannot be written.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its --help is the command's manual)."""
    parser = argparse.ArgumentParser(
        prog="python -m viz",
        description="Draw the computation graph of an expression, explain its backward pass step by step, "
        "or write an interactive player of it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", help='the expression, e.g. "tanh(w*x + b)"; quote it for the shell')
    parser.add_argument("values", nargs="*", metavar="NAME=NUMBER", help="a value for each name, e.g. w=-3 x=2")
    parser.add_argument(
        "-o", "--output", metavar="PATH", help=f"write the drawing or player ({' '.join(OUTPUT_SUFFIXES)})"
    )
    parser.add_argument("--explain", action="store_true", help="print the chain-rule steps of the backward pass")
    parser.add_argument(
        "--slides",
        action="store_true",
        help="with -o FILE.tex: a Beamer frame that plays the forward and backward pass, an overlay per step",
    )
    parser.add_argument(
        "--fps",
        type=_frame_rate,
        default=1.0,
        metavar="N",
        help="frames (steps) per second of a .gif or .mp4 (default 1)",
    )
    parser.add_argument(
        "--rankdir",
        choices=("LR", "TB", "RL", "BT"),
        default="LR",
        help="layout direction of the drawing (default LR: left to right)",
    )
    parser.add_argument(
        "--color-by-grad",
        action="store_true",
        help="fill nodes by gradient sign and size (blue positive, red negative); "
        "in the player (.html) each node takes its colour when its gradient is known",
    )
    parser.add_argument(
        "--tangent",
        action="append",
        default=[],
        metavar="NAME=NUMBER",
        help="forward mode: the tangent of an input (repeat for several; the others are held "
        "fixed); --explain and .html then show the forward-mode pass",
    )
    parser.add_argument(
        "--max-nodes",
        type=_node_limit,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"refuse to draw more than N value nodes (default {DEFAULT_MAX_NODES}; 0 for no limit)",
    )
    return parser


def _node_limit(text: str) -> int:
    """--max-nodes: a whole number >= 0, for argparse."""
    try:
        limit = int(text)
    except ValueError:
        limit = -1
    if limit < 0:
        raise argparse.ArgumentTypeError(f"needs a whole number >= 0 (0 for no limit), got {text!r}")
    return limit


def _frame_rate(text: str) -> float:
    """--fps: a positive number, for argparse."""
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0 < rate < float("inf"):
        raise argparse.ArgumentTypeError(f"needs a positive number of frames per second, got {text!r}")
    return rate


def parse_values(items: Sequence[str]) -> dict[str, float]:
    """``["w=-3", "x=2"]`` -> ``{"w": -3.0, "x": 2.0}``; ExpressionError naming the bad item."""
    values: dict[str, float] = {}
    spelled: dict[str, str] = {}
    for item in items:
        typed, sep, number = item.partition("=")
        typed, number = typed.strip(), number.strip()
        if not sep or not typed.isidentifier():
            raise ExpressionError(f"{item!r} is not NAME=NUMBER (e.g. x=2)")
        # Python reads names NFKC-normalised: 𝑥 and x, ﬁ and fi are one name in the expression, so here too.
        name = unicodedata.normalize("NFKC", typed)
        if name in values:
            same = "" if spelled[name] == typed else f" (as {spelled[name]!r} and {typed!r}, one name to Python)"
            raise ExpressionError(f"{name!r} is given twice{same}")
        spelled[name] = typed
        try:
            values[name] = float(number)
        except ValueError:
            raise ExpressionError(f"{item!r}: {number!r} is not a number") from None
    return values


def _check_output(path: str | None, slides: bool = False) -> None:
    if slides and (path is None or not path.lower().endswith(".tex")):
        raise ExpressionError(f"--slides writes a Beamer file: give -o a path ending in .tex (got {path!r})")
    if path is not None and path.endswith(("/", os.sep)):
        raise ExpressionError(f"-o {path!r} names a folder; give a file path ending in {', '.join(OUTPUT_SUFFIXES)}")
    if path is not None and Path(path).suffix.lower() not in OUTPUT_SUFFIXES:
        raise ExpressionError(
            f"cannot tell what to write from {path!r}: -o needs a path ending in {', '.join(OUTPUT_SUFFIXES)}"
        )


def _summary(root: Value, names: Sequence[str]) -> str:
    """The output's value and each input's gradient, in the order the values were given."""
    out = root.label or "L"  # the expression labels its output with a name no input has; a constant has none
    inputs = {node.name: node.value for node in trace(root).nodes if node.kind == "input"}
    lines = [f"{out} = {format_number(root.data)}"]
    lines.extend(f"d{out}/d{name} = {format_number(inputs[name].grad)}" for name in names if name in inputs)
    return "\n".join(lines)


def _tangents(root: Value, items: Sequence[str]) -> dict[Value, float] | None:
    """``--tangent x=1`` as ``{leaf: 1.0}`` (None without the option); an ExpressionError for a name not an input."""
    if not items:
        return None
    inputs = {node.name: node.value for node in trace(root).nodes if node.kind == "input"}
    given = parse_values(items)
    unknown = [name for name in given if name not in inputs]
    if unknown:
        raise ExpressionError(
            f"--tangent names {', '.join(map(repr, unknown))}, not an input of the expression; "
            f"the inputs are {', '.join(inputs)}"
        )
    return {inputs[name]: number for name, number in given.items()}


def _write(root: Value, path: Path, args: argparse.Namespace, tangents: dict[Value, float] | None) -> None:
    """Write the drawing or the player; a graph over --max-nodes is an ExpressionError that names the option."""
    limit = args.max_nodes or None
    suffix = path.suffix.lower()
    try:
        if args.slides:
            write_slides(
                root, path, rankdir=args.rankdir, color_by_grad=args.color_by_grad, max_nodes=limit, tangents=tangents
            )
        elif suffix in ANIMATIONS:
            options = {"tangents": tangents} if tangents is not None else {"color_by_grad": args.color_by_grad}
            animate(root, path, fps=args.fps, rankdir=args.rankdir, max_nodes=limit, **options)
        elif path.suffix.lower() == ".html" and tangents is not None:
            write_html(root, path, rankdir=args.rankdir, max_nodes=limit, tangents=tangents)
        elif path.suffix.lower() == ".html":
            write_html(root, path, rankdir=args.rankdir, color_by_grad=args.color_by_grad, max_nodes=limit)
        else:
            render(root, path, rankdir=args.rankdir, color_by_grad=args.color_by_grad, max_nodes=limit)
    except GraphTooLargeError:
        nodes = len(trace(root).nodes)
        raise ExpressionError(
            f"the graph has {nodes} value nodes, more than --max-nodes {limit}: too many to read "
            f"in one drawing; draw a part of the expression, or pass --max-nodes {nodes} "
            f"(0 for no limit)"
        ) from None


def _fail(exc: Exception, status: int, prog: str = "python -m viz") -> int:
    """Print the error as one line on stderr and return the exit status."""
    message = " ".join(str(exc).split())
    print(f"{prog}: error: {message}", file=sys.stderr)
    return status


def build_exercise_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m viz exercise``."""
    parser = argparse.ArgumentParser(
        prog="python -m viz exercise",
        description="The backward pass of an expression with its local derivatives hidden: type each one (a "
        "number, or an expression in the node's inputs and out) and it is checked against the engine's.",
        epilog='example:\n  python -m viz exercise "tanh(w*x + b)" w=-3 x=2 b=6.88\n\nq (or end of input) '
        "stops; the score is printed at the end. Exit status: 0 done or stopped; 2 bad input.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", help='the expression, e.g. "tanh(w*x + b)"; quote it for the shell')
    parser.add_argument("values", nargs="*", metavar="NAME=NUMBER", help="a value for each name, e.g. w=-3 x=2")
    return parser


def _not_utf8(text: str) -> bool:
    """Whether ``text`` came from bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_arguments(argv: Sequence[str]) -> None:
    """An ExpressionError naming the first argument that is not UTF-8 text."""
    for position, argument in enumerate(argv, start=1):
        if _not_utf8(argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            raise ExpressionError(f"argument {position} ({shown!r}) is not UTF-8 text")


def _answer(prompt: str) -> str:
    """One answer read from stdin; an ExpressionError when its bytes are not UTF-8."""
    try:
        text = input(prompt)
    except UnicodeDecodeError as exc:
        raise ExpressionError(f"an answer on stdin is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if _not_utf8(text):
        raise ExpressionError("an answer on stdin is not UTF-8 text")
    return text


class _StdoutClosed(Exception):
    """Whoever read the output stopped reading (``| head``): nothing more to say."""


def _say(text: str) -> None:
    """Write ``text`` and a newline to stdout now; ``_StdoutClosed`` when the reader has gone."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush has nowhere to fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise _StdoutClosed from None


def exercise_main(argv: Sequence[str]) -> int:
    """``python -m viz exercise``: ask every local derivative on stdin, check each answer; returns the exit status."""
    args = build_exercise_parser().parse_args(argv)
    try:
        questions = exercise(evaluate_expression(args.expression, parse_values(args.values)))
        run_in_terminal(questions, ask=_answer, say=_say)
    except (ExpressionError, DomainError, ArithmeticError, ValueError) as exc:
        return _fail(exc, BAD_INPUT, "python -m viz exercise")
    except _StdoutClosed:
        return FAILED
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")  # a terminal that cannot show ∂ gets \u2202, not a crash
    try:
        _check_arguments(argv)
    except ExpressionError as exc:
        return _fail(exc, BAD_INPUT)
    try:
        return _main(argv)
    except _StdoutClosed:
        return FAILED
    except KeyboardInterrupt:  # Ctrl-C, at an exercise's prompt say: stopped, as a shell command stops
        print(file=sys.stderr)
        return INTERRUPTED


def _main(argv: list[str]) -> int:
    """``main`` once the arguments are known to be text."""
    if argv[:1] == ["exercise"]:  # an expression that is just the name "exercise" can be written after "--"
        return exercise_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        _check_output(args.output, args.slides)
        values = parse_values(args.values)
        root = evaluate_expression(args.expression, values)
        tangents = _tangents(root, args.tangent)
        root.backward()
        if args.output is not None:
            _write(root, Path(args.output), args, tangents)
    except (ExpressionError, DomainError, ArithmeticError) as exc:
        return _fail(exc, BAD_INPUT)
    except (GraphvizNotFoundError, OSError, RuntimeError, ImportError) as exc:  # ImportError: Pillow, for a .gif
        return _fail(exc, FAILED)
    if args.explain:
        _say(explain(root, tangents=tangents).rstrip("\n"))
    if args.output is not None:
        _say(f"wrote {args.output}")
    elif not args.explain:
        _say(_summary(root, list(values)))
    return 0
