"""Exercises of notebook 05 (optimizers: momentum, adaptive steps, Adam). The steps compared can be
tiny, hence ``atol=1e-12``."""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import exercise


def momentum_step_solution(theta, buf, grad, lr, momentum):
    buf = momentum * buf + grad  # b = momentum * b + g
    theta = theta - lr * buf  # theta <- theta - lr * b
    return theta, buf


exercise(
    "05.1",
    "one heavy-ball step in torch's convention",
    hint="First update the buffer, b = momentum * b + grad (no learning rate inside it), then step with it: "
    "theta - lr * b.",
    solution=momentum_step_solution,
    cases=[(np.array([1.0, -2.0]), np.array([0.5, 0.2]), np.array([0.3, -0.4]), 0.1, 0.9)],
    where="momentum_step(theta, buf, grad, lr=0.1, momentum=0.9)",
    names=("theta", "buf"),
    atol=1e-12,
    mistakes=[
        (
            lambda theta, buf, grad, lr, momentum: (theta + (momentum * buf - lr * grad), momentum * buf - lr * grad),
            "Your buffer is momentum * buf - lr * grad: the textbook velocity form. It gives the same path while lr is "
            "constant, but torch (and this course) keeps lr out of the buffer: buf = momentum * buf + grad, "
            "theta = theta - lr * buf.",
        ),
        (
            lambda theta, buf, grad, lr, momentum: (
                theta - lr * (momentum * buf + (1 - momentum) * grad),
                momentum * buf + (1 - momentum) * grad,
            ),
            "Your buffer is momentum * buf + (1 - momentum) * grad: an average, which is what dampening = momentum "
            "would give. torch's default (dampening = 0) adds the whole gradient: buf = momentum * buf + grad.",
        ),
        (
            lambda theta, buf, grad, lr, momentum: (theta - lr * buf, momentum * buf + grad),
            "theta moved with the old buffer; update the buffer first, then step with the new one.",
        ),
        (
            lambda theta, buf, grad, lr, momentum: (theta - lr * grad, momentum * buf + grad),
            "theta moved by -lr * grad: the step ignores the buffer, so this is plain GD, not momentum.",
        ),
    ],
    success="The buffer carries the past gradients; lr multiplies it only at the step, so a schedule acts at once.",
)


def adam_step_solution(theta, m, v, grad, t, lr, betas, eps):
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)  # bias corrections: m and v started at zero
    v_hat = v / (1 - beta2**t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


def adam_variant(bias_m: bool, bias_v: bool, eps_inside: bool = False):
    """An Adam step with a typical mistake: a bias correction left out, or eps inside the square root."""

    def step(theta, m, v, grad, t, lr, betas, eps):
        beta1, beta2 = betas
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t) if bias_m else m
        v_hat = v / (1 - beta2**t) if bias_v else v
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return theta - lr * m_hat / denom, m, v

    return step


exercise(
    "05.2",
    "one Adam step with bias correction",
    hint="Update m and v as exponential averages, divide them by (1 - beta1**t) and (1 - beta2**t), then step by "
    "lr * m_hat / (sqrt(v_hat) + eps). At t = 1 the step is lr * grad / |grad|.",
    solution=adam_step_solution,
    cases=[  # a first step, and a later one with a large eps
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
    ],
    where="adam_step(..., t={t})",
    names=("theta", "m", "v"),
    facts=lambda theta, m, v, grad, t, lr, betas, eps: {"first": (1 - betas[0]) / np.sqrt(1 - betas[1])},
    atol=1e-12,
    mistakes=[
        (
            adam_variant(bias_m=False, bias_v=False),
            "At t={t} your step has no bias correction. m and v start at zero, so early on they are too small by "
            "factors 1 - beta1**t and 1 - beta2**t; at t=1 the uncorrected step is (1 - beta1)/sqrt(1 - beta2) "
            "= {first:.3g} times lr instead of lr.",
        ),
        (
            adam_variant(bias_m=True, bias_v=False),
            "At t={t} you corrected m but not v: use v_hat = v / (1 - beta2**t) too.",
        ),
        (
            adam_variant(bias_m=True, bias_v=True, eps_inside=True),
            "At t={t} (eps = {eps:g}) you added eps inside the root, sqrt(v_hat + eps). torch adds it outside the "
            "square root: sqrt(v_hat) + eps.",
        ),
    ],
    success="With the corrections the first step has length lr in every coordinate, whatever the gradient's scale.",
)


