"""Exercises of notebook 02 (linear regression)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import Incorrect, as_array, call, exercise, expect_close, matches


def unpack_pair(got, what: str, names: str):
    """The learner's answer as two values, or ``Incorrect`` saying what to return."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Incorrect(f"{what} should return a pair {names}; got {type(got).__name__} {got!r:.80}.")
    return got


def regression_problem(n: int = 8, d: int = 3, seed: int = 0):
    """A small data set with features away from zero (so a missing intercept shows) and a point (w, b)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 2, size=(n, d))
    y = X @ rng.normal(size=d) + 1.5 + 0.1 * rng.normal(size=n)
    return X, y, rng.normal(size=d), 0.3


# 02.1 -----------------------------------------------------------------------------------


def mse_grads_solution(X, y, w, b):
    residual = X @ w + b - y  # y_hat - y, shape (n,)
    grad_w = 2 * X.T @ residual / len(y)
    grad_b = 2 * np.mean(residual)
    return grad_w, grad_b


@exercise(
    "02.1",
    "the MSE gradient by hand",
    hint="With r = X @ w + b - y, the loss is mean(r**2); differentiate r_i**2 with the chain rule: 2 * r_i * x_i.",
    solution=mse_grads_solution,
    mistakes=[
        (lambda X, y, w, b: (X.T @ (X @ w + b - y) / len(y), np.mean(X @ w + b - y)), "factor of 2"),
        (lambda X, y, w, b: (2 * X.T @ (X @ w + b - y), 2 * np.sum(X @ w + b - y)), "divide by n"),
        (lambda X, y, w, b: (2 * X.T @ (y - X @ w - b) / len(y), 2 * np.mean(y - X @ w - b)), "sign"),
        (lambda X, y, w, b: (2 * X.T @ (X @ w + b - y) / len(y), 2 * (X @ w + b - y) / len(y)), "single number"),
    ],
)
def check_mse_grads(mse_grads):
    X, y, w, b = regression_problem()
    grad_w, grad_b = unpack_pair(call(mse_grads, X, y, w, b), "mse_grads", "(grad_w, grad_b)")
    grad_w, grad_b = as_array(grad_w, "grad_w"), as_array(grad_b, "grad_b")
    expected_w, expected_b = mse_grads_solution(X, y, w, b)
    n = len(y)
    if grad_b.size == n and grad_b.ndim >= 1:
        raise Incorrect(
            f"grad_b has shape {grad_b.shape}: one entry per sample. The bias gradient is a single number, "
            "the sum (or mean) over the samples."
        )
    if matches(grad_w, expected_w / 2) and matches(grad_b, expected_b / 2):
        raise Incorrect(
            "Your gradient is exactly half the right one: it is the gradient of half the MSE. The derivative "
            "of r**2 is 2 * r, so the factor of 2 stays (post 1's backward makes the same slip)."
        )
    if matches(grad_w, -expected_w) and matches(grad_b, -expected_b):
        raise Incorrect(
            "Your gradient has the opposite sign: you used y - y_hat. Differentiate (y_hat - y)**2 with respect "
            "to w: the inner derivative of y_hat - y is +x, so the residual is y_hat - y."
        )
    if matches(grad_w, n * expected_w) and matches(grad_b, n * expected_b):
        raise Incorrect(
            f"Your gradient is n = {n} times too large: it is the gradient of the sum of squared errors. "
            "The loss is a mean, so divide by n (the batch size) as well."
        )
    expect_close(grad_w, expected_w, "grad_w")
    expect_close(grad_b, expected_b, "grad_b")
    return "grad_w = 2/n X^T (y_hat - y) and grad_b = 2 * mean(y_hat - y): the two lines every step below uses."


# 02.2 -----------------------------------------------------------------------------------


def minibatch_epoch_solution(X, y, w, b, lr, batch_size, order):
    w, b = w.copy(), float(b)
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]  # the last batch may be smaller
        residual = X[batch] @ w + b - y[batch]
        w = w - lr * 2 * X[batch].T @ residual / len(batch)
        b = b - lr * 2 * np.mean(residual)
    return w, b


def epoch_variant(X, y, w, b, lr, batch_size, order, full=False, drop_last=False, scale=2.0, first_only=False):
    """Typical wrong versions of one epoch, for recognising a learner's mistake."""
    w, b = w.copy(), float(b)
    starts = list(range(0, len(X), batch_size))
    if drop_last:
        starts = [s for s in starts if s + batch_size <= len(X)]
    if first_only:
        starts = starts[:1]
    for start in starts:
        batch = np.arange(len(X)) if full else order[start : start + batch_size]
        residual = X[batch] @ w + b - y[batch]
        w = w - lr * scale * X[batch].T @ residual / len(batch)
        b = b - lr * scale * np.mean(residual)
    return w, b


