"""Exercises of notebook 06 (comparing optimizers fairly)."""

from __future__ import annotations

from functools import partial

import numpy as np

from gdcourse.exercises import Incorrect, call, exercise, expect_close, format_value, matches

same = partial(matches, atol=1e-12)  # the answers compared can be tiny


# 06.1 -----------------------------------------------------------------------------------


def paraboloid_sample(n: int, noise: float, seed: int):
    """Post 3's data, drawn here so the exercise does not depend on gdcourse.data."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 2))
    z = (X**2).sum(axis=1) + noise * rng.standard_normal(n)
    return X, z


def noise_floor_solution(X, z):
    signal = (X**2).sum(axis=1)  # the best possible prediction, x^2 + y^2
    return np.mean((z - signal) ** 2)


@exercise(
    "06.1",
    "the noise floor of post 3's data",
    hint="The best possible model predicts exactly x^2 + y^2 (column-wise: (X**2).sum(axis=1)). "
    "Its error on (X, z) is the mean of the squared residuals z - (x^2 + y^2).",
    solution=noise_floor_solution,
    mistakes=[
        (lambda X, z: np.var(z), "signal"),
        (lambda X, z: np.sqrt(np.mean((z - (X**2).sum(axis=1)) ** 2)), "square root"),
        (lambda X, z: np.mean(z - (X**2).sum(axis=1)), "square"),
        (lambda X, z: 1.0, "finite"),
    ],
)
def check_noise_floor(noise_floor):
    for n, noise, seed in [(200, 1.0, 3), (500, 0.5, 4)]:
        X, z = paraboloid_sample(n, noise, seed)
        got = call(noise_floor, X, z)
        residual = z - (X**2).sum(axis=1)
        expected = np.mean(residual**2)
        if same(got, np.var(z)):
            raise Incorrect(
                f"You returned the variance of z ({format_value(got)}): that includes the signal x^2 + y^2, "
                f"which the best model explains. Subtract the signal first; expected {format_value(expected)}."
            )
        if same(got, np.sqrt(expected)):
            raise Incorrect(
                f"You returned {format_value(got)}, the square root of the floor (an RMSE). The losses in this "
                f"notebook are mean *squared* errors: drop the square root to get {format_value(expected)}."
            )
        if same(got, np.mean(residual)):
            raise Incorrect(
                f"You returned the mean residual ({format_value(got)}), which is near 0 because the noise has mean 0. "
                "The MSE averages the residuals after you square them."
            )
        if same(got, noise**2):
            raise Incorrect(
                f"{format_value(got)} is the noise variance, the *expected* floor over infinitely many samples. "
                f"On a finite data set the floor is the mean of these samples' squared noise: {format_value(expected)} "
                f"for this sample of {n} (noise standard deviation {noise})."
            )
        expect_close(got, expected, f"noise_floor on {n} samples with noise {noise}")
    return "No model can beat this number on these data: it is the error of the true function itself."


# 06.2 -----------------------------------------------------------------------------------


def mean_and_std_solution(losses):
    losses = np.asarray(losses, dtype=float)  # (num_optimizers, num_seeds)
    return losses.mean(axis=1), losses.std(axis=1, ddof=1)


def unpack_pair(got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Incorrect(
            f"Return a pair (means, stds), each with one number per optimizer; got {type(got).__name__} {got!r:.80}."
        )
    return got


@exercise(
    "06.2",
    "mean and spread over seeds",
    hint="Each row is one optimizer, each column one seed: reduce along axis=1. "
    "For the spread use the sample standard deviation, np.std(..., ddof=1).",
    solution=mean_and_std_solution,
    mistakes=[
        (lambda L: (np.mean(L, axis=0), np.std(L, axis=0, ddof=1)), "axis"),
        (lambda L: (np.mean(L, axis=1), np.std(L, axis=1)), "ddof"),
        (lambda L: (np.mean(L, axis=1), np.var(L, axis=1, ddof=1)), "variance"),
        (lambda L: (np.mean(L, axis=1), np.max(L, axis=1) - np.min(L, axis=1)), "range"),
    ],
)
def check_mean_and_std(mean_and_std):
    losses = np.array([[0.21, 0.18, 0.25, 0.20], [0.16, 0.15, 0.19, 0.14], [0.30, 0.22, 0.26, 0.27]])
    means, stds = unpack_pair(call(mean_and_std, losses))
    expected_means, expected_stds = losses.mean(axis=1), losses.std(axis=1, ddof=1)
    if np.shape(means) == (losses.shape[1],):
        raise Incorrect(
            f"Your means have {losses.shape[1]} entries, one per seed; the input has {losses.shape[0]} optimizers "
            "(rows) and 4 seeds (columns). Average along axis=1, across the seeds of each optimizer."
        )
    expect_close(means, expected_means, "the means")
    if same(stds, losses.std(axis=1)):
        raise Incorrect(
            "Your spreads are the population standard deviation (np.std's default ddof=0). With a handful of "
            "seeds use the sample standard deviation, ddof=1 (divide by n - 1): it does not understate the spread."
        )
    if same(stds, losses.var(axis=1, ddof=1)):
        raise Incorrect("You returned the variance; the spread is its square root, the standard deviation.")
    if same(stds, np.ptp(losses, axis=1)):
        raise Incorrect(
            "You returned the range (max - min). It is a fair spread too, but this exercise asks for the sample "
            "standard deviation, np.std(..., axis=1, ddof=1), which the notebook reports."
        )
    expect_close(stds, expected_stds, "the standard deviations")
    return "Report mean ± standard deviation over seeds, and say how many seeds: 3 seeds give only a rough spread."


# 06.3 -----------------------------------------------------------------------------------


def best_lr_solution(lrs, val_losses):
    val_losses = np.asarray(val_losses, dtype=float)
    val_losses = np.where(np.isfinite(val_losses), val_losses, np.inf)  # a diverged run never wins
    return lrs[np.argmin(val_losses)]


@exercise(
    "06.3",
    "pick the learning rate from a search table",
    hint="Diverged runs are stored as NaN, and np.argmin returns the position of the first NaN it meets. "
    "Make non-finite losses lose (np.inf never wins a minimum) before you look for the smallest, "
    "and return the learning rate, not its position.",
    solution=best_lr_solution,
    mistakes=[
        (lambda lrs, v: lrs[np.argmin(v)], "nan"),
        (lambda lrs, v: lrs[np.nanargmax(v)], "largest"),
        (lambda lrs, v: np.nanargmin(v), "index"),
        (lambda lrs, v: np.nanmin(v), "loss"),
    ],
)
def check_best_lr(best_lr):
    lrs = 10.0 ** np.arange(-3, 0.6, 0.5)
    cases = [
        np.array([2.1, 1.4, 0.71, 0.30, 0.17, 0.15, np.nan, np.nan]),
        np.array([0.35, 0.15, 0.16, 0.40, np.nan, 4.4, np.inf, np.nan]),
    ]
    for val_losses in cases:
        got = call(best_lr, lrs, val_losses)
        expected = best_lr_solution(lrs, val_losses)
        k = int(np.nanargmin(val_losses))
        if any(same(got, lrs[i]) for i in np.flatnonzero(np.isnan(val_losses))):
            raise Incorrect(
                f"You picked lr = {format_value(got)}, a run that diverged (its loss is NaN). np.argmin returns the "
                "position of the first NaN: treat NaN (and inf) as the worst loss before taking the minimum."
            )
        if same(got, lrs[np.nanargmax(val_losses)]):
            raise Incorrect(
                f"You picked lr = {format_value(got)}, the run with the largest validation loss. The best learning "
                "rate is the one with the *smallest* loss."
            )
        if same(got, k) and not same(k, expected):
            raise Incorrect(
                f"You returned {format_value(got)}, the index of the best run; return the learning rate lrs[index]."
            )
        if same(got, val_losses[k]) and not same(val_losses[k], expected):
            raise Incorrect(
                f"You returned {format_value(got)}, the best validation loss; "
                "the question asks for the learning rate that reached it."
            )
        expect_close(got, expected, f"best_lr for validation losses {format_value(val_losses)}")
    return "Also check that the winner is not at the edge of the grid; if it is, extend the grid."


# 06.4 -----------------------------------------------------------------------------------

FAIR_CHOICES = {
    "a": "Train every optimizer for more epochs, all with lr = 0.01.",
    "b": "Give each optimizer its own learning rate, picked from the same grid by the validation loss.",
    "c": "Give each optimizer the learning rate with the lowest test loss.",
    "d": "Keep lr = 0.01 for all, but average each curve over three seeds.",
}


@exercise(
    "06.4",
    "a fair-comparison checklist item",
    hint="A fair comparison gives every optimizer the same chance at its own best setting, and never lets "
    "the test set take part in a choice.",
    solution="b",
    mistakes=[
        ("a", "epochs"),
        ("c", "test set"),
        ("d", "seeds"),
    ],
)
def check_fair_choice(answer):
    if not isinstance(answer, str) or answer.strip().strip("()").lower() not in FAIR_CHOICES:
        raise Incorrect(f"Answer with one letter, 'a', 'b', 'c' or 'd', as a string; got {answer!r:.60}.")
    letter = answer.strip().strip("()").lower()
    if letter == "a":
        raise Incorrect(
            "More epochs help the slow optimizers catch up, but every one still runs at lr = 0.01, which suits "
            "some of them and not others: the ranking still measures the shared learning rate."
        )
    if letter == "c":
        raise Incorrect(
            "Choosing by the test loss makes the test set part of the tuning: the reported test losses are then "
            "optimistic. Choose on a validation split and touch the test set only once, at the end."
        )
    if letter == "d":
        raise Incorrect(
            "Averaging over seeds measures the spread (needed too), but with one shared lr the comparison still "
            "ranks how well lr = 0.01 happens to suit each optimizer."
        )
    return "Each optimizer at its own tuned learning rate, chosen on validation data, from the same grid and budget."


# 06.5 -----------------------------------------------------------------------------------


def paired_t_solution(losses_a, losses_b):
    d = np.asarray(losses_a, dtype=float) - np.asarray(losses_b, dtype=float)  # one difference per item
    se = d.std(ddof=1) / np.sqrt(len(d))
    return d.mean(), se, d.mean() / se


def unpack_triple(got):
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Incorrect(f"Return a triple (mean, se, t) of numbers; got {type(got).__name__} {got!r:.80}.")
    return got


def unpaired_t(a, b):
    se = np.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
    return np.mean(a) - np.mean(b), se, (np.mean(a) - np.mean(b)) / se


@exercise(
    "06.5",
    "a paired comparison",
    hint="Subtract first: d = losses_a - losses_b, one difference per item. Then the mean of d, "
    "its standard error d.std(ddof=1) / sqrt(len(d)), and t = mean / se.",
    solution=paired_t_solution,
    mistakes=[
        (unpaired_t, "paired"),
        (lambda a, b: paired_t_solution(b, a), "a - b"),
        (lambda a, b: ((a - b).mean(), (a - b).std(ddof=1), (a - b).mean() / (a - b).std(ddof=1)), "sqrt(n)"),
        (
            lambda a, b: (
                (a - b).mean(),
                (a - b).std() / np.sqrt(len(a)),
                (a - b).mean() / ((a - b).std() / np.sqrt(len(a))),
            ),
            "ddof",
        ),
    ],
)
def check_paired_t(paired_t):
    # per-seed test losses of two optimizers that move together from seed to seed (same init, same batches)
    losses_a = np.array([0.231, 0.188, 0.262, 0.205, 0.247])
    losses_b = np.array([0.214, 0.170, 0.251, 0.182, 0.236])
    mean, se, t = unpack_triple(call(paired_t, losses_a, losses_b))
    expected = paired_t_solution(losses_a, losses_b)
    d = losses_a - losses_b
    if same(mean, -expected[0]):
        raise Incorrect(
            f"Your mean difference is {format_value(mean)}, the negative of the expected {format_value(expected[0])}: "
            "compute losses_a - losses_b (a - b), so that a positive mean says a has the larger loss."
        )
    expect_close(mean, expected[0], "the mean difference")
    unpaired = unpaired_t(losses_a, losses_b)[1]
    if same(se, unpaired):
        raise Incorrect(
            f"Your standard error, {format_value(se)}, treats the two lists as independent samples. They are paired "
            f"(same items): most of their variation is shared and cancels in the differences. Take the standard "
            f"error of d = a - b instead: {format_value(expected[1])}, {unpaired / expected[1]:.1f} times smaller here."
        )
    if same(se, d.std(ddof=1)):
        raise Incorrect(
            f"{format_value(se)} is the standard deviation of the differences, the spread of one item. The mean "
            f"of n = {len(d)} differences varies less: divide by sqrt(n) to get the standard error "
            f"{format_value(expected[1])}."
        )
    if same(se, d.std() / np.sqrt(len(d))):
        raise Incorrect(
            f"Your standard error uses the population standard deviation (np.std's default ddof=0). With {len(d)} "
            "items use the sample standard deviation, ddof=1, which does not understate the spread."
        )
    expect_close(se, expected[1], "the standard error")
    expect_close(t, expected[2], "t = mean / se")
    return (
        f"t = {expected[2]:.2f}: the difference is {expected[2]:.1f} standard errors from zero. With n = {len(d)} "
        f"it has {len(d) - 1} degrees of freedom; and if you picked this pair as the most extreme of many, say so."
    )
