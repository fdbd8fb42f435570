"""Optimizers written in NumPy, with ``torch.optim``'s names, defaults and update rules.

>>> from gdcourse.optim import Adam
>>> opt = Adam(model.params, lr=1e-3)   # params: list of float arrays, updated in place
>>> opt.step(grads)                     # one update; grads line up with params
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
