"""Adadelta: RMSprop whose step size is itself a running RMS of past steps."""

from __future__ import annotations

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_number

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (``torch.optim.Adadelta``'s convention, with a learning rate that defaults to 1).

    $$v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2, \qquad
      \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t$$
    $$u_t = \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2, \qquad \theta \leftarrow \theta - \eta\, \Delta_t$$

    The ratio of two RMS values has the units of $\theta$, so no learning rate is needed
    in Zeiler's paper ($\eta = 1$). The first steps are tiny, about $\sqrt{\epsilon}$.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ):
        super().__init__(params, lr, weight_decay, maximize)
        self.rho = check_number("rho", rho, high=1.0)
        self.eps = check_number("eps", eps)
        self.v = self.zeros()  # running average of g^2
        self.u = self.zeros()  # running average of delta^2

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        rho, v, u = self.rho, self.v[i], self.u[i]
        v *= rho
        v += (1 - rho) * grad * grad  # v = rho * v + (1 - rho) * g^2
        delta = np.sqrt((u + self.eps) / (v + self.eps)) * grad  # the ratio of the two RMS values, times g
        u *= rho
        u += (1 - rho) * delta * delta  # u = rho * u + (1 - rho) * delta^2
        theta -= self.lr * delta
