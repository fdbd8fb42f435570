"""Adam and AdamW: momentum plus a per-coordinate RMS scaling, with bias correction."""

from __future__ import annotations

import numpy as np

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_betas, check_number

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (``torch.optim.Adam``'s convention).

    $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2$$
    $$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
      \theta \leftarrow \theta - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}$$

    The bias corrections undo the zero start of $m$ and $v$. ``update`` applies them as torch
    does, inside the step size and the denominator, which needs fewer temporary arrays than
    building $\hat m_t$ and $\hat v_t$. ``amsgrad=True`` uses the running maximum of $v_t$ in
    place of $v_t$, so the per-coordinate step never grows. ``weight_decay`` here is an L2
    penalty added to the gradient; see ``AdamW``.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, lr, weight_decay, maximize)
        self.betas = check_betas(betas)
        self.eps = check_number("eps", eps)
        self.amsgrad = bool(amsgrad)
        self.m = self.zeros()
        self.v = self.zeros()
        self.v_max = self.zeros() if self.amsgrad else []

    def update(self, i: int, theta: np.ndarray, grad: np.ndarray) -> None:
        beta1, beta2 = self.betas
        m, v = self.m[i], self.v[i]
        m *= beta1
        m += (1 - beta1) * grad  # m = beta1 * m + (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * grad * grad  # v = beta2 * v + (1 - beta2) * g^2
        if self.amsgrad:
            v = np.maximum(self.v_max[i], v, out=self.v_max[i])
        denom = np.sqrt(v / (1 - beta2**self.t)) + self.eps  # sqrt(v_hat) + eps
        theta -= self.lr / (1 - beta1**self.t) * m / denom  # lr * m_hat / (sqrt(v_hat) + eps)


class AdamW(Adam):
    r"""Adam with *decoupled* weight decay (Loshchilov & Hutter; ``torch.optim.AdamW``).

    Before the Adam step, the parameter shrinks: $\theta \leftarrow \theta\,(1 - \eta\omega)$.
    Unlike Adam's L2 penalty, this decay is not divided by $\sqrt{\hat v_t}$, so every
    weight decays at the same relative rate. Default $\omega$ = ``weight_decay`` = 0.01.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