@exercise(
    "02.2",
    "one epoch of mini-batch gradient descent",
    hint="Loop over start = 0, batch_size, 2*batch_size, ...; take batch = order[start:start + batch_size]; "
    "compute the MSE gradient on X[batch], y[batch] only and update w and b after every batch.",
    solution=minibatch_epoch_solution,
    mistakes=[
        (lambda X, y, w, b, lr, bs, order: epoch_variant(X, y, w, b, lr, bs, order, full=True), "whole data set"),
        (lambda X, y, w, b, lr, bs, order: epoch_variant(X, y, w, b, lr, bs, order, drop_last=True), "last batch"),
        (lambda X, y, w, b, lr, bs, order: epoch_variant(X, y, w, b, lr, bs, np.arange(len(X))), "order"),
        (lambda X, y, w, b, lr, bs, order: epoch_variant(X, y, w, b, lr, bs, order, first_only=True), "every batch"),
        (lambda X, y, w, b, lr, bs, order: epoch_variant(X, y, w, b, lr, bs, order, scale=1.0), "factor of 2"),
    ],
)
def check_minibatch_epoch(minibatch_epoch):
    X, y, w, b = regression_problem(n=10, d=2, seed=1)
    lr, batch_size = 0.1, 4  # batches of 4, 4 and 2 samples
    order = np.random.default_rng(2).permutation(len(X))
    got_w, got_b = unpack_pair(call(minibatch_epoch, X, y, w, b, lr, batch_size, order), "minibatch_epoch", "(w, b)")
    got_w, got_b = as_array(got_w, "w"), as_array(got_b, "b")

    def is_variant(variant):
        return matches(got_w, variant[0]) and matches(got_b, variant[1])

    args = (X, y, w, b, lr, batch_size, order)
    if is_variant(epoch_variant(*args, full=True)):
        raise Incorrect(
            "Each of your updates used the gradient on the whole data set: that is three steps of full-batch GD. "
            "Use only the samples of the current batch, X[batch] and y[batch]."
        )
    if is_variant(epoch_variant(*args, drop_last=True)):
        raise Incorrect(
            "You skipped the last batch (2 samples here, because 10 is not a multiple of 4). An epoch visits "
            "every sample once, so the last, smaller batch counts too."
        )
    if is_variant(epoch_variant(X, y, w, b, lr, batch_size, np.arange(len(X)))):
        raise Incorrect(
            "Your batches took the samples in their stored order 0, 1, 2, ... Use the shuffled `order`: "
            "batch = order[start:start + batch_size]."
        )
    if is_variant(epoch_variant(*args, first_only=True)):
        raise Incorrect("You made a single update. One epoch makes one update for every batch: 3 updates here.")
    if is_variant(epoch_variant(*args, scale=1.0)):
        raise Incorrect(
            "Your steps are half as long as they should be: the MSE gradient has a factor of 2 (2/n X^T r)."
        )
    expected_w, expected_b = minibatch_epoch_solution(*args)
    expect_close(got_w, expected_w, "w after one epoch")
    expect_close(got_b, expected_b, "b after one epoch")
    return "That is the inner loop of gdcourse.train.fit: batch_size = n gives batch GD, batch_size = 1 gives SGD."


# 02.3 -----------------------------------------------------------------------------------


