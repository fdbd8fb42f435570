"""Exercises of notebook 05 (optimizers: momentum, adaptive steps, Adam)."""

from __future__ import annotations

from functools import partial

import numpy as np

from gdcourse.exercises import Incorrect, call, exercise, expect_close, matches

same = partial(matches, atol=1e-12)  # the steps compared can be tiny


def unpack(got, what: str, names: str, n: int):
    """The learner's answer as ``n`` float arrays, or ``Incorrect`` saying what to return."""
    if not isinstance(got, (tuple, list)) or len(got) != n:
        raise Incorrect(f"{what} should return {names} ({n} values); got {type(got).__name__} {got!r:.80}.")
    values = []
    for name, value in zip(names.strip("()").split(", "), got):
        try:
            values.append(np.asarray(value, dtype=float))
        except (TypeError, ValueError):
            raise Incorrect(f"{name} should be a number or an array of numbers; got {type(value).__name__}.") from None
    return values


# 05.1 -----------------------------------------------------------------------------------


def momentum_step_solution(theta, buf, grad, lr, momentum):
    buf = momentum * buf + grad  # b = mu * b + g
    theta = theta - lr * buf  # theta <- theta - lr * b
    return theta, buf


@exercise(
    "05.1",
    "one heavy-ball step in torch's convention",
    hint="First update the buffer, b = momentum * b + grad (no learning rate inside it), then step with it: "
    "theta - lr * b.",
    solution=momentum_step_solution,
    mistakes=[
        (lambda theta, buf, grad, lr, mu: (theta + (mu * buf - lr * grad), mu * buf - lr * grad), "textbook"),
        (
            lambda theta, buf, grad, lr, mu: (theta - lr * (mu * buf + (1 - mu) * grad), mu * buf + (1 - mu) * grad),
            "dampening",
        ),
        (lambda theta, buf, grad, lr, mu: (theta - lr * buf, mu * buf + grad), "old buffer"),
        (lambda theta, buf, grad, lr, mu: (theta - lr * grad, mu * buf + grad), "ignores the buffer"),
    ],
)
def check_momentum_step(momentum_step):
    theta, buf, grad = np.array([1.0, -2.0]), np.array([0.5, 0.2]), np.array([0.3, -0.4])
    lr, mu = 0.1, 0.9
    got_theta, got_buf = unpack(call(momentum_step, theta, buf, grad, lr, mu), "momentum_step", "(theta, buf)", 2)
    new_buf = mu * buf + grad
    if same(got_buf, mu * buf - lr * grad):
        raise Incorrect(
            "Your buffer is mu * buf - lr * grad: the textbook velocity form. It gives the same path while lr is "
            "constant, but torch (and this course) keeps lr out of the buffer: buf = mu * buf + grad, "
            "theta = theta - lr * buf."
        )
    if same(got_buf, mu * buf + (1 - mu) * grad):
        raise Incorrect(
            "Your buffer is mu * buf + (1 - mu) * grad: an average, which is what dampening = momentum would give. "
            "torch's default (dampening = 0) adds the whole gradient: buf = mu * buf + grad."
        )
    expect_close(got_buf, new_buf, "the new buffer", atol=1e-12)
    if not same(got_theta, theta - lr * new_buf) and same(got_theta, theta - lr * buf):
        raise Incorrect("theta moved with the old buffer; update the buffer first, then step with the new one.")
    if same(got_theta, theta - lr * grad):
        raise Incorrect("theta moved by -lr * grad: the step ignores the buffer, so this is plain GD, not momentum.")
    expect_close(got_theta, theta - lr * new_buf, "the new theta", atol=1e-12)
    return "The buffer carries the past gradients; lr multiplies it only at the step, so a schedule acts at once."


# 05.2 -----------------------------------------------------------------------------------


