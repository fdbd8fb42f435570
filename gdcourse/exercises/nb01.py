"""Exercises of notebook 01 (gradient descent: definitions)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import Incorrect, call, exercise, expect_close


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
            raise Incorrect(f"gradient_step({x}, {grad}, {lr}) returned {got}: that step goes uphill. Subtract the gradient.")
        if np.allclose(np.asarray(got, dtype=float), x - grad) and lr != 1:
            raise Incorrect(f"gradient_step({x}, {grad}, {lr}) returned {got}: the step ignores the learning rate.")
        expect_close(got, expected, f"gradient_step({x}, {grad}, {lr})")
    return "x_new = x - lr * grad is the whole algorithm; everything else in the course refines it."
