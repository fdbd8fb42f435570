"""Models with hand-written backpropagation, all following one protocol.

- ``model.params``: the list of parameter arrays an optimizer updates in place;
- ``model.loss_and_grads(X, y)``: the mean loss on a batch and its gradients, aligned with ``params``;
- ``model.evaluate(X, y)``: that loss and the accuracy (``None`` for a regression), from one forward
  pass without gradients (``fit`` records these after every epoch);
- ``model.predict(X)``: predictions (class labels for classifiers).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from gdcourse.losses import ACTIVATIONS, bce_with_logits, cross_entropy, log_softmax, mse, one_hot, sigmoid, softmax
from gdcourse.validation import check_array, check_choice, check_count, check_labels, check_X_y

__all__ = [
    "MLP",
    "Evaluation",
    "LinearModel",
    "LinearRegression",
    "LogisticRegression",
    "Model",
    "SoftmaxRegression",
    "checks_data",
]


class Evaluation(NamedTuple):
    """What ``model.evaluate`` returns: the loss and the accuracy (``None`` for a regression)."""

    loss: float
    accuracy: float | None


def checks_data(method: Callable) -> Callable:
    """Check ``(X, y)`` with the model's ``check_batch`` before ``method`` computes anything.

    A learner's call is checked; ``fit`` checks the whole data set once and then runs the
    method itself on every batch (``method.__wrapped__``): checks at the boundary, none in the loop.
    """

    @functools.wraps(method)
    def checked(self: Model, X: Any, y: Any) -> Any:
        return method(self, *self.check_batch(X, y))

    return checked


class Model:
    """Shared plumbing: input checks, parameter count and a readable repr."""

    is_classifier = False
    n_features: int
    params: list[np.ndarray]

    def check_X(self, X: Any) -> np.ndarray:
        """``X`` as a finite float array of shape (n, n_features), or a clear error."""
        X = check_array("X", X, ndim=2)
        if X.shape[1] != self.n_features:
            raise ValueError(f"X has {X.shape[1]} features but the model expects {self.n_features}.")
        return X

    def check_batch(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` checked and with ``y`` in the form the model computes with (see ``targets``)."""
        X, y = check_X_y(X, y, self.n_features)
        return X, self.targets(y)

    def targets(self, y: np.ndarray) -> np.ndarray:
        """The targets as the loss needs them: here one number per sample, shape (n,)."""
        return y.reshape(len(y))

    @property
    def num_params(self) -> int:
        """Total number of scalar parameters."""
        return sum(p.size for p in self.params)

    def accuracy(self, X: Any, y: Any) -> float:
        """Fraction of samples whose predicted class equals the label (classifiers only)."""
        return float(np.mean(self.predict(X) == y))

    def predict(self, X: Any) -> np.ndarray:
        """Predictions for the rows of ``X``."""
        raise NotImplementedError

    def describe(self) -> str:
        """The call that builds this model."""
        raise NotImplementedError

    def __repr__(self) -> str:
        shapes = ", ".join(str(p.shape) for p in self.params)
        return f"{self.describe()}: params of shapes [{shapes}], {self.num_params:,} numbers"


class LinearModel(Model):
    """A weight vector ``w`` of shape (d,) and a bias ``b`` (a 0-d array), both starting at zero:
    the parameters of linear and logistic regression, ``params = [w, b]``."""

    def __init__(self, n_features: int):
        self.n_features = check_count("n_features", n_features)
        self.w = np.zeros(self.n_features)
        self.b = np.zeros(())
        self.params = [self.w, self.b]

    def describe(self) -> str:
        return f"{type(self).__name__}(n_features={self.n_features})"


class LinearRegression(LinearModel):
    r"""$\hat y = Xw + b$ with the mean squared error $\mathcal{L} = \frac1n\sum_i(\hat y_i - y_i)^2$.

    Gradients: $\nabla_w \mathcal{L} = \frac2n X^\top(\hat y - y)$,
    $\partial_b \mathcal{L} = \frac2n\sum_i(\hat y_i - y_i)$.
    """

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n,)."""
        return self.check_X(X) @ self.w + self.b

    @checks_data
    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean squared error on (X, y) and its gradients ``[grad_w, grad_b]``."""
        y_hat = X @ self.w + self.b  # (n,)
        residual = y_hat - y
        grad_w = 2 * X.T @ residual / len(y)
        grad_b = 2 * np.mean(residual)
        return mse(y_hat, y), [grad_w, np.asarray(grad_b)]

    @checks_data
    def evaluate(self, X, y) -> Evaluation:
        """Mean squared error on (X, y), without the gradients (and no accuracy: a regression)."""
        return Evaluation(mse(X @ self.w + self.b, y), None)


