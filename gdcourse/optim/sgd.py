"""Stochastic gradient descent, with heavy-ball or Nesterov momentum."""

from __future__ import annotations

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_number

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Gradient descent, optionally with momentum (``torch.optim.SGD``'s convention).

    Without momentum: $\theta \leftarrow \theta - \eta\, g$.

    With momentum $\beta$ (``momentum``) the buffer $b$ averages past gradients:

    $$b_1 = g_1, \qquad b_t = \beta\, b_{t-1} + (1 - \tau)\, g_t \quad (\tau = \text{dampening})$$
    $$\theta \leftarrow \theta - \eta\, b_t \quad\text{or, with Nesterov,}\quad
      \theta \leftarrow \theta - \eta\,(g_t + \beta\, b_t).$$

    Many texts write momentum as $v \leftarrow \beta v - \eta g,\ \theta \leftarrow \theta + v$.
    That is the same path while $\eta$ is constant; the form here keeps $\eta$ outside the
    buffer, so a learning-rate schedule changes the step at once.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, lr, weight_decay, maximize)
        self.momentum = check_number("momentum", momentum, hint="Typical values: 0.9 or 0.99.")
        self.dampening = check_number("dampening", dampening, high=1.0)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "Nesterov momentum requires momentum > 0 and dampening = 0; "
                f"got momentum={momentum}, dampening={dampening}."
            )
        self.momentum_buffer: list[np.ndarray | None] = [None] * len(self.params)

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        if self.momentum != 0:
            b = self.momentum_buffer[i]
            if b is None:  # first step: b_1 = g_1 (np.copy: an array even if grad is a 0-d scalar)
                b = self.momentum_buffer[i] = np.copy(grad)
            else:  # b = momentum * b + (1 - dampening) * g
                b *= self.momentum
                b += (1 - self.dampening) * grad
            grad = grad + self.momentum * b if self.nesterov else b
        theta -= self.lr * grad
