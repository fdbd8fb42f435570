"""Training loops that return data: ``minimize`` walks a function, ``fit`` trains a model.

Both return a record (``Trajectory``, ``History``) to plot later; nothing is drawn during training.
Both check their input once, before anything changes, and stop safely when a run diverges (NaN
or infinity): the record keeps every step up to that point, the parameters and the optimizer's
state go back (``minimize``: to the last finite point; ``fit``: to where the diverging epoch
started, the record's last entry), and a ``DivergenceWarning`` says where and what to try
(``on_divergence='raise'`` raises ``DivergenceError`` instead).
"""

from __future__ import annotations

import inspect
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdcourse.errors import DivergenceError, DivergenceWarning
from gdcourse.functions import Quadratic
from gdcourse.models import Evaluation
from gdcourse.optim import SGD, Optimizer
from gdcourse.optim.lr_scheduler import LRScheduler
from gdcourse.validation import check_array, check_choice, check_count, check_X_y

# DivergenceWarning and DivergenceError live in gdcourse.errors; train passes them on, as its runs raise them.
__all__ = ["DivergenceError", "DivergenceWarning", "History", "Trajectory", "fit", "minimize", "stability_hint"]


@dataclass
class Trajectory:
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
            f"Trajectory({len(self) - 1} steps of {type(self.optimizer).__name__}: "
            f"x = {np.array2string(self.x, precision=6)}, f(x) = {self.values[-1]:.6g}{status})"
        )


def minimize(
    function: Callable[[np.ndarray], Any],
    x0: Any,
    optimizer: Callable[..., Optimizer],
    num_steps: int,
    grad: Callable[[np.ndarray], Any] | None = None,
    on_divergence: str = "warn",
    **hyperparameters: Any,
) -> Trajectory:
    """Run ``num_steps`` steps of ``optimizer`` on ``function`` from ``x0`` and return the ``Trajectory``.

    ``optimizer`` is an optimizer class (or any function that builds one from a parameter
    list); the keyword arguments go to it: ``minimize(f, (2, 2), SGD, 100, lr=0.1)``.
    ``function`` needs a ``.grad`` method (every ``gdcourse.functions`` object has one) or pass
    ``grad=`` explicitly. ``x0`` is copied, never changed.
    """
    if isinstance(optimizer, Optimizer):
        raise TypeError(_class_expected(optimizer, num_steps))
    if not callable(optimizer):
        raise TypeError(f"optimizer must be an optimizer class such as SGD or Adam, got {optimizer!r}.")
    grad = grad or getattr(function, "grad", None)
    if grad is None:
        raise TypeError("minimize needs the gradient: pass a gdcourse.functions object or grad=your_gradient.")
    num_steps = check_count("num_steps", num_steps, low=0)
    on_divergence = check_choice("on_divergence", on_divergence, ["warn", "raise"])
    x = check_array("x0", x0, ndim=(0, 1)).reshape(-1).copy()
    opt = optimizer([x], **hyperparameters)

    value, g = float(function(x)), np.asarray(grad(x), dtype=float)
    points, values, grad_norms = [x.copy()], [value], [np.linalg.norm(g)]
    for k in range(1, num_steps + 1):
        state = opt.state_dict()  # to step back to if this step overflows
        with np.errstate(over="ignore", invalid="ignore"):
            opt.step([g])
            value, g = float(function(x)), np.asarray(grad(x), dtype=float)
            grad_norm = np.linalg.norm(g)
        if not (np.isfinite(value) and np.isfinite(grad_norm) and np.isfinite(x).all()):
            overflowed = _what_overflowed(x, value, float(grad_norm))  # before x goes back
            x[:] = points[-1]  # back to the last finite point, and the optimizer to its state there
            opt.load_state_dict(state)
            trajectory = Trajectory(np.array(points), np.array(values), np.array(grad_norms), opt, diverged_at=k)
            _report_divergence(
                f"{type(opt).__name__} diverged at step {k}: {overflowed}; "
                f"the path stops at step {k - 1}. Try a smaller learning rate (lr = {opt.lr:g} now)."
                f"{stability_hint(function, opt)}",
                trajectory,
                on_divergence,
            )
            return trajectory
        points.append(x.copy())
        values.append(value)
        grad_norms.append(grad_norm)
    return Trajectory(np.array(points), np.array(values), np.array(grad_norms), opt)


def _what_overflowed(x: np.ndarray, value: float, grad_norm: float) -> str:
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


