"""The player's page: its markup and CSS, and the page that holds one or more players with their script.

Nothing is fetched: no CDN, no fonts, no images. The Content-Security-Policy
forbids any network request, so the page works straight from disk and offline.
Every class is prefixed ``ag-`` and nothing has a document-wide id, so players
can share a page (or a notebook) with each other and with anything else. The
script is ``player.js``, read once and inlined.
"""

from __future__ import annotations

from pathlib import Path

from .labels import for_html

__all__ = ["CSS", "SCRIPT", "fragment", "page"]

SCRIPT = (Path(__file__).with_name("player.js")).read_text(encoding="utf-8")

CSS = """
.ag-player { --hot: #dc2626; --warm: #d97706; --flow: #2563eb; --ink: #1f2937; --muted: #4b5563;
  --right: #15803d; --wrong: #b91c1c; --now: #fef9c3;
  --ag-text: 16px; --ag-ui: 14px; --ag-panel: 7.4em;
  display: flex; flex-direction: column; gap: 6px; height: var(--ag-height, 100vh); box-sizing: border-box;
  padding: 8px 12px; font: var(--ag-ui)/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--ink); background: #fff; outline: none; }
.ag-player:focus-visible { box-shadow: inset 0 0 0 2px #93c5fd; }
.ag-player * { box-sizing: border-box; }
.ag-player.ag-present { position: fixed; inset: 0; z-index: 2147483000; height: 100vh; width: 100vw;
  padding: 1vh 1.5vw; }
.ag-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; }
.ag-title { font-size: 1.15em; font-weight: 650; margin: 0; }
.ag-sub { color: var(--muted); font-size: 1em; }
.ag-bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.ag-bar button { font: inherit; padding: 3px 12px; border: 1px solid #cbd5e1; border-radius: 6px;
  background: #f8fafc; color: var(--ink); cursor: pointer; white-space: nowrap; }
.ag-bar button:hover:not(:disabled) { background: #e2e8f0; }
.ag-bar button:disabled { opacity: .45; cursor: default; }
.ag-bar button[aria-pressed="true"] { background: #dbeafe; border-color: #93c5fd; }
.ag-counter { font-weight: 600; margin-left: 6px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.ag-keys { color: var(--muted); font-size: .9em; }
.ag-now-row { display: grid; grid-template-columns: minmax(0, 1fr) minmax(12em, 30%); gap: 8px; }
.ag-step { background: var(--now); border: 1px solid #fde68a; border-radius: 6px; padding: 5px 10px;
  height: min(var(--ag-panel), 50vh); overflow: auto; display: flex; flex-direction: column; }
.ag-step > * { flex: none; }
.ag-step > .ag-line { flex: 0 1 auto; min-height: 0; overflow-y: auto; }
.ag-player.ag-at-done .ag-step, .ag-player.ag-at-start .ag-step { height: auto;
  min-height: min(var(--ag-panel), 50vh); max-height: 50vh; }
.ag-context { color: var(--muted); font: 600 max(14px, calc(var(--ag-text) * .75))/1.4 ui-monospace,
  "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.ag-line { font: var(--ag-text)/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; }
ol.ag-steps { margin: 0; padding: 4px 8px 4px 0; border: 1px solid #e5e7eb; border-radius: 6px; contain: size;
  overflow-y: auto; overflow-x: hidden; scrollbar-gutter: stable;
  font: max(14px, calc(var(--ag-text) * .7))/1.35 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
ol.ag-steps li { cursor: pointer; white-space: pre-wrap; overflow-wrap: anywhere; margin-left: 3.2em;
  padding: 0 4px; border-radius: 4px; }
ol.ag-steps li.ag-group { list-style: none; margin-left: .5em; color: var(--muted); cursor: default; font-weight: 600; }
ol.ag-steps li.ag-later { color: #6b7280; }
ol.ag-steps li.ag-done { color: var(--ink); }
ol.ag-steps li.ag-now { color: var(--ink); background: var(--now); outline: 1px solid #facc15; font-weight: 700; }
ol.ag-steps li.ag-right { color: var(--right); }
ol.ag-steps li.ag-wrong { color: var(--wrong); }
.ag-player ::-webkit-scrollbar { width: 12px; height: 12px; }
.ag-player ::-webkit-scrollbar-thumb { background: #94a3b8; border-radius: 6px; border: 2px solid #f1f5f9; }
.ag-player ::-webkit-scrollbar-track { background: #f1f5f9; }
.ag-graph { flex: 1 1 auto; min-height: 120px; position: relative; border: 1px solid #e5e7eb; border-radius: 6px;
  overflow: hidden; cursor: grab; touch-action: none; }
.ag-graph.ag-dragging { cursor: grabbing; }
.ag-graph svg { position: absolute; inset: 0; width: 100%; height: 100%; user-select: none; }
.ag-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .9em; color: var(--muted); }
.ag-legend span { white-space: nowrap; }
.ag-legend span::before { content: ""; display: inline-block; width: .8em; height: .8em; margin-right: 5px;
  vertical-align: -1px; border: 1px solid #94a3b8; background: var(--c); }
.ag-legend span.ag-text-colour::before { content: "?"; width: auto; height: auto; border: 0; background: none;
  color: var(--c); font-weight: 700; }
.ag-player g.edge.ag-active path { stroke: var(--hot); stroke-width: 3px; stroke-dasharray: 7 4;
  animation: ag-flow .9s linear infinite; }
.ag-player g.edge.ag-active polygon { fill: var(--hot); stroke: var(--hot); }
.ag-player g.edge.ag-forward path { stroke: var(--flow); stroke-width: 3px; }
.ag-player g.edge.ag-forward polygon { fill: var(--flow); stroke: var(--flow); }
.ag-player g.node.ag-current > path, .ag-player g.node.ag-current > polygon, .ag-player g.node.ag-current > ellipse {
  stroke: var(--hot); stroke-width: 3px; }
.ag-player g.node.ag-receiving > path, .ag-player g.node.ag-receiving > polygon {
  stroke: var(--warm); stroke-width: 3px; }
.ag-player g.node.ag-computing > path, .ag-player g.node.ag-computing > polygon,
.ag-player g.node.ag-computing > ellipse { stroke: var(--flow); stroke-width: 3px; }
.ag-player g.node text.ag-unknown { fill: #9ca3af; }
@keyframes ag-flow { to { stroke-dashoffset: -22; } }
@media (prefers-reduced-motion: reduce) { .ag-player g.edge.ag-active path { animation: none; } }
"""

