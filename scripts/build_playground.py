"""``python scripts/build_playground.py site/playground``: the playground, this project running in the browser.

Writes into the folder (made anew; ``make playground`` runs it after ``npm
ci``): the page (``playground/index.html``, ``playground.js``,
``playground.css``) and its Python (``playground/app.py``); viz's player
script (``viz/player.js``, ``player_widget.js`` and ``exercise_widget.js`` as
one ES module, as ``viz.widgets`` makes it) and its CSS; Pyodide's core files
and the WebAssembly Graphviz copied from ``node_modules`` (the npm packages
``pyodide`` and ``@hpcc-js/wasm-graphviz``, pinned in package.json); and the
wheels the page installs with ``pyodide.unpackArchive`` (no micropip, no
CDN): this project's, built from a clean copy of its sources, and the
``graphviz`` package's, the version installed here. ``files.json`` lists the
wheels and the versions. Nothing in the folder is fetched from anywhere but
the server that serves it. Prints the folder's size. ``serve(folder)``
serves a built playground on localhost (the tests and the benchmark use it;
``python -m http.server -d site/playground`` does the same).
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
PAGE_FILES = ("index.html", "playground.js", "playground.css", "app.py")
SOURCES = ("pyproject.toml", "README.md", "autograd_core", "nn", "viz", "course")  # what the wheel is built from
PLAYER_EXPORTS = "export { createPlayer, mountPlayer, renderPlayer, renderExercise };\n"

__all__ = ["build", "serve", "main"]


def _npm_version(package: str) -> str:
    return json.loads((MODULES / package / "package.json").read_text(encoding="utf-8"))["version"]


def _wheels(out: Path) -> list[str]:
    """This project's wheel (from a clean copy: no stale build/ folder) and graphviz's, written into ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        for name in SOURCES:
            path = ROOT / name
            if path.is_dir():
                shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                source.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, source / name)
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps"]
        command += ["--no-build-isolation", "-w", str(out), str(source), f"graphviz=={version('graphviz')}"]
        subprocess.run(command, check=True)
    return sorted(p.name for p in out.glob("*.whl"))


def build(out: Path) -> None:
    """Write the playground into ``out`` (removed first)."""
    missing = [p for p in ("pyodide", "@hpcc-js/wasm-graphviz") if not (MODULES / p / "package.json").is_file()]
    if missing:
        raise SystemExit(f"build_playground: {', '.join(missing)} not in node_modules: run `npm ci` first")
    from viz.player_page import CSS
    from viz.widgets import EXERCISE_CSS

    if out.exists():
        shutil.rmtree(out)
    (out / "pyodide").mkdir(parents=True)
    for name in PAGE_FILES:
        shutil.copy2(ROOT / "playground" / name, out / name)
    viz = ROOT / "viz"
    scripts = [
        (viz / name).read_text(encoding="utf-8") for name in ("player.js", "player_widget.js", "exercise_widget.js")
    ]
    (out / "viz-player.js").write_text("\n".join(scripts) + PLAYER_EXPORTS, encoding="utf-8")
    (out / "viz-player.css").write_text(CSS + EXERCISE_CSS, encoding="utf-8")
    for name in PYODIDE_FILES:
        shutil.copy2(MODULES / "pyodide" / name, out / "pyodide" / name)
    shutil.copy2(MODULES / "@hpcc-js" / "wasm-graphviz" / "dist" / "index.js", out / "graphviz.js")
    (out / "wheels").mkdir()
    files = {
        "wheels": [f"wheels/{name}" for name in _wheels(out / "wheels")],
        "pyodide": _npm_version("pyodide"),
        "wasm-graphviz": _npm_version("@hpcc-js/wasm-graphviz"),
    }
    (out / "files.json").write_text(json.dumps(files, indent=1) + "\n", encoding="utf-8")


class _QuietHandler(SimpleHTTPRequestHandler):
    """A static file server that logs nothing (a test's output stays readable)."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) while the block runs; yields the base URL, ending in ``/``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/build_playground.py", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=ROOT / "site" / "playground")
    args = parser.parse_args(argv)
    build(args.folder)
    size = sum(p.stat().st_size for p in args.folder.rglob("*") if p.is_file())
    print(f"wrote {args.folder} ({size / 1e6:.1f} MB); serve it, e.g. python -m http.server -d {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