def _class_expected(opt: Optimizer, num_steps: Any) -> str:
    """The error for ``minimize(f, x0, SGD([x], lr=0.1), 100)``, with the call that works."""
    name = type(opt).__name__
    defaults = {k: p.default for k, p in inspect.signature(type(opt)).parameters.items()}
    changed = "".join(f", {k}={v!r}" for k, v in opt.hyperparameters().items() if v != defaults[k])
    return (
        f"minimize takes the optimizer's class and builds the optimizer itself, on its own copy of x0: "
        f"write minimize(f, x0, {name}, {num_steps!r}{changed}), not an optimizer object {name}(...). "
        f"(fit is the one that takes an optimizer object, built on model.params.)"
    )


def stability_hint(function: Any, opt: Optimizer) -> str:
    """For GD or heavy ball (``SGD``) on a quadratic, the largest stable learning rate; else nothing.

    On a quadratic of largest curvature L, gradient descent is stable for lr < 2/L, heavy ball with
    momentum beta for lr < (2 + 2 beta)/L. Nesterov, dampening, weight decay and ``maximize``
    change the bound, so then nothing is said.
    """
    if not (isinstance(opt, SGD) and isinstance(function, Quadratic)):
        return ""
    if opt.nesterov or opt.dampening or opt.weight_decay or opt.maximize:
        return ""
    bound = (2 + 2 * opt.momentum) / function.L
    name = "GD" if opt.momentum == 0 else f"heavy ball with momentum {opt.momentum:g}"
    return f" On this quadratic, {name} is stable only for lr < {bound:.4g}."


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch (entry 0: before training).

    ``train_loss`` is the loss on the whole training set at the end of each epoch;
    ``batch_loss`` the loss of every mini-batch as it was used (the noisy curve);
    ``grad_evals`` counts per-sample gradient evaluations so far; ``wall_time`` the seconds
    spent in training steps so far (evaluation not included); ``lr`` the rate used in each epoch.
    ``diverged_at`` is ``(epoch, step)`` if training stopped because it diverged.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    grad_evals: list[int] = field(default_factory=list)
    wall_time: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)
    diverged_at: tuple[int, int] | None = None

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
        if self.diverged_at is not None:
            parts.append(f"diverged at epoch {self.diverged_at[0]}, step {self.diverged_at[1]}")
        return ", ".join(parts) + ")"


