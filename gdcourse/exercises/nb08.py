"""Exercises of notebook 08 (learning-rate schedules). Learning rates can be tiny, hence
``rtol=1e-9, atol=1e-15``."""

from __future__ import annotations

import math

from gdcourse.exercises import exercise


def step_lr_solution(base_lr, gamma, step_size, epoch):
    return base_lr * gamma ** (epoch // step_size)


exercise(
    "08.1",
    "step decay at a given epoch",
    hint="Count how many whole blocks of step_size epochs have passed (integer division //), and multiply "
    "base_lr by gamma that many times.",
    solution=step_lr_solution,
    cases=[(0.1, 0.5, 7, 0), (0.1, 0.5, 7, 15), (0.03, 0.1, 20, 45), (1.0, 0.9, 3, 8)],
    where="step_lr(base_lr={base_lr!s}, gamma={gamma!s}, step_size={step_size!s}, epoch={epoch!s})",
    rtol=1e-9,
    atol=1e-15,
    mistakes=[
        (
            lambda base_lr, gamma, step_size, epoch: base_lr * gamma**epoch,
            "{where} returned {got} = base_lr * gamma**epoch: that multiplies by gamma every epoch (the "
            "exponential schedule). Step decay multiplies only once per step_size epochs: expected {expected}.",
        ),
        (
            lambda base_lr, gamma, step_size, epoch: base_lr * gamma ** (epoch / step_size),
            "{where} returned {got}: epoch / step_size is a fraction, so the rate shrinks a little every epoch. "
            "Count whole blocks with integer division, epoch // step_size, so the rate stays flat inside a block: "
            "expected {expected}.",
        ),
        (
            lambda base_lr, gamma, step_size, epoch: base_lr * gamma ** (epoch // step_size + 1),
            "{where} returned {got}, one decay too many. At epoch 0 (when the scheduler is built) the rate is "
            "base_lr itself; the first decay comes at epoch step_size. Expected {expected}.",
        ),
        (
            lambda base_lr, gamma, step_size, epoch: base_lr * gamma * (epoch // step_size),
            "{where} returned {got}: gamma is multiplied by the number of blocks; it should be raised to that "
            "power, gamma ** (epoch // step_size). Expected {expected}.",
        ),
    ],
    success="lr = base_lr * gamma ** (epoch // step_size): exactly StepLR.lr_at.",
)


def cosine_lr_solution(base_lr, eta_min, T_max, epoch):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2


exercise(
    "08.2",
    "cosine annealing",
    hint="Half a cosine: (1 + cos(pi * epoch / T_max)) / 2 goes from 1 at epoch 0 to 0 at T_max. Scale it to "
    "the gap base_lr - eta_min and add eta_min.",
    solution=cosine_lr_solution,
    cases=[(0.1, 0.0, 10, 0), (0.1, 0.0, 10, 3), (0.05, 0.01, 20, 10), (0.2, 0.02, 30, 27)],
    where="cosine_lr(base_lr={base_lr!s}, eta_min={eta_min!s}, T_max={T_max!s}, epoch={epoch!s})",
    rtol=1e-9,
    atol=1e-15,
    mistakes=[
        (
            lambda base_lr, eta_min, T_max, epoch: (
                eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max))
            ),
            "{where} returned {got}, twice the gap above eta_min: 1 + cos(...) runs from 2 to 0, so take half of "
            "it, (1 + cos(...)) / 2. Expected {expected}.",
        ),
        (
            lambda base_lr, eta_min, T_max, epoch: eta_min + base_lr * (1 + math.cos(math.pi * epoch / T_max)) / 2,
            "{where} returned {got}: the cosine is scaled by base_lr instead of the gap base_lr - eta_min, so with "
            "eta_min > 0 the schedule starts above base_lr. Expected {expected}.",
        ),
        (
            lambda base_lr, eta_min, T_max, epoch: cosine_lr_solution(base_lr, eta_min, T_max / 2, epoch),
            "{where} returned {got}: cos(2 pi epoch / T_max) runs a full period, down and back up, in T_max "
            "epochs. Cosine annealing uses half a period, cos(pi * epoch / T_max), to fall once from base_lr to "
            "eta_min. Expected {expected}.",
        ),
        (
            lambda base_lr, eta_min, T_max, epoch: eta_min + (base_lr - eta_min) * math.cos(math.pi * epoch / T_max),
            "{where} returned {got}: cos(...) alone runs from 1 to -1 and the rate would go below eta_min "
            "(negative for eta_min = 0). Use (1 + cos(...)) / 2, which runs from 1 to 0. Expected {expected}.",
        ),
    ],
    success=f"At T_max / 2 the rate is halfway between base_lr and eta_min ({cosine_lr_solution(0.1, 0.0, 10, 5):.4g} "
    "for 0.1 and 0): cos(pi/2) = 0.",
)


def warmup_lr_solution(base_lr, start_factor, total_iters, epoch):
    progress = min(epoch, total_iters) / total_iters
    return base_lr * (start_factor + (1 - start_factor) * progress)


exercise(
    "08.3",
    "a linear warm-up",
    hint="The factor goes in a straight line from start_factor (epoch 0) to 1 (epoch total_iters) and stays at 1 "
    "afterwards: use min(epoch, total_iters) / total_iters as the progress.",
    solution=warmup_lr_solution,
    cases=[(0.1, 0.1, 5, 0), (0.1, 0.1, 5, 2), (0.03, 0.25, 4, 4), (0.03, 0.25, 4, 9)],
    where="warmup_lr(base_lr={base_lr!s}, start_factor={start_factor!s}, total_iters={total_iters!s}, epoch={epoch!s})",
    rtol=1e-9,
    atol=1e-15,
    mistakes=[
        (
            lambda base_lr, start_factor, total_iters, epoch: base_lr * min(epoch, total_iters) / total_iters,
            "{where} returned {got}: the warm-up starts from 0 and ignores start_factor. At epoch 0 the rate is "
            "start_factor * base_lr (LinearLR never starts at exactly 0). Expected {expected}.",
        ),
        (
            lambda base_lr, start_factor, total_iters, epoch: (
                base_lr * (start_factor + (1 - start_factor) * epoch / total_iters)
            ),
            "{where} returned {got}, above base_lr: after the warm-up (epoch > total_iters) the factor must stay "
            "at 1. Use min(epoch, total_iters). Expected {expected}.",
        ),
        (
            lambda base_lr, start_factor, total_iters, epoch: (
                base_lr * (start_factor + min(epoch, total_iters) / total_iters)
            ),
            "{where} returned {got}: the factor overshoots, reaching 1 + start_factor at the end. It should climb "
            "by 1 - start_factor in total, from start_factor to 1. Expected {expected}.",
        ),
    ],
    success="That is LinearLR(optimizer, start_factor, end_factor=1.0, total_iters).lr_at(epoch).",
)


def one_cycle_total_steps_solution(num_epochs, num_samples, batch_size):
    batches_per_epoch = math.ceil(num_samples / batch_size)  # the last batch may be smaller
    return num_epochs * batches_per_epoch


exercise(
    "08.4",
    "how many steps OneCycleLR needs",
    hint="OneCycleLR steps once per batch. An epoch of num_samples samples in batches of batch_size has "
    "ceil(num_samples / batch_size) batches (the last one may be smaller); multiply by the epochs.",
    solution=one_cycle_total_steps_solution,
    cases=[(60, 354, 16), (10, 1000, 100), (5, 50, 8)],
    where="one_cycle_total_steps(num_epochs={num_epochs}, num_samples={num_samples}, batch_size={batch_size})",
    facts=lambda num_epochs, num_samples, batch_size: {
        "whole": num_samples // batch_size,
        "remainder": num_samples % batch_size,
    },
    rtol=0,
    atol=0.5,
    mistakes=[
        (
            lambda num_epochs, num_samples, batch_size: num_epochs * (num_samples // batch_size),
            "{where} returned {got}: num_samples // batch_size drops the last, smaller batch ({num_samples} = "
            "{whole} * {batch_size} + {remainder}), but the training loop still steps for it, so OneCycleLR would "
            "run out of steps. Round up: expected {expected}.",
        ),
        (
            lambda num_epochs, num_samples, batch_size: num_epochs,
            "{where} returned {got}, one step per epoch. OneCycleLR is stepped once per batch, so it needs "
            "num_epochs * batches_per_epoch = {expected} steps.",
        ),
        (
            lambda num_epochs, num_samples, batch_size: num_epochs * num_samples,
            "{where} returned {got}, one step per sample. The scheduler steps once per batch of {batch_size} "
            "samples: expected {expected}.",
        ),
        (
            lambda num_epochs, num_samples, batch_size: math.ceil(num_samples / batch_size),
            "{where} returned {got}, the batches of one epoch. The cycle spans the whole run, so count the batches "
            "of every epoch: {num_epochs} epochs give {expected} steps.",
        ),
    ],
    success="total_steps = num_epochs * ceil(num_samples / batch_size); torch's OneCycleLR also accepts "
    "epochs= and steps_per_epoch= and multiplies them for you.",
)
