"""Exercises of notebook 02 (linear regression)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import exercise


def regression_problem(n: int = 8, d: int = 3, seed: int = 0):
    """A small data set with features away from zero (so a missing intercept shows) and a point (w, b)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 2, size=(n, d))
    y = X @ rng.normal(size=d) + 1.5 + 0.1 * rng.normal(size=n)
    return X, y, rng.normal(size=d), 0.3


def with_ones(X):
    return np.c_[X, np.ones(len(X))]


def mse_grads_solution(X, y, w, b):
    residual = X @ w + b - y  # y_hat - y, shape (n,)
    grad_w = 2 * X.T @ residual / len(y)
    grad_b = 2 * np.mean(residual)
    return grad_w, grad_b


exercise(
    "02.1",
    "the MSE gradient by hand",
    hint="With r = X @ w + b - y, the loss is mean(r**2); differentiate r_i**2 with the chain rule: 2 * r_i * x_i.",
    solution=mse_grads_solution,
    cases=[regression_problem()],
    where="mse_grads(X, y, w, b)",
    names=("grad_w", "grad_b"),
    mistakes=[
        (
            lambda X, y, w, b: (X.T @ (X @ w + b - y) / len(y), np.mean(X @ w + b - y)),
            "Your gradient is exactly half the right one: it is the gradient of half the MSE. The derivative "
            "of r**2 is 2 * r, so the factor of 2 stays (post 1's backward makes the same slip).",
        ),
        (
            lambda X, y, w, b: (2 * X.T @ (X @ w + b - y), 2 * np.sum(X @ w + b - y)),
            "Your gradient is n = {y.size} times too large: it is the gradient of the sum of squared errors. "
            "The loss is a mean, so divide by n (the batch size) as well.",
        ),
        (
            lambda X, y, w, b: (2 * X.T @ (y - X @ w - b) / len(y), 2 * np.mean(y - X @ w - b)),
            "Your gradient has the opposite sign: you used y - y_hat. Differentiate (y_hat - y)**2 with respect "
            "to w: the inner derivative of y_hat - y is +x, so the residual is y_hat - y.",
        ),
        (
            lambda X, y, w, b: (2 * X.T @ (X @ w + b - y) / len(y), 2 * (X @ w + b - y) / len(y)),
            "grad_b has shape ({y.size},): one entry per sample. The bias gradient is a single number, "
            "the sum (or mean) over the samples.",
        ),
    ],
    success="grad_w = 2/n X^T (y_hat - y) and grad_b = 2 * mean(y_hat - y): the two lines every step below uses.",
)


def minibatch_epoch_solution(X, y, w, b, lr, batch_size, order):
    w, b = w.copy(), float(b)
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]  # the last batch may be smaller
        residual = X[batch] @ w + b - y[batch]
        w = w - lr * 2 * X[batch].T @ residual / len(batch)
        b = b - lr * 2 * np.mean(residual)
    return w, b


def epoch_variant(full=False, drop_last=False, scale=2.0, first_only=False, in_order=False):
    """One epoch with a typical mistake switched on."""

    def epoch(X, y, w, b, lr, batch_size, order):
        starts = [s for s in range(0, len(X), batch_size) if not drop_last or s + batch_size <= len(X)]
        order = np.arange(len(X)) if in_order else order
        for start in starts[:1] if first_only else starts:
            batch = np.arange(len(X)) if full else order[start : start + batch_size]
            residual = X[batch] @ w + b - y[batch]
            w = w - lr * scale * X[batch].T @ residual / len(batch)
            b = b - lr * scale * np.mean(residual)
        return w, b

    return epoch


exercise(
    "02.2",
    "one epoch of mini-batch gradient descent",
    hint="Loop over start = 0, batch_size, 2*batch_size, ...; take batch = order[start:start + batch_size]; "
    "compute the MSE gradient on X[batch], y[batch] only and update w and b after every batch.",
    solution=minibatch_epoch_solution,
    # batches of 4, 4 and 2 samples
    cases=[(*regression_problem(n=10, d=2, seed=1), 0.1, 4, np.random.default_rng(2).permutation(10))],
    where="minibatch_epoch(X, y, w, b, lr, batch_size, order)",
    names=("w", "b"),
    mistakes=[
        (
            epoch_variant(full=True),
            "Each of your updates used the gradient on the whole data set: that is three steps of full-batch GD. "
            "Use only the samples of the current batch, X[batch] and y[batch].",
        ),
        (
            epoch_variant(drop_last=True),
            "You skipped the last batch (2 samples here, because 10 is not a multiple of 4). An epoch visits "
            "every sample once, so the last, smaller batch counts too.",
        ),
        (
            epoch_variant(in_order=True),
            "Your batches took the samples in their stored order 0, 1, 2, ... Use the shuffled `order`: "
            "batch = order[start:start + batch_size].",
        ),
        (
            epoch_variant(first_only=True),
            "You made a single update. One epoch makes one update for every batch: 3 updates here.",
        ),
        (
            epoch_variant(scale=1.0),
            "Your steps are half as long as they should be: the MSE gradient has a factor of 2 (2/n X^T r).",
        ),
    ],
    success="That is the inner loop of gdcourse.train.fit: batch_size = n gives batch GD, batch_size = 1 gives SGD.",
)


def normal_equations_solution(X, y):
    X1 = np.c_[X, np.ones(len(X))]  # a column of ones carries the intercept b
    theta = np.linalg.solve(X1.T @ X1, X1.T @ y)  # or np.linalg.lstsq(X1, y, rcond=None)[0]
    return theta[:-1], theta[-1]


