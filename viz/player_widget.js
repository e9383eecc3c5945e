// The player as a notebook widget (viz.play), and the mount every player-based widget shares (the exercise).
//
// Appended to player.js, and followed by an export line that viz/widgets.py adds, to make one anywidget ES
// module. model traits (viz/widgets.py, Player): fragment (player_fragment's markup: the SVG drawn and escaped by
// Graphviz, every other text escaped by Python), step (synchronised both ways), height (px; 0 = from the graph).

// Put the player of model's fragment into el; returns {player, root, dispose}. decorate(root), if given, adds
// to the player's markup before it is sized; onStep(step) is called after every move.
function mountPlayer(model, el, decorate, onStep) {
  var holder = document.createElement("div");
  holder.className = "ag-widget";
  holder.innerHTML = model.get("fragment");  // the JSON <script> inside is data, never run
  el.appendChild(holder);
  var root = holder.querySelector(".ag-player");
  root.setAttribute("data-lm-suppress-shortcuts", "true");  // JupyterLab: the keys step the player, not the notebook
  if (decorate) decorate(root);
  var box = root.querySelector(".ag-graph");
  var natural = root.querySelector(".ag-graph svg").getAttribute("viewBox").split(/[\s,]+/).map(Number);

  function size() {  // the graph as wide as the cell, as tall as its shape asks (and the chrome above and below it)
    var fixed = model.get("height");
    if (fixed > 0) { root.style.setProperty("--ag-height", fixed + "px"); return; }
    var width = Math.max(box.clientWidth, 200), px = 96 / 72;
    var tall = Math.min(width * natural[3] / natural[2], 2 * natural[3] * px, 640);
    var chrome = root.scrollHeight - box.clientHeight;
    root.style.setProperty("--ag-height", Math.round(Math.max(tall, 140) + chrome) + "px");
  }
  root.style.setProperty("--ag-height", "auto");
  size();
  var resize = window.ResizeObserver ? new ResizeObserver(function () { size(); }) : null;
  if (resize) resize.observe(holder);

  var player = createPlayer(root, JSON.parse(root.querySelector(".ag-data").textContent), function (step) {
    if (model.get("step") !== step) { model.set("step", step); model.save_changes(); }
    if (onStep) onStep(step);
  });
  function follow() { var k = model.get("step"); if (k !== player.step) player.go(k); }
  model.on("change:step", follow);
  follow();
  return {
    player: player,
    root: root,
    dispose: function () {
      player.stop();
      if (resize) resize.disconnect();
      model.off("change:step", follow);
    },
  };
}

function renderPlayer({ model, el }) {
  return mountPlayer(model, el).dispose;
}
