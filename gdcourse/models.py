"""Models with hand-written backpropagation, all following one protocol.

- ``model.params``: the list of parameter arrays an optimizer updates in place;
- ``model.loss_and_grads(X, y)``: the mean loss on a batch and its gradients, aligned with ``params``;
- ``model.evaluate(X, y)``: that loss and the accuracy (``None`` for a regression), from one forward
  pass without gradients (``fit`` records these after every epoch);
- ``model.predict(X)``: predictions (class labels for classifiers).
"""

from __future__ import annotations

import numpy as np

from gdcourse.losses import ACTIVATIONS, bce_with_logits, cross_entropy, log_softmax, mse, one_hot, sigmoid, softmax
from gdcourse.validation import check_array, check_choice, check_labels, check_number, check_X_y


class Model:
    """Shared plumbing: input checks, parameter count and a readable repr."""

    is_classifier = False
    n_features: int

    def check_X(self, X) -> np.ndarray:
        X = check_array("X", X, ndim=2)
        if X.shape[1] != self.n_features:
            raise ValueError(f"X has {X.shape[1]} features but the model expects {self.n_features}.")
        return X

    @property
    def num_params(self) -> int:
        """Total number of scalar parameters."""
        return sum(p.size for p in self.params)

    def accuracy(self, X, y) -> float:
        """Fraction of samples whose predicted class equals the label (classifiers only)."""
        return float(np.mean(self.predict(X) == y))

    def __repr__(self) -> str:
        shapes = ", ".join(str(p.shape) for p in self.params)
        return f"{self.describe()}: params of shapes [{shapes}], {self.num_params:,} numbers"


class LinearRegression(Model):
    r"""$\hat y = Xw + b$ with the mean squared error $\mathcal{L} = \frac1n\sum_i(\hat y_i - y_i)^2$.

    Gradients: $\nabla_w \mathcal{L} = \frac2n X^\top(\hat y - y)$,
    $\partial_b \mathcal{L} = \frac2n\sum_i(\hat y_i - y_i)$.
    ``params = [w, b]`` with ``w`` of shape (d,) and ``b`` a 0-d array; both start at zero.
    """

    def __init__(self, n_features: int):
        self.n_features = int(check_number("n_features", n_features, low=1))
        self.w = np.zeros(self.n_features)
        self.b = np.zeros(())
        self.params = [self.w, self.b]

    def describe(self) -> str:
        return f"LinearRegression(n_features={self.n_features})"

    def predict(self, X) -> np.ndarray:
        """Predicted targets, shape (n,)."""
        return self.check_X(X) @ self.w + self.b

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean squared error on (X, y) and its gradients ``[grad_w, grad_b]``."""
        X, y = check_X_y(X, y, self.n_features)
        y = y.reshape(len(y))
        residual = X @ self.w + self.b - y  # (n,)
        grad_w = 2 * X.T @ residual / len(y)
        grad_b = 2 * np.mean(residual)
        return mse(residual, 0.0), [grad_w, np.asarray(grad_b)]

    def evaluate(self, X, y) -> tuple[float, None]:
        """Mean squared error on (X, y), without the gradients (and no accuracy: a regression)."""
        X, y = check_X_y(X, y, self.n_features)
        return mse(X @ self.w + self.b - y.reshape(len(y)), 0.0), None


class LogisticRegression(Model):
    r"""$p = \sigma(Xw + b)$ with the binary cross-entropy, labels $y \in \{0, 1\}$.

    The gradient has the same form as linear regression's: $\nabla_w \mathcal{L} = \frac1n X^\top(p - y)$,
    $\partial_b \mathcal{L} = \frac1n \sum_i (p_i - y_i)$. ``params = [w, b]``, both start at zero.
    """

    is_classifier = True

    def __init__(self, n_features: int):
        self.n_features = int(check_number("n_features", n_features, low=1))
        self.w = np.zeros(self.n_features)
        self.b = np.zeros(())
        self.params = [self.w, self.b]

    def describe(self) -> str:
        return f"LogisticRegression(n_features={self.n_features})"

    def predict_proba(self, X) -> np.ndarray:
        """Probability of class 1 for each sample, shape (n,)."""
        return sigmoid(self.check_X(X) @ self.w + self.b)

    def predict(self, X) -> np.ndarray:
        """Class labels (0 or 1): 1 where the probability is at least 0.5."""
        return (self.predict_proba(X) >= 0.5).astype(np.int64)

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Binary cross-entropy on (X, y) and its gradients ``[grad_w, grad_b]``."""
        X, y = check_X_y(X, y, self.n_features)
        y = check_labels(y, 2).astype(np.float64)
        z = X @ self.w + self.b  # logits, (n,)
        p = sigmoid(z)
        grad_w = X.T @ (p - y) / len(y)
        grad_b = np.mean(p - y)
        return bce_with_logits(z, y), [grad_w, np.asarray(grad_b)]

    def evaluate(self, X, y) -> tuple[float, float]:
        """Binary cross-entropy and accuracy on (X, y), from one forward pass."""
        X, y = check_X_y(X, y, self.n_features)
        labels = check_labels(y, 2)
        z = X @ self.w + self.b
        return bce_with_logits(z, labels.astype(np.float64)), float(np.mean((sigmoid(z) >= 0.5) == labels))