def adam_step_solution(theta, m, v, grad, t, lr, betas, eps):
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)  # bias corrections: m and v started at zero
    v_hat = v / (1 - beta2**t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


def adam_variant(bias_m: bool, bias_v: bool, eps_inside: bool = False):
    """A wrong (or, with all flags True/False as named, right) Adam step for the mistake list."""

    def step(theta, m, v, grad, t, lr, betas, eps):
        beta1, beta2 = betas
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t) if bias_m else m
        v_hat = v / (1 - beta2**t) if bias_v else v
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return theta - lr * m_hat / denom, m, v

    return step


ADAM_CASES = [  # (theta, m, v, grad, t, lr, betas, eps): a first step, and a later one with a large eps
    (np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), np.array([0.3, -4.0]), 1, 0.01, (0.9, 0.999), 1e-8),
    (
        np.array([0.5, 1.5]),
        np.array([0.1, -0.2]),
        np.array([0.02, 0.05]),
        np.array([-0.2, 0.4]),
        5,
        0.1,
        (0.8, 0.99),
        1e-2,
    ),
]


@exercise(
    "05.2",
    "one Adam step with bias correction",
    hint="Update m and v as exponential averages, divide them by (1 - beta1**t) and (1 - beta2**t), then step by "
    "lr * m_hat / (sqrt(v_hat) + eps). At t = 1 the step is lr * grad / |grad|.",
    solution=adam_step_solution,
    mistakes=[
        (adam_variant(bias_m=False, bias_v=False), "bias correction"),
        (adam_variant(bias_m=True, bias_v=False), "v_hat"),
        (adam_variant(bias_m=True, bias_v=True, eps_inside=True), "outside the square root"),
    ],
)
def check_adam_step(adam_step):
    for case in ADAM_CASES:
        theta, m, v, grad, t, lr, betas, eps = case
        got_theta, got_m, got_v = unpack(call(adam_step, *case), "adam_step", "(theta, m, v)", 3)
        expected_theta, expected_m, expected_v = adam_step_solution(*case)
        expect_close(got_m, expected_m, f"m after step t={t}", atol=1e-12)
        expect_close(got_v, expected_v, f"v after step t={t}", atol=1e-12)
        if same(got_theta, expected_theta):
            continue
        if same(got_theta, adam_variant(False, False)(*case)[0]):
            raise Incorrect(
                f"At t={t} your step has no bias correction. m and v start at zero, so early on they are too small by "
                f"factors 1 - beta1**t and 1 - beta2**t; at t=1 the uncorrected step is (1 - beta1)/sqrt(1 - beta2) "
                f"= {(1 - betas[0]) / np.sqrt(1 - betas[1]):.3g} times lr instead of lr."
            )
        if same(got_theta, adam_variant(True, False)(*case)[0]):
            raise Incorrect(f"At t={t} you corrected m but not v: use v_hat = v / (1 - beta2**t) too.")
        if same(got_theta, adam_variant(True, True, eps_inside=True)(*case)[0]):
            raise Incorrect(
                f"At t={t} (eps = {eps:g}) you added eps inside the root, sqrt(v_hat + eps). torch adds it outside "
                "the square root: sqrt(v_hat) + eps."
            )
        expect_close(got_theta, expected_theta, f"theta after step t={t}", atol=1e-12)
    return "With the corrections the first step has length lr in every coordinate, whatever the gradient's scale."


# 05.3 -----------------------------------------------------------------------------------


