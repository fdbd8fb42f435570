"""Exercises of notebook 08 (learning-rate schedules)."""

from __future__ import annotations

import math
from functools import partial

from gdcourse.exercises import Incorrect, call, exercise, expect_close, format_value, matches

same = partial(matches, rtol=1e-9, atol=1e-15)  # learning rates can be tiny


# 08.1 -----------------------------------------------------------------------------------


def step_lr_solution(base_lr, gamma, step_size, epoch):
    return base_lr * gamma ** (epoch // step_size)


@exercise(
    "08.1",
    "step decay at a given epoch",
    hint="Count how many whole blocks of step_size epochs have passed (integer division //), and multiply "
    "base_lr by gamma that many times.",
    solution=step_lr_solution,
    mistakes=[
        (lambda base_lr, gamma, step_size, epoch: base_lr * gamma**epoch, "every epoch"),
        (lambda base_lr, gamma, step_size, epoch: base_lr * gamma ** (epoch / step_size), "whole blocks"),
        (lambda base_lr, gamma, step_size, epoch: base_lr * gamma ** (epoch // step_size + 1), "epoch 0"),
        (lambda base_lr, gamma, step_size, epoch: base_lr * gamma * (epoch // step_size), "power"),
    ],
)
def check_step_lr(step_lr):
    for base_lr, gamma, step_size, epoch in [
        (0.1, 0.5, 7, 0),
        (0.1, 0.5, 7, 15),
        (0.03, 0.1, 20, 45),
        (1.0, 0.9, 3, 8),
    ]:
        got = call(step_lr, base_lr, gamma, step_size, epoch)
        expected = base_lr * gamma ** (epoch // step_size)
        where = f"step_lr(base_lr={base_lr}, gamma={gamma}, step_size={step_size}, epoch={epoch})"
        if same(got, expected):
            continue
        if same(got, base_lr * gamma**epoch):
            raise Incorrect(
                f"{where} returned {format_value(got)} = base_lr * gamma**epoch: that multiplies by gamma every "
                f"epoch (the exponential schedule). Step decay multiplies only once per step_size epochs: "
                f"expected {format_value(expected)}."
            )
        if same(got, base_lr * gamma ** (epoch / step_size)):
            raise Incorrect(
                f"{where} returned {format_value(got)}: epoch / step_size is a fraction, so the rate shrinks a "
                "little every epoch. Count whole blocks with integer division, epoch // step_size, so the rate "
                f"stays flat inside a block: expected {format_value(expected)}."
            )
        if same(got, base_lr * gamma ** (epoch // step_size + 1)):
            raise Incorrect(
                f"{where} returned {format_value(got)}, one decay too many. At epoch 0 (when the scheduler is "
                f"built) the rate is base_lr itself; the first decay comes at epoch step_size. Expected "
                f"{format_value(expected)}."
            )
        if same(got, base_lr * gamma * (epoch // step_size)):
            raise Incorrect(
                f"{where} returned {format_value(got)}: gamma is multiplied by the number of blocks; it should be "
                f"raised to that power, gamma ** (epoch // step_size). Expected {format_value(expected)}."
            )
        expect_close(got, expected, where, rtol=1e-9, atol=1e-15)
    return "lr = base_lr * gamma ** (epoch // step_size): exactly StepLR.lr_at."


# 08.2 -----------------------------------------------------------------------------------


def cosine_lr_solution(base_lr, eta_min, T_max, epoch):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2


@exercise(
    "08.2",
    "cosine annealing",
    hint="Half a cosine: (1 + cos(pi * epoch / T_max)) / 2 goes from 1 at epoch 0 to 0 at T_max. Scale it to "
    "the gap base_lr - eta_min and add eta_min.",
    solution=cosine_lr_solution,
    mistakes=[
        (
            lambda base_lr, eta_min, T_max, epoch: (
                eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max))
            ),
            "half",
        ),
        (
            lambda base_lr, eta_min, T_max, epoch: eta_min + base_lr * (1 + math.cos(math.pi * epoch / T_max)) / 2,
            "eta_min",
        ),
        (
            lambda base_lr, eta_min, T_max, epoch: (
                eta_min + (base_lr - eta_min) * (1 + math.cos(2 * math.pi * epoch / T_max)) / 2
            ),
            "full period",
        ),
        (
            lambda base_lr, eta_min, T_max, epoch: eta_min + (base_lr - eta_min) * math.cos(math.pi * epoch / T_max),
            "1 +",
        ),
    ],
)
def check_cosine_lr(cosine_lr):
    for base_lr, eta_min, T_max, epoch in [
        (0.1, 0.0, 10, 0),
        (0.1, 0.0, 10, 3),
        (0.05, 0.01, 20, 10),
        (0.2, 0.02, 30, 27),
    ]:
        got = call(cosine_lr, base_lr, eta_min, T_max, epoch)
        expected = cosine_lr_solution(base_lr, eta_min, T_max, epoch)
        where = f"cosine_lr(base_lr={base_lr}, eta_min={eta_min}, T_max={T_max}, epoch={epoch})"
        if same(got, expected):
            continue
        c = math.cos(math.pi * epoch / T_max)
        if same(got, eta_min + (base_lr - eta_min) * (1 + c)):
            raise Incorrect(
                f"{where} returned {format_value(got)}, twice the gap above eta_min: 1 + cos(...) runs from 2 to 0, "
                f"so take half of it, (1 + cos(...)) / 2. Expected {format_value(expected)}."
            )
        if same(got, eta_min + base_lr * (1 + c) / 2):
            raise Incorrect(
                f"{where} returned {format_value(got)}: the cosine is scaled by base_lr instead of the gap "
                f"base_lr - eta_min, so with eta_min > 0 the schedule starts above base_lr. Expected "
                f"{format_value(expected)}."
            )
        if same(got, eta_min + (base_lr - eta_min) * (1 + math.cos(2 * math.pi * epoch / T_max)) / 2):
            raise Incorrect(
                f"{where} returned {format_value(got)}: cos(2 pi epoch / T_max) runs a full period, down and back "
                "up, in T_max epochs. Cosine annealing uses half a period, cos(pi * epoch / T_max), to fall once "
                f"from base_lr to eta_min. Expected {format_value(expected)}."
            )
        if same(got, eta_min + (base_lr - eta_min) * c):
            raise Incorrect(
                f"{where} returned {format_value(got)}: cos(...) alone runs from 1 to -1 and the rate would go "
                f"below eta_min (negative for eta_min = 0). Use (1 + cos(...)) / 2, which runs from 1 to 0. "
                f"Expected {format_value(expected)}."
            )
        expect_close(got, expected, where, rtol=1e-9, atol=1e-15)
    half = cosine_lr_solution(0.1, 0.0, 10, 5)
    return f"At T_max / 2 the rate is halfway between base_lr and eta_min ({half:.4g} for 0.1 and 0): cos(pi/2) = 0."


# 08.3 -----------------------------------------------------------------------------------


def warmup_lr_solution(base_lr, start_factor, total_iters, epoch):
    progress = min(epoch, total_iters) / total_iters
    return base_lr * (start_factor + (1 - start_factor) * progress)


@exercise(
    "08.3",
    "a linear warm-up",
    hint="The factor goes in a straight line from start_factor (epoch 0) to 1 (epoch total_iters) and stays at 1 "
    "afterwards: use min(epoch, total_iters) / total_iters as the progress.",
    solution=warmup_lr_solution,
    mistakes=[
        (
            lambda base_lr, start_factor, total_iters, epoch: base_lr * min(epoch, total_iters) / total_iters,
            "start_factor",
        ),
        (
            lambda base_lr, start_factor, total_iters, epoch: (
                base_lr * (start_factor + (1 - start_factor) * epoch / total_iters)
            ),
            "after the warm-up",
        ),
        (
            lambda base_lr, start_factor, total_iters, epoch: (
                base_lr * (start_factor + min(epoch, total_iters) / total_iters)
            ),
            "overshoots",
        ),
    ],
)
def check_warmup_lr(warmup_lr):
    for base_lr, start_factor, total_iters, epoch in [
        (0.1, 0.1, 5, 0),
        (0.1, 0.1, 5, 2),
        (0.03, 0.25, 4, 4),
        (0.03, 0.25, 4, 9),
    ]:
        got = call(warmup_lr, base_lr, start_factor, total_iters, epoch)
        expected = warmup_lr_solution(base_lr, start_factor, total_iters, epoch)
        where = f"warmup_lr(base_lr={base_lr}, start_factor={start_factor}, total_iters={total_iters}, epoch={epoch})"
        if same(got, expected):
            continue
        if same(got, base_lr * min(epoch, total_iters) / total_iters):
            raise Incorrect(
                f"{where} returned {format_value(got)}: the warm-up starts from 0 and ignores start_factor. At epoch 0 "
                f"the rate is start_factor * base_lr (LinearLR never starts at exactly 0). Expected "
                f"{format_value(expected)}."
            )
        if same(got, base_lr * (start_factor + (1 - start_factor) * epoch / total_iters)):
            raise Incorrect(
                f"{where} returned {format_value(got)}, above base_lr: after the warm-up (epoch > total_iters) the "
                f"factor must stay at 1. Use min(epoch, total_iters). Expected {format_value(expected)}."
            )
        if same(got, base_lr * (start_factor + min(epoch, total_iters) / total_iters)):
            raise Incorrect(
                f"{where} returned {format_value(got)}: the factor overshoots, reaching 1 + start_factor at the end. "
                f"It should climb by 1 - start_factor in total, from start_factor to 1. Expected "
                f"{format_value(expected)}."
            )
        expect_close(got, expected, where, rtol=1e-9, atol=1e-15)
    return "That is LinearLR(optimizer, start_factor, end_factor=1.0, total_iters).lr_at(epoch)."


# 08.4 -----------------------------------------------------------------------------------


def one_cycle_total_steps_solution(num_epochs, num_samples, batch_size):
    batches_per_epoch = math.ceil(num_samples / batch_size)  # the last batch may be smaller
    return num_epochs * batches_per_epoch


@exercise(
    "08.4",
    "how many steps OneCycleLR needs",
    hint="OneCycleLR steps once per batch. An epoch of num_samples samples in batches of batch_size has "
    "ceil(num_samples / batch_size) batches (the last one may be smaller); multiply by the epochs.",
    solution=one_cycle_total_steps_solution,
    mistakes=[
        (lambda num_epochs, num_samples, batch_size: num_epochs * (num_samples // batch_size), "smaller"),
        (lambda num_epochs, num_samples, batch_size: num_epochs, "per batch"),
        (lambda num_epochs, num_samples, batch_size: num_epochs * num_samples, "samples"),
        (lambda num_epochs, num_samples, batch_size: math.ceil(num_samples / batch_size), "every epoch"),
    ],
)
def check_one_cycle_total_steps(one_cycle_total_steps):
    for num_epochs, num_samples, batch_size in [(60, 354, 16), (10, 1000, 100), (5, 50, 8)]:
        got = call(one_cycle_total_steps, num_epochs, num_samples, batch_size)
        expected = one_cycle_total_steps_solution(num_epochs, num_samples, batch_size)
        where = f"one_cycle_total_steps(num_epochs={num_epochs}, num_samples={num_samples}, batch_size={batch_size})"
        if same(got, expected):
            if not float(got).is_integer():
                raise Incorrect(f"{where} returned {got!r}; a number of steps is a whole number: return an int.")
            continue
        if same(got, num_epochs * (num_samples // batch_size)):
            raise Incorrect(
                f"{where} returned {got}: num_samples // batch_size drops the last, smaller batch "
                f"({num_samples} = {num_samples // batch_size} * {batch_size} + {num_samples % batch_size}), but the "
                f"training loop still steps for it, so OneCycleLR would run out of steps. Round up: "
                f"expected {expected}."
            )
        if same(got, num_epochs):
            raise Incorrect(
                f"{where} returned {got}, one step per epoch. OneCycleLR is stepped once per batch, so it needs "
                f"num_epochs * batches_per_epoch = {expected} steps."
            )
        if same(got, num_epochs * num_samples):
            raise Incorrect(
                f"{where} returned {got}, one step per sample. The scheduler steps once per batch of {batch_size} "
                f"samples: expected {expected}."
            )
        if same(got, math.ceil(num_samples / batch_size)):
            raise Incorrect(
                f"{where} returned {got}, the batches of one epoch. The cycle spans the whole run, so count the "
                f"batches of every epoch: {num_epochs} epochs give {expected} steps."
            )
        expect_close(got, expected, where, rtol=0, atol=0.5)
    return (
        "total_steps = num_epochs * ceil(num_samples / batch_size); torch's OneCycleLR also accepts "
        "epochs= and steps_per_epoch= and multiplies them for you."
    )
