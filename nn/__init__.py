"""nn: a tiny neural-network layer built only from autograd_core Values.

    from nn import MLP, SGD, fit, hinge_loss, make_moons, signed_labels
    X, y = make_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit(model, X, signed_labels(y), hinge_loss, SGD(model.parameters(), lr=0.1, weight_decay=2e-4),
                  epochs=100)

``module.py`` has the Module base class, ``layers.py`` Neuron/Layer/MLP,
``places.py`` where a graph's node belongs (``place_of``), ``losses.py`` the
losses, ``optim.py`` SGD and Adam, ``data.py`` the toy data sets,
``serialize.py`` JSON save/load, ``train.py`` the loop (``train_step``, and
epochs, batches, validation, stopping, divergence around it), ``diagnostics.py`` gradient health per
layer, ``compiled.py`` training on compiled code, ``pytorch.py`` the way to
PyTorch. With matplotlib: ``plots.py`` draws them. nn imports only
autograd_core; the demo and the lessons that use nn with viz are in ``course``.
"""

from .data import make_circles, make_moons, make_spiral, train_test_split
from .diagnostics import diagnose
from .layers import MLP, Layer, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss, signed_labels
from .module import Module
from .optim import SGD, Adam
from .places import place_of
from .pytorch import from_torch, to_torch
from .serialize import load_parameters, save_parameters
from .train import History, Stopping, TrainingDivergedError, evaluate, fit, train_step

# The names the docs teach (docs/reference/); everything else is imported from its module
# (``nn.optim.Optimizer``, ``nn.places.Place``, ``nn.train.batch_loss``, ...).
__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "mse_loss",
    "hinge_loss",
    "binary_cross_entropy",
    "cross_entropy",
    "signed_labels",
    "SGD",
    "Adam",
    "make_moons",
    "make_circles",
    "make_spiral",
    "train_test_split",
    "fit",
    "train_step",
    "Stopping",
    "History",
    "TrainingDivergedError",
    "evaluate",
    "save_parameters",
    "load_parameters",
    "to_torch",
    "from_torch",
    "diagnose",
    "place_of",
]
