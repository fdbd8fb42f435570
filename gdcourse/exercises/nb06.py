"""Exercises of notebook 06 (comparing optimizers fairly). The answers compared can be tiny, hence
``atol=1e-12``."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import exercise


def paraboloid_sample(n: int, noise: float, seed: int):
    """Post 3's data, drawn here (with this random seed) so the exercise does not depend on gdcourse.data."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 2))
    z = (X**2).sum(axis=1) + noise * rng.standard_normal(n)
    return X, z


def noise_floor_solution(X, z):
    signal = (X**2).sum(axis=1)  # the best possible prediction, x^2 + y^2
    return np.mean((z - signal) ** 2)


exercise(
    "06.1",
    "the noise floor of post 3's data",
    hint="The best possible model predicts exactly x^2 + y^2 (column-wise: (X**2).sum(axis=1)). "
    "Its error on (X, z) is the mean of the squared residuals z - (x^2 + y^2).",
    solution=noise_floor_solution,
    cases=[paraboloid_sample(200, 1.0, seed=3), paraboloid_sample(500, 0.5, seed=4)],
    where="noise_floor on {n} samples",
    facts=lambda X, z: {"n": len(X)},
    atol=1e-12,
    mistakes=[
        (
            lambda X, z: np.var(z),
            "You returned the variance of z ({got}): that includes the signal x^2 + y^2, which the best model "
            "explains. Subtract the signal first; expected {expected}.",
        ),
        (
            lambda X, z: np.sqrt(noise_floor_solution(X, z)),
            "You returned {got}, the square root of the floor (an RMSE). The losses in this notebook are mean "
            "*squared* errors: drop the square root to get {expected}.",
        ),
        (
            lambda X, z: np.mean(z - (X**2).sum(axis=1)),
            "You returned the mean residual ({got}), which is near 0 because the noise has mean 0. The MSE "
            "averages the residuals after you square them.",
        ),
        (  # the first case's noise has standard deviation 1
            lambda X, z: 1.0,
            "{got} is the noise variance, the *expected* floor over infinitely many samples. On a finite data set "
            "the floor is the mean of these samples' squared noise: {expected} for this sample of {n} (noise "
            "standard deviation 1.0).",
        ),
    ],
    success="No model can beat this number on these data: it is the error of the true function itself.",
)


def mean_and_std_solution(losses):
    losses = np.asarray(losses, dtype=float)  # (num_optimizers, num_seeds)
    return losses.mean(axis=1), losses.std(axis=1, ddof=1)


exercise(
    "06.2",
    "mean and spread over seeds",
    hint="Each row is one optimizer, each column one seed: reduce along axis=1. "
    "For the spread use the sample standard deviation, np.std(..., ddof=1).",
    solution=mean_and_std_solution,
    cases=[(np.array([[0.21, 0.18, 0.25, 0.20], [0.16, 0.15, 0.19, 0.14], [0.30, 0.22, 0.26, 0.27]]),)],
    where="mean_and_std(losses) for 3 optimizers and 4 seeds",
    names=("means", "stds"),
    atol=1e-12,
    mistakes=[
        (
            lambda L: (np.mean(L, axis=0), np.std(L, axis=0, ddof=1)),
            "Your means have {losses.shape[1]} entries, one per seed; the input has {losses.shape[0]} optimizers "
            "(rows) and {losses.shape[1]} seeds (columns). "
            "Average along axis=1, across the seeds of each optimizer.",
        ),
        (
            lambda L: (np.mean(L, axis=1), np.std(L, axis=1)),
            "Your spreads are the population standard deviation (np.std's default ddof=0). With a handful of "
            "seeds use the sample standard deviation, ddof=1 (divide by n - 1): it does not understate the spread.",
        ),
        (
            lambda L: (np.mean(L, axis=1), np.var(L, axis=1, ddof=1)),
            "You returned the variance; the spread is its square root, the standard deviation.",
        ),
        (
            lambda L: (np.mean(L, axis=1), np.max(L, axis=1) - np.min(L, axis=1)),
            "You returned the range (max - min). It is a fair spread too, but this exercise asks for the sample "
            "standard deviation, np.std(..., axis=1, ddof=1), which the notebook reports.",
        ),
    ],
    success="Report mean ± standard deviation over seeds, and say how many seeds: 3 seeds give only a rough spread.",
)


def best_lr_solution(lrs, val_losses):
    k = np.argmin(val_losses)  # a diverged run's loss is inf: it never wins
    return lrs[k]


