"""RMSprop: divide the step by a running root-mean-square of the gradients."""

from __future__ import annotations

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_number

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (``torch.optim.RMSprop``'s convention: ``alpha=0.99``, ``eps`` outside the root).

    $$v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2, \qquad
      \theta \leftarrow \theta - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}$$

    ``centered=True`` also averages the gradient, $\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t$,
    and divides by $\sqrt{v_t - \bar g_t^2} + \epsilon$ (an estimate of the standard deviation).
    With ``momentum`` $\beta > 0$ the scaled gradient goes through a buffer:
    $b_t = \beta b_{t-1} + g_t / (\cdot)$, $\theta \leftarrow \theta - \eta\, b_t$.
    Hinton's lecture, where RMSprop was introduced, used $\alpha = 0.9$.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, lr, weight_decay, maximize)
        self.alpha = check_number("alpha", alpha, high=1.0)
        self.eps = check_number("eps", eps)
        self.momentum = check_number("momentum", momentum)
        self.centered = bool(centered)
        self.v = self.zeros()
        self.g_avg = self.zeros() if self.centered else []
        self.momentum_buffer = self.zeros()

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        alpha, v = self.alpha, self.v[i]
        v *= alpha
        v += (1 - alpha) * grad * grad  # v = alpha * v + (1 - alpha) * g^2
        if self.centered:
            g_avg = self.g_avg[i]
            g_avg += (1 - alpha) * (grad - g_avg)  # g_avg = alpha * g_avg + (1 - alpha) * g
            # v - g_avg^2 >= 0 in exact arithmetic; rounding can dip below 0 (torch then gives NaN)
            rms = np.sqrt(np.maximum(v - g_avg * g_avg, 0)) + self.eps
        else:
            rms = np.sqrt(v) + self.eps
        if self.momentum > 0:
            b = self.momentum_buffer[i]
            b *= self.momentum
            b += grad / rms  # b = momentum * b + g / rms
            theta -= self.lr * b
        else:
            theta -= self.lr * grad / rms
