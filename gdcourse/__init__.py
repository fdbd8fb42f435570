"""gdcourse: gradient descent and its optimizers, written from scratch in NumPy.

The modules, each readable in one sitting:

- ``gdcourse.optim``: SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, NAdam, Adamax and
  ``optim.lr_scheduler``, with ``torch.optim``'s names and update rules;
- ``gdcourse.functions``: test functions with exact gradients (quadratics, Rosenbrock, ...);
- ``gdcourse.models``: linear, logistic and softmax regression and the MLP, with backprop by hand;
- ``gdcourse.losses``: stable activations and losses;
- ``gdcourse.train``: ``minimize`` (a path on a function) and ``fit`` (a model on data);
- ``gdcourse.data``: the blog posts' data, scikit-learn's bundled sets, splitting, scaling, MNIST;
- ``gdcourse.gradcheck``: finite-difference gradient checks;
- ``gdcourse.plots`` and ``gdcourse.widgets``: figures and interactive explorers;
- ``gdcourse.exercises``: the notebooks' exercise checks;
- ``gdcourse.check``: ``python -m gdcourse.check`` tests your set-up.

``import gdcourse`` loads no submodule but ``threads`` (which runs NumPy's BLAS on one thread,
see ``gdcourse.threads``); the others are imported on first use,
and none imports PyTorch or scikit-learn until a function that needs it is called.
"""

from __future__ import annotations

import importlib

from gdcourse import threads

__version__ = "1.0.0"

SUBMODULES = (
    "check",
    "course",
    "data",
    "exercises",
    "functions",
    "gradcheck",
    "losses",
    "models",
    "optim",
    "plots",
    "threads",
    "train",
    "validation",
    "widgets",
)


def __getattr__(name: str):
    if name in SUBMODULES:
        return importlib.import_module(f"gdcourse.{name}")
    raise AttributeError(f"module 'gdcourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *SUBMODULES])


threads.limit_blas_threads()
