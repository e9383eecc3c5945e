"""The player: a self-contained page that plays the forward then the backward pass, driven in Chromium by Playwright."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

import pytest
from gallery import lecture_neuron  # micrograd's lecture neuron, labelled as there
from helpers import CHROMIUM_ARGS

from autograd_core import Value
from nn import MLP
from viz import player_fragment, write_html
from viz.explain import explain_steps
from viz.player import player_html
from viz.player_page import page as player_page
from viz.text import computation, format_number
from viz.trace import trace

VIEWPORT = {"width": 1280, "height": 800}


def page_data(html_text: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/json" class="ag-data">(.*?)</script>', html_text, flags=re.S)
    return [json.loads(block) for block in blocks]


def test_page_is_self_contained(dot_program, diamond):
    page = player_html(diamond()[0])
    assert "default-src 'none'" in page  # the browser itself refuses any request
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"\b(src|href)\s*=", page.split('<div class="ag-graph">')[0] + page.split("</svg>")[1])
    assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/)", page)
    assert page.count("<svg") == 1 and len(page_data(page)) == 1
    # No document-wide ids: the SVG's become data-id, so two players can share a page.
    assert not re.search(r"\sid=", page) and 'data-id="v0"' in page


def test_text_that_looks_like_markup_is_escaped(dot_program):
    x = Value(1.0, "</script><b>x")
    y = x * 2.0
    y.label = "__SVG__"
    page = player_html(y, title="<i>t</i>")
    assert "</script><b>" not in page and "&lt;i&gt;t&lt;/i&gt;" in page
    assert page.count("<svg") == 1


def test_the_steps_are_the_forward_pass_then_the_backward_pass(dot_program, diamond):
    root, _ = diamond()
    graph, explained = explain_steps(root)
    steps = page_data(player_html(root))[0]["steps"]
    kinds = [s["kind"] for s in steps]
    assert kinds == ["forward"] * 3 + ["seed"] + ["backward"] * len(explained)
    computed = [n for n in graph.nodes if n.parents]
    assert [s["node"] for s in steps[:3]] == [n.id for n in computed]  # topological order
    assert [s["text"] for s in steps[:3]] == [computation(graph, n) for n in computed]
    assert steps[2]["text"] == "L = c * d = -6.0000 * (-1.0000) = 6.0000"
    assert [s["text"] for s in steps[4:]] == [s.text for s in explained]
    assert all(len(s["short"]) < 50 for s in steps)  # the list's lines are short; the whole line is shown above


@contextmanager
def open_page(chromium_path, path):
    """A Chromium page (1280x800) showing ``path`` from disk; every request recorded, non-file ones aborted."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
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
    """The diamond's player open in Chromium, with its graph and steps."""
    root, nodes = diamond()
    path = write_html(root, tmp_path / "diamond.html", interval_ms=40)
    graph, steps = explain_steps(root)
    with open_page(chromium_path, path) as (page, requests, errors):
        yield page, graph, steps, nodes
        assert errors == []
        assert requests == [path.as_uri()]  # the page itself, nothing else


def texts(page, graph, name, word):
    node_id = next(n.id for n in graph.nodes if n.name == name)
    return page.locator(f'g[data-id="{node_id}"] text', has_text=re.compile(rf"^{word} "))


@pytest.mark.browser
def test_starts_with_the_inputs_known_and_everything_else_unknown(player):
    from playwright.sync_api import expect

    page, graph, steps, _ = player
    total = 3 + 1 + len(steps)
    expect(page.locator(".ag-counter")).to_have_text(f"step 0 / {total} \u00b7 start")
    expect(page.locator(".ag-line")).to_contain_text("3 forward steps compute L = 6.0000")
    expect(texts(page, graph, "a", "data")).to_have_text("data 2.0000")
    for name in ("c", "d", "L"):
        expect(texts(page, graph, name, "data")).to_have_text("data ?")
    for name in ("a", "b", "c", "d", "L"):
        expect(texts(page, graph, name, "grad")).to_have_text("grad ?")
    assert page.locator("g.ag-active, g.ag-forward").count() == 0
    expect(page.locator(".ag-prev")).to_be_disabled()


