"""Exercises of notebook 01 (gradient descent: definitions)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import Incorrect, as_array, call, exercise, expect_close, matches


def gradient_step_solution(x, grad, lr):
    return x - lr * grad


@exercise(
    "01.1",
    "one step of gradient descent",
    hint="Move against the gradient: the new point is x minus the learning rate times the gradient.",
    solution=gradient_step_solution,
    mistakes=[
        (lambda x, grad, lr: x + lr * grad, "uphill"),
        (lambda x, grad, lr: x - grad, "learning rate"),
    ],
)
def check_gradient_step(gradient_step):
    cases = [(2.0, 8.0, 0.1), (np.array([1.0, -2.0]), np.array([0.5, 4.0]), 0.25)]
    for x, grad, lr in cases:
        got = call(gradient_step, x, grad, lr)
        expected = x - lr * grad
        if np.allclose(np.asarray(got, dtype=float), x + lr * grad):
            raise Incorrect(
                f"gradient_step({x}, {grad}, {lr}) returned {got}: that step goes uphill. Subtract the gradient."
            )
        if np.allclose(np.asarray(got, dtype=float), x - grad) and lr != 1:
            raise Incorrect(f"gradient_step({x}, {grad}, {lr}) returned {got}: the step ignores the learning rate.")
        expect_close(got, expected, f"gradient_step({x}, {grad}, {lr})")
    return "x_new = x - lr * grad is the whole algorithm; everything else in the course refines it."


# 01.2 ----------------------------------------------------------------------------------


def grad_f_solution(p):
    x, y = p
    return np.array([0.2 * x, 4 * y])


@exercise(
    "01.2",
    "the gradient of f(x, y) = 0.1 x^2 + 2 y^2",
    hint=(
        "Differentiate with respect to x holding y fixed, then with respect to y holding x fixed; d/dx (c x^2) = 2 c x."
    ),
    solution=grad_f_solution,
    mistakes=[
        (lambda p: np.array([0.1 * p[0], 2 * p[1]]), "factor 2"),
        (lambda p: 0.1 * p[0] ** 2 + 2 * p[1] ** 2, "value"),
        (lambda p: np.array([4 * p[1], 0.2 * p[0]]), "swapped"),
        (lambda p: np.array([0.2 * p[0] + 4 * p[1]]), "one entry per coordinate"),
    ],
)
def check_grad_f(grad_f):
    for p in [np.array([-5.0, -2.0]), np.array([1.5, 0.5])]:
        got = call(grad_f, p)
        x, y = p
        expected = np.array([0.2 * x, 4 * y])
        where = f"grad_f({p})"
        if matches(got, [0.1 * x, 2 * y]):
            raise Incorrect(
                f"{where} returned {got}: half the gradient. The power rule brings down a factor 2: d/dx "
                "0.1 x^2 = 0.2 x."
            )
        if matches(got, 0.1 * x**2 + 2 * y**2):
            raise Incorrect(
                f"{where} returned one number, the value f(x, y); the gradient is the vector of the two "
                "partial derivatives."
            )
        if matches(got, expected[::-1]):
            raise Incorrect(
                f"{where} returned {got}: the two partial derivatives are swapped; the first entry is df/dx."
            )
        if as_array(got, where).shape != (2,):
            raise Incorrect(
                f"{where} should return one entry per coordinate, shape (2,): [df/dx, df/dy]; got shape "
                f"{np.shape(got)}."
            )
        expect_close(got, expected, where)
    return "grad f = [0.2 x, 4 y]: the y-direction is 20 times steeper, which is what makes this quadratic hard."


# 01.3 ----------------------------------------------------------------------------------


def gradient_descent_solution(grad, x0, lr, num_steps):
    x = np.array(x0, dtype=float)
    points = [x.copy()]
    for _ in range(num_steps):
        x = x - lr * grad(x)
        points.append(x.copy())
    return np.array(points)


def gradient_descent_shared_array(grad, x0, lr, num_steps):
    """A typical mistake: every list entry is the same array, updated in place."""
    x = np.array(x0, dtype=float)
    points = [x]
    for _ in range(num_steps):
        x -= lr * grad(x)
        points.append(x)
    return np.array(points)


def gradient_descent_without_start(grad, x0, lr, num_steps):
    """A typical mistake: the start point is not recorded."""
    x, points = np.array(x0, dtype=float), []
    for _ in range(num_steps):
        x = x - lr * grad(x)
        points.append(x)
    return np.array(points)


@exercise(
    "01.3",
    "a gradient descent loop that records its path",
    hint=(
        "Start a list with a copy of x0; in each of the num_steps steps do x = x - lr * grad(x) and append "
        "a copy of x; return np.array(list)."
    ),
    solution=gradient_descent_solution,
    mistakes=[
        (gradient_descent_shared_array, "copy"),
        (gradient_descent_without_start, "start"),
        (lambda grad, x0, lr, num_steps: x0 * (1 - 2 * lr) ** num_steps, "every point"),
        (lambda grad, x0, lr, num_steps: np.array([x0 * (1 + 2 * lr) ** k for k in range(num_steps + 1)]), "uphill"),
    ],
)
def check_gradient_descent(gradient_descent):
    cases = [
        (lambda x: 2 * x, np.array([2.0, 2.0]), 0.1, 5),  # the bowl x^2 + y^2
        (lambda x: np.array([0.2, 4.0]) * x, np.array([-5.0, -2.0]), 0.4, 8),  # 0.1 x^2 + 2 y^2
    ]
    for grad, x0, lr, num_steps in cases:
        got = call(gradient_descent, grad, x0, lr, num_steps)
        expected = gradient_descent_solution(grad, x0, lr, num_steps)
        where = f"gradient_descent(grad, {x0}, lr={lr}, num_steps={num_steps})"
        if matches(got, np.repeat(expected[-1:], num_steps + 1, axis=0)):
            raise Incorrect(
                f"{where}: every row is the final point. The list holds the same array {num_steps + 1} times, "
                "changed in place by `x -= ...`; append x.copy() (or write x = x - lr * grad(x), which "
                "makes a new array)."
            )
        if matches(got, expected[1:]):
            raise Incorrect(
                f"{where} has {num_steps} rows; the path should also hold the start x0 as its first row "
                f"({num_steps + 1} rows)."
            )
        if matches(got, expected[-1]):
            raise Incorrect(
                f"{where} returned only the last point; return every point of the path, shape "
                f"({num_steps + 1}, {len(x0)})."
            )
        got = as_array(got, where)
        if got.shape == expected.shape and matches(got[1], x0 + lr * grad(x0)):
            raise Incorrect(f"{where}: the first step went uphill, to x0 + lr * grad(x0). Subtract the gradient.")
        expect_close(got, expected, where)
    return (
        "That loop is gdcourse.train.minimize without the bookkeeping: minimize(f, x0, SGD, num_steps, lr=lr).points."
    )


# 01.4 ----------------------------------------------------------------------------------


def max_stable_lr_solution(A):
    L = np.linalg.eigvalsh(A).max()  # the largest curvature
    return 2 / L


def rotated(eigenvalues, degrees: float) -> np.ndarray:
    """A symmetric matrix with these eigenvalues, its eigenvectors turned by ``degrees``."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    Q = np.array([[c, -s], [s, c]])
    return Q @ np.diag(eigenvalues) @ Q.T


