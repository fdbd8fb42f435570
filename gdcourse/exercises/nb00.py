"""Exercises of notebook 00 (start here): NumPy warm-ups that the rest of the course uses."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import Incorrect, as_array, call, exercise, expect_close, matches

# 00.1 ----------------------------------------------------------------------------------


def mse_solution(y_hat, y):
    return np.mean((y_hat - y) ** 2)


@exercise(
    "00.1",
    "mean squared error",
    hint="Subtract, square each difference, then average: np.mean(...) of an array expression.",
    solution=mse_solution,
    mistakes=[
        (lambda y_hat, y: np.mean(y_hat - y), "square"),
        (lambda y_hat, y: np.sum((y_hat - y) ** 2), "sum"),
        (lambda y_hat, y: np.sqrt(np.mean((y_hat - y) ** 2)), "root"),
        (lambda y_hat, y: np.mean(np.abs(y_hat - y)), "absolute"),
        (lambda y_hat, y: (y_hat - y) ** 2, "single number"),
    ],
)
def check_mse(mse):
    # residuals [0, 1, -2, 3]: every typical mistake gives a different number
    cases = [
        (np.array([1.0, 3.0, 0.0, 5.0]), np.array([1.0, 2.0, 2.0, 2.0])),
        (np.array([0.5, -1.5]), np.array([2.5, -3.5])),
    ]
    for y_hat, y in cases:
        got = call(mse, y_hat, y)
        r = y_hat - y
        expected = np.mean(r**2)
        where = f"mse({y_hat}, {y})"
        if matches(got, r**2):
            raise Incorrect(
                f"{where} returned an array, the squared error of each sample; the MSE is a single number: their mean."
            )
        if not matches(got, expected) and matches(got, np.mean(r)):
            raise Incorrect(
                f"{where} returned {np.mean(r):.4g}, the mean of the differences: square them first, or "
                "positive and negative errors cancel."
            )
        if matches(got, np.sum(r**2)):
            raise Incorrect(
                f"{where} returned {np.sum(r**2):.4g}, the sum of squares; the *mean* divides by the "
                f"number of samples ({len(y)})."
            )
        if matches(got, np.sqrt(expected)):
            raise Incorrect(
                f"{where} returned {np.sqrt(expected):.4g}, the root of the MSE (RMSE); leave out the square root."
            )
        if matches(got, np.mean(np.abs(r))):
            raise Incorrect(
                f"{where} returned {np.mean(np.abs(r)):.4g}, the mean absolute error; square the "
                "differences instead of taking their absolute value."
            )
        expect_close(got, expected, where)
    return "MSE = mean((y_hat - y)**2): the loss of linear regression in notebook 02."


# 00.2 ----------------------------------------------------------------------------------


def f_solution(x):
    return x**2 + 4 * x + 1


@exercise(
    "00.2",
    "evaluate f(x) = x^2 + 4x + 1 on a whole array",
    hint="Write the formula once with NumPy arithmetic (x**2 is the power); it then works elementwise on any array.",
    solution=f_solution,
    mistakes=[
        (lambda x: x ^ 2 + 4 * x + 1, "XOR"),
        (lambda x: 2 * x + 4, "derivative"),
        (lambda x: x**2 + 4 * x, "constant"),
        (lambda x: [xi**2 + 4 * xi + 1 for xi in x], "list"),
        (lambda x: np.sum(x**2 + 4 * x + 1), "shape"),
    ],
)
def check_f(f):
    cases = [np.array([-2.0, 0.0, 2.0]), np.linspace(-4.0, 2.0, 12).reshape(3, 4)]
    for x in cases:
        try:
            got = call(f, x)
        except TypeError as error:
            if "xor" in str(error):
                raise Incorrect("`^` is bitwise XOR in Python, not a power: write x**2 for the square.") from None
            if "converted to Python scalars" in str(error):
                raise Incorrect(
                    "math.pow and other math functions take one number at a time; NumPy arithmetic "
                    "(x**2) works on whole arrays."
                ) from None
            raise
        where = f"f of an array of shape {x.shape}"
        if isinstance(got, list):
            raise Incorrect(
                f"{where} returned a Python list; return a NumPy array: x**2 + 4*x + 1 works on the "
                "whole array at once, with no loop."
            )
        if matches(got, 2 * x + 4):
            raise Incorrect(f"{where} returned 2x + 4, the derivative f'(x); the exercise asks for f(x) itself.")
        if matches(got, x**2 + 4 * x):
            raise Incorrect(f"{where} is off by exactly 1 everywhere: the constant term + 1 is missing.")
        try:
            shape = np.asarray(got, dtype=float).shape
        except (TypeError, ValueError):
            raise Incorrect(f"{where} should be an array of numbers; got {type(got).__name__} {got!r:.60}.") from None
        if shape != x.shape:
            raise Incorrect(f"{where} should have the same shape {x.shape} (one value per entry); got shape {shape}.")
        expect_close(got, x**2 + 4 * x + 1, where)
    return "One line of NumPy evaluates f on a whole grid: that is how the course plots curves and surfaces."


# 00.3 ----------------------------------------------------------------------------------


def predict_solution(X, w, b):
    return X @ w + b


@exercise(
    "00.3",
    "predictions of a linear model with the right shape",
    hint="X has shape (n, d) and w shape (d,): the matrix-vector product X @ w has shape (n,); then add b.",
    solution=predict_solution,
    mistakes=[
        (lambda X, w, b: w @ X + b, "X @ w"),
        (lambda X, w, b: X * w + b, "elementwise"),
        (lambda X, w, b: X @ w.reshape(-1, 1) + b, "column"),
        (lambda X, w, b: X @ w, "bias"),
        (lambda X, w, b: np.sum(X * w) + b, "per sample"),
    ],
)
def check_predict(predict):
    rng = np.random.default_rng(0)
    X, w, b = rng.normal(size=(5, 3)), np.array([2.0, -1.0, 0.5]), 0.5
    try:
        got = call(predict, X, w, b)
    except ValueError as error:
        if "matmul" in str(error) or "not aligned" in str(error):
            raise Incorrect(
                "The shapes do not line up for the product: X has shape (5, 3) and w (3,). "
                "Write X @ w: each row of X (one sample's 3 features) meets the 3 weights."
            ) from None
        raise
    expected = X @ w + b
    got = as_array(got, "predict's result")
    if matches(got, X * w + b):
        raise Incorrect(
            "Your result has shape (5, 3): `*` multiplies elementwise (w is broadcast over the rows). "
            "Use `@`, which also sums over the features."
        )
    if matches(got, expected[:, None]):
        raise Incorrect(
            "Your result has shape (5, 1), a column; y_hat should have shape (5,), like y. Keep w 1-D (shape (3,))."
        )
    if matches(got, X @ w):
        raise Incorrect("Close: every prediction is off by exactly b = 0.5. Add the bias b.")
    if got.ndim == 0:
        raise Incorrect("You returned one number; the model makes one prediction per sample: an array of shape (5,).")
    expect_close(got, expected, "predict(X, w, b) with X of shape (5, 3)")
    return "y_hat = X @ w + b, shape (n,): the forward pass of every linear model in the course."
