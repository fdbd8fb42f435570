"""Learning-rate schedules with ``torch.optim.lr_scheduler``'s semantics.

A scheduler sets ``optimizer.lr`` from a closed-form formula of the epoch counter.
Constructing one counts as epoch 0 (the optimizer's ``lr`` is set at once); each
``step()`` moves to the next epoch. Call it once per epoch or once per batch; the
formula only counts calls.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_choice, check_count, check_number

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LinearLR", "OneCycleLR", "SequentialLR", "StepLR"]


class LRScheduler:
    """Base class: ``lr_at(epoch)`` is the schedule, ``step()`` applies the next value.

    The first scheduler built on an optimizer records the optimizer's learning rate as
    ``optimizer.initial_lr``; every schedule is relative to that ``base_lr``.
    """

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"A scheduler needs a gdcourse optimizer, got {type(optimizer).__name__}.")
        self.optimizer = optimizer
        if not hasattr(optimizer, "initial_lr"):
            optimizer.initial_lr = optimizer.lr
        self.base_lr = optimizer.initial_lr
        self.last_epoch = 0
        self.optimizer.lr = self.lr_at(0)

    def lr_at(self, epoch: int) -> float:
        """The learning rate at ``epoch`` (0 = when the scheduler was built)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch (or batch) and set ``optimizer.lr`` to the new value."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        """The learning rate set by the latest ``step()`` (or by the constructor)."""
        return self.optimizer.lr

    def __repr__(self) -> str:
        args = {k: v for k, v in vars(self).items() if k not in ("optimizer", "schedulers")}
        inner = ", ".join(f"{k}={v!r}" for k, v in args.items())
        return f"{type(self).__name__}({inner})"


class StepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every ``step_size`` epochs: $\eta_e = \eta_0\,\gamma^{\lfloor e/s \rfloor}$."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = check_count("step_size", step_size)
        self.gamma = check_number("gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every epoch: $\eta_e = \eta_0\,\gamma^{e}$."""

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.gamma = check_number("gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    r"""Half a cosine from $\eta_0$ down to $\eta_{min}$ over ``T_max`` epochs.

    $$\eta_e = \eta_{min} + (\eta_0 - \eta_{min})\,\frac{1 + \cos(\pi e / T_{max})}{2}$$

    As in torch, the formula is not clamped: after ``T_max`` the rate rises again.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        self.T_max = check_count("T_max", T_max)
        self.eta_min = check_number("eta_min", eta_min)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LinearLR(LRScheduler):
    r"""Linear change of the factor from ``start_factor`` to ``end_factor`` over ``total_iters``.

    With ``start_factor < 1 = end_factor`` this is the usual linear *warm-up*:
    $\eta_e = \eta_0\,(s + (1-s)\min(e, T)/T)$.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ):
        self.start_factor = check_number("start_factor", start_factor, high=1.0, low_open=True)
        self.end_factor = check_number("end_factor", end_factor, high=1.0)
        self.total_iters = check_count("total_iters", total_iters)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        progress = min(self.total_iters, epoch) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after another, switching at the ``milestones`` epochs.

    Each scheduler restarts from its own epoch 0 at its milestone, so
    ``SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5), CosineAnnealingLR(opt, 45)], [5])``
    is five epochs of warm-up followed by 45 of cosine decay.
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int]):
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR needs one milestone fewer than schedulers; got {len(schedulers)} "
                f"schedulers and {len(milestones)} milestones."
            )
        if any(s.optimizer is not optimizer for s in schedulers):
            raise ValueError("Every scheduler in SequentialLR must be built on the same optimizer.")
        self.schedulers = list(schedulers)
        self.milestones = [check_count(f"milestones[{i}]", m) for i, m in enumerate(milestones)]
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        i = bisect_right(self.milestones, epoch)
        start = self.milestones[i - 1] if i > 0 else 0
        return self.schedulers[i].lr_at(epoch - start)


class OneCycleLR(LRScheduler):
    """The one-cycle policy (Smith & Topin): warm up to ``max_lr``, then anneal far below it.

    1) for the first ``pct_start`` of ``total_steps`` the rate rises from
       ``max_lr / div_factor`` to ``max_lr`` while the momentum falls from
       ``max_momentum`` to ``base_momentum``;
    2) then the rate falls to ``max_lr / div_factor / final_div_factor`` while the momentum
       rises back. Both moves follow half a cosine (``anneal_strategy='cos'``) or a line.

    The momentum is ``optimizer.momentum`` (SGD, RMSprop) or ``betas[0]`` (Adam family).
    Call ``step()`` once per batch; stepping past ``total_steps`` is an error, as in torch.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float,
        total_steps: int,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float = 0.85,
        max_momentum: float = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
    ):
        self.max_lr = check_number("max_lr", max_lr, low_open=True)
        self.total_steps = check_count("total_steps", total_steps)
        self.pct_start = check_number("pct_start", pct_start, high=1.0, high_open=True)
        self.anneal_strategy = check_choice("anneal_strategy", anneal_strategy, ["cos", "linear"])
        self.cycle_momentum = bool(cycle_momentum)
        self.base_momentum = check_number("base_momentum", base_momentum, high=1.0)
        self.max_momentum = check_number("max_momentum", max_momentum, high=1.0)
        self.initial_lr = self.max_lr / check_number("div_factor", div_factor, low_open=True)
        self.min_lr = self.initial_lr / check_number("final_div_factor", final_div_factor, low_open=True)
        self.phase_end = [self.pct_start * self.total_steps - 1, self.total_steps - 1]
        if self.phase_end[0] == 0:
            raise ValueError(
                f"pct_start * total_steps = 1 leaves a warm-up of a single point; "
                f"use more steps or another pct_start (got {pct_start} * {total_steps})."
            )
        if self.cycle_momentum and not hasattr(optimizer, "betas") and not hasattr(optimizer, "momentum"):
            raise ValueError(
                f"{type(optimizer).__name__} has no momentum or betas to cycle; pass cycle_momentum=False."
            )
        optimizer.initial_lr = self.initial_lr
        super().__init__(optimizer)
        self.set_momentum()

    def anneal(self, start: float, end: float, pct: float) -> float:
        """Move from ``start`` (pct = 0) to ``end`` (pct = 1) along half a cosine or a line."""
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)
        return start + (end - start) * pct

    def phase(self, epoch: int) -> tuple[float, float, float, float, float]:
        """(start_lr, end_lr, start_momentum, end_momentum, pct) of the phase ``epoch`` is in."""
        if epoch > self.total_steps:
            raise ValueError(
                f"OneCycleLR was stepped {epoch} times but total_steps is {self.total_steps}; "
                "build it with total_steps = num_epochs * batches_per_epoch."
            )
        if epoch <= self.phase_end[0]:  # 1) warm-up
            return self.initial_lr, self.max_lr, self.max_momentum, self.base_momentum, epoch / self.phase_end[0]
        pct = (epoch - self.phase_end[0]) / (self.phase_end[1] - self.phase_end[0])  # 2) annealing
        return self.max_lr, self.min_lr, self.base_momentum, self.max_momentum, pct

    def lr_at(self, epoch: int) -> float:
        start, end, _, _, pct = self.phase(epoch)
        return self.anneal(start, end, pct)

    def momentum_at(self, epoch: int) -> float:
        """The momentum (or beta1) at ``epoch``."""
        _, _, start, end, pct = self.phase(epoch)
        return self.anneal(start, end, pct)

    def step(self) -> None:
        super().step()
        self.set_momentum()

    def set_momentum(self) -> None:
        """Write ``momentum_at(last_epoch)`` into the optimizer's momentum or beta1."""
        if not self.cycle_momentum:
            return
        momentum = self.momentum_at(self.last_epoch)
        if hasattr(self.optimizer, "betas"):
            self.optimizer.betas = (momentum, self.optimizer.betas[1])
        else:
            self.optimizer.momentum = momentum  # type: ignore[attr-defined]  # SGD and RMSprop have it