@exercise(
    "01.4",
    "the largest stable learning rate of a quadratic",
    hint=(
        "GD on a quadratic multiplies the error along each eigenvector of A by (1 - lr * lambda); all "
        "factors must be below 1 in size."
    ),
    solution=max_stable_lr_solution,
    mistakes=[
        (lambda A: 1 / np.linalg.eigvalsh(A).max(), "1/L"),
        (lambda A: 2 / np.linalg.eigvalsh(A).min(), "smallest"),
        (lambda A: 2 / np.max(np.diag(A)), "diagonal"),
        (lambda A: np.linalg.eigvalsh(A).max() / 2, "upside down"),
    ],
)
def check_max_stable_lr(max_stable_lr):
    for A in [np.diag([0.2, 4.0]), rotated([1.0, 10.0], 30), np.array([[2.0]])]:
        got = call(max_stable_lr, A)
        eigenvalues = np.linalg.eigvalsh(A)
        L = eigenvalues.max()
        matrix = np.array2string(A, precision=3, separator=", ").replace("\n", "")
        spectrum = np.array2string(eigenvalues, precision=3, separator=", ")
        where = f"max_stable_lr(A) for A = {matrix} (eigenvalues {spectrum})"
        if matches(got, 2 / L):
            continue
        if matches(got, 1 / L):
            raise Incorrect(
                f"{where} returned 1/L = {1 / L:.4g}. With lr = 1/L the steepest direction is solved in "
                "one step, but GD still converges up to 2/L, where |1 - lr L| reaches 1."
            )
        if matches(got, 2 / eigenvalues.min()):
            raise Incorrect(
                f"{where} returned 2 / (smallest eigenvalue); the *largest* eigenvalue L limits the "
                "step: along it |1 - lr L| exceeds 1 first."
            )
        if matches(got, 2 / np.max(np.diag(A))) or matches(got, 2 / A.max()):
            raise Incorrect(
                f"{where}: you used the diagonal entries of A; they are the eigenvalues only when A is "
                "diagonal. Use np.linalg.eigvalsh(A)."
            )
        if matches(got, L / 2):
            raise Incorrect(f"{where} returned L/2 = {L / 2:.4g}: the fraction is upside down, the limit is 2/L.")
        expect_close(got, 2 / L, where)
    return "lr < 2/L with L the largest eigenvalue of the Hessian; past it, GD diverges along that eigenvector."
