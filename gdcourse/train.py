"""Training loops that return data: ``minimize`` walks a function, ``fit`` trains a model.

Both return a record (``Path``, ``History``) to plot later; nothing is drawn during training.
Both stop safely when a run diverges (NaN or infinity): the record keeps every step up to
that point, the parameters keep their last finite values, and a ``DivergenceWarning`` says
at which step and what to try (``on_divergence='raise'`` raises ``DivergenceError`` instead).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_array, check_choice, check_number, check_X_y


class DivergenceWarning(UserWarning):
    """A run produced NaN or infinity and was stopped; the record holds the steps before."""


class DivergenceError(FloatingPointError):
    """Raised instead of the warning with ``on_divergence='raise'``; ``.record`` holds the run so far."""

    def __init__(self, message: str, record: Any):
        super().__init__(message)
        self.record = record


def report_divergence(message: str, record: Any, on_divergence: str) -> None:
    """Warn (default) or raise, as the caller asked."""
    if on_divergence == "raise":
        raise DivergenceError(message, record)
    warnings.warn(message, DivergenceWarning, stacklevel=3)


def all_finite(arrays) -> bool:
    """True if every array holds only finite numbers."""
    return all(np.isfinite(a).all() for a in arrays)


@dataclass
class Path:
    """The points an optimizer visited on a function.

    ``points`` has shape (k + 1, dim): the start and the point after each of the k steps;
    ``values`` and ``grad_norms`` are f and |grad f| at those points.
    """

    points: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    optimizer: Optimizer
    diverged_at: int | None = None

    @property
    def diverged(self) -> bool:
        """True if the run was stopped because it produced NaN or infinity."""
        return self.diverged_at is not None

    @property
    def x(self) -> np.ndarray:
        """The last point."""
        return self.points[-1]

    def __len__(self) -> int:
        return len(self.points)

    def __repr__(self) -> str:
        status = f", diverged at step {self.diverged_at}" if self.diverged else ""
        return (
            f"Path({len(self) - 1} steps of {type(self.optimizer).__name__}: "
            f"x = {np.array2string(self.x, precision=6)}, f(x) = {self.values[-1]:.6g}{status})"
        )


def minimize(
    function: Callable,
    x0,
    optimizer: Callable[..., Optimizer],
    num_steps: int,
    grad: Callable | None = None,
    on_divergence: str = "warn",
    **hyperparameters,
) -> Path:
    """Run ``num_steps`` steps of ``optimizer`` on ``function`` from ``x0`` and return the ``Path``.

    ``optimizer`` is an optimizer class (or any function that builds one from a parameter
    list); the keyword arguments go to it: ``minimize(f, (2, 2), SGD, 100, lr=0.1)``.
    ``function`` needs a ``.grad`` method (every ``gdcourse.functions`` object has one) or pass
    ``grad=`` explicitly. ``x0`` is copied, never changed.
    """
    grad = grad or getattr(function, "grad", None)
    if grad is None:
        raise TypeError("minimize needs the gradient: pass a gdcourse.functions object or grad=your_gradient.")
    num_steps = int(check_number("num_steps", num_steps))
    on_divergence = check_choice("on_divergence", on_divergence, ["warn", "raise"])
    x = check_array("x0", x0, ndim=(0, 1)).reshape(-1).copy()
    opt = optimizer([x], **hyperparameters)
    value, g = float(function(x)), np.asarray(grad(x), dtype=float)
    points, values, grad_norms = [x.copy()], [value], [np.linalg.norm(g)]
    for k in range(1, num_steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            opt.step([g])
            value, g = float(function(x)), np.asarray(grad(x), dtype=float)
            grad_norm = np.linalg.norm(g)
        if not (np.isfinite(value) and np.isfinite(grad_norm) and all_finite([x])):
            overflowed = what_overflowed(x, value, grad_norm)  # before x goes back
            x[:] = points[-1]  # back to the last finite point
            path = Path(np.array(points), np.array(values), np.array(grad_norms), opt, diverged_at=k)
            limit = stability_hint(function, opt)
            report_divergence(
                f"{type(opt).__name__} diverged at step {k}: {overflowed}; "
                f"the path stops at step {k - 1}. Try a smaller learning rate (lr = {opt.lr:g} now).{limit}",
                path,
                on_divergence,
            )
            return path
        points.append(x.copy())
        values.append(value)
        grad_norms.append(grad_norm)
    return Path(np.array(points), np.array(values), np.array(grad_norms), opt)


def what_overflowed(x: np.ndarray, value: float, grad_norm: float) -> str:
    """Say which of x, f(x) and |grad f(x)| became infinite or NaN at a diverging step, and which did not.

    The gradient's norm can overflow while the gradient, f and x are still finite (its square is
    summed), so the message names what actually happened rather than guessing.
    """
    quantities = {
        f"f(x){f' = {value:.3g}' if np.isfinite(value) else ''}": bool(np.isfinite(value)),
        "x": bool(np.isfinite(x).all()),
        "the gradient's norm |grad f(x)|": bool(np.isfinite(grad_norm)),
    }
    bad = [name for name, finite in quantities.items() if not finite]
    good = [name for name, finite in quantities.items() if finite]
    still = f" ({' and '.join(good)} still finite)" if good else ""
    return ", ".join(bad[:-1]) + (" and " if len(bad) > 1 else "") + bad[-1] + " became infinite or NaN" + still


def stability_hint(function, opt: Optimizer) -> str:
    """For (heavy-ball) GD on a quadratic, the largest stable learning rate; else nothing."""
    momentum = getattr(opt, "momentum", None)
    if not hasattr(function, "L") or type(opt).__name__ != "SGD" or opt.nesterov:
        return ""
    bound = (2 + 2 * momentum) / function.L  # GD: 2/L; heavy ball with momentum beta: (2 + 2 beta)/L
    name = "GD" if momentum == 0 else f"heavy ball with momentum {momentum:g}"
    return f" On this quadratic, {name} is stable only for lr < {bound:.4g}."


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch (entry 0: before training).

    ``train_loss`` is the loss on the whole training set at the end of each epoch;
    ``batch_loss`` the loss of every mini-batch as it was used (the noisy curve);
    ``grad_evals`` counts per-sample gradient evaluations so far; ``wall_time`` the seconds
    spent in training steps so far (evaluation not included); ``lr`` the rate used in each epoch.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    grad_evals: list = field(default_factory=list)
    wall_time: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    diverged_at: tuple | None = None

    @property
    def diverged(self) -> bool:
        """True if training stopped because the loss or the parameters became NaN or infinite."""
        return self.diverged_at is not None

    def __repr__(self) -> str:
        parts = [f"History({self.epoch[-1]} epochs", f"train loss {self.train_loss[-1]:.4g}"]
        if self.val_loss:
            parts.append(f"val loss {self.val_loss[-1]:.4g}")
        if self.train_acc:
            parts.append(f"train acc {self.train_acc[-1]:.3f}")
        if self.val_acc:
            parts.append(f"val acc {self.val_acc[-1]:.3f}")
        if self.diverged:
            parts.append(f"diverged at epoch {self.diverged_at[0]}, step {self.diverged_at[1]}")
        return ", ".join(parts) + ")"


def fit(
    model,
    optimizer: Optimizer,
    X,
    y,
    batch_size: int,
    num_epochs: int,
    X_val=None,
    y_val=None,
    seed: int = 0,
    scheduler=None,
    on_divergence: str = "warn",
    progress: bool | str = "auto",
) -> History:
    """Train ``model`` with ``optimizer`` on (X, y) and return the ``History``.

    Full-batch GD, single-sample SGD and mini-batch SGD are one loop: each epoch shuffles
    the samples (seeded by ``seed``) and visits every one of them once, in batches of
    ``batch_size`` (the last batch may be smaller). ``batch_size = len(X)`` is full-batch GD
    and uses the samples in order. ``scheduler.step()``, if given, runs after every epoch.
    ``progress='auto'`` shows a bar in Jupyter when the run looks longer than two seconds.
    """
    X, y = check_X_y(X, y, model.n_features)
    n = len(X)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
        raise ValueError(
            f"Invalid batch_size: {batch_size!r}. It must be an integer from 1 (SGD) to {n} "
            f"(the number of samples: full-batch GD)."
        )
    num_epochs = int(check_number("num_epochs", num_epochs))
    on_divergence = check_choice("on_divergence", on_divergence, ["warn", "raise"])
    if (X_val is None) != (y_val is None):
        raise ValueError("Pass both X_val and y_val, or neither.")
    if X_val is not None:
        X_val, y_val = check_X_y(X_val, y_val, model.n_features)
    if not all(any(p is q for q in optimizer.params) for p in model.params):
        raise ValueError("The optimizer does not hold this model's parameters: build it with SGD(model.params, ...).")

    rng = np.random.default_rng(seed)
    history = History()
    snapshot = [p.copy() for p in model.params]
    bar = ProgressBar(num_epochs, progress)
    evals, seconds = 0, 0.0
    record(history, model, evaluate(model, X, y), X_val, y_val, 0, evals, seconds, optimizer.lr)
    for epoch in range(1, num_epochs + 1):
        lr = optimizer.lr
        order = rng.permutation(n) if batch_size < n else np.arange(n)
        start_time = time.perf_counter()
        for step, start in enumerate(range(0, n, batch_size), start=1):
            batch = order[start : start + batch_size]
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = model.loss_and_grads(X[batch], y[batch])
            if not (np.isfinite(loss) and all_finite(grads)):
                restore(model.params, snapshot)
                history.diverged_at = (epoch, step)
                break
            for saved, p in zip(snapshot, model.params):
                np.copyto(saved, p)
            optimizer.step(grads)
            history.batch_loss.append(loss)
            evals += len(batch)
        seconds += time.perf_counter() - start_time
        if not history.diverged:
            with np.errstate(over="ignore", invalid="ignore"):
                train = evaluate(model, X, y)  # (loss, accuracy) on the whole training set
            if not (all_finite(model.params) and np.isfinite(train[0])):  # the last step overflowed
                restore(model.params, snapshot)
                history.diverged_at = (epoch, step)
        if history.diverged:
            bar.close(failed=True)
            report_divergence(
                f"Training diverged in epoch {epoch}, step {step}: the loss or the parameters became "
                f"infinite or NaN. The parameters are back at their last finite values and the history "
                f"stops there. Try a smaller learning rate (lr = {optimizer.lr:g} now) or standardise the features.",
                history,
                on_divergence,
            )
            return history
        with np.errstate(over="ignore", invalid="ignore"):
            record(history, model, train, X_val, y_val, epoch, evals, seconds, lr)
        if scheduler is not None:
            scheduler.step()
        bar.update(epoch, seconds, history)
    bar.close()
    return history


def evaluate(model, X, y) -> tuple[float, float | None]:
    """(loss, accuracy or None) on (X, y) for the record. Every ``gdcourse.models`` model computes
    both from one forward pass (``model.evaluate``); any other model is evaluated with its
    ``loss_and_grads`` (the gradients go unused) and, for a classifier, its ``accuracy``."""
    if hasattr(model, "evaluate"):
        return model.evaluate(X, y)
    return model.loss_and_grads(X, y)[0], model.accuracy(X, y) if model.is_classifier else None


def restore(params: list[np.ndarray], snapshot: list[np.ndarray]) -> None:
    """Copy the saved values back into the parameters, in place."""
    for p, saved in zip(params, snapshot):
        np.copyto(p, saved)


def record(history: History, model, train, X_val, y_val, epoch, evals, seconds, lr) -> None:
    """Append one epoch's measurements to ``history``; ``train`` is (loss, accuracy) on the training set."""
    history.epoch.append(epoch)
    history.train_loss.append(train[0])
    history.grad_evals.append(evals)
    history.wall_time.append(seconds)
    history.lr.append(lr)
    if model.is_classifier:
        history.train_acc.append(train[1])
    if X_val is not None:
        val_loss, val_acc = evaluate(model, X_val, y_val)
        history.val_loss.append(val_loss)
        if model.is_classifier:
            history.val_acc.append(val_acc)


