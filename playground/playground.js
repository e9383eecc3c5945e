// The playground's page: Pyodide runs this project's Python (app.py, viz, nn, autograd_core) in the browser.
//
// Start-up: Pyodide's core and the WebAssembly Graphviz are loaded from this server (awaited once), the wheels
// listed in files.json are installed with pyodide.unpackArchive, and the Graphviz is registered as the Python
// module `graphviz_wasm`, which viz's drawings call synchronously (viz/drawing.py). Every change (the
// expression, the inputs, a slider, the view) asks app.py's Playground for the view as JSON and shows it; the
// player and the exercise are viz's own scripts (viz-player.js: mountPlayer, renderExercise), given a small
// local model in place of a notebook's. The address's fragment follows every edit, carrying only the
// expression and numbers (app.py's link_of); a program of the user's own is never read from a link.
// Timings for the benchmark (benchmarks/playground.py), in ms since the page was opened: window.pgTimings.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { Graphviz } from "./graphviz.js";
import { mountPlayer, renderExercise } from "./viz-player.js";

const DEFAULT_LINK = "expr=tanh(w*x%2Bb)&w=-3&x=2&b=6.88";
const timings = (window.pgTimings = { python: null, installed: null, ready: null, firstDrawing: null, redraws: [] });
const $ = (cls) => document.querySelector("." + cls);
const status = $("pg-status"), exprBox = $("pg-expr"), valuesBox = $("pg-values"), view = $("pg-view");
const explainBox = $("pg-explain"), errorBox = $("pg-error"), linkBox = $("pg-link"), tangentRow = $("pg-tangent");

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response;
}

async function start() {
  const files = await (await fetchOk("files.json")).json();
  const wheels = files.wheels.map(async (url) => new Uint8Array(await (await fetchOk(url)).arrayBuffer()));
  const appSource = fetchOk("app.py").then((r) => r.text());
  const [pyodide, graphviz] = await Promise.all([
    loadPyodide({ indexURL: new URL("pyodide/", location.href).href }),
    Graphviz.load(),
  ]);
  timings.python = performance.now();
  const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  for (const wheel of await Promise.all(wheels)) pyodide.unpackArchive(wheel, "wheel", { extractDir: site });
  pyodide.FS.writeFile(site + "/playground_app.py", await appSource);
  pyodide.registerJsModule("graphviz_wasm", graphviz);
  timings.installed = performance.now();
  status.textContent = `Pyodide ${pyodide.version}, Graphviz ${graphviz.version()} (WebAssembly): `
    + "everything runs in this page.";
  return pyodide.runPython("import playground_app; playground_app.Playground()");
}

// ---------------------------------------------------------------- the page's state and what it shows
const state = { source: "expression", expr: "", values: {}, values_text: null, mode: "drawing", tangent: null };
let app = null, step = 0, unmount = null, sliders = {};

function call(method, ...args) { return JSON.parse(app[method](...args)); }

function render() {
  const began = performance.now();
  const reply = call("show", JSON.stringify(state));
  state.values_text = null;
  if (reply.error) { errorBox.textContent = reply.error; return; }  // the last good view stays
  errorBox.textContent = "";
  state.values = reply.values;
  if (reply.tangent) state.tangent = reply.tangent;
  if (document.activeElement !== valuesBox) valuesBox.value = reply.values_text;
  $("pg-output").textContent = reply.output;
  showSliders(reply.inputs);
  showTangents(reply.inputs);
  if (reply.link !== null) {
    history.replaceState(null, "", "#" + reply.link);
    linkBox.href = "#" + reply.link;
    linkBox.textContent = location.href;
  }
  showView(reply);
  const took = performance.now() - began;
  if (timings.firstDrawing === null) timings.firstDrawing = performance.now();  // ms since the page was opened
  else timings.redraws.push(took);
}

function showView(reply) {
  if (unmount) { unmount(); unmount = null; }
  view.textContent = "";
  explainBox.textContent = reply.explain || "";
  for (const button of document.querySelectorAll(".pg-modes button")) {
    button.setAttribute("aria-pressed", String(button.dataset.mode === state.mode));
  }
  tangentRow.hidden = state.mode !== "forward";
  if (reply.svg !== undefined) {
    const box = document.createElement("div");
    box.className = "pg-drawing";
    box.innerHTML = reply.svg;  // Graphviz's SVG: every label escaped by viz and Graphviz
    view.appendChild(box);
    return;
  }
  const values = { fragment: reply.fragment, step: step, height: 0 };
  if (state.mode === "exercise") {
    Object.assign(values, { step: 0, views: reply.views, feedback: {}, score_text: reply.score_text });
    const model = localModel(values, (message) => {
      const answer = call("answer", message.step, message.answer);
      if (answer.error) return;
      if (answer.score_text) model.set("score_text", answer.score_text);
      model.set("feedback", answer.feedback);
      if (answer.views) model.set("views", answer.views);
    });
    unmount = renderExercise({ model, el: view });
  } else {
    const model = localModel(values, null);
    model.on("change:step", () => { step = model.get("step"); });
    unmount = mountPlayer(model, view).dispose;
  }
}