exercise(
    "06.3",
    "pick the learning rate from a search table",
    hint="np.argmin gives the position of the smallest validation loss (a diverged run is stored as inf, which "
    "never wins a minimum); return the learning rate at that position, not the position or the loss.",
    solution=best_lr_solution,
    cases=[
        (10.0 ** np.arange(-3, 0.6, 0.5), np.array([2.1, 1.4, 0.71, 0.30, 0.17, 0.15, np.inf, np.inf])),
        (10.0 ** np.arange(-3, 0.6, 0.5), np.array([0.35, 0.15, 0.16, 0.40, 4.4, 9.7, np.inf, np.inf])),
    ],
    where="best_lr for validation losses {val_losses}",
    atol=1e-12,
    mistakes=[
        (
            lambda lrs, v: lrs[np.argmax(v)],
            "You picked lr = {got}, a run that diverged (its loss is inf), the largest loss there is. The best "
            "learning rate is the one with the *smallest* loss.",
        ),
        (
            lambda lrs, v: np.argmin(v),
            "You returned {got}, the index of the best run; return the learning rate lrs[index].",
        ),
        (
            lambda lrs, v: np.min(v),
            "You returned {got}, the best validation loss; the question asks for the learning rate that reached it.",
        ),
    ],
    success="Also check that the winner is not at the edge of the grid; if it is, extend the grid.",
)


exercise(
    "06.4",
    "a fair-comparison checklist item",
    hint="A fair comparison gives every optimizer the same chance at its own best setting, and never lets "
    "the test set take part in a choice.",
    solution="b",
    choices="abcd",
    mistakes=[
        (
            "a",
            "More epochs help the slow optimizers catch up, but every one still runs at lr = 0.01, which suits "
            "some of them and not others: the ranking still measures the shared learning rate.",
        ),
        (
            "c",
            "Choosing by the test loss makes the test set part of the tuning: the reported test losses are then "
            "optimistic. Choose on a validation split and touch the test set only once, at the end.",
        ),
        (
            "d",
            "Averaging over seeds measures the spread (needed too), but with one shared lr the comparison still "
            "ranks how well lr = 0.01 happens to suit each optimizer.",
        ),
    ],
    success="Each optimizer at its own tuned learning rate, chosen on validation data from a log-spaced grid "
    "(shifted to the optimizer's scale where it needs it, as for Adadelta) with the same budget.",
)


def paired_t_solution(losses_a, losses_b):
    d = np.asarray(losses_a, dtype=float) - np.asarray(losses_b, dtype=float)  # one difference per item
    se = d.std(ddof=1) / np.sqrt(len(d))
    return d.mean(), se, d.mean() / se


def unpaired_t(a, b):
    se = np.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
    return np.mean(a) - np.mean(b), se, (np.mean(a) - np.mean(b)) / se


def paired_t_ddof0(a, b):
    d = a - b
    se = d.std() / np.sqrt(len(d))
    return d.mean(), se, d.mean() / se


# per-seed test losses of two optimizers that move together from seed to seed (same init, same batches)
LOSSES = np.array([0.231, 0.188, 0.262, 0.205, 0.247]), np.array([0.214, 0.170, 0.251, 0.182, 0.236])
T = paired_t_solution(*LOSSES)[2]
exercise(
    "06.5",
    "a paired comparison",
    hint="Subtract first: d = losses_a - losses_b, one difference per item. Then the mean of d, "
    "its standard error d.std(ddof=1) / sqrt(len(d)), and t = mean / se.",
    solution=paired_t_solution,
    cases=[LOSSES],
    where="paired_t(losses_a, losses_b)",
    names=("mean", "se", "t"),
    facts=lambda a, b: {"n": len(a), "ratio": unpaired_t(a, b)[1] / paired_t_solution(a, b)[1]},
    atol=1e-12,
    mistakes=[
        (
            lambda a, b: paired_t_solution(b, a),
            "Your mean difference is {got[0]}, the negative of the expected {expected[0]}: compute "
            "losses_a - losses_b (a - b), so that a positive mean says a has the larger loss.",
        ),
        (
            unpaired_t,
            "Your standard error, {got[1]}, treats the two lists as independent samples. They are paired (same "
            "items): most of their variation is shared and cancels in the differences. Take the standard error "
            "of d = a - b instead: {expected[1]}, {ratio:.1f} times smaller here.",
        ),
        (
            lambda a, b: ((a - b).mean(), (a - b).std(ddof=1), (a - b).mean() / (a - b).std(ddof=1)),
            "{got[1]} is the standard deviation of the differences, the spread of one item. The mean of n = {n} "
            "differences varies less: divide by sqrt(n) to get the standard error {expected[1]}.",
        ),
        (
            paired_t_ddof0,
            "Your standard error uses the population standard deviation (np.std's default ddof=0). With {n} items "
            "use the sample standard deviation, ddof=1, which does not understate the spread.",
        ),
    ],
    success=f"t = {T:.2f}: the difference is {T:.1f} standard errors from zero. With n = 5 it has 4 degrees of "
    "freedom; and if you picked this pair as the most extreme of many, say so.",
)
