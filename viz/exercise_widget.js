// The exercise as a notebook widget (viz.exercise(root).widget()): the player, with an answer box in its step panel.
//
// Appended to player.js and player_widget.js (mountPlayer). model traits (viz/widgets.py, ExerciseWidget): those
// of the player widget, and views (one per question, the player's step k being question k: {status: "locked" |
// "asking" | "right" | "wrong", asked, text, short, grad}), feedback ({step, status, message}: the last answer
// the kernel could not read) and score_text. The page sends {step, answer} to the kernel, which checks the
// answer (viz.exercise) and sends the views back. The page never judges an answer, and writes every text
// with textContent: an answer or a label is shown, never run.

function renderExercise({ model, el }) {
  var form = document.createElement("form"), asked = document.createElement("span");
  var input = document.createElement("input"), check = document.createElement("button");
  var note = document.createElement("div"), score = document.createElement("div");
  form.className = "ag-answer";
  asked.className = "ag-asked";
  input.className = "ag-input";
  input.type = "text";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("aria-label", "your answer");
  check.type = "submit";
  check.className = "ag-check";
  check.textContent = "Check";
  note.className = "ag-feedback";
  score.className = "ag-score";
  form.append(asked, " = ", input, check, note);
  var panel = null;

  var mounted = mountPlayer(model, el, function (root) {
    root.classList.add("ag-exercise");
    panel = root.querySelector(".ag-step");
    panel.append(form);
    root.querySelector(".ag-bar").append(score);
  }, function () { refresh(); });
  var player = mounted.player;

  function current() {  // the view of the question on show, or null (step 0)
    var k = player.step;
    return k > 0 ? model.get("views")[k - 1] : null;
  }
  function refresh() {
    var view = current(), feedback = model.get("feedback") || {};
    form.hidden = !view || view.status !== "asking";
    asked.textContent = view ? view.asked : "";
    note.textContent = feedback.step === player.step && view && view.status === "asking" ? feedback.message : "";
    panel.classList.toggle("ag-right", !!view && view.status === "right");
    panel.classList.toggle("ag-wrong", !!view && view.status === "wrong");
    score.textContent = model.get("score_text");
    check.disabled = false;
  }
  function reveal() {  // the kernel's views into the player's steps
    var changes = {};
    model.get("views").forEach(function (view, i) {
      changes[i + 1] = { text: view.text, short: view.short, grad: view.grad };
    });
    player.update(changes);
    if (current() && current().status !== "asking") input.value = "";
    refresh();
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!input.value.trim()) return;
    check.disabled = true;
    model.send({ step: player.step, answer: input.value });
  });
  input.addEventListener("keydown", function (e) { e.stopPropagation(); });  // typing "-" or "0" is not a player key
  model.on("change:views", reveal);
  model.on("change:feedback", refresh);
  reveal();
  return function () {
    model.off("change:views", reveal);
    model.off("change:feedback", refresh);
    mounted.dispose();
  };
}