@pytest.mark.browser
def test_the_forward_pass_then_the_backward_pass_step_by_step(player):
    from playwright.sync_api import expect

    page, graph, steps, nodes = player
    total = 4 + len(steps)
    for k, name in enumerate(["c", "d", "L"], start=1):  # forward: each value appears with its op and inputs' numbers
        page.keyboard.press("ArrowRight")
        expect(page.locator(".ag-counter")).to_have_text(f"step {k} / {total} \u00b7 forward pass")
        node = next(n for n in graph.nodes if n.name == name)
        expect(page.locator(".ag-line")).to_have_text(computation(graph, node))
        expect(texts(page, graph, name, "data")).to_have_text(f"data {format_number(node.value.data)}")
        expect(page.locator(f'g[data-id="{node.id}"]')).to_have_class(re.compile(r"\bag-computing\b"))
        expect(page.locator(f'g[data-id="e{node.index}_out"]')).to_have_class(re.compile(r"\bag-forward\b"))
        expect(texts(page, graph, name, "grad")).to_have_text("grad ?")
    page.keyboard.press("ArrowRight")  # the backward pass starts at the output
    expect(page.locator(".ag-line")).to_contain_text("dL/dL = 1.0000")
    expect(texts(page, graph, "L", "grad")).to_have_text("grad 1.0000")
    for k, step in enumerate(steps, start=5):
        page.keyboard.press("ArrowRight")
        expect(page.locator(".ag-counter")).to_have_text(re.compile(rf"^step {k} / {total} "))
        expect(page.locator(".ag-line")).to_have_text(step.text if k < total else re.compile(re.escape(step.text)))
        edge = page.locator(f'g[data-id="e{step.node.index}_{step.step.index}"]')
        expect(edge).to_have_class(re.compile(r"\bag-active\b"))
        expect(page.locator(f'g[data-id="{step.parent.id}"]')).to_have_class(re.compile(r"\bag-receiving\b"))
        expect(texts(page, graph, step.parent.name, "grad")).to_have_text(f"grad {format_number(step.total)}")
    assert "[dL/da = -6.0000 + 3.0000 = -3.0000]" in steps[4].text  # the fan-out's running total
    expect(page.locator(".ag-line")).to_contain_text("Done: every gradient is known.")
    page.keyboard.press("ArrowLeft")
    expect(texts(page, graph, "b", "grad")).to_have_text("grad -6.0000")  # the second contribution is undone
    page.keyboard.press("Home")
    expect(texts(page, graph, "c", "data")).to_have_text("data ?")
    expect(texts(page, graph, "a", "grad")).to_have_text("grad ?")


@pytest.mark.browser
def test_buttons_the_list_of_steps_and_play(player):
    from playwright.sync_api import expect

    page, graph, steps, nodes = player
    total = 4 + len(steps)
    for _ in range(6):
        page.click(".ag-next")
    items = page.locator("ol.ag-steps li")
    assert items.count() == total  # every step, in a list that scrolls (the current one in view)
    assert items.evaluate_all("(items) => items.map((li) => li.className.split(' ')[0])") == (
        ["ag-done"] * 5 + ["ag-now"] + ["ag-later"] * (total - 6)
    )
    expect(page.locator("ol.ag-steps li.ag-now")).to_have_text("dL/dd += -6.0000")
    page.click(".ag-prev")
    expect(page.locator(".ag-counter")).to_have_text(f"step 5 / {total} \u00b7 backward pass")
    page.locator("ol.ag-steps li", has_text="dL/da += -6.0000").click()  # a line of the list jumps to its step
    expect(page.locator(".ag-counter")).to_have_text(f"step 7 / {total} \u00b7 backward pass")
    page.click(".ag-reset")
    expect(page.locator(".ag-counter")).to_have_text(f"step 0 / {total} \u00b7 start")
    page.click(".ag-play")
    expect(page.locator(".ag-counter")).to_have_text(f"step {total} / {total} \u00b7 done")
    expect(page.locator(".ag-play")).to_have_text("Play")
    expect(page.locator(".ag-next")).to_be_disabled()
    expect(page.locator(".ag-line")).to_contain_text("dL/da = -3.0000")
    for name, value in nodes.items():
        expect(texts(page, graph, name, "grad")).to_have_text(f"grad {format_number(value.grad)}")


