"""nn.compiled: fit_compiled trains as nn.fit does; a CompiledModel output is one node with the engine's numbers."""

from __future__ import annotations

import math

import pytest

import nn.compiled as nn_compiled
from autograd_core import Value, compile, grad, no_grad
from nn import (
    MLP,
    SGD,
    Adam,
    binary_cross_entropy,
    cross_entropy,
    evaluate,
    fit,
    hinge_loss,
    make_moons,
    mse_loss,
    signed_labels,
)
from nn.compiled import CompiledModel, fit_compiled

X, Y01 = make_moons(40, noise=0.1, seed=1)
SIGNED = signed_labels(Y01)


def relative_difference(a: list[float], b: list[float]) -> float:
    """The largest difference relative to the numbers compared; below 1e-3 they count as 1e-3.

    The floor (the weights are of order 0.1 to 1): a weight the gradients leave at 0.0 in one order of addition is
    1e-18 in another, which is rounding, not a relative error of 1.
    """
    return max((abs(x - y) / max(abs(x), abs(y), 1e-3) if x != y else 0.0) for x, y in zip(a, b))


def train(fitter, *, nouts=(8, 8, 1), labels=SIGNED, loss_fn=hinge_loss, optimizer=SGD, activation="relu", **kwargs):
    model = MLP(2, list(nouts), activation=activation, seed=0)
    history = fitter(
        model, X, labels, loss_fn, optimizer(model.parameters(), lr=0.05, weight_decay=2e-4), steps=4, **kwargs
    )
    return history, [p.data for p in model.parameters()]


# Adam divides by the gradients' running size, so a rounding difference in a
# near-zero gradient moves a weight by more than it would under SGD.
@pytest.mark.parametrize(
    "name, options, tolerance",
    [
        ("hinge, SGD", {}, 1e-12),
        ("hinge, Adam", dict(optimizer=Adam), 1e-10),
        ("hinge, tanh", dict(activation="tanh"), 1e-12),
        (
            "binary cross-entropy (branches on the logit)",
            dict(loss_fn=binary_cross_entropy, labels=list(map(float, Y01))),
            1e-12,
        ),
        ("mse", dict(loss_fn=mse_loss), 1e-12),
        ("cross-entropy, two outputs", dict(loss_fn=cross_entropy, labels=list(Y01), nouts=(8, 2)), 1e-12),
        ("mini-batches", dict(batch_size=10, seed=7), 1e-12),
        ("lr schedule", dict(lr_schedule=lambda step: 0.1 / (1 + step)), 1e-12),
    ],
)
@pytest.mark.parametrize("batch", ["numpy", "python", "node"])
def test_fit_compiled_trains_as_fit_does(name, options, tolerance, batch):
    expected_history, expected_weights = train(fit, **options)
    history, weights = train(lambda *args, **kw: fit_compiled(*args, batch=batch, **kw), **options)
    assert relative_difference(weights, expected_weights) <= tolerance, name
    assert relative_difference(history.loss, expected_history.loss) <= tolerance, name
    assert history.accuracy == expected_history.accuracy
    assert history.lr == expected_history.lr


def test_on_step_sees_the_same_steps():
    seen = {}
    for fitter in (fit, fit_compiled):
        calls = seen[fitter] = []
        model = MLP(2, [4, 1], seed=0)
        fitter(
            model,
            X,
            SIGNED,
            hinge_loss,
            SGD(model.parameters(), lr=0.1),
            steps=3,
            on_step=lambda *a, calls=calls: calls.append(a),
        )
    assert [(s, a) for s, _, a in seen[fit]] == [(s, a) for s, _, a in seen[fit_compiled]]
    assert relative_difference([loss for _, loss, _ in seen[fit]], [loss for _, loss, _ in seen[fit_compiled]]) <= 1e-12


