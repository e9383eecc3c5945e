"""nn.plots: every function returns a Figure (no pyplot, no file), labelled, that renders as a PNG for notebooks."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure

from nn import MLP, SGD, Adam, fit, hinge_loss, make_moons, make_spiral, signed_labels
from nn.plots import plot_boundary, plot_diagnostics, plot_history, scores_on_grid

PNG = b"\x89PNG\r\n\x1a\n"
X, Y = make_moons(20, noise=0.1, seed=0)


def trained(**options):
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X, signed_labels(Y), hinge_loss, Adam(model.parameters(), lr=0.05), epochs=4, **options)
    return model, history


def titles(figure):
    return [ax.get_title() for ax in figure.axes]


def test_plot_history_draws_loss_and_accuracy_per_epoch_with_validation():
    _, history = trained(batch_size=5, seed=0, validation=(X, signed_labels(Y)))
    figure = plot_history(history, "hinge loss")
    assert isinstance(figure, Figure)
    loss_ax, accuracy_ax = figure.axes
    assert titles(figure) == ["hinge loss (log scale)", "accuracy"]
    assert loss_ax.get_yscale() == "log" and loss_ax.get_xlabel() == "epoch"
    assert [line.get_label() for line in loss_ax.get_lines()] == ["each step", "training", "validation"]
    assert list(loss_ax.get_lines()[1].get_ydata()) == history.epoch_loss
    assert [line.get_label() for line in accuracy_ax.get_lines()] == ["training", "validation"]
    assert figure.get_suptitle() == "stopped: ran all 4 epochs"


def test_each_step_is_placed_inside_its_epoch():
    _, history = trained(batch_size=8, seed=0)  # batches of 8, 8 and 4: three steps an epoch
    steps = plot_history(history).axes[0].get_lines()[0]
    assert list(steps.get_xdata()) == pytest.approx([k / 3 for k in range(1, 13)])


@pytest.mark.parametrize("nouts, y", [([4, 1], Y), ([4, 3], make_spiral(20, seed=0)[1])])
def test_plot_boundary(nouts, y):
    model = MLP(2, nouts, seed=0)
    figure = plot_boundary(model, X, y, "a title")
    assert titles(figure) == ["a title"]
    assert figure.axes[0].get_xlabel() == "x[0]"


def test_plot_diagnostics_has_a_panel_per_measure_and_a_line_per_layer():
    model = MLP(2, [4, 4, 1], seed=0)
    history = fit(model, X, signed_labels(Y), hinge_loss, SGD(model.parameters(), lr=0.1), epochs=3, diagnostics=True)
    figure = plot_diagnostics(history.diagnostics)
    assert titles(figure) == [
        "gradient norm per layer (log)",
        "update / weight per layer (log)",
        "dead ReLUs",
        "saturated tanh/sigmoid outputs",
    ]
    grad_ax, _, dead_ax, saturated_ax = figure.axes
    assert [line.get_label() for line in grad_ax.get_lines()] == ["layers.0", "layers.1", "layers.2"]
    assert [line.get_label() for line in dead_ax.get_lines()] == ["layers.0", "layers.1"]
    assert saturated_ax.get_lines() == [] and saturated_ax.texts[0].get_text() == "no such layers"


def test_figures_show_in_notebooks_as_png():
    _, history = trained()
    for figure in (plot_history(history), plot_boundary(MLP(2, [3, 1], seed=0), X, Y)):
        assert figure._repr_png_().startswith(PNG)  # IPython's rich display protocol


@pytest.mark.parametrize("activation, nouts", [("relu", [5, 1]), ("tanh", [4, 3]), ("sigmoid", [2, 2, 1])])
def test_grid_scores_match_the_network(activation, nouts):
    model = MLP(2, nouts, activation=activation, seed=3)
    points = [[0.3, -1.2], [2.0, 0.5], [-0.7, -0.1]]
    grid = scores_on_grid(model, points)
    for row, x in zip(grid, points):
        out = model(x)
        expected = [out.data] if nouts[-1] == 1 else [o.data for o in out]
        assert list(row) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_ipython_displays_the_figures_as_png_without_choosing_a_backend():
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")  # with the notebook extras
    shell = interactiveshell.InteractiveShell.instance()
    _, history = trained()
    data, _ = shell.display_formatter.format(plot_history(history))
    assert data["image/png"][:8] == PNG


@pytest.mark.parametrize("nouts, y", [([4, 1], Y), ([4, 3], make_spiral(20, seed=0)[1])])
def test_plot_boundary_has_a_legend_naming_each_class_in_its_colour(nouts, y):
    import matplotlib

    figure = plot_boundary(MLP(2, nouts, seed=0), X, y, "a title")
    legend = figure.axes[0].get_legend()
    classes = max(y) + 1
    assert [t.get_text() for t in legend.get_texts()] == [f"class {c}" for c in range(classes)]
    cmap, top = ("coolwarm", 1) if classes == 2 else ("tab10", 9)
    for c, handle in enumerate(legend.legend_handles):
        assert tuple(handle.get_facecolor()[0]) == pytest.approx(matplotlib.colormaps[cmap](c / top))


def test_the_accuracy_legend_leaves_the_100_percent_line_clear():
    _, history = trained()
    figure = plot_history(history)
    figure.draw_without_rendering()
    accuracy = figure.axes[1]
    box = accuracy.get_legend().get_window_extent()
    top_line = accuracy.transData.transform((0, 100))[1]
    assert box.y1 < top_line - 20  # pixels: the legend sits well below 100%