class ProgressBar:
    """A progress bar for long runs in Jupyter; silent elsewhere and for short runs.

    It is displayed without a text form, so saved notebooks and nbval see no difference
    between a run that showed it and one that did not.
    """

    def __init__(self, total: int, mode: bool | str):
        self.total, self.mode, self.widget = total, mode, None

    def update(self, epoch: int, seconds: float, history: History) -> None:
        if self.widget is None and not self.should_show(epoch, seconds):
            return
        if self.widget is None:
            self.show()
        self.widget.children[0].value = epoch
        self.widget.children[1].value = f"epoch {epoch}/{self.total}, train loss {history.train_loss[-1]:.4g}"

    def should_show(self, epoch: int, seconds: float) -> bool:
        if self.mode is False or not in_notebook():
            return False
        return self.mode is True or seconds / epoch * self.total > 2.0

    def show(self) -> None:
        import ipywidgets
        from IPython.display import display

        self.widget = ipywidgets.HBox([ipywidgets.IntProgress(min=0, max=self.total), ipywidgets.Label()])
        bundle = {
            "application/vnd.jupyter.widget-view+json": {
                "model_id": self.widget.model_id,
                "version_major": 2,
                "version_minor": 0,
            }
        }
        display(bundle, raw=True)

    def close(self, failed: bool = False) -> None:
        if self.widget is not None:
            self.widget.children[0].bar_style = "danger" if failed else "success"


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where widgets can be shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