@pytest.mark.parametrize("nouts", [(4, 1), (4, 3)])
def test_each_output_is_one_node_with_the_engines_numbers(nouts):
    model = MLP(2, list(nouts), activation="tanh", seed=2)
    compiled = CompiledModel(model, [0.5, -0.5])
    params = model.parameters()
    for point in ([0.3, 0.9], [-1.2, 0.1]):
        x, x_compiled = [Value(v) for v in point], [Value(v) for v in point]
        expected, outputs = model(x), compiled(x_compiled)
        if nouts[-1] == 1:
            expected, outputs = [expected], [outputs]
        assert len(outputs) == len(expected) == compiled.n_outputs
        for j, (out, e) in enumerate(zip(outputs, expected)):
            assert out.op.name == ("MLP" if len(outputs) == 1 else f"MLP[{j}]")
            assert out.parents == (*x_compiled, *params)  # one node: inputs and weights are its parents
            assert math.isclose(out.data, e.data, rel_tol=1e-12)
            assert relative_difference(list(grad(out, [*x_compiled, *params])), list(grad(e, [*x, *params]))) <= 1e-12


def test_weights_changed_after_compiling_are_seen():
    model = MLP(2, [3, 1], seed=0)
    compiled = CompiledModel(model, X[0])
    for p in model.parameters():
        p.data *= -0.5  # e.g. load_state_dict, or an optimizer step
    assert math.isclose(compiled(X[1]).data, model(X[1]).data, rel_tol=1e-12)


def test_a_loss_on_compiled_outputs_backpropagates_as_on_the_model():
    model = MLP(2, [6, 1], seed=4)
    params = model.parameters()
    compiled = CompiledModel(model, X[0])
    loss = hinge_loss([compiled(x) for x in X], SIGNED)
    loss.backward()
    compiled_grads = [p.grad for p in params]
    model.zero_grad()
    expected = hinge_loss([model(x) for x in X], SIGNED)
    expected.backward()
    assert math.isclose(loss.data, expected.data, rel_tol=1e-12)
    assert relative_difference(compiled_grads, [p.grad for p in params]) <= 1e-12


def test_gradients_dropped_between_forward_and_backward_are_recomputed(monkeypatch):
    monkeypatch.setattr(nn_compiled, "_MAX_PENDING", 2)  # fewer than the batch: most are dropped
    model = MLP(2, [5, 1], seed=3)
    compiled = CompiledModel(model, X[0])
    mse_loss([compiled(x) for x in X[:7]], SIGNED[:7]).backward()
    compiled_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    mse_loss([model(x) for x in X[:7]], SIGNED[:7]).backward()
    assert relative_difference(compiled_grads, [p.grad for p in model.parameters()]) <= 1e-12


def test_evaluation_without_a_graph():
    model = MLP(2, [3, 1], seed=0)
    compiled = CompiledModel(model, X[0])
    with no_grad():
        out = compiled(X[0])
    assert out.parents == () and math.isclose(out.data, model(X[0]).data, rel_tol=1e-12)
    assert evaluate(compiled, X, Y01) == evaluate(model, X, Y01)


def test_a_compiled_model_compiles_into_a_bigger_function():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    compiled = CompiledModel(model, X[0])
    fn = compile(lambda a, b: compiled([a, b]).tanh(), (0.1, 0.2), accumulate=False)
    x = [Value(0.4), Value(-0.3)]
    expected = model(x).tanh()
    out, grads = fn(0.4, -0.3)
    assert math.isclose(out, expected.data, rel_tol=1e-12)
    assert relative_difference(list(grads), list(grad(expected, [*x, *fn.params]))) <= 1e-12


def test_no_second_derivatives():
    compiled = CompiledModel(MLP(2, [3, 1], seed=0), X[0])
    x = Value(0.5)
    out = compiled([x, Value(0.1)])
    with pytest.raises(TypeError, match="compiled model: it has first derivatives only"):
        grad(out, [x], create_graph=True)


def test_wrong_number_of_inputs():
    compiled = CompiledModel(MLP(2, [3, 1], seed=0), X[0])
    with pytest.raises(ValueError, match=r"expects 2 inputs, got 3"):
        compiled([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"input 1 is str 'a'"):
        compiled([1.0, "a"])


@pytest.mark.parametrize(
    "labels, options, message",
    [
        (SIGNED[:-1], {}, r"as many labels as examples.*40 and 39"),
        (SIGNED, dict(steps=-1), r"steps must be an int >= 0, got -1"),
        (SIGNED, dict(batch_size=0), r"batch_size must be None or an int from 1 to 40, got 0"),
    ],
)
def test_fit_compiled_rejects_bad_arguments(labels, options, message):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=message):
        fit_compiled(model, X, labels, hinge_loss, SGD(model.parameters(), lr=0.1), **options)