def normal_equations_solution(X, y):
    X1 = np.c_[X, np.ones(len(X))]  # a column of ones carries the intercept b
    theta = np.linalg.solve(X1.T @ X1, X1.T @ y)  # or np.linalg.lstsq(X1, y, rcond=None)[0]
    return theta[:-1], theta[-1]


@exercise(
    "02.3",
    "the exact answer from the normal equations",
    hint="Append a column of ones to X (np.c_[X, np.ones(len(X))]), solve X1.T @ X1 @ theta = X1.T @ y "
    "with np.linalg.solve, and split theta into w (all but the last entry) and b (the last).",
    solution=normal_equations_solution,
    mistakes=[
        (lambda X, y: (np.linalg.lstsq(X, y, rcond=None)[0], 0.0), "column of ones"),
        (lambda X, y: normal_equations_solution(X, y)[::-1], "order"),
        (lambda X, y: (np.linalg.solve(X.T @ X, X.T @ y), np.mean(y)), "column of ones"),
    ],
)
def check_normal_equations(normal_equations):
    X, y, _, _ = regression_problem(n=20, d=3, seed=3)
    got_w, got_b = unpack_pair(call(normal_equations, X, y), "normal_equations", "(w, b)")
    got_w, got_b = as_array(got_w, "w"), as_array(got_b, "b")
    expected_w, expected_b = normal_equations_solution(X, y)
    if got_w.ndim == 0 and got_b.shape == expected_w.shape:
        raise Incorrect("You returned (b, w); return them in the order (w, b).")
    no_intercept = np.linalg.lstsq(X, y, rcond=None)[0]
    if matches(got_w, no_intercept):
        raise Incorrect(
            "Your w is the best fit of a line through the origin: without a column of ones in the design "
            "matrix the model has no intercept, so w must make up for b. Solve with X1 = np.c_[X, np.ones(n)]."
        )
    expect_close(got_w, expected_w, "w", rtol=1e-6)
    expect_close(got_b, expected_b, "b", rtol=1e-6)
    return "One linear solve gives the exact minimiser; every gradient-descent run in the notebook should approach it."


# 02.4 -----------------------------------------------------------------------------------


def standardize_solution(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)  # training statistics only
    return (X_train - mean) / std, (X_test - mean) / std


@exercise(
    "02.4",
    "standardise with the training statistics",
    hint="Compute mean and std (axis=0) on X_train only, then apply (X - mean) / std to both X_train and X_test.",
    solution=standardize_solution,
    mistakes=[
        (lambda A, B: ((A - A.mean(0)) / A.std(0), (B - B.mean(0)) / B.std(0)), "training statistics"),
        (
            lambda A, B: tuple((M - np.r_[A, B].mean(0)) / np.r_[A, B].std(0) for M in (A, B)),
            "test set",
        ),
        (lambda A, B: (A - A.mean(0), B - A.mean(0)), "standard deviation"),
        (lambda A, B: ((A - A.mean(0)) / A.var(0), (B - A.mean(0)) / A.var(0)), "variance"),
        (lambda A, B: ((A - A.mean(0)) / A.std(0, ddof=1), (B - A.mean(0)) / A.std(0, ddof=1)), "ddof"),
    ],
)
def check_standardize(standardize):
    rng = np.random.default_rng(4)
    scales, offsets = np.array([1.0, 10.0, 100.0]), np.array([5.0, -50.0, 500.0])
    X_train = offsets + scales * rng.normal(size=(12, 3))
    X_test = offsets + 2 * scales + scales * rng.normal(size=(5, 3))  # shifted: test statistics differ
    got_train, got_test = unpack_pair(call(standardize, X_train, X_test), "standardize", "(X_train_s, X_test_s)")
    got_train, got_test = as_array(got_train, "X_train_s"), as_array(got_test, "X_test_s")
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    if matches(got_test, (X_test - X_test.mean(0)) / X_test.std(0)):
        raise Incorrect(
            "Your test set was standardised with its own mean and std. Use the training statistics for both: "
            "the model learned its weights on features scaled that way, and at prediction time the test "
            "statistics are unknown."
        )
    both = np.r_[X_train, X_test]
    if matches(got_train, (X_train - both.mean(0)) / both.std(0)):
        raise Incorrect(
            "Your statistics include the test set: information from the test data leaks into training. "
            "Compute mean and std on X_train only."
        )
    if matches(got_train, X_train - mean):
        raise Incorrect("Your features are centred but not scaled: divide by the standard deviation as well.")
    if matches(got_train, (X_train - mean) / X_train.var(0)):
        raise Incorrect(
            "You divided by the variance; divide by the standard deviation (its square root), X.std(axis=0)."
        )
    if matches(got_train, (X_train - mean) / X_train.std(0, ddof=1)):
        raise Incorrect(
            "You used the sample standard deviation (ddof=1). That works just as well in practice, but the course "
            "(like gdcourse.data.Standardizer and scikit-learn's StandardScaler) uses NumPy's default ddof=0."
        )
    expect_close(got_train, (X_train - mean) / std, "X_train_s")
    expect_close(got_test, (X_test - mean) / std, "X_test_s")
    return (
        "The test features are not exactly mean 0 / std 1, and that is right: they were scaled like the training set."
    )