// A notebook widget's model (anywidget's get, set, save_changes, send, on, off), kept in the page.
function localModel(values, onSend) {
  const listeners = {};
  return {
    get: (key) => values[key],
    set: (key, value) => { values[key] = value; (listeners["change:" + key] || []).slice().forEach((f) => f()); },
    save_changes: () => {},
    send: (message) => { if (onSend) onSend(message); },
    on: (event, f) => { (listeners[event] = listeners[event] || []).push(f); },
    off: (event, f) => { listeners[event] = (listeners[event] || []).filter((g) => g !== f); },
  };
}

function showSliders(inputs) {
  const box = $("pg-sliders"), names = inputs.map((i) => i.name);
  if (names.join(" ") !== Object.keys(sliders).join(" ")) { box.textContent = ""; sliders = {}; }
  for (const input of inputs) {
    let s = sliders[input.name];
    if (!s) {
      const row = document.createElement("label"), name = document.createElement("span");
      const range = document.createElement("input"), number = document.createElement("span");
      row.className = "pg-slider";
      name.textContent = input.name;
      range.type = "range";
      range.setAttribute("aria-label", input.name);
      range.dataset.name = input.name;
      number.className = "pg-number";
      row.append(name, range, number);
      box.appendChild(row);
      range.addEventListener("input", () => {
        state.values = Object.assign({}, state.values, { [input.name]: Number(range.value) });
        number.textContent = Number(range.value).toFixed(4);
        schedule();
      });
      s = sliders[input.name] = { range, number };
    }
    const outside = input.value < Number(s.range.min) || input.value > Number(s.range.max);
    if (!s.range.dataset.ready || outside) {  // a range set once, so that dragging does not move it
      s.range.min = String(input.min);
      s.range.max = String(input.max);
      s.range.step = String(input.step);
      s.range.dataset.ready = "1";
    }
    if (document.activeElement !== s.range) s.range.value = String(input.value);
    s.number.textContent = input.value.toFixed(4);
  }
}

function showTangents(inputs) {
  const select = tangentRow.querySelector("select");
  const names = inputs.map((i) => i.name);
  if ([...select.options].map((o) => o.value).join(" ") !== names.join(" ")) {
    select.textContent = "";
    for (const name of names) select.add(new Option(name, name));
  }
  if (state.tangent) select.value = state.tangent;
}

let scheduled = false;
function schedule() {  // slider moves while Python draws are not queued: the latest values are drawn next
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => { scheduled = false; render(); });
}

let typing = null;
function edited() {  // the expression or the inputs typed: drawn when the typing pauses
  clearTimeout(typing);
  typing = setTimeout(() => {
    state.source = "expression";
    state.expr = exprBox.value;
    state.values_text = valuesBox.value;
    step = 0;
    render();
  }, 250);
}

function openLink() {
  const link = call("link", location.hash.length > 1 ? location.hash : DEFAULT_LINK);
  if (link.error) { errorBox.textContent = link.error; return; }
  Object.assign(state, { source: "expression", expr: link.expr, values: link.values, mode: link.mode,
    tangent: link.tangent, values_text: null });
  exprBox.value = link.expr;
  step = 0;
  render();
}

function wire() {
  exprBox.addEventListener("input", edited);
  valuesBox.addEventListener("input", edited);
  for (const button of document.querySelectorAll(".pg-modes button")) {
    button.addEventListener("click", () => { state.mode = button.dataset.mode; step = 0; render(); });
  }
  tangentRow.querySelector("select").addEventListener("change", (e) => {
    state.tangent = e.target.value; step = 0; render();
  });
  $("pg-run").addEventListener("click", () => {
    const ran = call("run_program", document.querySelector(".pg-program textarea").value);
    if (ran.error) { errorBox.textContent = ran.error; return; }
    Object.assign(state, { source: "program", values: ran.values });
    step = 0;
    render();
  });
  window.addEventListener("hashchange", openLink);  // a link pasted or followed (replaceState fires none)
}

try {
  app = await start();
  timings.ready = performance.now();
  wire();
  openLink();
  document.body.dataset.ready = "true";
} catch (error) {
  status.textContent = "The playground could not start: " + error;
  document.body.dataset.ready = "failed";
  throw error;
}
