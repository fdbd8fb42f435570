"""Optimizers written in NumPy, with ``torch.optim``'s names, defaults and update rules.

>>> from gdcourse.optim import Adam
>>> opt = Adam(model.params, lr=1e-3)   # params: list of float arrays, updated in place
>>> opt.step(grads)                     # one update; grads line up with params

``OPTIMIZERS`` is the course's registry: every method under the name the notebooks use, with
the settings that make it that method (``SGD`` is three of them). The explorer's menu and the
tests read it, so a new optimizer is added here, once.
"""

from gdcourse.optim import lr_scheduler
from gdcourse.optim.adadelta import Adadelta
from gdcourse.optim.adagrad import Adagrad
from gdcourse.optim.adam import Adam, AdamW
from gdcourse.optim.adamax import Adamax
from gdcourse.optim.nadam import NAdam
from gdcourse.optim.optimizer import Optimizer
from gdcourse.optim.rmsprop import RMSprop
from gdcourse.optim.sgd import SGD

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "NAdam",
    "Adamax",
    "Optimizer",
    "lr_scheduler",
]

# name -> (class, fixed settings). The other hyperparameters keep their defaults unless a caller sets them.
OPTIMIZERS: dict[str, tuple[type[Optimizer], dict]] = {
    "GD": (SGD, {"momentum": 0.0}),
    "Momentum": (SGD, {}),
    "Nesterov": (SGD, {"nesterov": True}),
    "Adagrad": (Adagrad, {}),
    "RMSprop": (RMSprop, {"momentum": 0.0}),
    "Adadelta": (Adadelta, {}),
    "Adam": (Adam, {}),
    "AdamW": (AdamW, {}),
    "NAdam": (NAdam, {}),
    "Adamax": (Adamax, {}),
}
