// The forward- and backward-pass player: one function, createPlayer(root, data, onStep), and nothing else.
//
// Everything is looked up inside `root` (classes and data-id attributes, never
// document-wide ids) and all state lives in the object createPlayer returns, so
// any number of players can share a page. The file has no side effects: the HTML
// page inlines it and calls createPlayer for each player; the notebook widget
// (viz/widgets.py) uses the same text as an ES module, with its render function
// and an `export` appended. onStep (optional) is called with the step after every move.
//
// data (written by viz/player.py):
//   steps: [{kind: "forward" | "seed" | "backward", node, parent?, data?, grad?, tangent?, fill?,
//            edges: [edge ids], edgeColor?, edgeWidth?, text, short, context?}]
//     A step's grad (a tangent for a forward step) fills the last row of its node (forward, seed) or parent
//     (backward); a step without one (null) leaves that row as it is.
//   intro, done: the texts before the first and after the last step; interval: ms per step when playing.
//   rowWord: the word of each node's last row, "grad" (default) or "tangent" (forward mode);
//   given: {node id: text} for the last rows known before the first step (the tangents given, an output's 1).
// The returned player's update({k: fields}) changes steps (k 1-based) and redraws: the exercise widget reveals
// a step once its answer is checked (a step's status, "right" or "wrong", colours its line in the list).
//
// Sizes: the step text is at least as large as the graph's node text when the graph is fitted, and never
// below a floor (16 px; in presentation mode a share of the screen's height); the rest of the text follows it.
// The step panel is as tall as the longest step needs, so the graph does not move from step to step (only
// the introduction and "Done", the leaf gradients, may take more), and at most half the window: a step taller
// than that scrolls its text (.ag-line) while the rest of the panel (an exercise's verdict, its answer box) stays in view. Presentation mode (F, or the button) fills the screen.