def rmsprop_step_solution(theta, v, grad, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * grad**2  # running average of g^2
    theta = theta - lr * grad / (np.sqrt(v) + eps)
    return theta, v


@exercise(
    "05.3",
    "one RMSprop step: the running average of squared gradients",
    hint="v = alpha * v + (1 - alpha) * grad**2 keeps most of the old average (alpha = 0.99 in torch); then "
    "divide the gradient by sqrt(v) + eps.",
    solution=rmsprop_step_solution,
    mistakes=[
        (lambda theta, v, g, lr, a, eps: rmsprop_step_solution(theta, v, g, lr, 1 - a, eps), "swapped"),
        (
            lambda theta, v, g, lr, a, eps: (
                theta - lr * g / (np.sqrt(a * v + (1 - a) * g) + eps),
                a * v + (1 - a) * g,
            ),
            "square",
        ),
        (
            lambda theta, v, g, lr, a, eps: (theta - lr * g / (a * v + (1 - a) * g**2 + eps), a * v + (1 - a) * g**2),
            "square root",
        ),
    ],
)
def check_rmsprop_step(rmsprop_step):
    theta, v, grad = np.array([1.0, -2.0]), np.array([0.04, 0.25]), np.array([0.6, -0.1])
    lr, alpha, eps = 0.01, 0.99, 1e-8
    got_theta, got_v = unpack(call(rmsprop_step, theta, v, grad, lr, alpha, eps), "rmsprop_step", "(theta, v)", 2)
    expected_theta, expected_v = rmsprop_step_solution(theta, v, grad, lr, alpha, eps)
    if same(got_v, (1 - alpha) * v + alpha * grad**2):
        raise Incorrect(
            "Your v is (1 - alpha) * v + alpha * grad**2: the weights are swapped. With alpha = 0.99 the average "
            "keeps 99% of its past and takes 1% of the new squared gradient: v = alpha * v + (1 - alpha) * grad**2."
        )
    if same(got_v, alpha * v + (1 - alpha) * grad):
        raise Incorrect("Your v averages grad, not grad**2: square the gradient (RMS = root of the mean square).")
    expect_close(got_v, expected_v, "the new v", atol=1e-12)
    if not same(got_theta, expected_theta) and same(got_theta, theta - lr * grad / (expected_v + eps)):
        raise Incorrect("You divided by v itself; divide by its square root, sqrt(v) + eps (the RMS of the gradients).")
    expect_close(got_theta, expected_theta, "the new theta", atol=1e-12)
    return "Unlike Adagrad's sum, the average forgets: the step does not shrink to zero over a long run."


# 05.4 -----------------------------------------------------------------------------------


def best_heavy_ball_solution(mu, L):
    kappa = L / mu
    lr = (2 / (np.sqrt(mu) + np.sqrt(L))) ** 2
    rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    momentum = rate**2
    return lr, momentum, rate


@exercise(
    "05.4",
    "the best heavy-ball settings for a quadratic",
    hint="With kappa = L / mu: lr = (2 / (sqrt(mu) + sqrt(L)))**2, rate = (sqrt(kappa) - 1) / (sqrt(kappa) + 1), "
    "and the momentum is the rate squared.",
    solution=best_heavy_ball_solution,
    mistakes=[
        (
            lambda mu, L: (
                best_heavy_ball_solution(mu, L)[0],
                best_heavy_ball_solution(mu, L)[2],
                best_heavy_ball_solution(mu, L)[2],
            ),
            "square",
        ),
        (lambda mu, L: (2 / (mu + L), *best_heavy_ball_solution(mu, L)[1:]), "gradient descent"),
        (lambda mu, L: (*best_heavy_ball_solution(mu, L)[:2], (L / mu - 1) / (L / mu + 1)), "GD's rate"),
    ],
)
def check_best_heavy_ball(best_heavy_ball):
    for mu, L in [(1.0, 100.0), (0.2, 4.0)]:
        got_lr, got_momentum, got_rate = unpack(
            call(best_heavy_ball, mu, L), "best_heavy_ball", "(lr, momentum, rate)", 3
        )
        lr, momentum, rate = best_heavy_ball_solution(mu, L)
        kappa = L / mu
        if same(got_lr, 2 / (mu + L)):
            raise Incorrect(
                f"For mu={mu:g}, L={L:g} your lr is 2/(mu + L) = {2 / (mu + L):.4g}: that is gradient descent's best "
                f"step. With momentum it is (2/(sqrt(mu) + sqrt(L)))**2 = {lr:.4g}."
            )
        expect_close(got_lr, lr, f"lr for mu={mu:g}, L={L:g}")
        if same(got_momentum, rate):
            raise Incorrect(
                f"For kappa={kappa:g} your momentum equals the rate {rate:.4g}; the best momentum is the rate squared, "
                f"{momentum:.4g} (both roots of the heavy ball's characteristic polynomial then have "
                "size sqrt(momentum))."
            )
        expect_close(got_momentum, momentum, f"momentum for mu={mu:g}, L={L:g}")
        if same(got_rate, (kappa - 1) / (kappa + 1)):
            raise Incorrect(
                f"For kappa={kappa:g} your rate is (kappa-1)/(kappa+1) = {(kappa - 1) / (kappa + 1):.4g}: GD's rate. "
                f"Momentum replaces kappa by sqrt(kappa): {rate:.4g}."
            )
        expect_close(got_rate, rate, f"rate for mu={mu:g}, L={L:g}")
    return "kappa = 100: GD needs about 115 steps per factor of 10 in the error, the tuned heavy ball about 11.5."


# 05.5 -----------------------------------------------------------------------------------


def adagrad_solution(theta, grads, lr, eps):
    s = np.zeros_like(theta)  # the accumulator starts at 0 (initial_accumulator_value)
    for grad in grads:
        s = s + grad**2  # sum of all squared gradients so far
        theta = theta - lr * grad / (np.sqrt(s) + eps)
    return theta


def adagrad_variant(kind: str):
    def run(theta, grads, lr, eps):
        s = np.zeros_like(theta)
        for t, grad in enumerate(grads, start=1):
            s = s + grad**2
            if kind == "no sum":
                denom = np.abs(grad) + eps
            elif kind == "mean":
                denom = np.sqrt(s / t) + eps
            else:  # eps inside the root
                denom = np.sqrt(s + eps)
            theta = theta - lr * grad / denom
        return theta

    return run


ADAGRAD_GRADS = [np.array([0.5, -0.02]), np.array([0.4, -0.03]), np.array([-0.1, -0.01]), np.array([0.3, 0.02])]


@exercise(
    "05.5",
    "Adagrad's accumulator over several steps",
    hint="Keep s = 0 outside the loop; for every gradient: s = s + grad**2, then theta = theta - lr * grad / "
    "(sqrt(s) + eps).",
    solution=adagrad_solution,
    mistakes=[
        (adagrad_variant("no sum"), "accumulat"),
        (adagrad_variant("mean"), "sum"),
        (adagrad_variant("eps inside"), "outside"),
    ],
)
def check_adagrad(adagrad):
    theta = np.array([1.0, 2.0])
    for lr, eps in [(0.1, 1e-10), (0.1, 1e-2)]:
        args = (theta, [g.copy() for g in ADAGRAD_GRADS], lr, eps)
        got = expect_shape(call(adagrad, *args), theta.shape)
        if same(got, adagrad_solution(*args)):
            continue
        if same(got, adagrad_variant("no sum")(*args)):
            raise Incorrect(
                "Each step used only the current gradient, s = grad**2: that is a sign step of size lr. Adagrad "
                "accumulates: s is the running sum of every squared gradient so far, so the steps shrink."
            )
        if same(got, adagrad_variant("mean")(*args)):
            raise Incorrect(
                "You divided by the root of the mean of the squares; Adagrad uses the sum "
                "(that is why its steps shrink like 1/sqrt(t))."
            )
        if same(got, adagrad_variant("eps inside")(*args)):
            raise Incorrect(
                f"With eps = {eps:g} your result shows eps inside the root; torch puts it outside: sqrt(s) + eps."
            )
        expect_close(
            got, adagrad_solution(*args), f"theta after {len(ADAGRAD_GRADS)} steps (lr={lr:g}, eps={eps:g})", atol=1e-12
        )
    return "The accumulator only grows, so every coordinate's step shrinks; RMSprop's average fixes that."


def expect_shape(got, shape) -> np.ndarray:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"adagrad should return theta, an array of shape {shape}; got {type(got).__name__}.") from None
    if got.shape != shape:
        raise Incorrect(f"adagrad should return theta, an array of shape {shape}; got shape {got.shape}.")
    return got
