"""The playground in Chromium: built, served on localhost, every other request refused, driven like a teacher would.

One browser session (Pyodide starts once, several seconds): the lecture's
neuron from its link, the player stepped forward and back, a slider moved,
an exercise answered right and wrong, the link following an edit. The time
to the first drawing is measured by benchmarks/playground.py, not asserted.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest
from build_playground import serve
from helpers import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

NEURON = "expr=o%3Dtanh(x1*w1%2Bx2*w2%2Bb)&x1=2&x2=0&w1=-3&w2=1&b=6.8813735870195432"
START = 180_000  # ms: Pyodide's start on a loaded 2-core machine, with room to spare (typically 5 to 15 s)


@pytest.fixture
def browser_page(playground_site, chromium_path):
    """A Chromium page on the served playground; the requests made, those refused, and the page's errors."""
    from playwright.sync_api import sync_playwright

    with serve(playground_site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            requests, refused, errors = [], [], []

            def refuse(route):
                refused.append(route.request.url)
                route.abort()

            context.route(re.compile(rf"^(?!{re.escape(base)}).*"), refuse)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page, base, requests, refused, errors
        finally:
            browser.close()


def open_link(page, base: str, fragment: str) -> None:
    page.goto(f"{base}index.html#{fragment}")
    page.wait_for_selector("body[data-ready]", state="attached", timeout=START)
    assert page.get_attribute("body", "data-ready") == "true", page.inner_text(".pg-status")


def node_texts(page, name: str) -> list[str]:
    """The texts of the drawn node whose first text is ``name`` (its name, data and grad rows)."""
    return page.evaluate(
        """(name) => {
          for (const g of document.querySelectorAll(".pg-view svg g.node")) {
            const texts = [...g.querySelectorAll("text")].map((t) => t.textContent.trim());
            if (texts[0] === name) return texts;
          }
          return null;
        }""",
        name,
    )


def fragment(page) -> dict[str, str]:
    return dict(parse_qsl(page.evaluate("location.hash").lstrip("#")))


def test_the_playground_runs_the_lecture_from_its_link_offline(browser_page):
    from playwright.sync_api import expect

    page, base, requests, refused, errors = browser_page
    open_link(page, base, NEURON)
    assert "Graphviz 16." in page.inner_text(".pg-status")

    # The drawing: the lecture's neuron, its output and gradients, laid out by the WebAssembly Graphviz.
    assert page.inner_text(".pg-output") == "o = 0.7071"
    assert node_texts(page, "o") == ["o", "data 0.7071", "grad 1.0000"]
    assert node_texts(page, "x1") == ["x1", "data 2.0000", "grad -1.5000"]
    assert "do/dw1 = 1.0000" in page.inner_text(".pg-explain")

    # The player: forward then backward, stepped forward and back.
    page.click("button[data-mode=player]")
    counter = page.locator(".ag-counter")
    assert re.fullmatch(r"step 0 / 15 · start", counter.inner_text())
    assert node_texts(page, "o")[1] == "data ?"
    for _ in range(6):
        page.click(".ag-next")
    assert counter.inner_text() == "step 6 / 15 · backward pass"  # 5 forward steps, then the seed
    assert node_texts(page, "o") == ["o", "data 0.7071", "grad 1.0000"]
    page.click(".ag-prev")
    assert counter.inner_text() == "step 5 / 15 · forward pass"
    assert node_texts(page, "o") == ["o", "data 0.7071", "grad ?"]
    assert fragment(page)["mode"] == "player"

    # A slider: x1 to 1, o = tanh(1 * -3 + 0 * 1 + 6.8814) = 0.9991, redrawn, in the inputs and the link.
    page.click("button[data-mode=drawing]")
    page.evaluate(
        """() => {
          const range = document.querySelector(".pg-slider input[data-name=x1]");
          range.value = "1";
          range.dispatchEvent(new Event("input", { bubbles: true }));
        }"""
    )
    expect(page.locator(".pg-output")).to_have_text(
        "o = 0.9991", timeout=30_000
    )  # waits (the page's CSP forbids wait_for_function)
    assert node_texts(page, "x1")[1] == "data 1.0000"
    assert "x1=1 " in page.input_value(".pg-values") + " "
    assert fragment(page)["x1"] == "1"

    # The exercise: step 1 answered right, step 2 wrong (with the right value shown).
    page.click("button[data-mode=exercise]")
    assert fragment(page)["mode"] == "exercise"
    page.click(".ag-next")
    page.fill(".ag-input", "1 - o**2")
    page.click(".ag-check")  # right: the exercise moves on to step 2, the verdict of step 1 above it
    expect(page.locator(".ag-verdict")).to_contain_text("step 1: right", timeout=30_000)
    assert page.locator(".ag-counter").inner_text().startswith("step 2 / 9")
    assert page.inner_text(".ag-score") == "score: 1 of 9 right (1 of 9 answered)"
    page.fill(".ag-input", "7")
    page.click(".ag-check")
    page.wait_for_selector(".ag-step.ag-wrong")
    assert "wrong" in page.inner_text(".ag-step")
    assert page.inner_text(".ag-score") == "score: 1 of 9 right (2 of 9 answered)"

    # An edit: the link follows it, and carries only the expression and the numbers.
    page.click("button[data-mode=drawing]")
    page.fill(".pg-expr", "o = tanh(x1*w1 + x2*w2 + b) * 2")
    expect(page.locator(".pg-output")).to_have_text("o = 1.9983", timeout=30_000)
    assert fragment(page) == {
        "expr": "o = tanh(x1*w1 + x2*w2 + b) * 2",
        "x1": "1",
        "x2": "0",
        "w1": "-3",
        "w2": "1",
        "b": "6.881373587019543",
    }

    # Forward mode, from the link with a tangent: the player of the forward-mode pass and its lines.
    open_link(page, base, "expr=tanh(w*x%2Bb)&w=-3&x=2&b=6.88&tangent=x")
    expect(page.locator(".pg-output")).to_have_text("L = 0.7064", timeout=30_000)
    expect(page.locator(".pg-tangent")).to_be_visible()
    assert page.input_value(".pg-tangent select") == "x"
    assert page.input_value(".pg-expr") == "tanh(w*x+b)"
    assert "L̇ = -1.5029: the derivative of L along the tangents given" in page.inner_text(".pg-explain")
    assert page.locator(".ag-counter").inner_text() == "step 0 / 3 · start"
    assert fragment(page)["tangent"] == "x"

    # A link that holds code: refused with why, nothing run; the page keeps what it showed.
    page.evaluate("location.hash = " + repr("#expr=__import__('os').system('true')"))
    expect(page.locator(".pg-error")).to_contain_text("not allowed", timeout=30_000)
    assert page.inner_text(".pg-output") == "L = 0.7064"

    # A program of one's own (the example in the box): its last line drawn, its labelled leaves on sliders.
    page.click(".pg-program summary")
    page.click(".pg-run")
    expect(page.locator(".pg-output")).to_have_text("z = 1.3891", timeout=30_000)  # 2 * -3 + e**2
    assert page.locator(".pg-slider input").evaluate_all("rs => rs.map((r) => r.dataset.name)") == ["x", "y"]
    assert page.inner_text(".pg-error") == ""

    # Offline: every request went to the server, none was refused, and nothing failed.
    assert refused == []
    assert requests and all(url.startswith(base) for url in requests)
    assert errors == []