_FRAGMENT = """<div class="ag-player" tabindex="0" role="group" aria-label="{label}">
<div class="ag-head"><h1 class="ag-title">{title}</h1><span class="ag-sub">{heading}</span></div>
<div class="ag-bar" role="toolbar" aria-label="player controls">
  <button type="button" class="ag-reset" title="Reset (Home)">Reset</button>
  <button type="button" class="ag-prev" title="Previous step (Left arrow)">&#9664; Previous</button>
  <button type="button" class="ag-play" title="Play / pause (Space)">Play</button>
  <button type="button" class="ag-next" title="Next step (Right arrow)">Next &#9654;</button>
  <span class="ag-counter" aria-live="polite">step 0</span>
  <button type="button" class="ag-zoom-out" title="Zoom out (-)">&minus;</button>
  <button type="button" class="ag-fit" title="Fit the graph (0, or double-click it)">Fit</button>
  <button type="button" class="ag-zoom-in" title="Zoom in (+)">+</button>
  <button type="button" class="ag-present-button" title="Presentation mode: fill the screen (F; Esc leaves)"
    aria-pressed="false">Full screen</button>
  <span class="ag-keys">&larr; &rarr; Home End Space; + &minus; 0; F full screen; Shift+arrows or drag to pan</span>
</div>
<div class="ag-now-row">
  <div class="ag-step"><div class="ag-context"></div><div class="ag-line" aria-live="polite"></div></div>
  <ol class="ag-steps" aria-label="steps around the current one"></ol>
</div>
<div class="ag-graph">{svg}</div>
<div class="ag-legend">{legend}</div>
<script type="application/json" class="ag-data">{data}</script>
</div>"""

_BOOT = """
Array.prototype.forEach.call(document.querySelectorAll(".ag-player"), function (root, i, all) {
  if (root.agPlayer) return;
  root.agPlayer = createPlayer(root, JSON.parse(root.querySelector(".ag-data").textContent));
  if (all.length === 1 && window.self === window.top) root.focus();  // one player on its own page: keys work at once
});
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ margin: 0; }} .ag-player + .ag-player {{ border-top: 2px solid #e5e7eb; }}{css}</style>
</head>
<body>
{fragments}
<script>(function () {{
{script}
{boot}
}})();</script>
</body>
</html>
"""


def fragment(title: str, heading: str, svg: str, legend: str, data_json: str) -> str:
    """One player's markup. ``svg`` and ``legend`` are markup already; ``data_json`` is safe inside <script>."""
    title, heading = for_html(title, limit=None), for_html(heading, limit=None)  # sentences: escaped, not cut
    return _FRAGMENT.format(label=title, title=title, heading=heading, svg=svg, legend=legend, data=data_json)


def page(fragments: list[str], title: str) -> str:
    """A self-contained page holding the players (and the script, once)."""
    return _PAGE.format(
        title=for_html(title, limit=None), css=CSS, fragments="\n".join(fragments), script=SCRIPT, boot=_BOOT
    )
