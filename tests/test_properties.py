"""Property tests (hypothesis): random quadratics, shapes and hyperparameters.

- a small learning rate decreases the loss of any quadratic at every step;
- no optimizer turns finite parameters and gradients into NaN or infinity;
- ``fit`` with any valid batch size visits every sample exactly once per epoch.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcourse import optim
from gdcourse.functions import Quadratic
from gdcourse.models import LinearRegression
from gdcourse.train import fit, minimize

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def quadratics(draw):
    dim = draw(st.integers(1, 6))
    kappa = draw(st.floats(1.0, 1e3))
    mu = draw(st.floats(1e-2, 10.0))
    seed = draw(st.integers(0, 2**16))
    return Quadratic.with_condition_number(kappa, dim=dim, seed=seed, mu=mu)


@SETTINGS
@given(quadratics(), st.floats(0.01, 0.99), st.integers(0, 2**16))
def test_small_learning_rates_decrease_a_quadratic_every_step(f, fraction, seed):
    lr = fraction / f.L  # below 1/L: f(x - lr g) <= f(x) - lr/2 |g|^2
    x0 = f.minimizer + np.random.default_rng(seed).normal(size=f.dim)
    path = minimize(f, x0, optim.SGD, 30, lr=lr)
    drops = np.diff(path.values)
    bound = -lr / 2 * path.grad_norms[:-1] ** 2  # the descent lemma's guaranteed decrease
    assert np.all(drops <= bound + 1e-12 * (1 + np.abs(path.values[:-1])))


OPTIMIZERS = {
    "SGD": lambda p, d: optim.SGD(
        p, lr=d(st.floats(0, 1)), momentum=d(st.floats(0, 0.99)), weight_decay=d(st.floats(0, 0.1))
    ),
    "Nesterov": lambda p, d: optim.SGD(p, lr=d(st.floats(0, 1)), momentum=d(st.floats(0.01, 0.99)), nesterov=True),
    "Adagrad": lambda p, d: optim.Adagrad(
        p, lr=d(st.floats(0, 1)), lr_decay=d(st.floats(0, 1)), eps=d(st.floats(1e-12, 1e-6))
    ),
    "RMSprop": lambda p, d: optim.RMSprop(
        p,
        lr=d(st.floats(0, 1)),
        alpha=d(st.floats(0, 0.999)),
        momentum=d(st.floats(0, 0.99)),
        centered=d(st.booleans()),
    ),
    "Adadelta": lambda p, d: optim.Adadelta(p, lr=d(st.floats(0, 2)), rho=d(st.floats(0, 0.999))),
    "Adam": lambda p, d: optim.Adam(
        p, lr=d(st.floats(0, 1)), betas=(d(st.floats(0, 0.999)), d(st.floats(0, 0.9999))), amsgrad=d(st.booleans())
    ),
    "AdamW": lambda p, d: optim.AdamW(p, lr=d(st.floats(0, 1)), weight_decay=d(st.floats(0, 0.5))),
    "NAdam": lambda p, d: optim.NAdam(
        p, lr=d(st.floats(0, 1)), betas=(d(st.floats(0, 0.999)), d(st.floats(0, 0.9999)))
    ),
    "Adamax": lambda p, d: optim.Adamax(
        p, lr=d(st.floats(0, 1)), betas=(d(st.floats(0, 0.999)), d(st.floats(0, 0.9999)))
    ),
}

shapes = st.lists(st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple), min_size=1, max_size=3)


@SETTINGS
@given(st.sampled_from(sorted(OPTIMIZERS)), shapes, st.integers(0, 2**16), st.data())
def test_no_optimizer_makes_nan_from_finite_input(name, param_shapes, seed, data):
    rng = np.random.default_rng(seed)
    params = [rng.normal(scale=10, size=s) for s in param_shapes]
    opt = OPTIMIZERS[name](params, data.draw)
    for _ in range(20):
        grads = [rng.normal(scale=10, size=s) * rng.choice([0.0, 1e-8, 1.0, 1e3]) for s in param_shapes]
        opt.step(grads)
        assert all(np.isfinite(p).all() for p in params), f"{opt!r} produced a non-finite value"


class Recorder(LinearRegression):
    """A linear model that remembers which rows each training batch held."""

    def __init__(self, n_features):
        super().__init__(n_features)
        self.batches = []

    def loss_and_grads(self, X, y):
        self.batches.append(X[:, 0].copy())  # column 0 holds the sample's index
        return super().loss_and_grads(X, y)

    def evaluate(self, X, y):  # fit's evaluations
        self.batches.append(X[:, 0].copy())
        return super().evaluate(X, y)


@SETTINGS
@given(st.integers(1, 60), st.data(), st.integers(1, 3), st.integers(0, 2**16))
def test_fit_visits_every_sample_once_per_epoch(n, data, num_epochs, seed):
    batch_size = data.draw(st.integers(1, n))
    X = np.c_[np.arange(n, dtype=float), np.ones(n)]
    y = np.zeros(n)
    model = Recorder(2)
    history = fit(model, optim.SGD(model.params, lr=0.0), X, y, batch_size, num_epochs, seed=seed)
    batches_per_epoch = -(-n // batch_size)
    # fit evaluates the whole training set before training and after each epoch:
    # calls = [eval, (batch x batches_per_epoch, eval) x num_epochs]
    assert len(model.batches) == 1 + num_epochs * (batches_per_epoch + 1)
    for epoch in range(num_epochs):
        first = 1 + epoch * (batches_per_epoch + 1)
        seen = np.concatenate(model.batches[first : first + batches_per_epoch])
        assert sorted(seen.astype(int).tolist()) == list(range(n))
    assert history.grad_evals == [n * e for e in range(num_epochs + 1)]
