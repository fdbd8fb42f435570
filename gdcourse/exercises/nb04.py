"""Exercises of notebook 04 (the neural network)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import exercise
from gdcourse.losses import one_hot, sigmoid, softmax


def init_std_solution(fan_in, fan_out, activation):
    if activation == "relu":
        return np.sqrt(2 / fan_in)  # He
    return np.sqrt(2 / (fan_in + fan_out))  # Xavier (sigmoid, tanh)


exercise(
    "04.1",
    "the scale of Xavier and He initialisation",
    hint="Xavier (sigmoid, tanh): std = sqrt(2 / (fan_in + fan_out)). He (ReLU, which zeroes half its inputs): "
    "std = sqrt(2 / fan_in). Return the standard deviation, not the variance.",
    solution=init_std_solution,
    cases=[(784, 128, "sigmoid"), (64, 128, "tanh"), (64, 128, "relu"), (128, 10, "relu"), (128, 10, "sigmoid")],
    where="init_std({fan_in}, {fan_out}, {activation!r})",
    mistakes=[
        (
            lambda fan_in, fan_out, activation: 1.0,
            "{where} returned 1: that is the unscaled np.random.randn init, which saturates the sigmoid when "
            "fan_in is large. Expected {expected:.6g}.",
        ),
        (
            lambda fan_in, fan_out, activation: init_std_solution(fan_in, fan_out, activation) ** 2,
            "{where} returned {got:.6g}, the variance; return its square root, {expected:.6g}.",
        ),
        (
            lambda fan_in, fan_out, activation: np.sqrt(2 / fan_in),
            "{where} returned He's sqrt(2/fan_in) = {got:.6g}; for {activation!s} use Xavier's "
            "sqrt(2/(fan_in+fan_out)) = {expected:.6g}.",
        ),
        (
            lambda fan_in, fan_out, activation: np.sqrt(2 / (fan_in + fan_out)),
            "{where} returned Xavier's sqrt(2/(fan_in+fan_out)) = {got:.6g}; ReLU zeroes about half of its "
            "inputs, so He's sqrt(2/fan_in) = {expected:.6g} keeps the signal's variance.",
        ),
        (
            lambda fan_in, fan_out, activation: np.sqrt(1 / fan_in),
            "{where} returned {got:.6g} = sqrt(1/fan_in), LeCun's initialisation. This exercise asks for Xavier's "
            "sqrt(2/(fan_in+fan_out)) for sigmoid and tanh and He's sqrt(2/fan_in) for ReLU: expected "
            "{expected:.6g}.",
        ),
    ],
    success="These scales keep the variance of the pre-activations near 1 from layer to layer; MLP(init=...) "
    "uses them.",
)


def layer_forward_solution(a_prev, W, b):
    z = a_prev @ W + b  # (n, fan_in) @ (fan_in, fan_out) + (fan_out,) -> (n, fan_out)
    e = np.exp(-np.abs(z))  # at most 1: never overflows, unlike 1 / (1 + np.exp(-z)) (notebook 03)
    return np.where(z >= 0, 1, e) / (1 + e)  # sigmoid(z): 1/(1 + e^-z) for z >= 0, e^z/(1 + e^z) for z < 0


rng = np.random.default_rng(4)
exercise(
    "04.2",
    "the forward pass of one sigmoid layer",
    hint="One layer is a matrix product, a bias and the activation: z = a_prev @ W + b, then sigmoid(z). "
    "a_prev has shape (n, fan_in) and W (fan_in, fan_out), so a_prev @ W has shape (n, fan_out).",
    solution=layer_forward_solution,
    cases=[(rng.random((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4))],
    where="layer_forward(a_prev, W, b) with a_prev (5, 3), W (3, 4), b (4,)",
    mistakes=[
        (
            lambda a_prev, W, b: a_prev @ W + b,
            "{where} returned z = a_prev @ W + b: apply the sigmoid activation to it.",
        ),
        (lambda a_prev, W, b: sigmoid(a_prev @ W), "{where} returned sigmoid(a_prev @ W): the bias b is missing."),
        (
            lambda a_prev, W, b: sigmoid(-(a_prev @ W + b)),
            "{where} returned sigmoid(-z): check the sign, sigmoid(z) = 1 / (1 + exp(-z)).",
        ),
        (
            lambda a_prev, W, b: np.tanh(a_prev @ W + b),
            "{where} returned tanh(z); this layer uses the sigmoid 1 / (1 + exp(-z)).",
        ),
    ],
    success="A layer is a_prev @ W + b followed by the activation; the network repeats it layer after layer.",
)


def sigmoid_grad_from_output_solution(a):
    return a * (1 - a)  # sigma'(z) = sigma(z) (1 - sigma(z)), and a = sigma(z)


exercise(
    "04.3",
    "the sigmoid's derivative from its output",
    hint="Differentiate 1 / (1 + e^-z): sigma'(z) = sigma(z) (1 - sigma(z)). The input here is already "
    "a = sigma(z), so no exponential is needed.",
    solution=sigmoid_grad_from_output_solution,
    cases=[(np.array([0.5, 0.1, 0.9, 0.99, 1e-3]),)],
    where="sigmoid_grad_from_output({a})",
    mistakes=[
        (
            lambda a: sigmoid(a) * (1 - sigmoid(a)),
            "{where} returned sigmoid(a) (1 - sigmoid(a)): a is already the sigmoid's output, so applying the "
            "sigmoid again computes the derivative at the wrong point. Use a (1 - a): expected {expected}.",
        ),
        (lambda a: 1 - a**2, "{where} returned 1 - a^2, the derivative of tanh; the sigmoid's is a (1 - a)."),
        (
            lambda a: a * (1 + a),
            "{where} returned a (1 + a); the factor is (1 - a): the derivative vanishes as a -> 1.",
        ),
    ],
    success="a (1 - a) is at most 0.25 (at a = 0.5) and nearly 0 when a is near 0 or 1: a saturated unit barely "
    "learns.",
)


def output_delta_solution(Z, labels):
    n, K = Z.shape
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)  # softmax, (n, K)
    Y = np.eye(K)[labels]  # one-hot, (n, K)
    return (P - Y) / n


LOGITS = "{where} used the logits Z where the probabilities softmax(Z) belong: (softmax(Z) - Y) / n."
exercise(
    "04.4",
    "the output layer's gradient for softmax + cross-entropy",
    hint="For the mean cross-entropy of softmax(Z), dL/dZ = (softmax(Z) - Y) / n, where Y is the one-hot code "
    "of the labels (np.eye(K)[labels]) and n the number of samples.",
    solution=output_delta_solution,
    cases=[(np.random.default_rng(5).standard_normal((6, 4)) * 2, np.array([0, 3, 1, 1, 2, 0]))],
    where="output_delta(Z, labels) with Z of shape (6, 4)",
    mistakes=[
        (
            lambda Z, labels: softmax(Z) - one_hot(labels, Z.shape[1]),
            "{where} returned softmax(Z) - Y: the loss is the mean over the n = 6 samples, so divide by n.",
        ),
        (lambda Z, labels: (Z - one_hot(labels, Z.shape[1])) / len(Z), LOGITS),
        (lambda Z, labels: Z - one_hot(labels, Z.shape[1]), LOGITS),
        (
            lambda Z, labels: (one_hot(labels, Z.shape[1]) - softmax(Z)) / len(Z),
            "{where} has the wrong sign: it is (softmax(Z) - Y) / n, predictions minus targets.",
        ),
        (
            lambda Z, labels: (sigmoid(Z) - one_hot(labels, Z.shape[1])) / len(Z),
            "{where} used the sigmoid of each logit; with several exclusive classes the outputs go through the "
            "softmax.",
        ),
    ],
    success="Every row of (P - Y) / n sums to 0: raising one class's probability lowers the others'.",
)


def tanh_mse_delta_solution(a, Y):
    return 2 * (a - Y) * (1 - a**2) / Y.size  # dL/da * tanh'(z), with the mean over all n*K entries


CROSS_ENTROPY = (
    "{where} returned a - Y (over n): that is the shortcut of the cross-entropy loss with a matching output, "
    "not the gradient of the squared error through tanh."
)
exercise(
    "04.5",
    "the output gradient of tanh + mean squared error",
    hint="Chain rule: L = mean((a - Y)^2) over all n*K entries gives dL/da = 2 (a - Y) / (n*K), and "
    "a = tanh(z) gives da/dz = 1 - a^2. Multiply the two.",
    solution=tanh_mse_delta_solution,
    cases=[(np.tanh(np.random.default_rng(6).standard_normal((5, 3))), np.eye(3)[[0, 2, 1, 1, 0]])],
    where="tanh_mse_delta(a, Y) with a and Y of shape (5, 3)",
    mistakes=[
        (lambda a, Y: (a - Y) / len(Y), CROSS_ENTROPY),
        (lambda a, Y: a - Y, CROSS_ENTROPY),
        (
            lambda a, Y: 2 * (a - Y) / Y.size,
            "{where} returned dL/da = 2 (a - Y) / (n*K); multiply by the derivative of tanh, 1 - a^2.",
        ),
        (
            lambda a, Y: 2 * (a - Y) * a * (1 - a) / Y.size,
            "{where} used a (1 - a), the sigmoid's derivative; tanh's is 1 - a^2.",
        ),
        (
            lambda a, Y: (a - Y) * (1 - a**2) / Y.size,
            "{where} is half the expected value: the derivative of (a - Y)^2 is 2 (a - Y), keep the factor 2.",
        ),
        (
            lambda a, Y: 2 * (a - Y) * (1 - a**2) / len(Y),
            "{where} divides by n = {Y.shape[0]} samples; the mean squared error averages over every entry, "
            "n*K = {Y.size}.",
        ),
    ],
    success="dL/dz = dL/da * da/dz: the loss's derivative times the activation's, entry by entry.",
)