function createPlayer(root, data, onStep) {
  "use strict";
  var steps = data.steps, total = steps.length, timer = null;
  var state = { step: 0 };
  var $ = function (cls) { return root.querySelector("." + cls); };
  var svg = root.querySelector(".ag-graph svg");
  var graphBox = $("ag-graph");

  // ---- the SVG: every node and edge by its data-id, and the texts that change
  var byId = {};
  Array.prototype.forEach.call(svg.querySelectorAll("g[data-id]"), function (g) { byId[g.getAttribute("data-id")] = g; });
  var rowWord = data.rowWord || "grad", given = data.given || {};
  var dataText = {}, gradText = {}, shape = {}, edgeStyle = {};  // gradText: each node's last row, grad or tangent
  Object.keys(byId).forEach(function (id) {
    var g = byId[id];
    if (g.getAttribute("class") === "node") {
      var texts = g.querySelectorAll("text");
      for (var i = 1; i < texts.length; i++) {  // the first text is the node's name
        var t = texts[i], words = t.textContent.split(" ");
        if (words[0] === "data" || words[0] === "out" || words[0] === rowWord) centre(t);
        if (words[0] === "data" || words[0] === "out") dataText[id] = { el: t, word: words[0], value: words.slice(1).join(" ") };
        if (words[0] === rowWord) gradText[id] = { el: t, word: rowWord };
      }
      var s = g.querySelector("polygon, path");
      if (s) shape[id] = { el: s, fill: s.getAttribute("fill") };
    } else if (g.getAttribute("class") === "edge") {
      var path = g.querySelector("path"), head = g.querySelector("polygon");
      edgeStyle[id] = { path: path, head: head, stroke: path && path.getAttribute("stroke"),
                        width: path && path.getAttribute("stroke-width") };
    }
  });
  function centre(t) {  // keep a text centred where Graphviz put it when "-0.7686" becomes "?"
    var b = t.getBBox ? t.getBBox() : null;
    if (!b || !b.width) return;
    t.setAttribute("x", String(b.x + b.width / 2));
    t.setAttribute("text-anchor", "middle");
  }
  var neutral = data.neutralEdge;  // coloured by gradient: every edge starts grey and takes its colour at its step
  var computed = {};  // nodes whose data a forward step computes: unknown ("?") until that step
  steps.forEach(function (s) { if (s.kind === "forward") computed[s.node] = true; });

  // ---- zoom and pan: the SVG's viewBox; "fit" shows the whole graph in the box
  var MAX_FIT = 2;
  var full = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
  full = [full[0] - 8, full[1] - 8, full[2] + 16, full[3] + 16];  // a margin: highlighted outlines are thicker
  var view = full.slice();
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  var fitted = true;  // showing the whole graph: keep it so when the box changes size
  function setView(v, fits) { view = v; fitted = !!fits; svg.setAttribute("viewBox", v.join(" ")); }
  function unitsPerPixel() {
    var r = svg.getBoundingClientRect();
    return Math.max(view[2] / Math.max(r.width, 1), view[3] / Math.max(r.height, 1));
  }
  function zoom(factor, cx, cy) {  // factor > 1 zooms in around the SVG point (cx, cy)
    if (cx === undefined) { cx = view[0] + view[2] / 2; cy = view[1] + view[3] / 2; }
    var w = Math.min(full[2] * 4, Math.max(full[2] / 20, view[2] / factor)), f = view[2] / w;
    var h = view[3] / f;
    setView([cx - (cx - view[0]) / f, cy - (cy - view[1]) / f, w, h]);
  }
  function pan(dxPixels, dyPixels) {
    var u = unitsPerPixel();
    setView([view[0] - dxPixels * u, view[1] - dyPixels * u, view[2], view[3]]);
  }
  function fit() {  // the whole graph, drawn at most twice its natural size (a small graph stays a sensible size)
    var r = svg.getBoundingClientRect(), px = 96 / 72;  // the viewBox is in points
    var grow = Math.min(r.width / (full[2] * px), r.height / (full[3] * px));
    if (!(grow > MAX_FIT)) { setView(full.slice(), true); return; }
    var w = r.width / (MAX_FIT * px), h = r.height / (MAX_FIT * px);
    setView([full[0] - (w - full[2]) / 2, full[1] - (h - full[3]) / 2, w, h], true);
  }
  function fittedScale() {  // CSS pixels per viewBox unit when the whole graph is fitted
    var r = svg.getBoundingClientRect(), px = 96 / 72;
    return Math.min(MAX_FIT * px, Math.min(r.width / full[2], r.height / full[3]));
  }
  function svgPoint(event) {
    var r = svg.getBoundingClientRect(), u = unitsPerPixel();
    // With "meet" the picture is centred: the unused margin is split on both sides.
    var left = r.left + (r.width - view[2] / u) / 2, top = r.top + (r.height - view[3] / u) / 2;
    return [view[0] + (event.clientX - left) * u, view[1] + (event.clientY - top) * u];
  }
  function reveal(id) {  // when zoomed in, pan so that the element is in view
    var el = byId[id];
    if (!el || !el.getBBox || !svg.getScreenCTM()) return;
    var b = el.getBBox(), m = svg.getScreenCTM().inverse().multiply(el.getScreenCTM());
    var x0 = b.x * m.a + b.y * m.c + m.e, y0 = b.x * m.b + b.y * m.d + m.f;  // in the viewBox's units
    var w = b.width * m.a, h = b.height * m.d;
    var inside = x0 >= view[0] && y0 >= view[1] && x0 + w <= view[0] + view[2] && y0 + h <= view[1] + view[3];
    if (!inside) setView([x0 + w / 2 - view[2] / 2, y0 + h / 2 - view[3] / 2, view[2], view[3]]);
  }
  graphBox.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = svgPoint(e);
    zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, p[0], p[1]);
  }, { passive: false });
  var drag = null;
  graphBox.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY };
    if (graphBox.setPointerCapture) graphBox.setPointerCapture(e.pointerId);
    graphBox.classList.add("ag-dragging");
  });
  graphBox.addEventListener("pointermove", function (e) {
    if (!drag) return;
    pan(e.clientX - drag.x, e.clientY - drag.y);
    drag = { x: e.clientX, y: e.clientY };
  });
  function endDrag() { drag = null; graphBox.classList.remove("ag-dragging"); }
  graphBox.addEventListener("pointerup", endDrag);
  graphBox.addEventListener("pointercancel", endDrag);
  graphBox.addEventListener("dblclick", fit);
  if (window.ResizeObserver) new ResizeObserver(function () { if (fitted) fit(); }).observe(graphBox);

  // ---- text sizes: the step text as large as the fitted graph's node text, at least FLOOR
  var nodeFont = 0;  // the node names' font size, in viewBox units
  Array.prototype.forEach.call(svg.querySelectorAll("g.node text"), function (t) {
    nodeFont = Math.max(nodeFont, Number(t.getAttribute("font-size")) || 0);
  });
  var FLOOR = 16, CAP = 34, lastSize = null;
  function floor() { return root.classList.contains("ag-present") ? Math.max(FLOOR, 0.03 * window.innerHeight) : FLOOR; }
  function setSizes(px) {
    root.style.setProperty("--ag-text", px.toFixed(1) + "px");
    root.style.setProperty("--ag-ui", Math.max(14, Math.min(26, 0.62 * px)).toFixed(1) + "px");
  }
  function sizeText() {  // the step text at the floor, then as large as the node text drawn in the room left
    var low = floor(), cap = Math.max(CAP, low);
    setSizes(low);
    reserve();
    var px = Math.min(cap, Math.max(low, nodeFont * fittedScale()));
    setSizes(px);
    reserve();
    holdCounter();
    if (fitted) fit();
    showList(state.step);  // the list's height changed: the current step back in view
  }
  // The step panel as tall as the tallest step needs, measured on a hidden copy of the panel filled as each step
  // fills it, at the panel's width: the step's context and text, and whatever a decorator added to the panel
  // (root.agFillProbe(copy, k), if set, fills it for step k: the exercise's verdict above, its answer box below).
  // grow (after update()): never shorter than it was, so the graph does not jump when a step is revealed.
  var reserved = 0;
  function reserve(grow) {
    var panel = $("ag-step"), probe = panel.cloneNode(true), tallest = 0;
    Array.prototype.forEach.call(probe.querySelectorAll("[aria-live]"), function (el) { el.removeAttribute("aria-live"); });
    probe.style.cssText = "position:absolute;visibility:hidden;left:0;top:0;height:auto;min-height:0;max-height:none;" +
      "width:" + panel.offsetWidth + "px";
    panel.parentNode.appendChild(probe);
    var line = probe.querySelector(".ag-line"), context = probe.querySelector(".ag-context");
    steps.forEach(function (s, i) {
      context.textContent = s.context || "";
      line.textContent = s.text;
      if (root.agFillProbe) root.agFillProbe(probe, i + 1);
      tallest = Math.max(tallest, probe.offsetHeight);
    });
    panel.parentNode.removeChild(probe);
    reserved = grow ? Math.max(reserved, tallest) : tallest;
    root.style.setProperty("--ag-panel", Math.ceil(reserved + 1) + "px");
  }
  function holdCounter() {  // the counter as wide as its widest text, so the buttons after it never move
    var counter = $("ag-counter"), was = counter.textContent, widest = 0;
    counter.style.minWidth = "0";
    ["start", "forward pass", "backward pass", "done"].forEach(function (phase) {
      counter.textContent = "step " + total + " / " + total + " \u00b7 " + phase;
      widest = Math.max(widest, counter.getBoundingClientRect().width);
    });
    counter.textContent = was;
    counter.style.minWidth = Math.ceil(widest + 2) + "px";
  }
  if (window.ResizeObserver) new ResizeObserver(function () {
    var size = root.clientWidth + "x" + root.clientHeight;
    if (size !== lastSize) { lastSize = size; sizeText(); }
  }).observe(root);

  // ---- presentation mode: the player fills the screen, its text scaled with it
  function present(on) {
    if (on === root.classList.contains("ag-present")) return;
    root.classList.toggle("ag-present", on);
    $("ag-present-button").setAttribute("aria-pressed", on ? "true" : "false");
    var full = document.fullscreenElement;
    if (on && !full && root.requestFullscreen) root.requestFullscreen().catch(function () {});
    if (!on && full === root && document.exitFullscreen) document.exitFullscreen().catch(function () {});
    lastSize = null;
    sizeText();
    root.focus({ preventScroll: true });
  }
  document.addEventListener("fullscreenchange", function () {
    if (document.fullscreenElement !== root && root.classList.contains("ag-present")) present(false);
  });

  // ---- drawing a step
  function setText(entry, value) { if (entry) entry.el.textContent = entry.word + " " + value; }
  function setRow(id, value) {  // a node's last row known: its grad (or tangent), no longer grey
    if (value === null || value === undefined || !gradText[id]) return;
    setText(gradText[id], value);
    gradText[id].el.classList.remove("ag-unknown");
  }
  function clearMarks() {
    Array.prototype.forEach.call(svg.querySelectorAll(".ag-active, .ag-forward, .ag-current, .ag-receiving, .ag-computing"),
      function (e) { e.classList.remove("ag-active", "ag-forward", "ag-current", "ag-receiving", "ag-computing"); });
  }
  function mark(id, cls) { if (byId[id]) byId[id].classList.add(cls); }
  function show() {
    var k = state.step;
    clearMarks();
    Object.keys(dataText).forEach(function (id) {
      var entry = dataText[id];
      setText(entry, computed[id] ? "?" : entry.value);
      entry.el.classList.toggle("ag-unknown", !!computed[id]);
    });
    Object.keys(gradText).forEach(function (id) { setText(gradText[id], "?"); gradText[id].el.classList.add("ag-unknown"); });
    Object.keys(given).forEach(function (id) { setRow(id, given[id]); });
    Object.keys(shape).forEach(function (id) { shape[id].el.setAttribute("fill", shape[id].fill); });
    Object.keys(edgeStyle).forEach(function (id) {
      var e = edgeStyle[id], stroke = neutral ? neutral.color : e.stroke, width = neutral ? neutral.width : e.width;
      if (e.path) { e.path.setAttribute("stroke", stroke); if (width) e.path.setAttribute("stroke-width", width); else e.path.removeAttribute("stroke-width"); }
      if (e.head) { e.head.setAttribute("stroke", stroke); e.head.setAttribute("fill", stroke); }
    });
    for (var i = 0; i < k; i++) {
      var s = steps[i];
      if (s.kind === "forward") {
        if (s.data !== null) setText(dataText[s.node], s.data);
        if (dataText[s.node]) dataText[s.node].el.classList.remove("ag-unknown");
        setRow(s.node, s.tangent);
      } else {
        var target = s.kind === "seed" ? s.node : s.parent;
        setRow(target, s.grad);
        if (s.fill && shape[target]) shape[target].el.setAttribute("fill", s.fill);
        if (s.edgeColor) s.edges.forEach(function (id) {
          var e = edgeStyle[id];
          if (!e || !e.path || /_out$/.test(id)) return;
          e.path.setAttribute("stroke", s.edgeColor); e.path.setAttribute("stroke-width", s.edgeWidth);
          if (e.head) { e.head.setAttribute("stroke", s.edgeColor); e.head.setAttribute("fill", s.edgeColor); }
        });
      }
    }
    var current = k > 0 ? steps[k - 1] : null;
    if (current) {
      if (current.kind === "forward") {
        current.edges.forEach(function (id) { mark(id, "ag-forward"); });
        mark(current.node, "ag-computing");
        if (current.op) mark(current.op, "ag-computing");
      } else {
        current.edges.forEach(function (id) { mark(id, "ag-active"); });
        mark(current.node, "ag-current");
        if (current.parent) mark(current.parent, "ag-receiving");
      }
    }
    var phase = k === 0 ? "start" : k === total ? "done"
      : current.kind === "forward" ? "forward pass" : "backward pass";
    $("ag-counter").textContent = "step " + k + " / " + total + " \u00b7 " + phase;
    $("ag-context").textContent = current && current.context ? current.context : "";
    $("ag-line").textContent = k === 0 ? data.intro : k === total ? current.text + "\n\n" + data.done : current.text;
    $("ag-line").scrollTop = 0;
    root.classList.toggle("ag-at-done", k === total);
    root.classList.toggle("ag-at-start", k === 0);
    var inside = root.contains(document.activeElement);
    $("ag-prev").disabled = k === 0;
    $("ag-reset").disabled = k === 0;
    $("ag-next").disabled = k === total;
    var now = document.activeElement;  // a disabled button loses the focus: give it to the player, not the page
    if (inside && (!root.contains(now) || now.disabled)) root.focus({ preventScroll: true });
    showList(k);
  }
  var items = [];
  function buildList() {  // every step, under a line naming its neuron when the neuron changes
    var list = $("ag-steps"), context = null;
    list.textContent = "";
    items = steps.map(function (s, i) {
      if (s.context && s.context !== context) {
        var head = document.createElement("li");
        head.className = "ag-group";
        head.textContent = s.context + ":";
        list.appendChild(head);
      }
      context = s.context || null;
      var li = document.createElement("li");
      li.value = i + 1;
      li.setAttribute("data-step", String(i + 1));
      list.appendChild(li);
      return li;
    });
  }
  function showList(k) {  // done, current and to come; the current step scrolled into the list's view
    var list = $("ag-steps");
    items.forEach(function (li, i) {
      var s = steps[i], cls = i === k - 1 ? "ag-now" : i < k - 1 ? "ag-done" : "ag-later";
      if (s.status === "right" || s.status === "wrong") cls += " ag-" + s.status;
      if (li.textContent !== s.short) li.textContent = s.short;
      li.className = cls;
    });
    var li = items[Math.max(0, k - 1)];
    if (!li) return;
    var top = li.getBoundingClientRect().top - list.getBoundingClientRect().top + list.scrollTop;
    var bottom = top + li.offsetHeight;
    if (k === 0) list.scrollTop = 0;
    else if (top - 4 < list.scrollTop) list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    else if (bottom + 4 > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight * 2 / 3;
  }

  // ---- the controls
  function go(k) {
    state.step = Math.max(0, Math.min(total, k));
    show();
    var s = state.step > 0 ? steps[state.step - 1] : null;
    if (s) reveal(s.kind === "backward" ? s.parent : s.node);
    if (onStep) onStep(state.step);
  }
  function stop() { if (timer !== null) { clearInterval(timer); timer = null; } $("ag-play").textContent = "Play"; }
  function play() {
    if (timer !== null) { stop(); return; }
    if (state.step === total) go(0);
    $("ag-play").textContent = "Pause";
    timer = setInterval(function () { go(state.step + 1); if (state.step >= total) stop(); }, data.interval);
  }
  var player = {
    get step() { return state.step; },
    total: total,
    next: function () { stop(); go(state.step + 1); },
    previous: function () { stop(); go(state.step - 1); },
    reset: function () { stop(); go(0); },
    go: function (k) { stop(); go(k); },
    update: function (changes) {  // {k: fields}: change steps k (1-based), then redraw once
      Object.keys(changes).forEach(function (k) { Object.assign(steps[Number(k) - 1], changes[k]); });
      reserve(true);
      show();
    },
    present: present,
    focus: function () { root.focus({ preventScroll: true }); },
    play: play,
    stop: stop,
    zoomIn: function () { zoom(1.25); },
    zoomOut: function () { zoom(1 / 1.25); },
    fit: fit,
  };
  $("ag-next").addEventListener("click", player.next);
  $("ag-prev").addEventListener("click", player.previous);
  $("ag-reset").addEventListener("click", player.reset);
  $("ag-play").addEventListener("click", play);
  $("ag-zoom-in").addEventListener("click", player.zoomIn);
  $("ag-zoom-out").addEventListener("click", player.zoomOut);
  $("ag-fit").addEventListener("click", fit);
  $("ag-present-button").addEventListener("click", function () { present(!root.classList.contains("ag-present")); });
  $("ag-steps").addEventListener("click", function (e) {
    var li = e.target.closest ? e.target.closest("li") : null;
    if (li) player.go(Number(li.getAttribute("data-step")));
  });
  root.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var handled = true, step = 60;
    if (e.shiftKey && e.key === "ArrowLeft") pan(step, 0);
    else if (e.shiftKey && e.key === "ArrowRight") pan(-step, 0);
    else if (e.shiftKey && e.key === "ArrowUp") pan(0, step);
    else if (e.shiftKey && e.key === "ArrowDown") pan(0, -step);
    else if (e.key === "ArrowRight") player.next();
    else if (e.key === "ArrowLeft") player.previous();
    else if (e.key === "Home") player.reset();
    else if (e.key === "End") player.go(total);
    else if (e.key === " ") { if (e.target.tagName !== "BUTTON") play(); else handled = false; }
    else if (e.key === "+" || e.key === "=") player.zoomIn();
    else if (e.key === "-" || e.key === "_") player.zoomOut();
    else if (e.key === "0") fit();
    else if (e.key === "f" || e.key === "F") present(!root.classList.contains("ag-present"));
    else if (e.key === "Escape" && root.classList.contains("ag-present")) present(false);
    else handled = false;
    if (handled) e.preventDefault();
  });
  buildList();
  show();
  sizeText();
  return player;
}
