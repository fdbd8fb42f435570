"""Exercises of notebook 03 (logistic regression)."""

from __future__ import annotations

import warnings

import numpy as np

from gdcourse.exercises import Incorrect, call, exercise, expect_close, format_value


def call_watching(function, *args):
    """``call`` the learner's function and also return the floating-point warnings it caused."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        result = call(function, *args)
    return result, sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)})


def as_array(got, what: str, shape: tuple) -> np.ndarray:
    """The answer as a float array of the expected shape, or ``Incorrect`` saying what is wrong."""
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            f"{what} should be a number or an array of numbers; got {type(got).__name__} {got!r}."
        ) from None
    if array.shape != shape:
        raise Incorrect(f"{what} has shape {array.shape}; expected shape {shape}.")
    return array


def reference_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# 03.1 ---------------------------------------------------------------------------------


def stable_sigmoid_solution(z):
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


@exercise(
    "03.1",
    "a sigmoid that never overflows",
    hint="np.exp(-np.abs(z)) never overflows. For z >= 0 use 1 / (1 + e^-z); for z < 0 use e^z / (1 + e^z): "
    "both are the same function, written with the safe exponential.",
    solution=stable_sigmoid_solution,
    mistakes=[
        (lambda z: 1 / (1 + np.exp(-z)), "overflow"),
        (lambda z: np.exp(z) / (1 + np.exp(z)), "overflow"),
        (lambda z: np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))), "both branches"),
        (lambda z: 1 / (1 + np.exp(-np.abs(z))), "negative"),
    ],
)
def check_stable_sigmoid(sigmoid):
    z = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
    got, problems = call_watching(sigmoid, z)
    got = as_array(got, f"sigmoid({format_value(z)})", z.shape)
    expected = reference_sigmoid(z)
    if np.allclose(got, reference_sigmoid(np.abs(z))) and not np.allclose(got, expected):
        raise Incorrect(
            f"sigmoid(z) gave {format_value(got)}: every value is at least 0.5, so negative z are treated as positive. "
            "For z < 0 the answer is e^z / (1 + e^z), below 0.5."
        )
    if np.allclose(got, reference_sigmoid(-z)):
        raise Incorrect(f"sigmoid(z) gave {format_value(got)}, which is sigmoid(-z): check the sign in the exponent.")
    if problems:
        raise Incorrect(
            f"NumPy warned while computing sigmoid(z): {'; '.join(problems)}. np.exp(1000) overflows to inf. "
            "Note that np.where evaluates both branches on every element, so both branches must be safe for every "
            "z: exponentiate only -|z|, which is never positive."
        )
    if not np.isfinite(got).all():
        raise Incorrect(f"sigmoid(z) gave {format_value(got)}: the result must be finite for every z (even +-1000).")
    expect_close(got, expected, f"sigmoid({format_value(z)})", rtol=1e-9, atol=1e-300)
    return "Same values as 1 / (1 + e^-z), with no overflow at any z: this is gdcourse.losses.sigmoid."


# 03.2 ---------------------------------------------------------------------------------


def bce_with_logits_solution(z, y):
    return np.mean(np.logaddexp(0, z) - y * z)  # log(1 + e^z) - y z, computed without overflow


def clipped_bce(z, y):
    p = np.clip(reference_sigmoid(z), 1e-15, 1 - 1e-15)
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


@exercise(
    "03.2",
    "binary cross-entropy from logits",
    hint="The loss of one sample is log(1 + e^z) - y z, and np.logaddexp(0, z) computes log(e^0 + e^z) "
    "without overflow. Return the mean over the samples.",
    solution=bce_with_logits_solution,
    mistakes=[
        (clipped_bce, "capped"),
        (lambda z, y: np.mean(np.log(1 + np.exp(z)) - y * z), "overflow"),
        (lambda z, y: np.sum(np.logaddexp(0, z) - y * z), "mean"),
        (lambda z, y: np.mean(np.logaddexp(0, z) + y * z), "sign"),
    ],
)
def check_bce_with_logits(bce_with_logits):
    cases = [
        (np.array([0.5, -2.0, 1.0]), np.array([1.0, 0.0, 0.0])),
        (np.array([-1000.0, -20.0, 0.0, 3.0, 800.0]), np.array([1.0, 0.0, 1.0, 1.0, 0.0])),
    ]
    for z, y in cases:
        what = f"bce_with_logits({format_value(z)}, {format_value(y)})"
        got, problems = call_watching(bce_with_logits, z, y)
        got = as_array(got, what, ())
        expected = np.mean(np.logaddexp(0, z) - y * z)
        if np.isclose(got, len(z) * expected, rtol=1e-6):
            raise Incorrect(f"{what} gave {float(got):.6g}, the sum over the samples; take the mean ({expected:.6g}).")
        if np.isclose(got, np.mean(np.logaddexp(0, z) + y * z), rtol=1e-6):
            raise Incorrect(
                f"{what} gave {float(got):.6g}: check the sign of the y z term (the loss is log(1 + e^z) - y z)."
            )
        if np.isclose(got, clipped_bce(z, y), rtol=1e-6) and not np.isclose(got, expected, rtol=1e-6):
            raise Incorrect(
                f"{what} gave {float(got):.6g}, the clipped-probability version: each confident mistake is capped at "
                f"-log(1e-15) = 34.5, but the sample with z = -1000 and y = 1 truly costs 1000. "
                f"The expected mean is {expected:.6g}; the logits form needs no clip."
            )
        if problems or not np.isfinite(got):
            raise Incorrect(
                f"{what} gave {float(got):.6g} and NumPy warned: {'; '.join(problems) or 'none'}. "
                "np.exp(800) overflows to inf; np.logaddexp(0, z) computes log(1 + e^z) without forming e^z."
            )
        expect_close(got, expected, what, rtol=1e-9)
    return "log(1 + e^z) - y z: exact for every z, no clip and no overflow. This is gdcourse.losses.bce_with_logits."


# 03.3 ---------------------------------------------------------------------------------


def bce_gradient_solution(X, y, p):
    return X.T @ (p - y) / len(y)


@exercise(
    "03.3",
    "the gradient of the binary cross-entropy",
    hint="The sigmoid's derivative cancels, so the error of sample i is simply p_i - y_i. "
    "Weight each feature by these errors with X.T @ (...), and average over the m samples.",
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
    m = len(y)
    try:
        returned_bias_gradient = np.ndim(got) == 0 and np.isclose(float(got), np.mean(p - y))
    except (TypeError, ValueError):
        returned_bias_gradient = False
    if returned_bias_gradient:
        raise Incorrect(
            "You returned mean(p - y): that is the gradient for the bias b. "
            "For w, weight the errors by X: X.T @ (p - y) / m."
        )
    got = as_array(got, "bce_gradient(X, y, p)", (X.shape[1],))
    expected = X.T @ (p - y) / m
    if np.allclose(got, m * expected):
        raise Incorrect(
            f"Your gradient is {m} times too large: divide by the number of samples m = {m} (the loss is a mean)."
        )
    if np.allclose(got, -expected):
        raise Incorrect("Your gradient has the wrong sign (y - p instead of p - y): a step along it would go uphill.")
    if np.allclose(got, X.T @ ((p - y) * p * (1 - p)) / m):
        raise Incorrect(
            "You multiplied by the sigmoid's derivative p (1 - p). With the cross-entropy it cancels: "
            "dL/dz = p - y exactly. (The extra factor belongs to MSE on a sigmoid.)"
        )
    expect_close(got, expected, "bce_gradient(X, y, p)")
    return "X.T @ (p - y) / m: the same form as linear regression's gradient, with p in place of y_hat."


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


def stable_softmax_solution(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # each row's largest entry becomes e^0 = 1
    return E / E.sum(axis=1, keepdims=True)


def reference_softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


@exercise(
    "03.5",
    "a softmax that does not overflow",
    hint="softmax(z) = softmax(z - c) for any constant c. Subtract each row's own maximum "
    "(Z.max(axis=1, keepdims=True)) before np.exp, then divide each row by its sum.",
    solution=stable_softmax_solution,
    mistakes=[
        (lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), "overflow"),
        (lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True), "own maximum"),
        (lambda Z: np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0), "row"),
    ],
)
def check_softmax(softmax):
    Z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    got, problems = call_watching(softmax, Z)
    got = as_array(got, "softmax(Z)", Z.shape)
    if any("overflow" in problem for problem in problems):
        raise Incorrect(
            f"NumPy warned: {'; '.join(problems)}. np.exp(1000) overflows to inf and inf / inf is nan. "
            "Subtract each row's maximum before exponentiating: the result is unchanged and the largest exponent is 0."
        )
    bad_rows = [i for i in range(len(Z)) if not np.isfinite(got[i]).all()]
    if bad_rows:
        raise Incorrect(
            f"Row(s) {bad_rows} came out as {format_value(got[bad_rows[0]])}: every e^(z - c) underflowed to 0 "
            "and 0 / 0 is nan. Subtract each row's own maximum (Z.max(axis=1, keepdims=True)), "
            "not one number for the whole array."
        )
    sums = got.sum(axis=1)
    if not np.allclose(sums, 1):
        raise Incorrect(
            f"The rows of softmax(Z) sum to {format_value(sums)}, but each row (one sample's class probabilities) must "
            "sum to 1: normalise along axis=1."
        )
    expect_close(got, reference_softmax(Z), "softmax(Z)", rtol=1e-9)
    return "Shift by the row maximum, exponentiate, normalise: gdcourse.losses.softmax does exactly this."