def fit(
    model: Any,
    optimizer: Optimizer,
    X: Any,
    y: Any,
    batch_size: int,
    num_epochs: int,
    X_val: Any = None,
    y_val: Any = None,
    seed: int = 0,
    scheduler: LRScheduler | None = None,
    on_divergence: str = "warn",
    progress: bool | str = "auto",
) -> History:
    """Train ``model`` with ``optimizer`` on (X, y) and return the ``History``.

    Full-batch GD, single-sample SGD and mini-batch SGD are one loop: each epoch shuffles
    the samples (seeded by ``seed``) and visits every one of them once, in batches of
    ``batch_size`` (the last batch may be smaller). ``batch_size = len(X)`` is full-batch GD
    and uses the samples in order. ``scheduler.step()``, if given, runs after every epoch.
    ``progress='auto'`` shows a bar in Jupyter when the run looks longer than two seconds.
    If an epoch diverges, the model and the optimizer go back to where that epoch started.
    """
    # 1) check everything once; the loop below trusts it
    X, y = _check_data(model, X, y)
    n = len(X)
    batch_size = check_count("batch_size", batch_size, high=n, hint=f"1 is SGD, {n} (all samples) full-batch GD.")
    num_epochs = check_count("num_epochs", num_epochs, low=0)
    on_divergence = check_choice("on_divergence", on_divergence, ["warn", "raise"])
    if (X_val is None) != (y_val is None):
        raise ValueError("Pass both X_val and y_val, or neither.")
    if X_val is not None:
        X_val, y_val = _check_data(model, X_val, y_val)
    if not all(any(p is q for q in optimizer.params) for p in model.params):
        raise ValueError("The optimizer does not hold this model's parameters: build it with SGD(model.params, ...).")
    loss_and_grads, evaluate = _unchecked(model.loss_and_grads), _evaluator(model)

    # 2) train, recording every epoch; an epoch that diverges is undone
    from gdcourse.widgets import ProgressBar  # ipywidgets only when training starts

    rng = np.random.default_rng(seed)
    history, bar, evals, seconds = History(), ProgressBar(num_epochs, progress), 0, 0.0
    _record(history, model, evaluate(X, y), evaluate, X_val, y_val, epoch=0, evals=0, seconds=0.0, lr=optimizer.lr)
    for epoch in range(1, num_epochs + 1):
        saved = [p.copy() for p in model.params], optimizer.state_dict()  # where this epoch starts
        lr = optimizer.lr
        order = rng.permutation(n) if batch_size < n else np.arange(n)
        start_time = time.perf_counter()
        diverged_at = None
        for step, start in enumerate(range(0, n, batch_size), start=1):
            batch = order[start : start + batch_size]
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = loss_and_grads(X[batch], y[batch])
            if not (np.isfinite(loss) and _all_finite(grads)):
                diverged_at = (epoch, step)
                break
            optimizer.step(grads)
            history.batch_loss.append(loss)
            evals += len(batch)
        seconds += time.perf_counter() - start_time
        if diverged_at is None:
            with np.errstate(over="ignore", invalid="ignore"):
                train = evaluate(X, y)
            if not (np.isfinite(train.loss) and _all_finite(model.params)):  # the epoch's last step overflowed
                diverged_at = (epoch, -(-n // batch_size))
        if diverged_at is not None:  # undo the epoch, say so, stop
            for p, before in zip(model.params, saved[0], strict=True):
                np.copyto(p, before)
            optimizer.load_state_dict(saved[1])
            history.diverged_at = diverged_at
            bar.close(failed=True)
            _report_divergence(
                f"Training diverged in epoch {epoch}, step {diverged_at[1]}: the loss or the parameters became "
                f"infinite or NaN. The model and the optimizer are back where epoch {epoch} started, where the "
                f"history stops. Try a smaller learning rate (lr = {optimizer.lr:g} now) or standardise the features.",
                history,
                on_divergence,
            )
            return history
        _record(history, model, train, evaluate, X_val, y_val, epoch=epoch, evals=evals, seconds=seconds, lr=lr)
        if scheduler is not None:
            scheduler.step()
        bar.update(epoch, seconds, history.train_loss[-1])
    bar.close()
    return history


def _check_data(model: Any, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) checked once, in the form the model computes with (``check_batch`` of gdcourse's models)."""
    if hasattr(model, "check_batch"):
        return model.check_batch(X, y)
    return check_X_y(X, y, model.n_features)


def _unchecked(method: Any) -> Callable:
    """A model method without its input checks (``@checks_data``), for data checked already."""
    core = getattr(method, "__wrapped__", None)
    return method if core is None else core.__get__(method.__self__)


def _evaluator(model: Any) -> Callable[[np.ndarray, np.ndarray], Evaluation]:
    """(loss, accuracy or None) on (X, y), for the record. Every ``gdcourse.models`` model computes
    both from one forward pass (``model.evaluate``); any other model is evaluated with its
    ``loss_and_grads`` (the gradients go unused) and, for a classifier, its ``accuracy``."""
    if hasattr(model, "evaluate"):
        return _unchecked(model.evaluate)

    def evaluate(X: np.ndarray, y: np.ndarray) -> Evaluation:
        return Evaluation(model.loss_and_grads(X, y)[0], model.accuracy(X, y) if model.is_classifier else None)

    return evaluate


def _record(
    history: History,
    model: Any,
    train: Evaluation,
    evaluate: Callable[[np.ndarray, np.ndarray], Evaluation],
    X_val: np.ndarray | None,
    y_val: np.ndarray | None,
    *,
    epoch: int,
    evals: int,
    seconds: float,
    lr: float,
) -> None:
    """Append one epoch's measurements to ``history``: ``train`` on the training set, the rest measured here."""
    history.epoch.append(epoch)
    history.train_loss.append(train.loss)
    history.grad_evals.append(evals)
    history.wall_time.append(seconds)
    history.lr.append(lr)
    if train.accuracy is not None:
        history.train_acc.append(train.accuracy)
    if X_val is not None and y_val is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            val = evaluate(X_val, y_val)
        history.val_loss.append(val.loss)
        if val.accuracy is not None:
            history.val_acc.append(val.accuracy)


def _all_finite(arrays: Sequence[np.ndarray]) -> bool:
    """True if every array holds only finite numbers."""
    return all(np.isfinite(a).all() for a in arrays)


def _report_divergence(message: str, record: Any, on_divergence: str) -> None:
    """Warn (default) or raise, as the caller asked."""
    if on_divergence == "raise":
        raise DivergenceError(message, record)
    warnings.warn(message, DivergenceWarning, stacklevel=3)
