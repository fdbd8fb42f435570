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
- ``gdcourse.errors``: the package's exceptions and warnings;
- ``gdcourse.check``: ``python -m gdcourse.check`` tests your set-up.

``import gdcourse`` changes nothing outside the package: it loads no submodule (each is imported on
first use) and none imports PyTorch or scikit-learn until a function that needs it is called.
The notebooks start with ``gdcourse.setup()``, which sets two things for the whole Python process,
both for speed and both easy to leave out (see its docstring).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "1.0.0"
__all__ = ["setup"]

SUBMODULES = (
    "check",
    "course",
    "data",
    "errors",
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


def setup(blas_threads: int | None = 1) -> None:
    """Prepare this Python process for the course's notebooks (the first code cell of each calls it).

    1. NumPy's BLAS runs on ``blas_threads`` thread(s): on the course's small matrices more threads
       gain nothing, and where cores are shared (Binder, hubs, a busy laptop) they cost several times
       over (``gdcourse.threads`` has the measurements). It applies to all NumPy code in the process.
       Nothing changes if you set ``OMP_NUM_THREADS`` (or ``OPENBLAS_NUM_THREADS``,
       ``MKL_NUM_THREADS``) yourself, with ``blas_threads=None``, or where there are no threads
       (JupyterLite).
    2. In Jupyter, a matplotlib ``Figure`` that ends a cell is shown as an image, as pyplot's inline
       backend does (the course draws on ``Figure`` objects, without pyplot).

    Calling it twice does no harm. Not calling it changes no result, only speed and how figures show.
    """
    from gdcourse import plots, threads

    if blas_threads is not None:
        threads.limit_blas_threads(blas_threads)
    plots.show_figures_in_notebooks()


def __getattr__(name: str) -> ModuleType:
    if name in SUBMODULES:
        return importlib.import_module(f"gdcourse.{name}")
    raise AttributeError(f"module 'gdcourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *SUBMODULES])
