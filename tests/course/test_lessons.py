"""Each lesson's claim holds on the numbers it shows, with the seeds it uses; the command line writes the figures.

The claims are stated with margins (a factor, an order of magnitude), not to
the last digit: the engine may add in another order and round differently.
"""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure

from course import lessons
from course.lessons.__main__ import main


@pytest.fixture(scope="module")
def lesson(request):
    """Each lesson runs once for all the tests that read it."""
    return lessons.run(request.param)


def lesson_named(name):
    return pytest.mark.parametrize("lesson", [name], indirect=True)


@lesson_named("update-rule")
def test_update_rule_each_step_is_minus_lr_times_the_gradient(lesson):
    n = lesson.numbers
    assert len(n["steps"]) == len(n["grads"]) == 40
    assert n["largest_rule_error"] <= 1e-15
    assert all((step < 0) == (g > 0) for step, g in zip(n["steps"], n["grads"]) if g)  # against the gradient
    assert any(g > 0 for g in n["grads"]) and any(g < 0 for g in n["grads"])  # the weight turns back
    assert n["loss_last"] < n["loss_first"] / 2


@lesson_named("learning-rate")
def test_learning_rate_too_small_right_too_large_diverging(lesson):
    n = lesson.numbers
    small, right, large, huge = range(4)
    assert n["stopped_by"] == ["epochs", "epochs", "epochs", "diverged"]
    assert n["final_loss"][right] < n["final_loss"][small] / 10  # too small is slow
    assert n["increases"][small] == n["increases"][right] == 0  # both go smoothly down
    assert n["increases"][large] >= 10 and n["final_loss"][large] > n["final_loss"][right]  # it bounces
    assert (
        n["large_above_right"] >= 0.9 * n["steps"][large]
    )  # behind the right rate nearly all the way, not just at the end
    assert n["rates"][right] == max(r for r, k in zip(n["rates"], n["increases"]) if k == 0)  # the largest smooth one
    assert n["steps"][huge] < 20  # fit stops it early, naming the step


@lesson_named("vanishing")
def test_vanishing_gradients_for_sigmoid_not_for_relu_with_he_init(lesson):
    ratio = lesson.numbers["first_over_last"]
    assert ratio["sigmoid, textbook"] < 1e-4  # orders of magnitude below the last layer
    assert 0.1 < ratio["relu, textbook"] < 10
    assert 0.1 < ratio["tanh, textbook"] < 10
    n = lesson.numbers
    assert n["relu_bad_over_he"] > 100 and n["relu_bad_spread"] < 5  # ReLU: too large at every layer alike, flat
    assert n["tanh_bad_growth"] > 3 and n["tanh_bad_rises_towards_input"] >= 7  # tanh: grows towards the input
    assert "too large at every layer alike" in lesson.lines[-2] and "explodes towards the input" in lesson.lines[-1]
    assert all(len(norms) == 10 for norms in lesson.numbers["norms"].values())


@lesson_named("local-minima")
def test_local_minima_some_seeds_get_stuck_and_solutions_are_separated(lesson):
    n = lesson.numbers
    assert len(n["solved"]) + len(n["stuck"]) == 40
    assert len(n["solved"]) >= 30 and len(n["stuck"]) >= 3
    assert all(0.45 < loss < 0.55 for loss in n["stuck_losses"])  # a plateau near 0.5
    assert set(n["stuck_right"]) <= {2, 3}
    assert max(n["final_loss"][s] for s in n["solved"]) < 0.01
    assert all(barrier > 0.5 for barrier in n["barriers"].values())  # the loss rises between them


@lesson_named("overfitting")
def test_overfitting_and_its_two_remedies(lesson):
    n = lesson.numbers
    assert n["train_final"] < 0.01  # the network passes through the noisy points
    assert n["val_final"] > 1.5 * n["val_best"]  # while the validation loss turned and rose
    # early stopping: the same run cut short, at the best validation epoch's weights (restored by Stopping)
    assert n["early_is_plain_cut_short"] and n["early_best_epoch"] < n["early_stop_epoch"] < 100
    assert n["early_best_epoch"] == n["val_best_epoch"] and n["early_val"] == pytest.approx(n["val_best"], rel=1e-9)
    assert n["early_val"] < n["val_final"] / 2 and n["early_val"] < n["l2_val_final"]
    assert n["l2_val_final"] < n["val_final"] and n["l2_train_final"] > n["train_final"]


@lesson_named("batches")
def test_batches_more_steps_per_epoch_learn_faster_per_epoch_but_noisier(lesson):
    full, mini, single = lesson.numbers.values()  # full batch, mini-batches, per example
    assert [full["steps_per_epoch"], mini["steps_per_epoch"], single["steps_per_epoch"]] == [1, 6, 60]
    assert single["val_loss"][4] < full["val_loss"][4] and mini["val_loss"][4] < full["val_loss"][4]
    assert full["val_rises"] == 0 and single["val_rises"] >= 3
    assert all(n["seconds_per_epoch"] > 0 for n in (full, mini, single))
    # per update (a machine-independent cost): the full batch's 20 exact steps beat per-example SGD's first 60
    assert full["val_loss"][-1] < single["val_loss"][0] and 20 * full["steps_per_epoch"] < single["steps_per_epoch"]


@lesson_named("batches")
def test_batches_plots_against_work_not_seconds(lesson):
    by_epoch, by_update = lesson.figure.axes
    assert "seconds" not in by_update.get_xlabel() and "updates" in by_update.get_xlabel()
    assert [list(line.get_xdata()) for line in by_update.get_lines()][2][-1] == 60 * 20  # per example: 1200 updates


@pytest.mark.parametrize("lesson", list(lessons.LESSONS), indirect=True)
def test_every_lesson_has_a_titled_figure_and_prints_its_findings(lesson):
    assert isinstance(lesson.figure, Figure)
    assert all(ax.get_title() for ax in lesson.figure.axes)
    text = str(lesson)
    assert text.startswith(f"{lesson.name}: ") and len(text.splitlines()) == 1 + len(lesson.lines) >= 3


def test_the_command_line_writes_the_figure_and_prints_the_numbers(tmp_path, capsys):
    assert main(["update-rule", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert (tmp_path / "out" / "update-rule.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert printed.startswith("update-rule: ") and "each step was -lr * grad" in printed
    assert f"wrote {tmp_path / 'out' / 'update-rule.png'}" in printed


def test_the_command_line_refuses_unknown_lessons_and_files_as_folders(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["momentum"])
    assert info.value.code == 2 and "invalid choice: 'momentum'" in capsys.readouterr().err
    taken = tmp_path / "taken"
    taken.write_text("keep me")
    assert main(["update-rule", "--out", str(taken)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err and taken.read_text() == "keep me"


def test_run_names_the_lessons_when_asked_for_another():
    with pytest.raises(ValueError, match="no lesson called 'momentum'; the lessons are update-rule, learning-rate"):
        lessons.run("momentum")