NO_INTERCEPT = (
    "Your w is the best fit of a line through the origin: without a column of ones in the design matrix the "
    "model has no intercept, so w must make up for b. Solve with X1 = np.c_[X, np.ones(n)]."
)
exercise(
    "02.3",
    "the exact answer from the normal equations",
    hint="Append a column of ones to X (np.c_[X, np.ones(len(X))]), solve X1.T @ X1 @ theta = X1.T @ y "
    "with np.linalg.solve, and split theta into w (all but the last entry) and b (the last).",
    solution=normal_equations_solution,
    cases=[regression_problem(n=20, d=3, seed=3)[:2]],
    where="normal_equations(X, y)",
    names=("w", "b"),
    mistakes=[
        (lambda X, y: (np.linalg.lstsq(X, y, rcond=None)[0], 0.0), NO_INTERCEPT),
        (lambda X, y: (np.linalg.solve(X.T @ X, X.T @ y), np.mean(y)), NO_INTERCEPT),
        (lambda X, y: normal_equations_solution(X, y)[::-1], "You returned (b, w); return them in the order (w, b)."),
    ],
    success="One linear solve gives the exact minimiser; every gradient-descent run in the notebook should "
    "approach it.",
)


def standardize_solution(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)  # training statistics only
    return (X_train - mean) / std, (X_test - mean) / std


def shifted_features(seed: int = 4):
    """A training set and a test set whose statistics differ, with features on three scales."""
    rng = np.random.default_rng(seed)
    scales, offsets = np.array([1.0, 10.0, 100.0]), np.array([5.0, -50.0, 500.0])
    return offsets + scales * rng.normal(size=(12, 3)), offsets + 2 * scales + scales * rng.normal(size=(5, 3))


exercise(
    "02.4",
    "standardise with the training statistics",
    hint="Compute mean and std (axis=0) on X_train only, then apply (X - mean) / std to both X_train and X_test.",
    solution=standardize_solution,
    cases=[shifted_features()],
    where="standardize(X_train, X_test)",
    names=("X_train_s", "X_test_s"),
    mistakes=[
        (
            lambda A, B: ((A - A.mean(0)) / A.std(0), (B - B.mean(0)) / B.std(0)),
            "Your test set was standardised with its own mean and std. Use the training statistics for both: "
            "the model learned its weights on features scaled that way, and at prediction time the test "
            "statistics are unknown.",
        ),
        (
            lambda A, B: tuple((M - np.r_[A, B].mean(0)) / np.r_[A, B].std(0) for M in (A, B)),
            "Your statistics include the test set: information from the test data leaks into training. "
            "Compute mean and std on X_train only.",
        ),
        (
            lambda A, B: (A - A.mean(0), B - A.mean(0)),
            "Your features are centred but not scaled: divide by the standard deviation as well.",
        ),
        (
            lambda A, B: ((A - A.mean(0)) / A.var(0), (B - A.mean(0)) / A.var(0)),
            "You divided by the variance; divide by the standard deviation (its square root), X.std(axis=0).",
        ),
        (
            lambda A, B: ((A - A.mean(0)) / A.std(0, ddof=1), (B - A.mean(0)) / A.std(0, ddof=1)),
            "You used the sample standard deviation (ddof=1). That works just as well in practice, but the course "
            "(like gdcourse.data.Standardizer and scikit-learn's StandardScaler) uses NumPy's default ddof=0.",
        ),
    ],
    success="The test features are not exactly mean 0 / std 1, and that is right: they were scaled like the "
    "training set.",
)


def max_stable_lr_solution(X):
    X1 = np.c_[X, np.ones(len(X))]  # the intercept is a parameter too
    hessian = 2 * X1.T @ X1 / len(X)  # Hessian of the MSE
    L = np.linalg.eigvalsh(hessian).max()
    return 2 / L


def two_over_largest_eigenvalue(A):
    return 2 / np.linalg.eigvalsh(A).max()


exercise(
    "02.5",
    "the largest stable learning rate",
    hint="The MSE's Hessian with respect to (w, b) is 2/n X1^T X1 with X1 = np.c_[X, np.ones(n)]; "
    "batch GD is stable for lr < 2/L, L its largest eigenvalue (np.linalg.eigvalsh).",
    solution=max_stable_lr_solution,
    cases=[regression_problem(n=30, d=3, seed=5)[:1]],
    where="max_stable_lr(X)",
    mistakes=[
        (
            lambda X: two_over_largest_eigenvalue(2 * X.T @ X / len(X)),
            "You left out the intercept: b is a parameter too, so the Hessian is built from X with a column of "
            "ones appended, np.c_[X, np.ones(n)].",
        ),
        (
            lambda X: two_over_largest_eigenvalue(2 * with_ones(X).T @ with_ones(X) / len(X)) / 2,
            "You returned 1/L. GD is stable up to 2/L: the per-step factor |1 - lr L| stays below 1 until lr = 2/L.",
        ),
        (
            lambda X: two_over_largest_eigenvalue(with_ones(X).T @ with_ones(X)),
            "Your Hessian is missing the factor 2/n (n = {X.shape[0]}), so your rate is n/2 times too small: "
            "the loss is a mean, 1/n times a sum of squares.",
        ),
        (
            lambda X: two_over_largest_eigenvalue(with_ones(X).T @ with_ones(X) / len(X)),
            "You used the Hessian of half the MSE (1/n X1^T X1): the MSE's Hessian is 2/n X1^T X1.",
        ),
    ],
    success="Above 2/L, GD diverges along the steepest direction of the loss; just below it, that direction "
    "oscillates.",
)