def view_box(page, index=0) -> list[float]:
    return [float(v) for v in page.locator(".ag-graph svg").nth(index).get_attribute("viewBox").split()]


@pytest.mark.browser
def test_zoom_and_pan_with_keys_buttons_wheel_and_mouse(player):
    page, *_ = player
    fitted = view_box(page)
    page.keyboard.press("+")
    zoomed = view_box(page)
    assert zoomed[2] < fitted[2] and zoomed[3] < fitted[3]
    page.keyboard.press("Shift+ArrowRight")
    assert view_box(page)[0] > zoomed[0]  # the view moved right
    box = page.locator(".ag-graph").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = view_box(page)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 100, box["y"] + box["height"] / 2 + 40)
    page.mouse.up()
    after = view_box(page)
    assert after[0] < before[0] and after[1] < before[1]  # dragged right and down: the view moves left and up
    page.keyboard.press("0")
    assert view_box(page) == fitted
    page.mouse.wheel(0, -300)
    assert view_box(page)[2] < fitted[2]
    page.click(".ag-fit")
    assert view_box(page) == fitted
    page.click(".ag-zoom-in")
    assert view_box(page)[2] < fitted[2]
    page.click(".ag-zoom-out")
    assert view_box(page)[2] == pytest.approx(fitted[2])


@pytest.mark.browser
def test_zoomed_in_the_view_follows_the_step(player):
    page, graph, steps, _ = player
    for _ in range(3):
        page.keyboard.press("+")
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")  # the output, on the right, is out of view
    page.evaluate("document.querySelector('.ag-player').agPlayer.go(4)")  # the start of the backward pass
    output = page.locator(f'g[data-id="{graph.root.id}"]').bounding_box()
    assert inside(output, page.locator(".ag-graph").bounding_box())


def inside(box: dict, frame: dict) -> bool:
    return (
        box["x"] >= frame["x"] - 0.5
        and box["y"] >= frame["y"] - 0.5
        and box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5
        and box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5
    )


def demo_neuron() -> Value:
    """The demo's drawing (course.demo's): a first-layer neuron of the trained 2-16-16-1 MLP on a training point."""
    from course import demo

    X, y = demo.load_data("moons", 40, seed=1)
    model, _ = demo.train(X, y, [16, 16], steps=20, seed=1, progress=False)
    neurons = model.layers[0].neurons
    return next(o for x in X for o in (n(x) for n in neurons) if o.data > 0)


@pytest.mark.browser
@pytest.mark.parametrize("build", [lecture_neuron, demo_neuron], ids=["lecture neuron", "demo neuron"])
def test_every_node_is_inside_the_viewport_at_the_first_and_last_step(tmp_path, dot_program, chromium_path, build):
    root = build()
    path = write_html(root, tmp_path / "player.html")
    node_ids = [n.id for n in trace(root).nodes]
    with open_page(chromium_path, path) as (page, requests, errors):
        for when in ("Home", "End"):
            page.keyboard.press(when)
            frame = page.locator(".ag-graph").bounding_box()
            assert inside(frame, {"x": 0, "y": 0, **VIEWPORT})
            for node_id in node_ids:
                box = page.locator(f'g[data-id="{node_id}"]').bounding_box()
                assert inside(box, frame), (when, node_id, box, frame)
            page.screenshot(path=str(tmp_path / f"{build.__name__}-{when}.png"))
        assert page.evaluate("document.scrollingElement.scrollHeight") <= VIEWPORT["height"]  # nothing below the fold
        assert errors == [] and requests == [path.as_uri()]


