// The sliders widget (viz.explore): an anywidget ES module. Python recomputes; this file only shows.
//
// model traits (viz/widgets.py, Explorer): sliders [{name, min, max, step}], values {name: number},
// svg (Graphviz's drawing, labels escaped by Graphviz), readout {output, columns, gradients: [[name, text]]},
// error, revision (one more after every redraw). Every other text is set with textContent.
// While Python redraws, slider moves are not queued: the latest values are sent when the redraw arrives.

function render({ model, el }) {
  var root = document.createElement("div");
  root.className = "ag-explorer";
  root.setAttribute("data-lm-suppress-shortcuts", "true");  // JupyterLab: the arrow keys move a slider, not cells
  root.innerHTML =
    '<div class="ag-sliders"></div>' +
    '<div class="ag-readout"><div class="ag-output"></div><div class="ag-error"></div>' +
    '<table class="ag-grads"><thead><tr><th>input</th><th>gradient</th></tr></thead><tbody></tbody></table></div>' +
    '<div class="ag-picture-box"><button type="button" class="ag-size"></button><div class="ag-picture"></div></div>';
  el.appendChild(root);
  var q = function (cls) { return root.querySelector("." + cls); };
  var rows = {};

  model.get("sliders").forEach(function (s) {
    var row = document.createElement("label");
    row.className = "ag-slider";
    var name = document.createElement("span");
    name.className = "ag-name";
    name.textContent = s.name;
    var input = document.createElement("input");
    input.type = "range";
    input.min = String(s.min);
    input.max = String(s.max);
    input.step = String(s.step);
    input.setAttribute("aria-label", s.name);
    input.setAttribute("data-name", s.name);
    var number = document.createElement("span");
    number.className = "ag-number";
    row.appendChild(name);
    row.appendChild(input);
    row.appendChild(number);
    q("ag-sliders").appendChild(row);
    rows[s.name] = { input: input, number: number };
    input.addEventListener("input", function () { send(s.name, Number(input.value)); });
  });

  var inFlight = false, pending = null, timer = null;
  function send(name, value) {
    var values = Object.assign({}, pending || model.get("values"));
    values[name] = value;
    rows[name].number.textContent = value.toFixed(4);
    if (inFlight) { pending = values; return; }
    post(values);
  }
  function post(values) {
    inFlight = true;
    pending = null;
    model.set("values", values);
    model.save_changes();
    clearTimeout(timer);
    timer = setTimeout(arrived, 5000);  // a lost reply must not freeze the sliders
  }
  function arrived() {
    inFlight = false;
    clearTimeout(timer);
    if (pending) post(pending);
  }

  function showValues() {
    var values = model.get("values");
    Object.keys(rows).forEach(function (name) {
      if (!(name in values)) return;
      if (document.activeElement !== rows[name].input) rows[name].input.value = String(values[name]);
      rows[name].number.textContent = Number(values[name]).toFixed(4);
    });
  }
  // The picture fits the cell's width (never larger than Graphviz drew it), or is full size. It starts fitted
  // unless that would draw its text smaller than READABLE px (a network in a narrow cell): then full size, in a
  // box that scrolls with visible scroll bars.
  // The choice is the page's (remade as the cell's width changes) until the button is pressed.
  var READABLE = 9.5, fitted = true, chosen = false;
  q("ag-size").addEventListener("click", function () { fitted = !fitted; chosen = true; size(); });
  function size() {
    var svg = q("ag-picture").querySelector("svg");
    if (!svg) { q("ag-size").textContent = fitted ? "full size" : "fit to width"; return; }
    var natural = svg.getAttribute("data-width") || svg.getAttribute("width");
    svg.setAttribute("data-width", natural);
    if (!chosen) fitted = textWhenFitted(svg, natural) >= READABLE;
    q("ag-size").textContent = fitted ? "full size" : "fit to width";
    svg.removeAttribute("height");
    svg.setAttribute("width", fitted ? "100%" : natural);
    svg.style.maxWidth = fitted ? natural : "none";
    root.classList.toggle("ag-full-size", !fitted);
  }
  function textWhenFitted(svg, natural) {  // the smallest text's height in px with the picture fitted to the box
    var box = q("ag-picture"), room = box.clientWidth - 10, width = parseFloat(natural) * 96 / 72;
    var smallest = Infinity;
    Array.prototype.forEach.call(svg.querySelectorAll("g.node text[font-size]"), function (t) {
      smallest = Math.min(smallest, Number(t.getAttribute("font-size")));
    });
    if (!isFinite(smallest) || !(width > 0) || !(room > 0)) return Infinity;
    return smallest * 96 / 72 * Math.min(1, room / width);
  }
  function showFrame() {
    q("ag-picture").innerHTML = model.get("svg");
    size();
    var readout = model.get("readout");
    q("ag-output").textContent = readout.output || "";
    q("ag-error").textContent = model.get("error");
    var body = q("ag-grads").querySelector("tbody");
    body.textContent = "";
    (readout.gradients || []).forEach(function (pair) {
      var tr = document.createElement("tr");
      pair.forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      tr.setAttribute("data-name", pair[0]);
      body.appendChild(tr);
    });
    var heads = q("ag-grads").querySelectorAll("th");
    (readout.columns || []).forEach(function (text, i) { heads[i].textContent = text; });
  }
  var resize = window.ResizeObserver ? new ResizeObserver(function () { if (!chosen) size(); }) : null;
  if (resize) resize.observe(q("ag-picture-box"));
  function onRevision() { showValues(); showFrame(); arrived(); }
  model.on("change:revision", onRevision);
  model.on("change:values", showValues);
  showValues();
  showFrame();
  return function () {
    clearTimeout(timer);
    if (resize) resize.disconnect();
    model.off("change:revision", onRevision);
    model.off("change:values", showValues);
  };
}

export default { render };
