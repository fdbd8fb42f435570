"""Adagrad: a per-coordinate step that shrinks with the sum of squared gradients."""

from __future__ import annotations

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_number

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (``torch.optim.Adagrad``'s convention: ``eps`` outside the square root).

    $$s_t = s_{t-1} + g_t^2, \qquad
      \theta \leftarrow \theta - \frac{\eta_t}{\sqrt{s_t} + \epsilon}\, g_t, \qquad
      \eta_t = \frac{\eta}{1 + (t-1)\,\text{lr\_decay}}$$

    $s_0$ is ``initial_accumulator_value``. Because $s_t$ only grows, the step only shrinks:
    good for sparse features, too cautious for long non-convex runs.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        maximize: bool = False,
    ):
        super().__init__(params, lr, weight_decay, maximize)
        self.lr_decay = check_number("lr_decay", lr_decay)
        self.initial_accumulator_value = check_number("initial_accumulator_value", initial_accumulator_value)
        self.eps = check_number("eps", eps)
        self.sum = [np.full_like(p, self.initial_accumulator_value) for p in self.params]

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        s = self.sum[i]
        lr_t = self.lr / (1 + (self.t - 1) * self.lr_decay)
        s += grad * grad  # s = s + g^2
        theta -= lr_t * grad / (np.sqrt(s) + self.eps)
