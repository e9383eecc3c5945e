"""The backward-pass player's page: HTML, CSS and JavaScript, inlined into every file it writes.

Nothing here is fetched: no CDN, no fonts, no images. The Content-Security-Policy
forbids any network request, so the page works straight from disk and offline.
``player.py`` fills in the markers ``__TITLE__``, ``__HEADING__``, ``__SVG__``,
``__SUMMARY__``, ``__LEGEND__``, ``__STEPS__`` and ``__DATA__``.
"""

from __future__ import annotations

__all__ = ["PAGE"]

CSS = """
:root { --hot: #dc2626; --warm: #d97706; --ink: #1f2937; --muted: #6b7280; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--ink); margin: 0; padding: 16px 20px 40px; background: #fff; }
h1 { font-size: 19px; margin: 0 0 4px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; position: sticky; top: 0;
       background: #fff; padding: 8px 0; z-index: 2; border-bottom: 1px solid #e5e7eb; }
button { font: inherit; padding: 5px 14px; border: 1px solid #cbd5e1; border-radius: 6px;
         background: #f8fafc; cursor: pointer; }
button:hover:not(:disabled) { background: #e2e8f0; }
button:disabled { opacity: .45; cursor: default; }
#counter { font-weight: 600; margin-left: 8px; min-width: 8em; }
.keys { color: var(--muted); font-size: 13px; }
#line { font: 15px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #fef9c3;
        border: 1px solid #fde68a; border-radius: 6px; padding: 8px 12px; margin: 10px 0; white-space: pre-wrap;
        min-height: 2.6em; }
#summary { font: 14px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre;
           background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 6px; padding: 8px 12px; }
#graph { overflow: auto; max-height: 72vh; border: 1px solid #e5e7eb; border-radius: 6px; padding: 6px; }
#graph svg { height: auto; }
#graph.fit svg { max-width: 100%; }
label.fit { font-size: 13px; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 13px; color: var(--muted); margin: 8px 0; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 5px;
                       vertical-align: -1px; border: 1px solid #94a3b8; background: var(--c); }
g.edge.active path { stroke: var(--hot); stroke-width: 3px; stroke-dasharray: 7 4;
                     animation: flow 0.9s linear infinite; }
g.edge.active polygon { fill: var(--hot); stroke: var(--hot); }
g.node.current polygon, g.node.current ellipse { stroke: var(--hot); stroke-width: 3px; }
g.node.receiving polygon { stroke: var(--warm); stroke-width: 3px; }
g.node text.grad.filled { font-weight: 700; }
g.node.receiving text.grad { fill: var(--warm); }
@keyframes flow { to { stroke-dashoffset: 22; } }
@media (prefers-reduced-motion: reduce) { g.edge.active path { animation: none; } }
ol#steps { font: 13px/1.55 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; color: #9ca3af;
           padding-left: 3.2em; max-height: 40vh; overflow: auto; border-top: 1px solid #e5e7eb; }
ol#steps li { cursor: pointer; }
ol#steps li.done { color: var(--ink); }
ol#steps li.current { color: var(--hot); font-weight: 700; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("player-data").textContent);
  var steps = data.steps, total = steps.length, k = 0, timer = null;
  var svg = document.querySelector("#graph svg");
  var $ = function (id) { return document.getElementById(id); };
  var gradText = {};
  Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
    Array.prototype.forEach.call(g.querySelectorAll("text"), function (t) {
      if (t.textContent.indexOf("grad") === 0) { gradText[g.id] = t; t.classList.add("grad"); }
    });
  });
  var items = document.querySelectorAll("#steps li");
  function setGrad(id, text, filled) {
    var t = gradText[id];
    if (!t) return;
    t.textContent = "grad " + text;
    t.classList.toggle("filled", filled);
  }
  function mark(id, cls) { var e = svg.getElementById ? svg.getElementById(id) : $(id); if (e) e.classList.add(cls); }
  function show() {
    Object.keys(gradText).forEach(function (id) { setGrad(id, "?", false); });
    setGrad(data.root, data.seed, true);
    Array.prototype.forEach.call(svg.querySelectorAll(".active, .current, .receiving"), function (e) {
      e.classList.remove("active", "current", "receiving");
    });
    for (var i = 0; i < k; i++) setGrad(steps[i].parent, steps[i].total, true);
    if (k > 0) {
      var s = steps[k - 1];
      mark(s.edge, "active"); mark(s.out, "active"); mark(s.node, "current"); mark(s.parent, "receiving");
    }
    $("counter").textContent = "step " + k + " / " + total;
    $("line").textContent = k > 0 ? steps[k - 1].text : data.intro;
    $("summary").hidden = k < total;
    $("prev").disabled = k === 0; $("reset").disabled = k === 0; $("next").disabled = k === total;
    Array.prototype.forEach.call(items, function (li, i) {
      li.classList.toggle("done", i < k - 1); li.classList.toggle("current", i === k - 1);
    });
  }
  function reveal(el, box) {
    // Scroll ``box`` (not the page) so that ``el`` is in view.
    if (!el || !box) return;
    var r = el.getBoundingClientRect(), c = box.getBoundingClientRect();
    if (r.left < c.left || r.right > c.right) box.scrollLeft += (r.left + r.right - c.left - c.right) / 2;
    if (r.top < c.top || r.bottom > c.bottom) box.scrollTop += (r.top + r.bottom - c.top - c.bottom) / 2;
  }
  function go(to) {
    k = Math.max(0, Math.min(total, to));
    show();
    if (k > 0) { reveal(svg.getElementById(steps[k - 1].parent), $("graph")); reveal(items[k - 1], $("steps")); }
  }
  function setFit(on) { $("graph").classList.toggle("fit", on); $("fit").checked = on; }
  // Small graphs fit the window; large ones keep a readable size and scroll to the active edge.
  setFit(svg.getBoundingClientRect().width <= 1.6 * $("graph").clientWidth);
  $("fit").addEventListener("change", function () { setFit($("fit").checked); });
  function stop() { if (timer !== null) { clearInterval(timer); timer = null; } $("play").textContent = "Play"; }
  function play() {
    if (timer !== null) { stop(); return; }
    if (k === total) go(0);
    $("play").textContent = "Pause";
    timer = setInterval(function () { if (k >= total) { stop(); } else { go(k + 1); if (k >= total) stop(); } },
                        data.interval);
  }
  $("next").addEventListener("click", function () { stop(); go(k + 1); });
  $("prev").addEventListener("click", function () { stop(); go(k - 1); });
  $("reset").addEventListener("click", function () { stop(); go(0); });
  $("play").addEventListener("click", play);
  Array.prototype.forEach.call(items, function (li, i) { li.addEventListener("click", function () { stop(); go(i + 1); }); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowRight") { stop(); go(k + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { stop(); go(k - 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); go(0); e.preventDefault(); }
    else if (e.key === "End") { stop(); go(total); e.preventDefault(); }
    else if (e.key === " " && e.target === document.body) { play(); e.preventDefault(); }
  });
  show();
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>""" + CSS + """</style>
</head>
<body>
<h1>__TITLE__</h1>
<p class="sub">__HEADING__</p>
<div class="bar" role="toolbar" aria-label="backward pass controls">
  <button id="reset" type="button" title="Reset (Home)">Reset</button>
  <button id="prev" type="button" title="Previous step (Left arrow)">&#9664; Previous</button>
  <button id="play" type="button" title="Play / pause (Space)">Play</button>
  <button id="next" type="button" title="Next step (Right arrow)">Next &#9654;</button>
  <span id="counter" aria-live="polite">step 0 / 0</span>
  <span class="keys">keys: &larr; &rarr; Home End Space</span>
  <label class="fit"><input type="checkbox" id="fit"> fit to width</label>
</div>
<div id="line" aria-live="polite"></div>
<div id="summary" hidden>__SUMMARY__</div>
<div class="legend">__LEGEND__</div>
<div id="graph">__SVG__</div>
<ol id="steps">__STEPS__</ol>
<script type="application/json" id="player-data">__DATA__</script>
<script>""" + SCRIPT + """</script>
</body>
</html>
"""
