"""Screenshots of the built documentation site: ``python scripts/site_screenshots.py site docs/images``.

``make docs-screenshots`` builds the site and runs this. It serves the built
site on a free port of localhost, opens three pages (the home page, the first
tutorial, the page of the backward pass with the embedded player) in headless
Chromium at 1280x800 and 1920x1080, refusing every request that leaves the local
server, and saves ``site-<page>-<width>x<height>.png``. The browser test
(tests/docs/test_site_in_browser.py) serves the site with ``serve``, too.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

PAGES = {
    "home": "",
    "tutorial": "tutorials/1-chain-rule/",
    "player": "explanation/backward-pass-step-by-step/",
}
SIZES = [(1280, 800), (1920, 1080)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the server's log is not the test's output
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of localhost; yields the base URL (ending in a slash)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (make docs builds it into site/)")
    parser.add_argument("out", type=Path, help="the folder for the PNG files")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        parser.error(f"{args.site} holds no built site (run make docs first)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        parser.error("Chromium is not installed (make test installs it; or apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with serve(args.site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        try:
            for width, height in SIZES:
                context = browser.new_context(viewport={"width": width, "height": height})
                context.route(lambda url: not url.startswith(base), lambda route: route.abort())
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path, wait_until="networkidle")
                    if name == "player":  # the embedded player, a few steps into the forward pass
                        frame = page.frame_locator("iframe.ag-live").first
                        for _ in range(3):
                            frame.locator(".ag-next").click()
                    target = args.out / f"site-{name}-{width}x{height}.png"
                    page.screenshot(path=str(target))
                    print(f"wrote {target}")
                context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