def test_a_batch_loss_is_one_node_over_the_weights():
    model = MLP(2, [4, 1], seed=1)
    compiled = CompiledModel(model, X[0])
    params = model.parameters()
    loss, scores = compiled.batch_loss(X, SIGNED, hinge_loss)
    assert loss.parents == tuple(params) and len(scores) == len(X)
    loss.backward()
    got = [p.grad for p in params]
    model.zero_grad()
    expected = hinge_loss([model(x) for x in X], SIGNED)
    expected.backward()
    assert math.isclose(loss.data, expected.data, rel_tol=1e-12)
    assert relative_difference(got, [p.grad for p in params]) <= 1e-12
    assert [s.data for s in scores] == pytest.approx([model(x).data for x in X], rel=1e-12)


def test_many_distinct_labels_fall_back_to_the_per_example_loss():
    targets = [0.01 * i for i in range(len(X))]  # a regression: every label its own constant
    expected_history, expected_weights = train(fit, labels=targets, loss_fn=mse_loss)
    history, weights = train(fit_compiled, labels=targets, loss_fn=mse_loss)
    assert relative_difference(weights, expected_weights) <= 1e-12


def test_a_loss_that_is_not_a_mean_is_refused():
    def summed_hinge(scores, labels):
        return hinge_loss(scores, labels, reduction="sum")

    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=r"'summed_hinge' is not the mean.*batch='node'"):
        fit_compiled(model, X, SIGNED, summed_hinge, SGD(model.parameters(), lr=0.1), steps=1)


def test_bad_batch_mode():
    with pytest.raises(ValueError, match=r"batch must be 'auto' or one of numpy, python, node; got 'gpu'"):
        CompiledModel(MLP(2, [3, 1], seed=0), X[0], batch="gpu")


# ------------------------------------------------------- a loss that branches on the score; nan in a tanh network
def modified_huber(scores, labels):
    """scikit-learn's modified Huber loss, mean over the examples: it branches on z = y * score, a computed node."""
    terms = []
    for s, label in zip(scores, labels):
        z = s * label
        terms.append((1 - z).relu() ** 2 if z.data >= -1 else -4 * z)
    return Value.sum(terms) / len(terms)


@pytest.mark.parametrize("batch", ["numpy", "python"])
def test_a_loss_that_branches_on_the_score_is_refused_not_trained_on(batch):
    rows, labels = [[-2.0, -2.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [1, -1, -1, 1]
    model = MLP(2, [1], seed=0)
    for p in model.parameters():
        p.data = 2.0
    assert fit(model, rows, labels, modified_huber, SGD(model.parameters(), lr=0.0), steps=1).loss == [14.0]
    with pytest.raises(
        ValueError,
        match=r"'modified_huber' gives 49\.0 for example 0 .* itself gives 24\.0.*"
        r"branches on a computed node's \.data",
    ):
        fit_compiled(model, rows, labels, modified_huber, SGD(model.parameters(), lr=0.0), steps=1, batch=batch)


def squared_hinge(scores, labels):
    """A loss of the user's, checked on every example (it is not one of nn's), that takes one path."""
    return Value.sum([(1 - s * label).relu() ** 2 for s, label in zip(scores, labels)]) / len(scores)


@pytest.mark.parametrize("batch", ["numpy", "python"])
def test_a_users_loss_is_checked_per_example_and_trains_as_fit(batch):
    expected, expected_weights = train(fit, loss_fn=squared_hinge)
    history, weights = train(lambda *args, **kw: fit_compiled(*args, batch=batch, **kw), loss_fn=squared_hinge)
    assert relative_difference(weights, expected_weights) <= 1e-12
    assert relative_difference(history.loss, expected.loss) <= 1e-12


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("batch", ["numpy", "python"])
def test_nan_in_a_network_is_training_diverged_not_a_crash(activation, batch):
    from nn import TrainingDivergedError

    model = MLP(2, [4, 1], activation=activation, seed=0)
    model.parameters()[0].data = math.nan  # a weight of the first layer: nan in the layer's matrix
    with pytest.raises(TrainingDivergedError, match="the loss is nan"):
        fit_compiled(model, X, SIGNED, hinge_loss, SGD(model.parameters(), lr=0.1), steps=2, batch=batch)
