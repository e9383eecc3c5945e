"""``python scripts/classroom.py docs/images``: the classroom's screenshots, and the widgets in a plain browser page.

The screenshots (``docs/images/classroom-*.png``, each at 1280x800 and
1920x1080) show what a teacher puts on a projector: the lecture neuron's
player at "Done", in presentation mode, a 3-4-4-1 MLP's step text, the
forward-mode player, the exercise mid-answer, and notebook 2's explorer of a
2-3-1 MLP. ``make classroom`` runs it.

The notebook widgets (``viz.widgets``) are shown without Jupyter:
``widget_page`` writes a page that runs a widget's own ES module and CSS on
a small stand-in for anywidget's model, and ``open_widget`` connects that
model to the Python widget through Playwright, so that what the page sends
(an answer, a slider's value) reaches the widget as the kernel would pass it,
and the traits the widget changes come back to the page. The browser tests
(``tests/viz/test_viz_classroom.py``) drive the widgets this way, in
seconds; ``tests/notebooks`` drives them in a real JupyterLab.

A development tool, outside the installed packages (``scripts`` is on
pytest's path).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autograd_core import Value, topological_order
from autograd_core.files import write_atomic
from nn import MLP

__all__ = ["SIZES", "NOTEBOOK_MARGIN", "widget_page", "open_widget", "browser", "mlp_3_4_4_1", "mlp_2_3_1", "main"]

SIZES = ((1280, 800), (1920, 1080))  # a laptop, and a projector
NOTEBOOK_MARGIN = 432  # px: JupyterLab's side bar, prompts and margins (its cells are 848 px wide at 1280)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ margin: 0; padding: 8px 12px; height: 100vh; box-sizing: border-box; }}{css}</style></head>
<body><div class="ag-cell"></div>
<script type="application/json" class="ag-module">{module}</script>
<script type="application/json" class="ag-state">{state}</script>
<script>
// anywidget's model, as far as the widgets use it: the traits, their change events, save_changes and send.
// What the page sets or sends goes to the Python widget (window.agKernel, added by Playwright); the traits it
// changes come back and fire their change events, as a kernel's reply would.
(function () {{
  var state = JSON.parse(document.querySelector(".ag-state").textContent), handlers = {{}}, dirty = {{}};
  function fire(name) {{ (handlers["change:" + name] || []).slice().forEach(function (f) {{ f(); }}); }}
  function receive(next) {{
    Object.keys(next).forEach(function (k) {{
      if (JSON.stringify(state[k]) !== JSON.stringify(next[k])) {{ state[k] = next[k]; fire(k); }}
    }});
  }}
  var model = {{
    get: function (k) {{ return state[k]; }},
    set: function (k, v) {{ state[k] = v; dirty[k] = v; fire(k); }},
    on: function (event, f) {{ (handlers[event] = handlers[event] || []).push(f); }},
    off: function (event, f) {{
      handlers[event] = (handlers[event] || []).filter(function (g) {{ return g !== f; }});
    }},
    save_changes: function () {{
      var changes = dirty;
      dirty = {{}};
      window.agKernel({{ set: changes }}).then(receive);
    }},
    send: function (content) {{ window.agKernel({{ message: content }}).then(receive); }},
  }};
  var source = JSON.parse(document.querySelector(".ag-module").textContent);
  import(URL.createObjectURL(new Blob([source], {{ type: "text/javascript" }}))).then(function (module) {{
    module.default.render({{ model: model, el: document.querySelector(".ag-cell") }});
    document.body.setAttribute("data-ready", "true");
  }});
}})();
</script></body></html>
"""


def _synced(widget: Any) -> dict[str, Any]:
    """The widget's own synchronised traits (those its class adds; ipywidgets' and anywidget's left out)."""
    from anywidget import AnyWidget

    names = set(widget.trait_names(sync=True)) - set(AnyWidget.class_trait_names(sync=True))
    return {name: getattr(widget, name) for name in sorted(names)}


def widget_page(widget: Any, path: Path, title: str = "widget") -> Path:
    """Write a page showing ``widget`` (a ``viz.widgets`` widget) as a notebook's output would."""

    def inline(value: object) -> str:
        return json.dumps(value).replace("<", "\\u003c")

    css = widget._css  # anywidget keeps them here; this page is their host
    module = widget._esm
    return write_atomic(path, _PAGE.format(title=title, css=css, module=inline(module), state=inline(_synced(widget))))