@pytest.mark.browser
def test_two_players_on_one_page_are_independent(tmp_path, diamond, dot_program, chromium_path):
    one = player_fragment(diamond()[0], title="first")
    two = player_fragment(lecture_neuron(), title="second")
    path = tmp_path / "two.html"
    path.write_text(player_page([one, two], "two players"), encoding="utf-8")
    with open_page(chromium_path, path) as (page, requests, errors):
        first, second = page.locator(".ag-player").nth(0), page.locator(".ag-player").nth(1)
        for _ in range(3):
            first.locator(".ag-next").click()
        second.locator(".ag-next").click()
        assert first.locator(".ag-counter").inner_text().startswith("step 3 / 10")
        assert second.locator(".ag-counter").inner_text().startswith("step 1 / 15")
        second.focus()
        page.keyboard.press("End")
        page.keyboard.press("+")
        assert second.locator(".ag-counter").inner_text().startswith("step 15 / 15")
        assert first.locator(".ag-counter").inner_text().startswith("step 3 / 10")
        assert view_box(page, 1)[2] < view_box(page, 0)[2] * 10  # zoomed the second only
        assert page.evaluate("[...document.querySelectorAll('.ag-player')].map(p => p.agPlayer.step)") == [3, 15]
        page.evaluate("document.querySelectorAll('.ag-player')[0].agPlayer.reset()")
        assert first.locator(".ag-counter").inner_text().startswith("step 0 / 10")
        assert second.locator(".ag-counter").inner_text().startswith("step 15 / 15")
        assert errors == [] and requests == [path.as_uri()]


@pytest.mark.browser
def test_a_collapsed_network_plays_a_step_per_neuron(tmp_path, mlp, dot_program, chromium_path):
    root = mlp((2, 3, 1))
    text = player_html(root, collapse="neuron")
    steps = page_data(text)[0]["steps"]
    boxes = {"c0", "c1", "c2", "c3"}
    assert {s["node"] for s in steps if s["kind"] == "forward"} >= boxes
    assert [s["node"] for s in steps if s["kind"] == "forward" and s["node"] in boxes] == ["c0", "c1", "c2", "c3"]
    backward_boxes = [s["parent"] for s in steps if s["kind"] == "backward" and s["parent"] in boxes]
    assert backward_boxes == ["c3", "c2", "c1", "c0"] or sorted(backward_boxes) == sorted(boxes)
    assert len(steps) < 20  # a step per neuron, not per node (the full graph has 28 backward steps alone)
    path = tmp_path / "collapsed.html"
    path.write_text(text, encoding="utf-8")
    out = root.parents[0].parents[0]  # loss = (out - 0.5) ** 2
    with open_page(chromium_path, path) as (page, requests, errors):
        page.keyboard.press("End")
        grad = page.locator('g[data-id="c3"] text', has_text=re.compile(r"^grad "))
        assert grad.text_content() == f"grad {format_number(out.grad)}"
        page.keyboard.press("Home")
        assert page.locator('g[data-id="c3"] text', has_text=re.compile(r"^out ")).text_content() == "out ?"
        assert errors == []


@pytest.mark.browser
def test_coloured_by_gradient_the_fills_arrive_with_the_steps(tmp_path, diamond, dot_program, chromium_path):
    root, _ = diamond()
    path = write_html(root, tmp_path / "colour.html", color_by_grad=True)
    assert "full colour at |grad| \u2265 8.0000" in path.read_text()
    with open_page(chromium_path, path) as (page, requests, errors):
        fill = 'document.querySelector(\'g[data-id="v1"] polygon, g[data-id="v1"] path\').getAttribute("fill")'
        assert page.evaluate(fill) == "#ffffff"  # b: unknown yet
        page.keyboard.press("End")
        assert page.evaluate(fill) not in ("#ffffff", "white")  # dL/db = -8: full red
        page.keyboard.press("Home")
        assert page.evaluate(fill) == "#ffffff"
        assert errors == []