class SoftmaxRegression(Model):
    r"""Multinomial logistic regression: $P = \mathrm{softmax}(XW + b)$ with the cross-entropy.

    $\nabla_W \mathcal{L} = \frac1n X^\top(P - Y)$, $\nabla_b \mathcal{L} = \frac1n \sum_i (P_i - Y_i)$, where $Y$ is
    one-hot. It is an MLP with no hidden layer. ``params = [W, b]``, shapes (d, K) and (K,).
    """

    is_classifier = True

    def __init__(self, n_features: int, n_classes: int):
        self.n_features = int(check_number("n_features", n_features, low=1))
        self.n_classes = int(check_number("n_classes", n_classes, low=2))
        self.W = np.zeros((self.n_features, self.n_classes))
        self.b = np.zeros(self.n_classes)
        self.params = [self.W, self.b]

    def describe(self) -> str:
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes})"

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n, K); each row sums to 1."""
        return softmax(self.check_X(X) @ self.W + self.b)

    def predict(self, X) -> np.ndarray:
        """The most probable class for each sample, shape (n,)."""
        return np.argmax(self.check_X(X) @ self.W + self.b, axis=1)

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Cross-entropy on (X, y) and its gradients ``[grad_W, grad_b]``."""
        X, y = check_X_y(X, y, self.n_features)
        labels = check_labels(y, self.n_classes)
        Z = X @ self.W + self.b  # logits, (n, K)
        dZ = (softmax(Z) - one_hot(labels, self.n_classes)) / len(labels)
        return cross_entropy(Z, labels), [X.T @ dZ, dZ.sum(axis=0)]

    def evaluate(self, X, y) -> tuple[float, float]:
        """Cross-entropy and accuracy on (X, y), from one forward pass."""
        X, y = check_X_y(X, y, self.n_features)
        labels = check_labels(y, self.n_classes)
        Z = X @ self.W + self.b
        return cross_entropy(Z, labels), float(np.mean(np.argmax(Z, axis=1) == labels))


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
        if len(layer_sizes) < 2 or any(int(n) != n or n < 1 for n in layer_sizes):
            raise ValueError(
                f"layer_sizes must list at least two positive integers, [inputs, ..., outputs]; got {layer_sizes!r}."
            )
        self.layer_sizes = [int(n) for n in layer_sizes]
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
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            std = {"zeros": 0.0, "normal": 1.0, "xavier": np.sqrt(2 / (fan_in + fan_out)), "he": np.sqrt(2 / fan_in)}
            self.params += [std[self.init] * rng.standard_normal((fan_in, fan_out)), np.zeros(fan_out)]

    def describe(self) -> str:
        return (
            f"MLP({self.layer_sizes}, activation={self.activation!r}, loss={self.loss!r}, "
            f"init={self.init!r}, seed={self.seed})"
        )

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's output: the input ``X``, each hidden layer's activations, then the raw output (logits)."""
        outputs = [X]
        for l in range(0, len(self.params) - 2, 2):
            W, b = self.params[l], self.params[l + 1]
            outputs.append(self.phi(outputs[-1] @ W + b))
        W, b = self.params[-2], self.params[-1]
        outputs.append(outputs[-1] @ W + b)
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

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Forward pass, loss, and backpropagation: returns (loss, [grad_W1, grad_b1, ...])."""
        X, y = check_X_y(X, y, self.n_features)
        Y = self.targets(y)
        outputs = self.forward(X)
        Z = outputs[-1]  # (n, K)
        if self.is_classifier:
            loss = cross_entropy(Z, Y)
            dZ = (softmax(Z) - one_hot(Y, self.n_outputs)) / len(Y)  # dL/dZ of softmax + cross-entropy
        else:
            loss = mse(Z, Y)
            dZ = 2 * (Z - Y) / Z.size  # dL/dZ of the mean over all n*K entries
        grads = [None] * len(self.params)
        for l in reversed(range(0, len(self.params), 2)):  # from the last layer back to the first
            a_prev = outputs[l // 2]
            grads[l] = a_prev.T @ dZ  # dL/dW = a_prev^T dZ
            grads[l + 1] = dZ.sum(axis=0)  # dL/db = sum over the batch
            if l > 0:
                dZ = (dZ @ self.params[l].T) * self.phi_grad(a_prev)  # chain rule through phi
        return loss, grads

    def evaluate(self, X, y) -> tuple[float, float | None]:
        """The loss of ``loss_and_grads`` and, for a classifier, the accuracy, from one forward pass."""
        X, y = check_X_y(X, y, self.n_features)
        Z, Y = self.forward(X)[-1], self.targets(y)
        if self.is_classifier:
            return cross_entropy(Z, Y), float(np.mean(np.argmax(Z, axis=1) == Y))
        return mse(Z, Y), None

    def predict(self, X) -> np.ndarray:
        """Class labels (cross-entropy) or the outputs (MSE; shape (n,) when K = 1)."""
        Z = self.forward(self.check_X(X))[-1]
        if self.is_classifier:
            return np.argmax(Z, axis=1)
        return Z[:, 0] if self.n_outputs == 1 else Z

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (cross-entropy networks), shape (n, K)."""
        return softmax(self.forward(self.check_X(X))[-1])

    def log_proba(self, X) -> np.ndarray:
        """Log-probabilities, computed stably from the logits, shape (n, K)."""
        return log_softmax(self.forward(self.check_X(X))[-1])
