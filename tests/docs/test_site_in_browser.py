"""The built site in Chromium, served on localhost: three pages open without a console error, nothing is fetched
from another host, and the player embedded in the page steps forward and back."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from helpers import CHROMIUM_ARGS, require_tool
from site_screenshots import PAGES, serve

VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def served_site(built_site):
    """The built site on a free port of localhost, and one Chromium for this module's tests."""
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require_tool(chromium is not None, "Chromium", "make test installs it; or apt-get install chromium")
    with serve(built_site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser, base
        finally:
            browser.close()


@contextmanager
def open_site(served_site):
    """A fresh Chromium page (1280x800) on the served site; requests leaving it are refused and recorded."""
    browser, base = served_site
    outside: list[str] = []
    errors: list[str] = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.route(lambda url: not url.startswith(base), refuse)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, base, outside, errors
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_opens_with_no_error_and_fetches_nothing_from_outside(served_site, name):
    with open_site(served_site) as (page, base, outside, errors):
        response = page.goto(base + PAGES[name], wait_until="networkidle")
        assert response.status == 200
        assert page.locator("h1").first.is_visible()
        assert errors == []
        assert outside == []


@pytest.mark.browser
def test_the_embedded_players_step_forward_and_back(served_site):
    from playwright.sync_api import expect

    with open_site(served_site) as (page, base, outside, errors):
        page.goto(base + PAGES["player"], wait_until="networkidle")
        frames = page.frame_locator("iframe.ag-live")
        expect(page.locator("iframe.ag-live")).to_have_count(3)  # the player, the forward-mode player, the exercise
        assert page.evaluate("window.scrollY") == 0  # a player takes the keys only on a page of its own: no scrolling
        player = frames.nth(0)
        counter = player.locator(".ag-counter")
        expect(counter).to_have_text(re.compile(r"^step 0 / 15 · start"))
        player.locator(".ag-next").click()
        expect(counter).to_have_text(re.compile(r"^step 1 / 15 · forward pass"))
        expect(player.locator(".ag-line")).to_contain_text("v1 = x1 * w1")
        for _ in range(6):  # on into the backward pass
            player.locator(".ag-next").click()
        expect(counter).to_have_text(re.compile(r"^step 7 / 15 · backward pass"))
        player.locator(".ag-prev").click()
        expect(counter).to_have_text(re.compile(r"^step 6 / 15"))
        player.locator(".ag-reset").click()
        expect(counter).to_have_text(re.compile(r"^step 0 / 15 · start"))
        for k in (1, 2):
            expect(frames.nth(k).locator(".ag-counter")).to_have_text(re.compile(r"^step 0 / \d+"))
            frames.nth(k).locator(".ag-next").click()
            expect(frames.nth(k).locator(".ag-counter")).to_have_text(re.compile(r"^step 1 / \d+"))
        assert errors == []
        assert outside == []
