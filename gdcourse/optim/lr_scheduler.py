"""Learning-rate schedules with ``torch.optim.lr_scheduler``'s semantics.

A scheduler sets ``optimizer.lr`` from a closed-form formula of the epoch counter.
Constructing one counts as epoch 0 (the optimizer's ``lr`` is set at once); each
``step()`` moves to the next epoch. Call it once per epoch or once per batch; the
formula only counts calls. ``ReduceLROnPlateau`` is the exception: it has no formula,
it watches a metric, ``step(val_loss)``, and cuts the rate when the metric stalls.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from gdcourse.optim.optimizer import Optimizer
from gdcourse.validation import check_choice, check_count, check_number

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
    "WarmupStableDecayLR",
]


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

    With ``three_phase=True`` (torch's option) it is Smith's original policy: the rate comes
    back down to ``max_lr / div_factor`` over as many steps as it went up (a triangle, with
    ``anneal_strategy='linear'``), and only the remaining steps, the "annihilation" phase,
    take it far below, with the momentum held at ``max_momentum``.

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
        three_phase: bool = False,
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
        self.three_phase = bool(three_phase)
        T, p, lr0, lr_max, lr_min = self.total_steps, self.pct_start, self.initial_lr, self.max_lr, self.min_lr
        m_low, m_high = self.base_momentum, self.max_momentum
        # (end step, start lr, end lr, start momentum, end momentum) of each phase, as torch builds them
        if self.three_phase:  # up; back down to lr0 as fast; then far below lr0
            self.phases = [
                (p * T - 1, lr0, lr_max, m_high, m_low),
                (2 * p * T - 2, lr_max, lr0, m_low, m_high),
                (T - 1, lr0, lr_min, m_high, m_high),
            ]
        else:  # up; then down to lr_min
            self.phases = [(p * T - 1, lr0, lr_max, m_high, m_low), (T - 1, lr_max, lr_min, m_low, m_high)]
        self.phase_end = [phase[0] for phase in self.phases]
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
        i, start = 0, 0.0  # 1) warm-up, 2) annealing (3) annihilation): the phase epoch is in, and its start
        while epoch > self.phases[i][0] and i < len(self.phases) - 1:
            i, start = i + 1, self.phases[i][0]
        end, start_lr, end_lr, start_momentum, end_momentum = self.phases[i]
        return start_lr, end_lr, start_momentum, end_momentum, (epoch - start) / (end - start)

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


class WarmupStableDecayLR(LRScheduler):
    r"""Warm up, hold the base rate, then decay it linearly to ``end_factor`` (0 by default) at the end.

    1) for ``warmup_iters`` steps the factor rises in a line from ``start_factor`` to 1;
    2) for ``stable_iters`` steps it stays at 1;
    3) for ``decay_iters`` steps it falls in a line to ``end_factor``, and stays there.

    $$\eta_e = \eta_0 \begin{cases} s + (1 - s)\,e/T_w & e < T_w \\ 1 & T_w \le e < T_w + T_s \\
      1 - (1 - f)\,\min(e - T_w - T_s,\ T_d)/T_d & e \ge T_w + T_s \end{cases}$$

    The schedule of recent language-model training (Hu et al. 2024; Hägele et al. 2024): the
    stable phase can run as long as the budget allows, and a short decay (often 10-20% of the
    run) at the end brings the loss down. torch has no class for it; the same rates come from
    ``SequentialLR(opt, [LinearLR(opt, s, 1, T_w), ConstantLR(opt, 1.0, T_s), LinearLR(opt, 1, f, T_d)],
    milestones=[T_w, T_w + T_s])``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        warmup_iters: int,
        stable_iters: int,
        decay_iters: int,
        start_factor: float = 0.1,
        end_factor: float = 0.0,
    ):
        self.warmup_iters = check_count("warmup_iters", warmup_iters, low=0)
        self.stable_iters = check_count("stable_iters", stable_iters, low=0)
        self.decay_iters = check_count("decay_iters", decay_iters, low=1)
        self.start_factor = check_number("start_factor", start_factor, high=1.0, low_open=True)
        self.end_factor = check_number("end_factor", end_factor, high=1.0)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        if epoch < self.warmup_iters:  # 1) warm-up
            return self.base_lr * (self.start_factor + (1 - self.start_factor) * epoch / self.warmup_iters)
        decayed = min(max(epoch - self.warmup_iters - self.stable_iters, 0), self.decay_iters)  # 2) stable: 0
        return self.base_lr * (1 - (1 - self.end_factor) * decayed / self.decay_iters)  # 3) decay


class ReduceLROnPlateau:
    """Multiply the rate by ``factor`` when a watched metric has stopped improving (torch's rule and defaults).

    It has no formula of the epoch: after each epoch call ``scheduler.step(metric)`` with the value it
    watches, usually the validation loss. With ``mode='min'`` a value is an improvement if it is below
    ``best * (1 - threshold)`` (``threshold_mode='rel'``) or ``best - threshold`` (``'abs'``);
    ``mode='max'`` (for an accuracy) looks for values above ``best * (1 + threshold)`` or ``best + threshold``.
    When more than ``patience`` epochs in a row bring no improvement, the rate becomes
    ``max(lr * factor, min_lr)`` (unless that changes it by less than ``eps``), and the next ``cooldown``
    epochs are not counted. Construction does not change the optimizer's rate.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"A scheduler needs a gdcourse optimizer, got {type(optimizer).__name__}.")
        self.mode = check_choice("mode", mode, ["min", "max"])
        self.factor = check_number(
            "factor", factor, high=1.0, high_open=True, hint="A factor of 1 or more never reduces."
        )
        self.patience = check_count("patience", patience, low=0)
        self.threshold = check_number("threshold", threshold)
        self.threshold_mode = check_choice("threshold_mode", threshold_mode, ["rel", "abs"])
        self.cooldown = check_count("cooldown", cooldown, low=0)
        self.min_lr = check_number("min_lr", min_lr)
        self.eps = check_number("eps", eps)
        self.optimizer = optimizer
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0

    def is_better(self, value: float) -> bool:
        """Is ``value`` an improvement on the best value so far, by more than the threshold?"""
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            return value < (self.best * (1 - self.threshold) if relative else self.best - self.threshold)
        return value > (self.best * (1 + self.threshold) if relative else self.best + self.threshold)

    def step(self, metric=None) -> None:
        """Record one epoch's ``metric`` and reduce ``optimizer.lr`` if it has stalled for too long."""
        if metric is None:
            raise TypeError(
                "ReduceLROnPlateau.step needs the value it watches: call scheduler.step(val_loss) after each "
                "epoch. (gdcourse.train.fit steps its scheduler without one; write the epoch loop yourself.)"
            )
        try:
            if isinstance(metric, (str, bytes)):
                raise TypeError
            metric = float(metric)  # also a NumPy scalar, or a 0-d array or tensor
        except (TypeError, ValueError):
            raise TypeError(f"ReduceLROnPlateau.step needs a number, got {type(metric).__name__}.") from None
        self.last_epoch += 1
        if self.is_better(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:  # epochs right after a reduction do not count
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.optimizer.lr * self.factor, self.min_lr)
            if self.optimizer.lr - new_lr > self.eps:
                self.optimizer.lr = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def get_last_lr(self) -> float:
        """The optimizer's current learning rate."""
        return self.optimizer.lr

    def __repr__(self) -> str:
        args = {k: v for k, v in vars(self).items() if k != "optimizer"}
        return f"ReduceLROnPlateau({', '.join(f'{k}={v!r}' for k, v in args.items())})"
