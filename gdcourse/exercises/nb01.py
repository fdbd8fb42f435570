"""Exercises of notebook 01 (gradient descent: definitions)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import exercise


def gradient_step_solution(x, grad, lr):
    return x - lr * grad


exercise(
    "01.1",
    "one step of gradient descent",
    hint="Move against the gradient: the new point is x minus the learning rate times the gradient.",
    solution=gradient_step_solution,
    cases=[(2.0, 8.0, 0.1), (np.array([1.0, -2.0]), np.array([0.5, 4.0]), 0.25)],
    where="gradient_step({x!s}, {grad!s}, {lr!s})",
    mistakes=[
        (lambda x, grad, lr: x + lr * grad, "{where} returned {got!s}: that step goes uphill. Subtract the gradient."),
        (lambda x, grad, lr: x - grad, "{where} returned {got!s}: the step ignores the learning rate."),
    ],
    success="x_new = x - lr * grad is the whole algorithm; everything else in the course refines it.",
)


def grad_f_solution(p):
    x, y = p
    return np.array([0.2 * x, 4 * y])


exercise(
    "01.2",
    "the gradient of f(x, y) = 0.1 x^2 + 2 y^2",
    hint="Differentiate with respect to x holding y fixed, then with respect to y holding x fixed; "
    "d/dx (c x^2) = 2 c x.",
    solution=grad_f_solution,
    cases=[(np.array([-5.0, -2.0]),), (np.array([1.5, 0.5]),)],
    where="grad_f({p!s})",
    mistakes=[
        (
            lambda p: np.array([0.1 * p[0], 2 * p[1]]),
            "{where} returned {got!s}: half the gradient. The power rule brings down a factor 2: d/dx 0.1 x^2 = 0.2 x.",
        ),
        (
            lambda p: 0.1 * p[0] ** 2 + 2 * p[1] ** 2,
            "{where} returned one number, the value f(x, y); the gradient is the vector of the two partial "
            "derivatives.",
        ),
        (
            lambda p: np.array([4 * p[1], 0.2 * p[0]]),
            "{where} returned {got!s}: the two partial derivatives are swapped; the first entry is df/dx.",
        ),
        (
            lambda p: np.array([0.2 * p[0] + 4 * p[1]]),
            "{where} should return one entry per coordinate, shape (2,): [df/dx, df/dy]; got shape {got.shape}.",
        ),
    ],
    success="grad f = [0.2 x, 4 y]: the y-direction is 20 times steeper, which is what makes this quadratic hard.",
)


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


exercise(
    "01.3",
    "a gradient descent loop that records its path",
    hint="Start a list with a copy of x0; in each of the num_steps steps do x = x - lr * grad(x) and append "
    "a copy of x; return np.array(list).",
    solution=gradient_descent_solution,
    cases=[
        (lambda x: 2 * x, np.array([2.0, 2.0]), 0.1, 5),  # the bowl x^2 + y^2
        (lambda x: np.array([0.2, 4.0]) * x, np.array([-5.0, -2.0]), 0.4, 8),  # 0.1 x^2 + 2 y^2
    ],
    where="gradient_descent(grad, {x0!s}, lr={lr!s}, num_steps={num_steps})",
    facts=lambda grad, x0, lr, num_steps: {"rows": num_steps + 1},
    mistakes=[
        (
            gradient_descent_shared_array,
            "{where}: every row is the final point. The list holds the same array {rows} times, changed in place "
            "by `x -= ...`; append x.copy() (or write x = x - lr * grad(x), which makes a new array).",
        ),
        (
            lambda grad, x0, lr, num_steps: gradient_descent_solution(grad, x0, lr, num_steps)[1:],
            "{where} has {num_steps} rows; the path should also hold the start x0 as its first row ({rows} rows).",
        ),
        (
            lambda grad, x0, lr, num_steps: gradient_descent_solution(grad, x0, lr, num_steps)[-1],
            "{where} returned only the last point; return every point of the path, shape ({rows}, {x0.size}).",
        ),
        (
            lambda grad, x0, lr, num_steps: gradient_descent_solution(lambda x: -grad(x), x0, lr, num_steps),
            "{where}: the first step went uphill, to x0 + lr * grad(x0). Subtract the gradient.",
        ),
    ],
    success="That loop is gdcourse.train.minimize without the bookkeeping: "
    "minimize(f, x0, SGD, num_steps, lr=lr).points.",
)


def max_stable_lr_solution(A):
    L = np.linalg.eigvalsh(A).max()  # the largest curvature
    return 2 / L


def rotated(eigenvalues, degrees: float) -> np.ndarray:
    """A symmetric matrix with these eigenvalues, its eigenvectors turned by ``degrees``."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    Q = np.array([[c, -s], [s, c]])
    return Q @ np.diag(eigenvalues) @ Q.T


exercise(
    "01.4",
    "the largest stable learning rate of a quadratic",
    hint="GD on a quadratic multiplies the error along each eigenvector of A by (1 - lr * lambda); all "
    "factors must be below 1 in size.",
    solution=max_stable_lr_solution,
    cases=[(np.diag([0.2, 4.0]),), (rotated([1.0, 10.0], 30),), (np.array([[2.0]]),)],
    where="max_stable_lr(A) for A = {matrix} (eigenvalues {spectrum})",
    facts=lambda A: {
        "matrix": np.array2string(A, precision=3, separator=", ").replace("\n", ""),
        "spectrum": np.array2string(np.linalg.eigvalsh(A), precision=3, separator=", "),
    },
    mistakes=[
        (
            lambda A: 1 / np.linalg.eigvalsh(A).max(),
            "{where} returned 1/L = {wrong:.4g}. With lr = 1/L the steepest direction is solved in one step, "
            "but GD still converges up to 2/L, where |1 - lr L| reaches 1.",
        ),
        (
            lambda A: 2 / np.linalg.eigvalsh(A).min(),
            "{where} returned 2 / (smallest eigenvalue); the *largest* eigenvalue L limits the step: along it "
            "|1 - lr L| exceeds 1 first.",
        ),
        (
            lambda A: 2 / np.max(np.diag(A)),
            "{where}: you used the diagonal entries of A; they are the eigenvalues only when A is diagonal. "
            "Use np.linalg.eigvalsh(A).",
        ),
        (
            lambda A: np.linalg.eigvalsh(A).max() / 2,
            "{where} returned L/2 = {wrong:.4g}: the fraction is upside down, the limit is 2/L.",
        ),
    ],
    success="lr < 2/L with L the largest eigenvalue of the Hessian; past it, GD diverges along that eigenvector.",
)
