r"""Gradient checking: compare an analytic gradient with centred finite differences.

$$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}, \qquad h \approx 10^{-5}$$

The error of the centred difference is $O(h^2)$, so in float64 a correct gradient agrees to
about 1e-9 or better. The comparison uses the relative error
$|a - n| / \max(|a|, |n|)$ (CS231n's convention): below 1e-7 is good, above 1e-2 is a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["GradcheckResult", "check_function", "check_model", "numerical_gradient", "relative_error"]

GOOD, BAD = 1e-7, 1e-2


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred differences of ``f()`` with respect to every entry of the array ``x``.

    ``f`` takes no argument: it reads ``x``, which is nudged in place and restored.
    """
    if x.dtype != np.float64:
        raise TypeError(f"Gradient checks need float64 (float32 rounding swamps the differences); got {x.dtype}.")
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)  # views: writing to them writes to x and grad
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        f_plus = f()
        flat_x[i] = original - h
        f_minus = f()
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """Largest entry-wise ``|a - n| / max(|a|, |n|)``; entries where both are 0 count as 0."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numerical, dtype=np.float64)
    scale = np.maximum(np.abs(a), np.abs(n))
    error = np.divide(np.abs(a - n), scale, out=np.zeros_like(scale), where=scale > 0)
    return float(error.max(initial=0.0))


@dataclass
class GradcheckResult:
    """Per-parameter relative errors and a verdict."""

    names: list
    errors: list

    @property
    def max_error(self) -> float:
        return max(self.errors)

    @property
    def passed(self) -> bool:
        """True when every relative error is below 1e-7."""
        return self.max_error < GOOD

    def __repr__(self) -> str:
        verdict = "good" if self.passed else ("WRONG" if self.max_error > BAD else "suspicious")
        rows = ", ".join(f"{n}: {e:.1e}" for n, e in zip(self.names, self.errors, strict=True))
        return f"Gradient check {verdict} (max relative error {self.max_error:.1e}; {rows})"


def check_model(model, X, y, h: float = 1e-5) -> GradcheckResult:
    """Check every parameter gradient of ``model.loss_and_grads`` on the batch (X, y).

    Use a small batch: the loss is evaluated twice per parameter entry.
    """
    _, grads = model.loss_and_grads(X, y)

    def loss():
        return model.loss_and_grads(X, y)[0]

    errors = [relative_error(g, numerical_gradient(loss, p, h)) for p, g in zip(model.params, grads, strict=True)]
    names = [f"params[{i}]" for i in range(len(errors))]
    return GradcheckResult(names, errors)


def check_function(function, x, h: float = 1e-5) -> GradcheckResult:
    """Check ``function.grad`` at the point ``x`` against finite differences of ``function``."""
    x = np.array(x, dtype=np.float64)
    numerical = numerical_gradient(lambda: float(function(x)), x, h)
    return GradcheckResult(["x"], [relative_error(function.grad(x), numerical)])
