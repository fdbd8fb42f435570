"""Exercises of notebook 00 (start here): NumPy warm-ups that the rest of the course uses."""

from __future__ import annotations

import math

import numpy as np

from gdcourse.exercises import exercise


def mse_solution(y_hat, y):
    return np.mean((y_hat - y) ** 2)


exercise(
    "00.1",
    "mean squared error",
    hint="Subtract, square each difference, then average: np.mean(...) of an array expression.",
    solution=mse_solution,
    # residuals [0, 1, -2, 3]: every typical mistake gives a different number
    cases=[
        (np.array([1.0, 3.0, 0.0, 5.0]), np.array([1.0, 2.0, 2.0, 2.0])),
        (np.array([0.5, -1.5]), np.array([2.5, -3.5])),
    ],
    where="mse({y_hat!s}, {y!s})",
    mistakes=[
        (
            lambda y_hat, y: (y_hat - y) ** 2,
            "{where} returned an array, the squared error of each sample; the MSE is a single number: their mean.",
        ),
        (
            lambda y_hat, y: np.mean(y_hat - y),
            "{where} returned {wrong:.4g}, the mean of the differences: square them first, or positive and "
            "negative errors cancel.",
        ),
        (
            lambda y_hat, y: np.sum((y_hat - y) ** 2),
            "{where} returned {wrong:.4g}, the sum of squares; the *mean* divides by the number of samples ({y.size}).",
        ),
        (
            lambda y_hat, y: np.sqrt(np.mean((y_hat - y) ** 2)),
            "{where} returned {wrong:.4g}, the root of the MSE (RMSE); leave out the square root.",
        ),
        (
            lambda y_hat, y: np.mean(np.abs(y_hat - y)),
            "{where} returned {wrong:.4g}, the mean absolute error; square the differences instead of taking "
            "their absolute value.",
        ),
    ],
    success="MSE = mean((y_hat - y)**2): the loss of linear regression in notebook 02.",
)


def f_solution(x):
    return x**2 + 4 * x + 1


exercise(
    "00.2",
    "evaluate f(x) = x^2 + 4x + 1 on a whole array",
    hint="Write the formula once with NumPy arithmetic (x**2 is the power); it then works elementwise on any array.",
    solution=f_solution,
    cases=[(np.array([-2.0, 0.0, 2.0]),), (np.linspace(-4.0, 2.0, 12).reshape(3, 4),)],
    where="f of an array of shape {x.shape}",
    array=True,
    mistakes=[
        (lambda x: x ^ 2 + 4 * x + 1, "`^` is bitwise XOR in Python, not a power: write x**2 for the square."),
        (
            lambda x: math.pow(x, 2) + 4 * x + 1,
            "math.pow and other math functions take one number at a time; NumPy arithmetic (x**2) works on whole "
            "arrays.",
        ),
        (
            lambda x: [xi**2 + 4 * xi + 1 for xi in x],
            "{where} returned a Python list; return a NumPy array: x**2 + 4*x + 1 works on the whole array at "
            "once, with no loop.",
        ),
        (lambda x: 2 * x + 4, "{where} returned 2x + 4, the derivative f'(x); the exercise asks for f(x) itself."),
        (lambda x: x**2 + 4 * x, "{where} is off by exactly 1 everywhere: the constant term + 1 is missing."),
        (
            lambda x: np.sum(x**2 + 4 * x + 1),
            "{where} should have the same shape {x.shape} (one value per entry); got shape {got.shape}.",
        ),
    ],
    success="One line of NumPy evaluates f on a whole grid: that is how the course plots curves and surfaces.",
)


def predict_solution(X, w, b):
    return X @ w + b


SHAPES = (
    "The shapes do not line up for the product: X has shape (5, 3) and w (3,). Write X @ w: each row of X "
    "(one sample's 3 features) meets the 3 weights."
)
exercise(
    "00.3",
    "predictions of a linear model with the right shape",
    hint="X has shape (n, d) and w shape (d,): the matrix-vector product X @ w has shape (n,); then add b.",
    solution=predict_solution,
    cases=[(np.random.default_rng(0).normal(size=(5, 3)), np.array([2.0, -1.0, 0.5]), 0.5)],
    where="predict(X, w, b) with X of shape (5, 3)",
    mistakes=[
        (lambda X, w, b: w @ X + b, SHAPES),
        (lambda X, w, b: np.dot(w, X) + b, SHAPES),
        (
            lambda X, w, b: X * w + b,
            "Your result has shape (5, 3): `*` multiplies elementwise (w is broadcast over the rows). "
            "Use `@`, which also sums over the features.",
        ),
        (
            lambda X, w, b: X @ w.reshape(-1, 1) + b,
            "Your result has shape (5, 1), a column; y_hat should have shape (5,), like y. Keep w 1-D (shape (3,)).",
        ),
        (lambda X, w, b: X @ w, "Close: every prediction is off by exactly b = 0.5. Add the bias b."),
        (
            lambda X, w, b: np.sum(X * w) + b,
            "You returned one number; the model makes one prediction per sample: an array of shape (5,).",
        ),
    ],
    success="y_hat = X @ w + b, shape (n,): the forward pass of every linear model in the course.",
)
