"""The base class every optimizer shares.

An optimizer holds a list of NumPy arrays (``params``) and updates them *in place*;
``step(grads)`` applies one update. Subclasses write only ``update``, the rule for
one parameter, so each update rule can be read line by line beside its equation.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from gdcourse.validation import check_grads, check_number, check_params

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: parameters, hyperparameters as plain attributes, a step counter.

    The conventions follow ``torch.optim`` (single-tensor path):

    1. ``t`` counts steps and is incremented *before* the update (first step: ``t = 1``).
    2. ``maximize`` negates the gradient first.
    3. ``weight_decay`` then adds ``weight_decay * theta`` to the gradient (L2 penalty), or,
       for optimizers with ``decoupled_weight_decay`` (AdamW), shrinks the parameter
       ``theta <- theta * (1 - lr * weight_decay)`` before the update.
    """

    decoupled_weight_decay = False
    initial_lr: float  # set by the first learning-rate scheduler built on this optimizer

    def __init__(self, params: list[np.ndarray], lr: float, weight_decay: float, maximize: bool):
        self.params = check_params(params)
        self.lr = check_number("learning rate (lr)", lr, hint="Try a small positive value such as 0.01.")
        self.weight_decay = check_number("weight_decay", weight_decay)
        self.maximize = bool(maximize)
        self.t = 0

    def zeros(self) -> list[np.ndarray]:
        """One zero array per parameter: the usual initial state (moments, accumulators)."""
        return [np.zeros_like(p) for p in self.params]

    def step(self, grads: list[np.ndarray]) -> None:
        """Apply one update to every parameter, in place. ``grads`` lines up with ``params``."""
        grads = check_grads(grads, self.params)
        self.t += 1
        for i, (theta, grad) in enumerate(zip(self.params, grads, strict=True)):
            if self.maximize:
                grad = -grad
            if self.weight_decay != 0:
                if self.decoupled_weight_decay:
                    theta *= 1 - self.lr * self.weight_decay
                else:
                    grad = grad + self.weight_decay * theta
            self.update(i, theta, grad)

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        """Update parameter ``i`` (the array ``theta``) in place. Subclasses implement this."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """A copy of everything the optimizer holds but the parameters: hyperparameters, the step
        counter ``t`` and the running averages. ``load_state_dict`` puts it back."""
        return {name: _copy(value) for name, value in vars(self).items() if name != "params"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Return to a ``state_dict()`` taken earlier (``fit`` and ``minimize`` do this when a run diverges)."""
        vars(self).update({name: _copy(value) for name, value in state.items()})

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor's arguments (except ``params``) with their current values."""
        names = list(inspect.signature(type(self).__init__).parameters)[2:]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        shapes = ", ".join(str(p.shape) for p in self.params)
        return f"{type(self).__name__}({args}) on params of shapes [{shapes}], t={self.t}"


def _copy(value: Any) -> Any:
    """A copy of an optimizer attribute: arrays and lists (of arrays) copied; numbers, tuples and None shared."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