def rmsprop_step_solution(theta, v, grad, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * grad**2  # running average of g^2
    theta = theta - lr * grad / (np.sqrt(v) + eps)
    return theta, v


exercise(
    "05.3",
    "one RMSprop step: the running average of squared gradients",
    hint="v = alpha * v + (1 - alpha) * grad**2 keeps most of the old average (alpha = 0.99 in torch); then "
    "divide the gradient by sqrt(v) + eps.",
    solution=rmsprop_step_solution,
    cases=[(np.array([1.0, -2.0]), np.array([0.04, 0.25]), np.array([0.6, -0.1]), 0.01, 0.99, 1e-8)],
    where="rmsprop_step(theta, v, grad, lr=0.01, alpha=0.99, eps=1e-8)",
    names=("theta", "v"),
    atol=1e-12,
    mistakes=[
        (
            lambda theta, v, g, lr, a, eps: rmsprop_step_solution(theta, v, g, lr, 1 - a, eps),
            "Your v is (1 - alpha) * v + alpha * grad**2: the weights are swapped. With alpha = 0.99 the average "
            "keeps 99% of its past and takes 1% of the new squared gradient: v = alpha * v + (1 - alpha) * grad**2.",
        ),
        (
            lambda theta, v, g, lr, a, eps: (
                theta - lr * g / (np.sqrt(a * v + (1 - a) * g) + eps),
                a * v + (1 - a) * g,
            ),
            "Your v averages grad, not grad**2: square the gradient (RMS = root of the mean square).",
        ),
        (
            lambda theta, v, g, lr, a, eps: (theta - lr * g / (a * v + (1 - a) * g**2 + eps), a * v + (1 - a) * g**2),
            "You divided by v itself; divide by its square root, sqrt(v) + eps (the RMS of the gradients).",
        ),
    ],
    success="Unlike Adagrad's sum, the average forgets: the step does not shrink to zero over a long run.",
)


def best_heavy_ball_solution(mu, L):
    kappa = L / mu
    lr = (2 / (np.sqrt(mu) + np.sqrt(L))) ** 2
    rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    momentum = rate**2
    return lr, momentum, rate


def heavy_ball_variant(lr=None, momentum=None, rate=None):
    """The best settings with one of them replaced by a typical wrong formula of (mu, L)."""

    def settings(mu, L):
        best = best_heavy_ball_solution(mu, L)
        return tuple(best[k] if wrong is None else wrong(mu, L) for k, wrong in enumerate((lr, momentum, rate)))

    return settings


exercise(
    "05.4",
    "the best heavy-ball settings for a quadratic",
    hint="With kappa = L / mu: lr = (2 / (sqrt(mu) + sqrt(L)))**2, rate = (sqrt(kappa) - 1) / (sqrt(kappa) + 1), "
    "and the momentum is the rate squared.",
    solution=best_heavy_ball_solution,
    cases=[(1.0, 100.0), (0.2, 4.0)],
    where="best_heavy_ball({mu:g}, {L:g})",
    names=("lr", "momentum", "rate"),
    facts=lambda mu, L: {"kappa": L / mu},
    atol=1e-12,
    mistakes=[
        (
            heavy_ball_variant(lr=lambda mu, L: 2 / (mu + L)),
            "For mu={mu:g}, L={L:g} your lr is 2/(mu + L) = {wrong[0]:.4g}: that is gradient descent's best step. "
            "With momentum it is (2/(sqrt(mu) + sqrt(L)))**2 = {expected[0]:.4g}.",
        ),
        (
            heavy_ball_variant(momentum=lambda mu, L: best_heavy_ball_solution(mu, L)[2]),
            "For kappa={kappa:g} your momentum equals the rate {expected[2]:.4g}; the best momentum is the rate "
            "squared, {expected[1]:.4g} (both roots of the heavy ball's characteristic polynomial then have size "
            "sqrt(momentum)).",
        ),
        (
            heavy_ball_variant(rate=lambda mu, L: (L / mu - 1) / (L / mu + 1)),
            "For kappa={kappa:g} your rate is (kappa-1)/(kappa+1) = {wrong[2]:.4g}: GD's rate. Momentum replaces "
            "kappa by sqrt(kappa): {expected[2]:.4g}.",
        ),
    ],
    success="kappa = 100: GD needs about 115 steps per factor of 10 in the error, the tuned heavy ball about 11.5.",
)


def adagrad_solution(theta, grads, lr, eps):
    s = np.zeros_like(theta)  # the accumulator starts at 0 (initial_accumulator_value)
    for grad in grads:
        s = s + grad**2  # sum of all squared gradients so far
        theta = theta - lr * grad / (np.sqrt(s) + eps)
    return theta


def adagrad_variant(kind: str):
    """Adagrad with a typical mistake: no sum ("no sum"), a mean ("mean") or eps inside the root."""

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


GRADS = [np.array([0.5, -0.02]), np.array([0.4, -0.03]), np.array([-0.1, -0.01]), np.array([0.3, 0.02])]
exercise(
    "05.5",
    "Adagrad's accumulator over several steps",
    hint="Keep s = 0 outside the loop; for every gradient: s = s + grad**2, then theta = theta - lr * grad / "
    "(sqrt(s) + eps).",
    solution=adagrad_solution,
    cases=[(np.array([1.0, 2.0]), GRADS, 0.1, 1e-10), (np.array([1.0, 2.0]), GRADS, 0.1, 1e-2)],
    where="theta after 4 steps (lr={lr:g}, eps={eps:g})",
    atol=1e-12,
    mistakes=[
        (
            adagrad_variant("no sum"),
            "Each step used only the current gradient, s = grad**2: that is a sign step of size lr. Adagrad "
            "accumulates: s is the running sum of every squared gradient so far, so the steps shrink.",
        ),
        (
            adagrad_variant("mean"),
            "You divided by the root of the mean of the squares; Adagrad uses the sum "
            "(that is why its steps shrink like 1/sqrt(t)).",
        ),
        (
            adagrad_variant("eps inside"),
            "With eps = {eps:g} your result shows eps inside the root; torch puts it outside: sqrt(s) + eps.",
        ),
    ],
    success="The accumulator only grows, so every coordinate's step shrinks; RMSprop's average fixes that.",
)
