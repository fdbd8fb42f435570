"""Adamax: Adam with the infinity norm in place of the RMS."""

from __future__ import annotations

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_betas, check_number

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (``torch.optim.Adamax``'s convention).

    $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad u_t = \max(\beta_2\, u_{t-1},\ |g_t| + \epsilon)$$
    $$\theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}$$

    $u_t$ is an exponentially weighted infinity norm; it needs no bias correction.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ):
        super().__init__(params, lr, weight_decay, maximize)
        self.betas = check_betas(betas)
        self.eps = check_number("eps", eps)
        self.m = self.zeros()
        self.u = self.zeros()

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        beta1, beta2 = self.betas
        m, u = self.m[i], self.u[i]
        m *= beta1
        m += (1 - beta1) * grad  # m = beta1 * m + (1 - beta1) * g
        u *= beta2
        np.maximum(u, np.abs(grad) + self.eps, out=u)  # u = max(beta2 * u, |g| + eps)
        theta -= self.lr / (1 - beta1**self.t) * m / u