class LogisticRegression(LinearModel):
    r"""$p = \sigma(Xw + b)$ with the binary cross-entropy, labels $y \in \{0, 1\}$.

    The gradient has the same form as linear regression's: $\nabla_w \mathcal{L} = \frac1n X^\top(p - y)$,
    $\partial_b \mathcal{L} = \frac1n \sum_i (p_i - y_i)$.
    """

    is_classifier = True

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Class labels 0 or 1 as integers (an error for anything else)."""
        return check_labels(y, 2)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of class 1 for each sample, shape (n,)."""
        return sigmoid(self.check_X(X) @ self.w + self.b)

    def predict(self, X: Any) -> np.ndarray:
        """Class labels (0 or 1): 1 where the probability is at least 0.5."""
        return (self.predict_proba(X) >= 0.5).astype(np.int64)

    @checks_data
    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Binary cross-entropy on (X, y) and its gradients ``[grad_w, grad_b]``."""
        z = X @ self.w + self.b  # logits, (n,)
        p = sigmoid(z)
        grad_w = X.T @ (p - y) / len(y)
        grad_b = np.mean(p - y)
        return bce_with_logits(z, y), [grad_w, np.asarray(grad_b)]

    @checks_data
    def evaluate(self, X, y) -> Evaluation:
        """Binary cross-entropy and accuracy on (X, y), from one forward pass."""
        z = X @ self.w + self.b
        return Evaluation(bce_with_logits(z, y), float(np.mean((sigmoid(z) >= 0.5) == y)))


class SoftmaxRegression(Model):
    r"""Multinomial logistic regression: $P = \mathrm{softmax}(XW + b)$ with the cross-entropy.

    $\nabla_W \mathcal{L} = \frac1n X^\top(P - Y)$, $\nabla_b \mathcal{L} = \frac1n \sum_i (P_i - Y_i)$, where
    $Y$ is one-hot. It is an MLP with no hidden layer. ``params = [W, b]``, shapes (d, K) and (K,).
    """

    is_classifier = True

    def __init__(self, n_features: int, n_classes: int):
        self.n_features = check_count("n_features", n_features)
        self.n_classes = check_count("n_classes", n_classes, low=2)
        self.W = np.zeros((self.n_features, self.n_classes))
        self.b = np.zeros(self.n_classes)
        self.params = [self.W, self.b]

    def describe(self) -> str:
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes})"

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Class labels 0..K-1 as integers (an error for anything else)."""
        return check_labels(y, self.n_classes)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n, K); each row sums to 1."""
        return softmax(self.check_X(X) @ self.W + self.b)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class for each sample, shape (n,)."""
        return np.argmax(self.check_X(X) @ self.W + self.b, axis=1)

    @checks_data
    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Cross-entropy on (X, y) and its gradients ``[grad_W, grad_b]``."""
        Z = X @ self.W + self.b  # logits, (n, K)
        dZ = (softmax(Z) - one_hot(y, self.n_classes)) / len(y)
        return cross_entropy(Z, y), [X.T @ dZ, dZ.sum(axis=0)]

    @checks_data
    def evaluate(self, X, y) -> Evaluation:
        """Cross-entropy and accuracy on (X, y), from one forward pass."""
        Z = X @ self.W + self.b
        return Evaluation(cross_entropy(Z, y), float(np.mean(np.argmax(Z, axis=1) == y)))


class MLP(Model):
    r"""A fully connected network: hidden layers $a_l = \phi(a_{l-1} W_l + b_l)$, a linear output layer.

    ``layer_sizes = [d, h_1, ..., K]``; ``params = [W1, b1, W2, b2, ...]`` with ``W`` of shape
    (fan_in, fan_out) and ``b`` of shape (fan_out,), so every layer computes ``a @ W + b``.

    - ``loss='cross_entropy'``: the outputs are logits and ``y`` holds class labels 0..K-1.
    - ``loss='mse'``: the outputs are compared with ``y`` of shape (n, K), or with the one-hot
      code of labels if ``y`` is 1-D and K > 1.
    - ``init``: ``'zeros'`` (every hidden unit identical: the symmetry problem), ``'normal'``
      (unscaled N(0, 1), which saturates sigmoids when fan_in is large), ``'xavier'``
      (std $\sqrt{2/(\text{fan\_in}+\text{fan\_out})}$, for sigmoid and tanh) or ``'he'``
      (std $\sqrt{2/\text{fan\_in}}$, for ReLU). Biases start at zero.
    """

    activations = tuple(ACTIVATIONS)
    losses = ("cross_entropy", "mse")
    inits = ("zeros", "normal", "xavier", "he")

    def __init__(
        self,
        layer_sizes: list[int],
        activation: str = "sigmoid",
        loss: str = "cross_entropy",
        init: str = "xavier",
        seed: int = 0,
    ):
        if isinstance(layer_sizes, (str, np.ndarray)) or not hasattr(layer_sizes, "__len__") or len(layer_sizes) < 2:
            raise ValueError(
                f"layer_sizes must list at least two positive integers, [inputs, ..., outputs]; got {layer_sizes!r}."
            )
        self.layer_sizes = [check_count(f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes)]
        self.activation = check_choice("activation", activation, self.activations)
        self.loss = check_choice("loss", loss, self.losses)
        self.init = check_choice("init", init, self.inits)
        self.seed = seed
        self.is_classifier = self.loss == "cross_entropy"
        self.n_features, self.n_outputs = self.layer_sizes[0], self.layer_sizes[-1]
        if self.is_classifier and self.n_outputs < 2:
            raise ValueError("A cross-entropy MLP needs at least 2 outputs (one per class).")
        self.phi, self.phi_grad = ACTIVATIONS[self.activation]
        rng = np.random.default_rng(seed)
        self.params = []
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            std = {"zeros": 0.0, "normal": 1.0, "xavier": np.sqrt(2 / (fan_in + fan_out)), "he": np.sqrt(2 / fan_in)}
            self.params += [std[self.init] * rng.standard_normal((fan_in, fan_out)), np.zeros(fan_out)]

    def describe(self) -> str:
        return (
            f"MLP({self.layer_sizes}, activation={self.activation!r}, loss={self.loss!r}, "
            f"init={self.init!r}, seed={self.seed})"
        )

    @property
    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The parameters as one ``(W, b)`` pair per layer, first layer first (the arrays of ``params``)."""
        return list(zip(self.params[0::2], self.params[1::2], strict=True))

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's output: the input ``X``, each hidden layer's activations, then the raw output (logits)."""
        *hidden, (W_out, b_out) = self.layers
        outputs = [X]
        for W, b in hidden:
            outputs.append(self.phi(outputs[-1] @ W + b))
        outputs.append(outputs[-1] @ W_out + b_out)
        return outputs

    def targets(self, y: np.ndarray) -> np.ndarray:
        """``y`` as the model's loss needs it: labels for cross-entropy, an (n, K) array for MSE."""
        if self.is_classifier:
            return check_labels(y, self.n_outputs)
        if y.ndim == 1 and self.n_outputs > 1:
            return one_hot(check_labels(y, self.n_outputs), self.n_outputs)
        Y = y.reshape(len(y), -1)
        if Y.shape[1] != self.n_outputs:
            raise ValueError(f"y has {Y.shape[1]} column(s) but the network has {self.n_outputs} output(s).")
        return Y

    @checks_data
    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Forward pass, loss, and backpropagation: returns (loss, [grad_W1, grad_b1, ...])."""
        outputs = self.forward(X)
        Z = outputs[-1]  # (n, K)
        if self.is_classifier:
            loss = cross_entropy(Z, y)
            dZ = (softmax(Z) - one_hot(y, self.n_outputs)) / len(y)  # dL/dZ of softmax + cross-entropy
        else:
            loss = mse(Z, y)
            dZ = 2 * (Z - y) / Z.size  # dL/dZ of the mean over all n*K entries
        grads: list[np.ndarray] = []
        for (W, _), a_prev in zip(reversed(self.layers), reversed(outputs[:-1]), strict=True):  # last layer first
            grads = [a_prev.T @ dZ, dZ.sum(axis=0), *grads]  # dL/dW = a_prev^T dZ, dL/db = sum over the batch
            if a_prev is not X:  # pass dZ down to the layer below (the input needs none)
                dZ = (dZ @ W.T) * self.phi_grad(a_prev)  # chain rule through phi
        return loss, grads

    @checks_data
    def evaluate(self, X, y) -> Evaluation:
        """The loss of ``loss_and_grads`` and, for a classifier, the accuracy, from one forward pass."""
        Z = self.forward(X)[-1]
        if self.is_classifier:
            return Evaluation(cross_entropy(Z, y), float(np.mean(np.argmax(Z, axis=1) == y)))
        return Evaluation(mse(Z, y), None)

    def predict(self, X: Any) -> np.ndarray:
        """Class labels (cross-entropy) or the outputs (MSE; shape (n,) when K = 1)."""
        Z = self.forward(self.check_X(X))[-1]
        if self.is_classifier:
            return np.argmax(Z, axis=1)
        return Z[:, 0] if self.n_outputs == 1 else Z

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (cross-entropy networks), shape (n, K)."""
        return softmax(self.forward(self.check_X(X))[-1])

    def log_proba(self, X: Any) -> np.ndarray:
        """Log-probabilities, computed stably from the logits, shape (n, K)."""
        return log_softmax(self.forward(self.check_X(X))[-1])