@pytest.mark.browser
def test_labels_that_look_like_markup_show_as_text(tmp_path, dot_program, chromium_path):
    from playwright.sync_api import expect

    x = Value(1.0, "</script><!-- x")
    y = x * 2.0
    y.label = "y"
    path = write_html(y, tmp_path / "markup.html")
    with open_page(chromium_path, path) as (page, requests, errors):
        for _ in range(3):  # the forward step, the start of the backward pass, and x's step
            page.keyboard.press("ArrowRight")
        line = "dy/d(</script><!-- x) += dy/dy \u00b7 \u2202y/\u2202(</script><!-- x)"
        expect(page.locator(".ag-line")).to_contain_text(line)
        assert errors == [] and requests == [path.as_uri()]


@pytest.mark.browser
def test_a_forward_mode_player_steps_each_nodes_value_and_tangent(tmp_path, dot_program, chromium_path):
    from playwright.sync_api import expect

    a, b = Value(2.0, "a"), Value(-3.0, "</script><!-- b")
    c = a * b
    c.label = "c"
    L = c.tanh() + a
    L.label = "L"
    path = write_html(L, tmp_path / "forward.html", tangents={a: 1.0})
    graph = trace(L)
    t = graph.nodes[-2]  # tanh(c), unlabelled: v3
    with open_page(chromium_path, path) as (page, requests, errors):
        expect(page.locator(".ag-counter")).to_have_text("step 0 / 3 \u00b7 start")
        expect(texts(page, graph, "a", "tangent")).to_have_text("tangent 1.0000")  # given
        expect(texts(page, graph, "</script><!-- b", "tangent")).to_have_text("tangent 0.0000")  # held fixed
        for name in ("c", t.name, "L"):
            expect(texts(page, graph, name, "data")).to_have_text("data ?")
            expect(texts(page, graph, name, "tangent")).to_have_text("tangent ?")
        page.keyboard.press("ArrowRight")  # c = a * b: ċ = b · ȧ = -3
        expect(page.locator(".ag-counter")).to_have_text("step 1 / 3 \u00b7 forward pass")
        expect(page.locator(".ag-line")).to_have_text(
            "c = a * (</script><!-- b) = 2.0000 * (-3.0000) = -6.0000\n"
            "\u010b = \u2202c/\u2202a \u00b7 \u0227 = (-3.0000) \u00b7 "
            "1.0000 = -3.0000"
        )
        expect(texts(page, graph, "c", "tangent")).to_have_text("tangent -3.0000")
        expect(texts(page, graph, t.name, "tangent")).to_have_text("tangent ?")
        page.keyboard.press("ArrowRight")  # tanh: (1 - tanh(-6)^2) · (-3)
        tanh_tangent = -3 * (1 - t.value.data**2)
        expect(texts(page, graph, t.name, "tangent")).to_have_text(f"tangent {format_number(tanh_tangent)}")
        page.keyboard.press("ArrowRight")  # L = tanh(c) + a: L̇ = 1 · (tanh)˙ + 1 · ȧ
        expected = -3 * (1 - t.value.data**2) + 1.0
        expect(texts(page, graph, "L", "tangent")).to_have_text(f"tangent {format_number(expected)}")
        expect(page.locator(".ag-counter")).to_have_text("step 3 / 3 \u00b7 done")
        expect(page.locator(".ag-line")).to_contain_text(f"Done: L\u0307 = {format_number(expected)}")
        page.keyboard.press("Home")
        expect(texts(page, graph, "c", "tangent")).to_have_text("tangent ?")
        expect(texts(page, graph, "a", "tangent")).to_have_text("tangent 1.0000")
        assert page.locator("g text", has_text=re.compile("^grad ")).count() == 0
        assert errors == [] and requests == [path.as_uri()]


def test_collapse_is_checked():
    with pytest.raises(ValueError, match="collapse must be None, 'neuron' or 'layer', got 'neurons'"):
        player_html(Value(1.0) * 2.0, collapse="neurons")


def test_an_nn_network_needs_no_backward_for_its_player(dot_program):
    model = MLP(2, [2, 1], seed=0)
    out = model([1.0, 2.0])
    player_html(out)  # touches no .grad
    assert all(p.grad == 0.0 for p in model.parameters())
