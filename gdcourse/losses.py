"""Activations and losses in NumPy, written to be numerically stable.

Losses use mean reduction and equal PyTorch's ``MSELoss``, ``BCEWithLogitsLoss`` and
``CrossEntropyLoss`` (integer labels) on the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "bce_with_logits",
    "binary_cross_entropy",
    "cross_entropy",
    "log_softmax",
    "mse",
    "one_hot",
    "sigmoid",
    "softmax",
]


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""$\sigma(z) = 1/(1 + e^{-z})$, computed without overflow for large $|z|$."""
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1, e) / (1 + e)  # 1/(1 + e^-z) for z >= 0, e^z/(1 + e^z) for z < 0


def softmax(Z: np.ndarray) -> np.ndarray:
    r"""Row-wise $\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}$ for ``Z`` of shape (n, K)."""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # shifting by the max changes nothing but the overflow
    return E / E.sum(axis=1, keepdims=True)


def log_softmax(Z: np.ndarray) -> np.ndarray:
    r"""Row-wise $\log \mathrm{softmax}(z)_k = z_k - \log\sum_j e^{z_j}$ (log-sum-exp trick)."""
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels of shape (n,) as rows of the identity: shape (n, n_classes)."""
    return np.eye(n_classes)[labels]


def mse(y_hat: np.ndarray, y: np.ndarray) -> float:
    r"""Mean squared error $\frac1n\sum (\hat y - y)^2$, averaged over every entry (``torch.nn.MSELoss``)."""
    return float(np.mean((y_hat - y) ** 2))


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> float:
    r"""Binary cross-entropy of labels $y \in \{0, 1\}$ given logits $z$ (``torch.nn.BCEWithLogitsLoss``).

    $-[y\log\sigma(z) + (1-y)\log(1-\sigma(z))] = \log(1 + e^{z}) - y z$, and
    ``np.logaddexp(0, z)`` computes $\log(1+e^z)$ without overflow: no clipping needed.
    """
    return float(np.mean(np.logaddexp(0, z) - y * z))


def binary_cross_entropy(p: np.ndarray, y: np.ndarray, eps: float = 1e-15) -> float:
    r"""Binary cross-entropy from *probabilities* $p$, clipped to $[\epsilon, 1-\epsilon]$ (post 2's version).

    The clip avoids $\log 0$ but caps the loss of a confident mistake at $-\log\epsilon \approx 34.5$;
    ``bce_with_logits`` has neither problem.
    """
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def cross_entropy(Z: np.ndarray, labels: np.ndarray) -> float:
    r"""Softmax cross-entropy $-\frac1n\sum_i \log\mathrm{softmax}(z_i)_{y_i}$ (``torch.nn.CrossEntropyLoss``)."""
    return float(-np.mean(log_softmax(Z)[np.arange(len(labels)), labels]))


# Hidden-layer activations, each with its derivative written in terms of its *output* a,
# which is what backpropagation has at hand.
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (sigmoid, lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(a.dtype)),
}
