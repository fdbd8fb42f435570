"""Exercises of notebook 03 (logistic regression)."""

from __future__ import annotations

import warnings

import numpy as np

from gdcourse.exercises import Incorrect, as_array, call, exercise, expect_close, format_value


def call_watching(function, *args):
    """``call`` the learner's function and also return the floating-point warnings it caused."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        result = call(function, *args)
    return result, sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)})


def reference_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# 03.1 ---------------------------------------------------------------------------------


def log_sigmoid_solution(z):
    return -np.logaddexp(0, -z)  # log sigma(z) = -log(1 + e^-z), computed without forming e^-z


def reference_log_sigmoid(z):
    return -np.logaddexp(0, -z)


@exercise(
    "03.1",
    "a log-sigmoid that never overflows",
    hint="log sigma(z) = log(1 / (1 + e^-z)) = -log(1 + e^-z) = -log(e^0 + e^-z). np.logaddexp(a, b) computes "
    "log(e^a + e^b) without forming either exponential.",
    solution=log_sigmoid_solution,
    mistakes=[
        (lambda z: np.log(1 / (1 + np.exp(-z))), "overflow"),
        (lambda z: np.log(reference_sigmoid(z)), "underflow"),
        (lambda z: np.where(z >= 0, -np.log1p(np.exp(-z)), z - np.log1p(np.exp(z))), "both branches"),
        (lambda z: -np.logaddexp(0, z), "1 - sigmoid(z)"),
        (lambda z: np.logaddexp(0, -z), "minus sign"),
    ],
)
def check_log_sigmoid(log_sigmoid):
    z = np.array([-1000.0, -40.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
    what = f"log_sigmoid({format_value(z)})"
    got, problems = call_watching(log_sigmoid, z)
    got = as_array(got, what, z.shape)
    expected = reference_log_sigmoid(z)
    with np.errstate(all="ignore"):
        if np.allclose(got, -np.logaddexp(0, z)):
            raise Incorrect(
                f"{what} gave {format_value(got)}, which is log(1 - sigmoid(z)) = log sigmoid(-z): "
                "check the sign of z inside the exponential (log sigma(z) = -log(1 + e^-z))."
            )
        if np.allclose(got, -expected):
            raise Incorrect(
                f"{what} gave {format_value(got)}: positive values, but the log of a probability is never above 0. "
                "A minus sign is missing: log sigma(z) = -log(1 + e^-z)."
            )
    if any("overflow" in problem for problem in problems):
        if np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            raise Incorrect(
                f"Your values are right, but NumPy warned: {'; '.join(problems)}. np.where evaluates both branches "
                "on every element, so e^-z and e^z are both computed, and one of them overflows at z = +-1000. "
                "A single expression with np.logaddexp needs no branches."
            )
        raise Incorrect(
            f"{what} gave {format_value(got)} and NumPy warned: {'; '.join(problems)}. At z = -1000, e^-z = e^1000 "
            "overflows to inf. The answer there is -1000: use np.logaddexp(0, -z) = log(1 + e^-z), which never "
            "forms e^-z."
        )
    if any("divide" in problem for problem in problems) or np.isneginf(got).any():
        raise Incorrect(
            f"{what} gave {format_value(got)}: sigma(-1000) = e^-1000 is far below the smallest float64, so it "
            "underflows to 0 and log 0 = -inf. The true value is -1000. Stay in log space: "
            "log sigma(z) = -log(1 + e^-z) = -np.logaddexp(0, -z)."
        )
    if not np.isfinite(got).all():
        raise Incorrect(f"{what} gave {format_value(got)}: the result must be finite for every z (even +-1000).")
    expect_close(got, expected, what, rtol=1e-9, atol=1e-12)
    return (
        "-np.logaddexp(0, -z): exact for every z. It is also the loss of section 2 for y = 1 with the sign flipped: "
        "-log sigma(z) = log(1 + e^-z)."
    )


# 03.2 ---------------------------------------------------------------------------------


def loss_pm_solution(z, t):
    return np.mean(np.logaddexp(0, -t * z))  # log(1 + e^(-t z)) covers both t = +1 and t = -1


def clipped_bce(z, y):
    p = np.clip(reference_sigmoid(z), 1e-15, 1 - 1e-15)
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


@exercise(
    "03.2",
    "the cross-entropy with labels -1 and +1",
    hint="For t = +1 (y = 1) the loss of one sample is -log sigma(z) = log(1 + e^-z); for t = -1 (y = 0) it is "
    "-log(1 - sigma(z)) = log(1 + e^z). Both are log(1 + e^(-t z)), and np.logaddexp(0, -t * z) computes that "
    "without overflow. Return the mean over the samples.",
    solution=loss_pm_solution,
    mistakes=[
        (lambda z, t: np.mean(np.logaddexp(0, z) - t * z), "0 and 1"),
        (lambda z, t: np.mean(np.log(1 + np.exp(-t * z))), "overflow"),
        (lambda z, t: np.sum(np.logaddexp(0, -t * z)), "mean"),
        (lambda z, t: np.mean(np.logaddexp(0, t * z)), "sign"),
        (lambda z, t: clipped_bce(z, (t + 1) / 2), "capped"),
    ],
)
def check_loss_pm(loss_pm):
    cases = [
        (np.array([0.5, -2.0, 1.0]), np.array([1.0, -1.0, -1.0])),
        (np.array([-1000.0, -20.0, 0.0, 3.0, 800.0]), np.array([1.0, -1.0, 1.0, 1.0, -1.0])),
    ]
    for z, t in cases:
        what = f"loss_pm({format_value(z)}, {format_value(t)})"
        got, problems = call_watching(loss_pm, z, t)
        got = as_array(got, what, ())
        expected = np.mean(np.logaddexp(0, -t * z))
        if np.isclose(got, len(z) * expected, rtol=1e-6):
            raise Incorrect(f"{what} gave {float(got):.6g}, the sum over the samples; take the mean ({expected:.6g}).")
        if np.isclose(got, np.mean(np.logaddexp(0, z) - t * z), rtol=1e-6):
            raise Incorrect(
                f"{what} gave {float(got):.6g}: that is log(1 + e^z) - y z, the formula for labels 0 and 1, "
                f"fed with t = -1 where it expects y = 0. Rewrite the loss for t in {{-1, +1}} "
                f"(expected {expected:.6g})."
            )
        if np.isclose(got, np.mean(np.logaddexp(0, t * z)), rtol=1e-6):
            raise Incorrect(
                f"{what} gave {float(got):.6g}: check the sign. A score z that agrees with the label (t z > 0) must "
                "cost little, so the loss is log(1 + e^(-t z))."
            )
        if np.isclose(got, clipped_bce(z, (t + 1) / 2), rtol=1e-6) and not np.isclose(got, expected, rtol=1e-6):
            raise Incorrect(
                f"{what} gave {float(got):.6g}, the clipped-probability version: each confident mistake is capped at "
                f"-log(1e-15) = 34.5, but the sample with z = -1000 and t = +1 truly costs 1000. "
                f"The expected mean is {expected:.6g}; the loss from the scores needs no clip."
            )
        if problems or not np.isfinite(got):
            raise Incorrect(
                f"{what} gave {float(got):.6g} and NumPy warned: {'; '.join(problems) or 'none'}. "
                "e^(-t z) overflows to inf when -t z is 800 or 1000; np.logaddexp(0, -t * z) computes "
                "log(1 + e^(-t z)) without forming the exponential."
            )
        expect_close(got, expected, what, rtol=1e-9)
    return (
        "log(1 + e^(-t z)): one formula for both classes, the 'logistic loss' of books that label the classes "
        "-1 and +1. It equals section 2's loss with y = (t + 1) / 2."
    )


# 03.3 ---------------------------------------------------------------------------------


def bce_gradient_solution(X, y, p):
    return X.T @ (p - y) / len(y)


@exercise(
    "03.3",
    "the gradient of the binary cross-entropy",
    hint="The sigmoid's derivative cancels, so the error of sample i is simply p_i - y_i. "
    "Weight each feature by these errors with X.T @ (...), and average over the n samples.",
    solution=bce_gradient_solution,
    mistakes=[
        (lambda X, y, p: X.T @ (p - y), "number of samples"),
        (lambda X, y, p: X.T @ (y - p) / len(y), "uphill"),
        (lambda X, y, p: X.T @ ((p - y) * p * (1 - p)) / len(y), "cancels"),
        (lambda X, y, p: np.mean(p - y), "bias"),
    ],
)
def check_bce_gradient(bce_gradient):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 3))
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    p = np.array([0.9, 0.3, 0.2, 0.6, 0.8, 0.1])
    got, _ = call_watching(bce_gradient, X, y, p)
    n = len(y)
    try:
        returned_bias_gradient = np.ndim(got) == 0 and np.isclose(float(got), np.mean(p - y))
    except (TypeError, ValueError):
        returned_bias_gradient = False
    if returned_bias_gradient:
        raise Incorrect(
            "You returned mean(p - y): that is the gradient for the bias b. "
            "For w, weight the errors by X: X.T @ (p - y) / n."
        )
    got = as_array(got, "bce_gradient(X, y, p)", (X.shape[1],))
    expected = X.T @ (p - y) / n
    if np.allclose(got, n * expected):
        raise Incorrect(
            f"Your gradient is {n} times too large: divide by the number of samples n = {n} (the loss is a mean)."
        )
    if np.allclose(got, -expected):
        raise Incorrect("Your gradient has the wrong sign (y - p instead of p - y): a step along it would go uphill.")
    if np.allclose(got, X.T @ ((p - y) * p * (1 - p)) / n):
        raise Incorrect(
            "You multiplied by the sigmoid's derivative p (1 - p). With the cross-entropy it cancels: "
            "dL/dz = p - y exactly. (The extra factor belongs to MSE on a sigmoid.)"
        )
    expect_close(got, expected, "bce_gradient(X, y, p)")
    return "X.T @ (p - y) / n: the same form as linear regression's gradient, with p in place of y_hat."


# 03.4 ---------------------------------------------------------------------------------


def accuracy_solution(p, y):
    return np.mean((p >= 0.5) == y)


@exercise(
    "03.4",
    "accuracy from predicted probabilities",
    hint="Turn probabilities into classes with (p >= 0.5), compare with y, and take the mean of the "
    "booleans (True counts as 1).",
    solution=accuracy_solution,
    mistakes=[
        (lambda p, y: np.sum((p >= 0.5) == y), "fraction"),
        (lambda p, y: np.mean((p < 0.5) == y), "error rate"),
        (lambda p, y: np.mean(p == y), "threshold"),
        (lambda p, y: np.mean((p > 0.5) == y), "exactly 0.5"),
    ],
)
def check_accuracy(accuracy):
    cases = [
        (np.array([0.9, 0.2, 0.6, 0.4, 0.7]), np.array([1, 0, 0, 0, 1])),
        (np.array([0.5, 0.1, 0.95, 0.3]), np.array([1, 0, 1, 1])),
    ]
    for p, y in cases:
        what = f"accuracy({format_value(p)}, {format_value(y)})"
        got = as_array(call_watching(accuracy, p, y)[0], what, ())
        expected = np.mean((p >= 0.5) == y)
        if np.isclose(got, np.sum((p >= 0.5) == y)) and not np.isclose(got, expected):
            raise Incorrect(
                f"{what} gave {float(got):g}, the number of correct predictions; "
                f"accuracy is the fraction ({expected:g})."
            )
        if np.isclose(got, 1 - expected) and not np.isclose(got, expected):
            raise Incorrect(
                f"{what} gave {float(got):g}, the error rate (1 - accuracy): check that p >= 0.5 means class 1."
            )
        if np.isclose(got, np.mean(p == y)) and not np.isclose(got, expected):
            raise Incorrect(
                f"{what} gave {float(got):g}: probabilities are never exactly 0 or 1; "
                "apply the threshold p >= 0.5 first."
            )
        if np.isclose(got, np.mean((p > 0.5) == y)) and not np.isclose(got, expected):
            raise Incorrect(
                f"{what} gave {float(got):g}: a probability of exactly 0.5 counts as class 1 (p >= 0.5), "
                "as in model.predict."
            )
        expect_close(got, expected, what)
    return "mean((p >= 0.5) == y): the fraction of samples on the right side of the boundary."


# 03.5 ---------------------------------------------------------------------------------


def log_softmax_solution(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)  # each row's largest entry becomes 0
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # minus log-sum-exp of the row


def reference_log_softmax(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def reference_softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


@exercise(
    "03.5",
    "a log-softmax that never takes log 0",
    hint="log softmax(z)_k = z_k - log sum_j e^(z_j). Subtract the row's maximum c first (it changes nothing): "
    "z_k - c - log sum_j e^(z_j - c). The largest term of the sum is then e^0 = 1, so the log is never log 0.",
    solution=log_softmax_solution,
    mistakes=[
        (lambda Z: np.log(reference_softmax(Z)), "underflow"),
        (lambda Z: Z - np.log(np.exp(Z).sum(axis=1, keepdims=True)), "overflow"),
        (lambda Z: Z - Z.max(axis=1, keepdims=True), "log-sum-exp"),
        (lambda Z: Z - Z.max() - np.log(np.exp(Z - Z.max()).sum(axis=1, keepdims=True)), "own maximum"),
        (lambda Z: Z - Z.max(axis=0) - np.log(np.exp(Z - Z.max(axis=0)).sum(axis=0)), "row"),
    ],
)
def check_log_softmax(log_softmax):
    Z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0], [0.0, -800.0, 3.0], [1.0, 2.0, 3.0]])
    got, problems = call_watching(log_softmax, Z)
    got = as_array(got, "log_softmax(Z)", Z.shape)
    expected = reference_log_softmax(Z)
    if any("overflow" in problem for problem in problems):
        raise Incorrect(
            f"NumPy warned: {'; '.join(problems)}. np.exp(1000) overflows to inf, and log(inf) spoils the whole row. "
            "Subtract each row's maximum before exponentiating: the result is unchanged and the largest exponent is 0."
        )
    if (got > 1e-12).any():
        raise Incorrect(
            f"log_softmax(Z) has positive entries ({format_value(got[(got > 1e-12).any(axis=1)][0])}), but the log of "
            "a probability is at most 0. Probably every e^(z - c) of a row underflowed to 0 and -log 0 = +inf: "
            "subtract each row's own maximum (Z.max(axis=1, keepdims=True)), not one number for the whole array."
        )
    if np.isneginf(got).any() or any("divide" in problem for problem in problems):
        row = got[np.isneginf(got).any(axis=1)][0] if np.isneginf(got).any() else got[2]
        raise Incorrect(
            f"log_softmax(Z) has -inf (or NumPy warned about log 0): {format_value(row)}. In the row [0, -800, 3], "
            "softmax gives the class with score -800 a probability of e^-803, which underflows to 0, and "
            "log 0 = -inf; the true value is about -803.05. Do not take the log of the softmax; compute "
            "z - c - log sum_j e^(z_j - c) directly."
        )
    if not np.isfinite(got).all():
        raise Incorrect(f"log_softmax(Z) gave {format_value(got)}: every entry must be finite.")
    row_sums = np.exp(got).sum(axis=1)
    if not np.allclose(row_sums, 1):
        if np.allclose(got, Z - Z.max(axis=1, keepdims=True)):
            raise Incorrect(
                "You subtracted each row's maximum but stopped there: the exponentials of a row must sum to 1. "
                "Also subtract the row's log-sum-exp, log sum_j e^(z_j - c)."
            )
        if np.allclose(np.exp(got).sum(axis=0), 1):
            raise Incorrect(
                "The exponentials of each column of your answer sum to 1, but each row (one sample's classes) "
                "should: use axis=1 for the maximum and the sum."
            )
        raise Incorrect(
            "exp(log_softmax(Z)) should have rows that sum to 1 (probabilities); "
            f"yours sum to {format_value(row_sums)}."
        )
    expect_close(got, expected, "log_softmax(Z)", rtol=1e-9)
    return (
        "z - c - log sum_j e^(z_j - c): finite even where the probability itself underflows to 0. "
        "gdcourse.losses.log_softmax does this, and the cross-entropy reads its loss from it."
    )
