"""NAdam: Adam with Nesterov momentum (Dozat, 2016)."""

from __future__ import annotations

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_betas, check_number

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (``torch.optim.NAdam``'s convention, with its momentum schedule).

    The momentum coefficient warms up: $\beta_{1,t} = \beta_1\,(1 - \tfrac12\, 0.96^{t\psi})$
    ($\psi$ = ``momentum_decay``), and $\Pi_t = \prod_{i \le t} \beta_{1,i}$. With $m_t, v_t$ as in Adam:

    $$\theta \leftarrow \theta - \eta\,\frac{1-\beta_{1,t}}{1-\Pi_t}\,\frac{g_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}
      - \eta\,\frac{\beta_{1,t+1}}{1-\Pi_t\,\beta_{1,t+1}}\,\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}$$

    The second term uses next step's momentum: the Nesterov "look ahead".
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, lr, weight_decay, maximize)
        self.betas = check_betas(betas)
        self.eps = check_number("eps", eps)
        self.momentum_decay = check_number("momentum_decay", momentum_decay)
        self.decoupled_weight_decay = bool(decoupled_weight_decay)
        self.m = self.zeros()
        self.v = self.zeros()
        self.beta1_product = [1.0] * len(self.params)  # Pi_t, one per parameter

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        beta1, beta2 = self.betas
        t, psi = self.t, self.momentum_decay
        beta1_t = beta1 * (1 - 0.5 * 0.96 ** (t * psi))  # this step's momentum coefficient
        beta1_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))  # the next step's: the look-ahead
        self.beta1_product[i] *= beta1_t
        Pi = self.beta1_product[i]
        m, v = self.m[i], self.v[i]
        m *= beta1
        m += (1 - beta1) * grad  # m = beta1 * m + (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * grad * grad  # v = beta2 * v + (1 - beta2) * g^2
        denom = np.sqrt(v / (1 - beta2**t)) + self.eps
        theta -= self.lr * (1 - beta1_t) / (1 - Pi) * grad / denom
        theta -= self.lr * beta1_next / (1 - Pi * beta1_next) * m / denom