# 02.5 -----------------------------------------------------------------------------------


def with_ones(X):
    return np.c_[X, np.ones(len(X))]


def largest_eigenvalue(A):
    return np.linalg.eigvalsh(A).max()


def max_stable_lr_solution(X):
    X1 = np.c_[X, np.ones(len(X))]  # the intercept is a parameter too
    hessian = 2 * X1.T @ X1 / len(X)  # Hessian of the MSE
    L = np.linalg.eigvalsh(hessian).max()
    return 2 / L


@exercise(
    "02.5",
    "the largest stable learning rate",
    hint="The MSE's Hessian with respect to (w, b) is 2/n X1^T X1 with X1 = np.c_[X, np.ones(n)]; "
    "batch GD is stable for lr < 2/L, L its largest eigenvalue (np.linalg.eigvalsh).",
    solution=max_stable_lr_solution,
    mistakes=[
        (lambda X: 2 / largest_eigenvalue(2 * X.T @ X / len(X)), "column of ones"),
        (lambda X: 1 / largest_eigenvalue(2 * with_ones(X).T @ with_ones(X) / len(X)), "2/L"),
        (lambda X: 2 / largest_eigenvalue(with_ones(X).T @ with_ones(X)), "2/n"),
        (lambda X: 2 / largest_eigenvalue(with_ones(X).T @ with_ones(X) / len(X)), "half"),
    ],
)
def check_max_stable_lr(max_stable_lr):
    X, _, _, _ = regression_problem(n=30, d=3, seed=5)
    got = as_array(call(max_stable_lr, X), "max_stable_lr(X)")
    expected = max_stable_lr_solution(X)
    if got.shape == ():
        if np.isclose(got, 2 / largest_eigenvalue(2 * X.T @ X / len(X)), rtol=1e-6):
            raise Incorrect(
                "You left out the intercept: b is a parameter too, so the Hessian is built from X with a "
                "column of ones appended, np.c_[X, np.ones(n)]."
            )
        if np.isclose(got, expected / 2, rtol=1e-6):
            raise Incorrect(
                "You returned 1/L. GD is stable up to 2/L: the per-step factor |1 - lr L| stays below 1 until lr = 2/L."
            )
        if np.isclose(got, expected * 2 / len(X), rtol=1e-6):
            raise Incorrect(
                f"Your Hessian is missing the factor 2/n (n = {len(X)}), so your rate is n/2 times too small: "
                "the loss is a mean, 1/n times a sum of squares."
            )
        if np.isclose(got, expected * 2, rtol=1e-6):
            raise Incorrect("You used the Hessian of half the MSE (1/n X1^T X1): the MSE's Hessian is 2/n X1^T X1.")
    expect_close(got, expected, "max_stable_lr(X)")
    return "Above 2/L, GD diverges along the steepest direction of the loss; just below it, that direction oscillates."
