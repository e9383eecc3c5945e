// The exercise as a notebook widget (viz.exercise(root).widget()): the player, with an answer box in its step panel.
//
// Appended to player.js and player_widget.js (mountPlayer). model traits (viz/widgets.py, ExerciseWidget): those
// of the player widget, and views (one per question, the player's step k being question k: {status: "locked" |
// "asking" | "right" | "wrong", asked, text, short, grad}), feedback ({step, status, message}: the last answer
// the kernel could not read) and score_text. The page sends {step, answer} to the kernel, which checks the
// answer (viz.exercise) and sends the views back. The page never judges an answer, and writes every text
// with textContent: an answer or a label is shown, never run.
//
// The flow, by keyboard alone: on a question the cursor is in the answer box; Enter checks the answer; a right
// one moves on to the next question (its verdict stays in view above it), the cursor in the box again; after a
// wrong one the correct value shows and the player keeps the focus (arrow keys, Space). Esc leaves the box.

function renderExercise({ model, el }) {
  var form = document.createElement("form"), asked = document.createElement("span");
  var input = document.createElement("input"), check = document.createElement("button");
  var note = document.createElement("div"), score = document.createElement("div");
  var verdict = document.createElement("div");
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
  note.setAttribute("aria-live", "polite");
  verdict.className = "ag-verdict";
  verdict.setAttribute("aria-live", "polite");
  score.className = "ag-score";
  form.append(asked, " = ", input, check, note);
  var panel = null, root = null;
  var awaiting = null;  // the step whose answer the kernel is checking
  var lastRight = null;  // {step, text}: the verdict shown above the next question after a right answer
  var engaged = false;  // an answer was sent from this page: where the focus goes next is this widget's to say

  var mounted = mountPlayer(model, el, function (playerRoot) {
    root = playerRoot;
    root.classList.add("ag-exercise");
    panel = root.querySelector(".ag-step");
    panel.prepend(verdict);
    panel.append(form);
    root.querySelector(".ag-bar").append(score);
    root.agFillProbe = fillProbe;
  }, function () { refresh(); });

  // The player sizes its step panel on a copy of it (player.js, reserve): step k as tall as it can be while it
  // asks (a locked one by its room: its question as long as it will be), with the verdict of step k - 1 above
  // it (the first line of its text once answered; until then a line as long as "right: <asked> = <a short answer>
  // = <value>"), the answer box and a line of feedback below; an answered step without the box (the
  // player measures it again, never shorter, when the kernel reveals it).
  function fillProbe(copy, k) {
    var views = model.get("views"), view = views[k - 1], before = views[k - 2], said = "";
    if (before) said = before.status === "right" || before.status === "wrong" ? before.text.split("\n")[0]
      : "right: " + before.asked + " = 1 - out**2 = -0.0000";
    copy.querySelector(".ag-verdict").textContent = before ? "step " + (k - 1) + ": " + said : "";
    if (view && view.room) copy.querySelector(".ag-line").textContent = view.room;  // a locked question
    copy.querySelector(".ag-answer").hidden = !view || view.status === "right" || view.status === "wrong";
    copy.querySelector(".ag-asked").textContent = view ? view.asked : "";
    copy.querySelector(".ag-feedback").textContent = "not understood, not counted";
  }
  var player = mounted.player;

  function current() {  // the view of the question on show, or null (step 0)
    var k = player.step;
    return k > 0 ? model.get("views")[k - 1] : null;
  }
  function refresh() {
    var view = current(), feedback = model.get("feedback") || {};
    var hadBox = document.activeElement === input;
    form.hidden = !view || view.status !== "asking";
    asked.textContent = view ? view.asked : "";
    note.textContent = feedback.step === player.step && view && view.status === "asking" ? feedback.message : "";
    verdict.textContent = lastRight && lastRight.step === player.step - 1 ? lastRight.text : "";
    panel.classList.toggle("ag-right", !!view && view.status === "right");
    panel.classList.toggle("ag-wrong", !!view && view.status === "wrong");
    score.textContent = model.get("score_text");
    check.disabled = awaiting !== null;
    var inside = hadBox || engaged || root.contains(document.activeElement);
    if (awaiting === null) engaged = false;
    if (!inside) return;  // the focus is elsewhere in the page (another cell): leave it there
    if (!form.hidden && awaiting === null) input.focus({ preventScroll: true });  // type at once
    else if (form.hidden) player.focus();
  }
  function reveal() {  // the kernel's views into the player's steps; a right answer moves on
    var changes = {};
    model.get("views").forEach(function (view, i) {
      changes[i + 1] = { text: view.text, short: view.short, grad: view.grad, status: view.status };
    });
    var was = awaiting, view = null;
    awaiting = null;
    player.update(changes);
    if (was !== null && was === player.step) view = current();
    if (view && view.status !== "asking") input.value = "";
    if (view && view.status === "right" && player.step < player.total) {
      lastRight = { step: was, text: "step " + was + ": " + view.text.split("\n")[0] };
      player.go(was + 1);  // onStep refreshes, and puts the cursor in the next question's box
      return;
    }
    refresh();
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!input.value.trim() || awaiting !== null) return;
    awaiting = player.step;
    engaged = true;
    check.disabled = true;
    model.send({ step: player.step, answer: input.value });
  });
  function unread() {  // an answer not understood (not counted): the views stay as they were; answer again
    var feedback = model.get("feedback") || {};
    if (feedback.status !== "unreadable" || feedback.step !== awaiting) { refresh(); return; }
    awaiting = null;
    refresh();
    if (!form.hidden) input.select();
  }
  input.addEventListener("keydown", function (e) {  // typing "-" or "0" is not a player key
    e.stopPropagation();
    if (e.key === "Escape") { e.preventDefault(); player.focus(); }
  });
  model.on("change:views", reveal);
  model.on("change:feedback", unread);
  reveal();
  return function () {
    model.off("change:views", reveal);
    model.off("change:feedback", unread);
    mounted.dispose();
  };
}
