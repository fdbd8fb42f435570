"""Exercises of notebook 04 (the neural network)."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import Incorrect, as_array, call, exercise, expect_close, format_value


def reference_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def reference_softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


# 04.1 ---------------------------------------------------------------------------------


def init_std_solution(fan_in, fan_out, activation):
    if activation == "relu":
        return np.sqrt(2 / fan_in)  # He
    return np.sqrt(2 / (fan_in + fan_out))  # Xavier (sigmoid, tanh)


@exercise(
    "04.1",
    "the scale of Xavier and He initialisation",
    hint="Xavier (sigmoid, tanh): std = sqrt(2 / (fan_in + fan_out)). He (ReLU, which zeroes half its inputs): "
    "std = sqrt(2 / fan_in). Return the standard deviation, not the variance.",
    solution=init_std_solution,
    mistakes=[
        (lambda fan_in, fan_out, activation: 1.0, "unscaled"),
        (
            lambda fan_in, fan_out, activation: 2 / (fan_in + fan_out) if activation != "relu" else 2 / fan_in,
            "variance",
        ),
        (lambda fan_in, fan_out, activation: np.sqrt(2 / fan_in), "Xavier"),
        (lambda fan_in, fan_out, activation: np.sqrt(2 / (fan_in + fan_out)), "He"),
        (lambda fan_in, fan_out, activation: np.sqrt(1 / fan_in), "LeCun"),
    ],
)
def check_init_std(init_std):
    cases = [(784, 128, "sigmoid"), (64, 128, "tanh"), (64, 128, "relu"), (128, 10, "relu"), (128, 10, "sigmoid")]
    for fan_in, fan_out, activation in cases:
        what = f"init_std({fan_in}, {fan_out}, {activation!r})"
        got = as_array(call(init_std, fan_in, fan_out, activation), what, ())
        xavier, he = np.sqrt(2 / (fan_in + fan_out)), np.sqrt(2 / fan_in)
        expected = he if activation == "relu" else xavier
        if np.isclose(got, 1.0) and not np.isclose(expected, 1.0):
            raise Incorrect(
                f"{what} returned 1: that is the unscaled np.random.randn init, which saturates the sigmoid "
                f"when fan_in is large. Expected {expected:.6g}."
            )
        if np.isclose(got, expected**2):
            raise Incorrect(f"{what} returned {float(got):.6g}, the variance; return its square root, {expected:.6g}.")
        if np.isclose(got, np.sqrt(1 / fan_in)) and not np.isclose(expected, np.sqrt(1 / fan_in)):
            raise Incorrect(
                f"{what} returned {float(got):.6g} = sqrt(1/fan_in), LeCun's initialisation. This exercise asks for "
                f"Xavier's sqrt(2/(fan_in+fan_out)) for sigmoid and tanh and He's sqrt(2/fan_in) for ReLU: "
                f"expected {expected:.6g}."
            )
        if activation != "relu" and np.isclose(got, he):
            raise Incorrect(
                f"{what} returned He's sqrt(2/fan_in) = {float(got):.6g}; for {activation} use Xavier's "
                f"sqrt(2/(fan_in+fan_out)) = {expected:.6g}."
            )
        if activation == "relu" and np.isclose(got, xavier):
            raise Incorrect(
                f"{what} returned Xavier's sqrt(2/(fan_in+fan_out)) = {float(got):.6g}; ReLU zeroes about half "
                f"of its inputs, so He's sqrt(2/fan_in) = {expected:.6g} keeps the signal's variance."
            )
        expect_close(got, expected, what)
    return "These scales keep the variance of the pre-activations near 1 from layer to layer; MLP(init=...) uses them."


# 04.2 ---------------------------------------------------------------------------------


def layer_forward_solution(a_prev, W, b):
    z = a_prev @ W + b  # (n, fan_in) @ (fan_in, fan_out) + (fan_out,) -> (n, fan_out)
    return 1 / (1 + np.exp(-z))


@exercise(
    "04.2",
    "the forward pass of one sigmoid layer",
    hint="One layer is a matrix product, a bias and the activation: z = a_prev @ W + b, then sigmoid(z). "
    "a_prev has shape (n, fan_in) and W (fan_in, fan_out), so a_prev @ W has shape (n, fan_out).",
    solution=layer_forward_solution,
    mistakes=[
        (lambda a_prev, W, b: a_prev @ W + b, "sigmoid"),
        (lambda a_prev, W, b: 1 / (1 + np.exp(-(a_prev @ W))), "bias"),
        (lambda a_prev, W, b: 1 / (1 + np.exp(a_prev @ W + b)), "sign"),
        (lambda a_prev, W, b: np.tanh(a_prev @ W + b), "sigmoid"),
    ],
)
def check_layer_forward(layer_forward):
    rng = np.random.default_rng(4)
    a_prev, W, b = rng.random((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    what = "layer_forward(a_prev, W, b) with a_prev (5, 3), W (3, 4), b (4,)"
    got = as_array(call(layer_forward, a_prev, W, b), what, (5, 4))
    z = a_prev @ W + b
    if np.allclose(got, z):
        raise Incorrect(f"{what} returned z = a_prev @ W + b: apply the sigmoid activation to it.")
    if np.allclose(got, reference_sigmoid(a_prev @ W)):
        raise Incorrect(f"{what} returned sigmoid(a_prev @ W): the bias b is missing.")
    if np.allclose(got, reference_sigmoid(-z)):
        raise Incorrect(f"{what} returned sigmoid(-z): check the sign, sigmoid(z) = 1 / (1 + exp(-z)).")
    if np.allclose(got, np.tanh(z)):
        raise Incorrect(f"{what} returned tanh(z); this layer uses the sigmoid 1 / (1 + exp(-z)).")
    expect_close(got, reference_sigmoid(z), what)
    return "A layer is a_prev @ W + b followed by the activation; the network repeats it layer after layer."


# 04.3 ---------------------------------------------------------------------------------


def sigmoid_grad_from_output_solution(a):
    return a * (1 - a)  # sigma'(z) = sigma(z) (1 - sigma(z)), and a = sigma(z)


@exercise(
    "04.3",
    "the sigmoid's derivative from its output",
    hint="Differentiate 1 / (1 + e^-z): sigma'(z) = sigma(z) (1 - sigma(z)). The input here is already "
    "a = sigma(z), so no exponential is needed.",
    solution=sigmoid_grad_from_output_solution,
    mistakes=[
        (lambda a: reference_sigmoid(a) * (1 - reference_sigmoid(a)), "already"),
        (lambda a: 1 - a**2, "tanh"),
        (lambda a: a * (1 + a), "1 - a"),
    ],
)
def check_sigmoid_grad_from_output(sigmoid_grad_from_output):
    a = np.array([0.5, 0.1, 0.9, 0.99, 1e-3])
    what = f"sigmoid_grad_from_output({format_value(a)})"
    got = as_array(call(sigmoid_grad_from_output, a), what, a.shape)
    expected = a * (1 - a)
    if np.allclose(got, reference_sigmoid(a) * (1 - reference_sigmoid(a))):
        raise Incorrect(
            f"{what} returned sigmoid(a) (1 - sigmoid(a)): a is already the sigmoid's output, so applying the "
            "sigmoid again computes the derivative at the wrong point. "
            f"Use a (1 - a): expected {format_value(expected)}."
        )
    if np.allclose(got, 1 - a**2):
        raise Incorrect(f"{what} returned 1 - a^2, the derivative of tanh; the sigmoid's is a (1 - a).")
    if np.allclose(got, a * (1 + a)):
        raise Incorrect(f"{what} returned a (1 + a); the factor is (1 - a): the derivative vanishes as a -> 1.")
    expect_close(got, expected, what)
    return "a (1 - a) is at most 0.25 (at a = 0.5) and nearly 0 when a is near 0 or 1: a saturated unit barely learns."


# 04.4 ---------------------------------------------------------------------------------


def output_delta_solution(Z, labels):
    n, K = Z.shape
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)  # softmax, (n, K)
    Y = np.eye(K)[labels]  # one-hot, (n, K)
    return (P - Y) / n


def one_hot_labels(labels, K):
    return np.eye(K)[labels]


@exercise(
    "04.4",
    "the output layer's gradient for softmax + cross-entropy",
    hint="For the mean cross-entropy of softmax(Z), dL/dZ = (softmax(Z) - Y) / n, where Y is the one-hot code "
    "of the labels (np.eye(K)[labels]) and n the number of samples.",
    solution=output_delta_solution,
    mistakes=[
        (lambda Z, labels: reference_softmax(Z) - one_hot_labels(labels, Z.shape[1]), "mean"),
        (lambda Z, labels: (Z - one_hot_labels(labels, Z.shape[1])) / len(Z), "softmax"),
        (lambda Z, labels: (one_hot_labels(labels, Z.shape[1]) - reference_softmax(Z)) / len(Z), "sign"),
        (lambda Z, labels: (reference_sigmoid(Z) - one_hot_labels(labels, Z.shape[1])) / len(Z), "softmax"),
    ],
)
def check_output_delta(output_delta):
    rng = np.random.default_rng(5)
    Z, labels = rng.standard_normal((6, 4)) * 2, np.array([0, 3, 1, 1, 2, 0])
    what = "output_delta(Z, labels) with Z of shape (6, 4)"
    got = as_array(call(output_delta, Z, labels), what, Z.shape)
    P, Y = reference_softmax(Z), one_hot_labels(labels, 4)
    expected = (P - Y) / len(Z)
    if np.allclose(got, P - Y):
        raise Incorrect(f"{what} returned softmax(Z) - Y: the loss is the mean over the n = 6 samples, so divide by n.")
    if np.allclose(got, (Z - Y) / len(Z)) or np.allclose(got, Z - Y):
        raise Incorrect(f"{what} used the logits Z where the probabilities softmax(Z) belong: (softmax(Z) - Y) / n.")
    if np.allclose(got, -expected):
        raise Incorrect(f"{what} has the wrong sign: it is (softmax(Z) - Y) / n, predictions minus targets.")
    if np.allclose(got, (reference_sigmoid(Z) - Y) / len(Z)):
        raise Incorrect(
            f"{what} used the sigmoid of each logit; with several exclusive classes the outputs go through the softmax."
        )
    expect_close(got, expected, what)
    return "Every row of (P - Y) / n sums to 0: raising one class's probability lowers the others'."


# 04.5 ---------------------------------------------------------------------------------


def tanh_mse_delta_solution(a, Y):
    return 2 * (a - Y) * (1 - a**2) / Y.size  # dL/da * tanh'(z), with the mean over all n*K entries


@exercise(
    "04.5",
    "the output gradient of tanh + mean squared error",
    hint="Chain rule: L = mean((a - Y)^2) over all n*K entries gives dL/da = 2 (a - Y) / (n*K), and "
    "a = tanh(z) gives da/dz = 1 - a^2. Multiply the two.",
    solution=tanh_mse_delta_solution,
    mistakes=[
        (lambda a, Y: (a - Y) / len(Y), "cross-entropy"),
        (lambda a, Y: 2 * (a - Y) / Y.size, "derivative of tanh"),
        (lambda a, Y: 2 * (a - Y) * a * (1 - a) / Y.size, "sigmoid"),
        (lambda a, Y: (a - Y) * (1 - a**2) / Y.size, "factor 2"),
        (lambda a, Y: 2 * (a - Y) * (1 - a**2) / len(Y), "every entry"),
    ],
)
def check_tanh_mse_delta(tanh_mse_delta):
    rng = np.random.default_rng(6)
    a, Y = np.tanh(rng.standard_normal((5, 3))), np.eye(3)[[0, 2, 1, 1, 0]]
    what = "tanh_mse_delta(a, Y) with a and Y of shape (5, 3)"
    got = as_array(call(tanh_mse_delta, a, Y), what, a.shape)
    N, n = Y.size, len(Y)
    expected = 2 * (a - Y) * (1 - a**2) / N
    if np.allclose(got, (a - Y) / n) or np.allclose(got, a - Y):
        raise Incorrect(
            f"{what} returned a - Y (over n): that is the shortcut of the cross-entropy loss with a matching "
            "output, not the gradient of the squared error through tanh."
        )
    if np.allclose(got, 2 * (a - Y) / N):
        raise Incorrect(f"{what} returned dL/da = 2 (a - Y) / (n*K); multiply by the derivative of tanh, 1 - a^2.")
    if np.allclose(got, 2 * (a - Y) * a * (1 - a) / N):
        raise Incorrect(f"{what} used a (1 - a), the sigmoid's derivative; tanh's is 1 - a^2.")
    if np.allclose(got, expected / 2):
        raise Incorrect(
            f"{what} is half the expected value: the derivative of (a - Y)^2 is 2 (a - Y), keep the factor 2."
        )
    if np.allclose(got, expected * N / n):
        raise Incorrect(
            f"{what} divides by n = {n} samples; the mean squared error averages over every entry, n*K = {N}."
        )
    expect_close(got, expected, what)
    return "dL/dz = dL/da * da/dz: the loss's derivative times the activation's, entry by entry."
