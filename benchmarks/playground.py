"""How quickly the playground shows its first drawing, and redraws when a slider moves, in headless Chromium.

    make playground && python benchmarks/playground.py                 # 3 cold opens, 20 slider moves each view
    python benchmarks/playground.py --screenshots docs/images          # also the docs' screenshots

Serves site/playground on localhost (every other request refused) and opens
the lecture's neuron from its link in a fresh browser context each time (no
cache: a student's first visit). The first drawing is the time from opening
the page to the drawing shown, Pyodide's start, the wheels' install and the
WebAssembly Graphviz included (``window.pgTimings``). A redraw is the time
from a slider's move to the new picture painted: Python rebuilds the graph,
its gradients and the drawing, the WebAssembly Graphviz lays it out, the page
shows it. Prints a Markdown table; ``--screenshots`` writes
playground-*.png at 1280x800 and 1920x1080 (``make playground-screenshots``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from build_playground import serve  # noqa: E402 - scripts/ is not a package: after the path above

NEURON = "expr=o%3Dtanh(x1*w1%2Bx2*w2%2Bb)&x1=2&x2=0&w1=-3&w2=1&b=6.8813735870195432"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
MOVE = """async ([name, value]) => {
  const range = document.querySelector(`.pg-slider input[data-name=${name}]`), seen = window.pgTimings.redraws.length;
  const start = performance.now();
  range.value = String(value);
  range.dispatchEvent(new Event("input", { bubbles: true }));
  while (window.pgTimings.redraws.length === seen) await new Promise((r) => requestAnimationFrame(r));
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));  // painted
  return performance.now() - start;
}"""


def open_page(browser, base: str, fragment: str, viewport: dict[str, int]):
    """A fresh context (no cache) on the playground at ``fragment``, every request outside ``base`` refused."""
    context = browser.new_context(viewport=viewport)
    refused: list[str] = []
    context.route(
        re.compile(rf"^(?!{re.escape(base)}).*"), lambda route: (refused.append(route.request.url), route.abort())
    )
    page = context.new_page()
    page.goto(f"{base}index.html#{fragment}")
    page.wait_for_selector("body[data-ready]", state="attached", timeout=300_000)
    if page.get_attribute("body", "data-ready") != "true" or refused:
        raise SystemExit(f"the playground failed: {page.inner_text('.pg-status')}; refused {refused}")
    return context, page


def redraws(page, mode: str, moves: int) -> list[float]:
    """Milliseconds from each slider move to the picture painted, in ``mode``."""
    page.click(f"button[data-mode={mode}]")
    return [page.evaluate(MOVE, ["x1", round(2.0 - 0.05 * (i + 1), 3)]) for i in range(moves)]


def screenshots(browser, base: str, folder: Path) -> None:
    """The docs' pictures: the drawing (1280x800), the player mid-backward (1920x1080), the exercise (1280x800)."""
    shots = [
        ("playground-1280x800.png", NEURON, {"width": 1280, "height": 800}, None),
        ("playground-player-1920x1080.png", NEURON + "&mode=player", {"width": 1920, "height": 1080}, "player"),
        ("playground-exercise-1280x800.png", NEURON + "&mode=exercise", {"width": 1280, "height": 800}, "exercise"),
    ]
    for name, fragment, viewport, what in shots:
        context, page = open_page(browser, base, fragment, viewport)
        if what == "player":
            for _ in range(9):
                page.click(".ag-next")
        elif what == "exercise":
            page.click(".ag-next")
            page.fill(".ag-input", "1 - o**2")
            page.click(".ag-check")  # right: on to step 2, the verdict of step 1 above it
            page.wait_for_selector(".ag-verdict:not(:empty)")
            page.fill(".ag-input", "1")
        page.wait_for_timeout(300)
        page.screenshot(path=str(folder / name))
        print(f"wrote {folder / name}")
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site" / "playground", help="the built playground")
    parser.add_argument("--runs", type=int, default=3, help="cold opens of the page")
    parser.add_argument("--moves", type=int, default=20, help="slider moves per view and run")
    parser.add_argument("--screenshots", type=Path, metavar="FOLDER", help="also write the docs' screenshots there")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site} holds no playground: run `make playground` first")
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    first, ready, python, moved = [], [], [], {"drawing": [], "player": []}
    with serve(args.site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        try:
            for _ in range(args.runs):
                context, page = open_page(browser, base, NEURON, {"width": 1280, "height": 800})
                timings = page.evaluate("window.pgTimings")
                first.append(timings["firstDrawing"] / 1000)
                python.append(timings["python"] / 1000)
                ready.append(timings["ready"] / 1000)
                for mode, times in moved.items():
                    times.extend(redraws(page, mode, args.moves))
                context.close()
            if args.screenshots:
                screenshots(browser, base, args.screenshots)
        finally:
            browser.close()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\nChromium headless, {os.cpu_count()} cores (load average {load}), {args.runs} cold opens of the neuron\n")
    print("| measure | median | slowest |")
    print("|---|---:|---:|")
    print(f"| Pyodide and the WebAssembly Graphviz started | {statistics.median(python):.1f} s | {max(python):.1f} s |")
    print(f"| the wheels installed, viz imported | {statistics.median(ready):.1f} s | {max(ready):.1f} s |")
    print(f"| first drawing (from opening the page) | {statistics.median(first):.1f} s | {max(first):.1f} s |")
    for mode, times in moved.items():
        print(f"| redraw after a slider move ({mode}) | {statistics.median(times):.0f} ms | {max(times):.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
