"""Exercises of notebook 03 (logistic regression)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import exercise
from gdcourse.losses import sigmoid, softmax


def log_sigmoid_solution(z):
    return -np.logaddexp(0, -z)  # log sigma(z) = -log(1 + e^-z), computed without forming e^-z


OVERFLOW = (
    "{where} gave {got} and NumPy warned: {warnings}. At z = -1000, e^-z = e^1000 overflows to inf. The answer "
    "there is -1000: use np.logaddexp(0, -z) = log(1 + e^-z), which never forms e^-z."
)
exercise(
    "03.1",
    "a log-sigmoid that never overflows",
    hint="log sigma(z) = log(1 / (1 + e^-z)) = -log(1 + e^-z) = -log(e^0 + e^-z). np.logaddexp(a, b) computes "
    "log(e^a + e^b) without forming either exponential.",
    solution=log_sigmoid_solution,
    cases=[(np.array([-1000.0, -40.0, -1.0, 0.0, 2.0, 40.0, 1000.0]),)],
    where="log_sigmoid({z})",
    quiet=True,
    rtol=1e-9,
    atol=1e-12,
    mistakes=[
        (lambda z: np.log(1 / (1 + np.exp(-z))), OVERFLOW),
        (lambda z: -np.log(1 + np.exp(-z)), OVERFLOW),
        (
            lambda z: np.log(sigmoid(z)),
            "{where} gave {got}: sigma(-1000) = e^-1000 is far below the smallest float64, so it underflows to 0 "
            "and log 0 = -inf. The true value is -1000. Stay in log space: log sigma(z) = -log(1 + e^-z) = "
            "-np.logaddexp(0, -z).",
        ),
        (
            lambda z: np.where(z >= 0, -np.log1p(np.exp(-z)), z - np.log1p(np.exp(z))),
            "Your values are right, but NumPy warned: {warnings}. np.where evaluates both branches on every "
            "element, so e^-z and e^z are both computed, and one of them overflows at z = +-1000. A single "
            "expression with np.logaddexp needs no branches.",
        ),
        (
            lambda z: -np.logaddexp(0, z),
            "{where} gave {got}, which is log(1 - sigmoid(z)) = log sigmoid(-z): check the sign of z inside the "
            "exponential (log sigma(z) = -log(1 + e^-z)).",
        ),
        (
            lambda z: np.logaddexp(0, -z),
            "{where} gave {got}: positive values, but the log of a probability is never above 0. A minus sign is "
            "missing: log sigma(z) = -log(1 + e^-z).",
        ),
    ],
    success="-np.logaddexp(0, -z): exact for every z. It is also the loss of section 2 for y = 1 with the sign "
    "flipped: -log sigma(z) = log(1 + e^-z).",
)


def loss_pm_solution(z, t):
    return np.mean(np.logaddexp(0, -t * z))  # log(1 + e^(-t z)) covers both t = +1 and t = -1


def clipped_bce(z, y):
    p = np.clip(sigmoid(z), 1e-15, 1 - 1e-15)
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


exercise(
    "03.2",
    "the cross-entropy with labels -1 and +1",
    hint="For t = +1 (y = 1) the loss of one sample is -log sigma(z) = log(1 + e^-z); for t = -1 (y = 0) it is "
    "-log(1 - sigma(z)) = log(1 + e^z). Both are log(1 + e^(-t z)), and np.logaddexp(0, -t * z) computes that "
    "without overflow. Return the mean over the samples.",
    solution=loss_pm_solution,
    cases=[
        (np.array([0.5, -2.0, 1.0]), np.array([1.0, -1.0, -1.0])),
        (np.array([-1000.0, -20.0, 0.0, 3.0, 800.0]), np.array([1.0, -1.0, 1.0, 1.0, -1.0])),
    ],
    where="loss_pm({z}, {t})",
    quiet=True,
    rtol=1e-9,
    mistakes=[
        (
            lambda z, t: np.sum(np.logaddexp(0, -t * z)),
            "{where} gave {got:.6g}, the sum over the samples; take the mean ({expected:.6g}).",
        ),
        (
            lambda z, t: np.mean(np.logaddexp(0, z) - t * z),
            "{where} gave {got:.6g}: that is log(1 + e^z) - y z, the formula for labels 0 and 1, fed with t = -1 "
            "where it expects y = 0. Rewrite the loss for t in {{-1, +1}} (expected {expected:.6g}).",
        ),
        (
            lambda z, t: np.mean(np.logaddexp(0, t * z)),
            "{where} gave {got:.6g}: check the sign. A score z that agrees with the label (t z > 0) must cost "
            "little, so the loss is log(1 + e^(-t z)).",
        ),
        (
            lambda z, t: clipped_bce(z, (t + 1) / 2),
            "{where} gave {got:.6g}, the clipped-probability version: each confident mistake is capped at "
            "-log(1e-15) = 34.5, but the sample with z = -1000 and t = +1 truly costs 1000. The expected mean is "
            "{expected:.6g}; the loss from the scores needs no clip.",
        ),
        (
            lambda z, t: np.mean(np.log(1 + np.exp(-t * z))),
            "{where} gave {got:.6g} and NumPy warned: {warnings}. e^(-t z) overflows to inf when -t z is 800 or "
            "1000; np.logaddexp(0, -t * z) computes log(1 + e^(-t z)) without forming the exponential.",
        ),
    ],
    success="log(1 + e^(-t z)): one formula for both classes, the 'logistic loss' of books that label the classes "
    "-1 and +1. It equals section 2's loss with y = (t + 1) / 2.",
)


def bce_gradient_solution(X, y, p):
    return X.T @ (p - y) / len(y)


exercise(
    "03.3",
    "the gradient of the binary cross-entropy",
    hint="The sigmoid's derivative cancels, so the error of sample i is simply p_i - y_i. "
    "Weight each feature by these errors with X.T @ (...), and average over the n samples.",
    solution=bce_gradient_solution,
    cases=[
        (
            np.random.default_rng(3).standard_normal((6, 3)),
            np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0]),
            np.array([0.9, 0.3, 0.2, 0.6, 0.8, 0.1]),
        )
    ],
    where="bce_gradient(X, y, p)",
    mistakes=[
        (
            lambda X, y, p: np.mean(p - y),
            "You returned mean(p - y): that is the gradient for the bias b. For w, weight the errors by X: "
            "X.T @ (p - y) / n.",
        ),
        (
            lambda X, y, p: X.T @ (p - y),
            "Your gradient is {y.size} times too large: divide by the number of samples n = {y.size} (the loss is "
            "a mean).",
        ),
        (
            lambda X, y, p: X.T @ (y - p) / len(y),
            "Your gradient has the wrong sign (y - p instead of p - y): a step along it would go uphill.",
        ),
        (
            lambda X, y, p: X.T @ ((p - y) * p * (1 - p)) / len(y),
            "You multiplied by the sigmoid's derivative p (1 - p). With the cross-entropy it cancels: "
            "dL/dz = p - y exactly. (The extra factor belongs to MSE on a sigmoid.)",
        ),
    ],
    success="X.T @ (p - y) / n: the same form as linear regression's gradient, with p in place of y_hat.",
)


def accuracy_solution(p, y):
    return np.mean((p >= 0.5) == y)


exercise(
    "03.4",
    "accuracy from predicted probabilities",
    hint="Turn probabilities into classes with (p >= 0.5), compare with y, and take the mean of the "
    "booleans (True counts as 1).",
    solution=accuracy_solution,
    cases=[
        (np.array([0.9, 0.2, 0.6, 0.4, 0.7]), np.array([1, 0, 0, 0, 1])),
        (np.array([0.5, 0.1, 0.95, 0.3]), np.array([1, 0, 1, 1])),
    ],
    where="accuracy({p}, {y})",
    mistakes=[
        (
            lambda p, y: np.sum((p >= 0.5) == y),
            "{where} gave {got:g}, the number of correct predictions; accuracy is the fraction ({expected:g}).",
        ),
        (
            lambda p, y: np.mean((p < 0.5) == y),
            "{where} gave {got:g}, the error rate (1 - accuracy): check that p >= 0.5 means class 1.",
        ),
        (
            lambda p, y: np.mean(p == y),
            "{where} gave {got:g}: probabilities are never exactly 0 or 1; apply the threshold p >= 0.5 first.",
        ),
        (
            lambda p, y: np.mean((p > 0.5) == y),
            "{where} gave {got:g}: a probability of exactly 0.5 counts as class 1 (p >= 0.5), as in model.predict.",
        ),
    ],
    success="mean((p >= 0.5) == y): the fraction of samples on the right side of the boundary.",
)


def log_softmax_solution(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)  # each row's largest entry becomes 0
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # minus log-sum-exp of the row


exercise(
    "03.5",
    "a log-softmax that never takes log 0",
    hint="log softmax(z)_k = z_k - log sum_j e^(z_j). Subtract the row's maximum c first (it changes nothing): "
    "z_k - c - log sum_j e^(z_j - c). The largest term of the sum is then e^0 = 1, so the log is never log 0.",
    solution=log_softmax_solution,
    cases=[(np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0], [0.0, -800.0, 3.0], [1.0, 2.0, 3.0]]),)],
    where="log_softmax(Z)",
    quiet=True,
    rtol=1e-9,
    mistakes=[
        (
            lambda Z: np.log(softmax(Z)),
            "log_softmax(Z) has -inf (or NumPy warned about log 0): {got[2]}. In the row [0, -800, 3], softmax "
            "gives the class with score -800 a probability of e^-803, which underflows to 0, and log 0 = -inf; "
            "the true value is about -803.05. Do not take the log of the softmax; compute "
            "z - c - log sum_j e^(z_j - c) directly.",
        ),
        (
            lambda Z: Z - np.log(np.exp(Z).sum(axis=1, keepdims=True)),
            "NumPy warned: {warnings}. np.exp(1000) overflows to inf, and log(inf) spoils the whole row. Subtract "
            "each row's maximum before exponentiating: the result is unchanged and the largest exponent is 0.",
        ),
        (
            lambda Z: Z - Z.max(axis=1, keepdims=True),
            "You subtracted each row's maximum but stopped there: the exponentials of a row must sum to 1. "
            "Also subtract the row's log-sum-exp, log sum_j e^(z_j - c).",
        ),
        (
            lambda Z: Z - Z.max() - np.log(np.exp(Z - Z.max()).sum(axis=1, keepdims=True)),
            "log_softmax(Z) has positive entries ({got[1]}), but the log of a probability is at most 0. Probably "
            "every e^(z - c) of a row underflowed to 0 and -log 0 = +inf: subtract each row's own maximum "
            "(Z.max(axis=1, keepdims=True)), not one number for the whole array.",
        ),
        (
            lambda Z: Z - Z.max(axis=0) - np.log(np.exp(Z - Z.max(axis=0)).sum(axis=0)),
            "The exponentials of each column of your answer sum to 1, but each row (one sample's classes) "
            "should: use axis=1 for the maximum and the sum.",
        ),
    ],
    success="z - c - log sum_j e^(z_j - c): finite even where the probability itself underflows to 0. "
    "gdcourse.losses.log_softmax does this, and the cross-entropy reads its loss from it.",
)