def _kernel(widget: Any) -> Callable[[dict], dict]:
    """What the page's model calls: a trait set, or a message, handled as the kernel would.

    Returns the traits the widget changed meanwhile, as a kernel sends them (a trait the page set is not echoed).
    """

    def handle(request: dict) -> dict:
        before = json.dumps(_synced(widget), sort_keys=True)
        if "set" in request:
            for name, value in request["set"].items():
                setattr(widget, name, value)
        else:
            widget._msg_callbacks(widget, request["message"], None)  # the handlers on_msg added
        old, new = json.loads(before), _synced(widget)
        changed = {
            k: v for k, v in new.items() if json.dumps(v, sort_keys=True) != json.dumps(old.get(k), sort_keys=True)
        }
        return {k: v for k, v in changed.items() if k not in request.get("set", {})}

    return handle


@contextmanager
def browser(chromium: str | None = None) -> Iterator[Any]:
    """Headless Chromium (Debian's) through Playwright, its scroll bars drawn."""
    from playwright.sync_api import sync_playwright

    chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            ignore_default_args=["--hide-scrollbars"],  # the scroll bars show, as in a browser on a desktop
        )
        try:
            yield launched
        finally:
            launched.close()


def open_widget(launched: Any, widget: Any, folder: Path, size: tuple[int, int]) -> Any:
    """A new page of ``size`` showing ``widget``, connected to it; returns the Playwright page."""
    path = widget_page(widget, folder / f"{type(widget).__name__.lower()}.html")
    page = launched.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    page.expose_function("agKernel", _kernel(widget))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready=true]")
    return page


def open_player(launched: Any, path: Path, size: tuple[int, int], step: int = 0) -> Any:
    """A new page of ``size`` showing the player page ``path`` at ``step``."""
    page = launched.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    page.goto(path.resolve().as_uri())
    page.evaluate(f"document.querySelector('.ag-player').agPlayer.go({step})")
    return page


def mlp_3_4_4_1() -> Value:
    """The lecture's MLP (3-4-4-1, tanh) on one input."""
    return MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=1)([2.0, 3.0, -1.0])


def mlp_2_3_1() -> MLP:
    """Notebook 2's MLP: 2-3-1, tanh."""
    return MLP(2, [3, 1], activation="tanh", seed=0)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the classroom's screenshots into a folder."""
    import tempfile

    from gallery import lecture_neuron

    import viz
    from viz import write_html

    parser = argparse.ArgumentParser(prog="python scripts/classroom.py", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the PNGs (the docs' are in docs/images)")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp())
    neuron = write_html(lecture_neuron(), scratch / "neuron.html", title="The lecture's neuron")
    o = lecture_neuron()
    x1 = next(v for v in topological_order(o) if v.label == "x1")
    tangents = write_html(o, scratch / "forward.html", tangents={x1: 1.0}, title="Forward mode of the lecture's neuron")
    mlp = write_html(mlp_3_4_4_1(), scratch / "mlp.html", group_by="neuron", title="The lecture's MLP, 3-4-4-1")
    with browser() as launched:
        for width, height in SIZES:
            size, suffix = (width, height), f"{width}x{height}"

            def save(page: Any, name: str, suffix: str = suffix) -> None:
                png = args.folder / f"classroom-{name}-{suffix}.png"
                write_atomic(png, page.screenshot())
                print(f"{png}")
                page.context.close()

            page = open_player(launched, neuron, size)
            page.evaluate("document.querySelector('.ag-player').agPlayer.go(1e9)")
            save(page, "player-done")
            page = open_player(launched, neuron, size, step=9)
            page.keyboard.press("f")
            save(page, "presentation")
            page = open_player(launched, mlp, size, step=120)
            save(page, "mlp-steps")
            page = open_player(launched, tangents, size, step=3)
            save(page, "forward-mode")
            quiz = viz.exercise_widget(viz.exercise(lecture_neuron()))
            page = open_widget(launched, quiz, scratch, size)
            page.locator(".ag-player").focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.type("1 - out**2")
            page.keyboard.press("Enter")  # right: on to the next question, the cursor in its box
            page.wait_for_function("document.querySelector('.ag-counter').textContent.startsWith('step 2 ')")
            page.keyboard.type("0")
            page.keyboard.press("Enter")  # wrong: the correct value shows
            page.wait_for_function("document.querySelector('.ag-step').classList.contains('ag-wrong')")
            page.keyboard.press("ArrowRight")
            page.keyboard.type("1")
            save(page, "exercise")
            page = open_widget(launched, viz.explore(mlp_2_3_1(), [0.5, -1.0]), scratch, size)
            page.evaluate(f"document.querySelector('.ag-cell').style.width = '{width - NOTEBOOK_MARGIN}px'")
            page.wait_for_timeout(200)  # the explorer's resize observer
            save(page, "explorer")
    shutil.rmtree(scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
