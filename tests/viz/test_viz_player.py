"""The backward-pass player: a self-contained page, driven in headless Chromium through Playwright."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from viz import explain_steps, player_html, write_html
from viz.text import format_number

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_page_is_self_contained(dot_program, diamond):
    page = player_html(diamond()[0])
    assert "default-src 'none'" in page  # the browser itself refuses any request
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"\b(src|href)\s*=", page.split('<div id="graph">')[0] + page.split("</svg>")[1])
    assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/)", page)
    assert page.count("<svg") == 1 and 'id="player-data"' in page


def test_text_that_looks_like_markup_is_escaped(dot_program):
    from autograd_core import Value

    x = Value(1.0, "</script><b>x")
    y = x * 2.0
    y.label = "__SVG__"
    page = player_html(y, title="<i>t</i>")
    assert "</script><b>" not in page and "&lt;i&gt;t&lt;/i&gt;" in page
    assert page.count("<svg") == 1


@contextmanager
def open_player(chromium_path, path):
    """A Chromium page showing ``path`` from disk; every request it makes is recorded and non-file ones aborted."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(path.as_uri())
            yield page, requests, errors
        finally:
            browser.close()


@pytest.fixture
def player(tmp_path, diamond, dot_program, chromium_path):
    """The diamond's player page open in Chromium, with its expected steps."""
    root, nodes = diamond()
    path = write_html(root, tmp_path / "diamond.html", interval_ms=40)
    graph, steps = explain_steps(root)
    with open_player(chromium_path, path) as (page, requests, errors):
        yield page, graph, steps, nodes
        assert errors == []
        assert requests == [path.as_uri()]  # the page itself, nothing else


def grad_text(page, graph, name):
    node_id = next(n.id for n in graph.nodes if n.name == name)
    return page.locator(f"g#{node_id} text.grad")


@pytest.mark.browser
def test_starts_before_the_first_step(player):
    from playwright.sync_api import expect

    page, graph, steps, _ = player
    expect(page.locator("#counter")).to_have_text(f"step 0 / {len(steps)}")
    expect(page.locator("#line")).to_contain_text("dL/dL = 1.0000")
    expect(grad_text(page, graph, "L")).to_have_text("grad 1.0000")
    for name in ("a", "b", "c", "d"):
        expect(grad_text(page, graph, name)).to_have_text("grad ?")
    assert page.locator("g.edge.active").count() == 0
    expect(page.locator("#prev")).to_be_disabled()
    expect(page.locator("#summary")).to_be_hidden()


@pytest.mark.browser
def test_arrow_keys_step_forward_and_back(player):
    from playwright.sync_api import expect

    page, graph, steps, _ = player
    for k, step in enumerate(steps, start=1):
        page.keyboard.press("ArrowRight")
        expect(page.locator("#counter")).to_have_text(f"step {k} / {len(steps)}")
        expect(page.locator("#line")).to_have_text(step.text)
        edge = page.locator(f"g#e{step.node.index}_{step.step.index}")
        expect(edge).to_have_class(re.compile(r"\bactive\b"))
        assert page.locator("g.edge.active").count() == 2  # the parent's edge and the op's output edge
        expect(page.locator(f"g#{step.parent.id}")).to_have_class(re.compile(r"\breceiving\b"))
        expect(grad_text(page, graph, step.parent.name)).to_have_text(f"grad {format_number(step.total)}")
    # The fan-out step shows the running total of a's two contributions.
    assert "[dL/da = -6.0000 + 3.0000 = -3.0000]" in steps[4].text
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#counter")).to_have_text(f"step {len(steps) - 1} / {len(steps)}")
    expect(grad_text(page, graph, "b")).to_have_text("grad -6.0000")  # the second contribution is undone
    expect(grad_text(page, graph, "a")).to_have_text("grad -3.0000")
    for _ in steps:
        page.keyboard.press("ArrowLeft")
    expect(page.locator("#counter")).to_have_text(f"step 0 / {len(steps)}")
    expect(grad_text(page, graph, "a")).to_have_text("grad ?")
    assert page.locator("g.edge.active").count() == 0


@pytest.mark.browser
def test_buttons(player):
    from playwright.sync_api import expect

    page, graph, steps, nodes = player
    for _ in range(3):
        page.click("#next")
    expect(page.locator("#counter")).to_have_text(f"step 3 / {len(steps)}")
    expect(page.locator("#line")).to_have_text(steps[2].text)
    expect(page.locator("#steps li.current")).to_have_text(steps[2].text)
    page.click("#prev")
    expect(page.locator("#counter")).to_have_text(f"step 2 / {len(steps)}")
    expect(grad_text(page, graph, "d")).to_have_text("grad -6.0000")
    expect(grad_text(page, graph, "a")).to_have_text("grad ?")
    page.click("#reset")
    expect(page.locator("#counter")).to_have_text(f"step 0 / {len(steps)}")
    expect(grad_text(page, graph, "c")).to_have_text("grad ?")
    page.locator("#steps li").nth(4).click()  # a line of the list jumps to its step
    expect(page.locator("#counter")).to_have_text(f"step 5 / {len(steps)}")
    # A small graph starts fitted to the window; the switch shows it at its own size.
    expect(page.locator("#graph")).to_have_class(re.compile(r"\bfit\b"))
    page.click("#fit")
    expect(page.locator("#graph")).not_to_have_class(re.compile(r"\bfit\b"))


@pytest.mark.browser
def test_play_runs_to_the_end_and_fills_every_gradient(player):
    from playwright.sync_api import expect

    page, graph, steps, nodes = player
    page.click("#play")
    expect(page.locator("#counter")).to_have_text(f"step {len(steps)} / {len(steps)}")
    expect(page.locator("#play")).to_have_text("Play")
    expect(page.locator("#next")).to_be_disabled()
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("dL/da = -3.0000")
    for name, value in nodes.items():
        expect(grad_text(page, graph, name)).to_have_text(f"grad {format_number(value.grad)}")


@pytest.mark.browser
def test_labels_that_look_like_markup_show_as_text(tmp_path, dot_program, chromium_path):
    from autograd_core import Value
    from playwright.sync_api import expect

    x = Value(1.0, "</script><!-- x")
    y = x * 2.0
    y.label = "y"
    path = write_html(y, tmp_path / "markup.html")
    with open_player(chromium_path, path) as (page, requests, errors):
        page.keyboard.press("ArrowRight")
        expect(page.locator("#counter")).to_have_text("step 1 / 2")
        expect(page.locator("#line")).to_contain_text("dy/d(</script><!-- x) += dy/dy · ∂y/∂(</script><!-- x)")
        assert errors == [] and requests == [path.as_uri()]
