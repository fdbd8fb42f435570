"""Property tests (hypothesis): random quadratics, shapes and hyperparameters.

- a small learning rate decreases the loss of any quadratic at every step;
- no optimizer turns finite parameters and gradients into NaN or infinity.

(That ``fit`` visits every sample once per epoch, for every batch size, is tested in test_train.py.)
"""

from __future__ import annotations

import inspect

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdcourse import optim
from gdcourse.functions import Quadratic
from gdcourse.train import minimize

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


# The range each hyperparameter is drawn from, by name; every optimizer in the registry is tested.
RANGES = {
    "lr": st.floats(0, 1),
    "momentum": st.floats(0, 0.99),
    "dampening": st.floats(0, 1),
    "weight_decay": st.floats(0, 0.5),
    "lr_decay": st.floats(0, 1),
    "initial_accumulator_value": st.floats(0, 1),
    "eps": st.floats(1e-12, 1e-6),
    "alpha": st.floats(0, 0.999),
    "rho": st.floats(0, 0.999),
    "betas": st.tuples(st.floats(0, 0.999), st.floats(0, 0.9999)),
    "momentum_decay": st.floats(0, 0.1),
}


def build(name: str, params: list[np.ndarray], draw) -> optim.Optimizer:
    """Optimizer ``name`` of ``optim.OPTIMIZERS`` with its other hyperparameters drawn from RANGES."""
    cls, fixed = optim.OPTIMIZERS[name]
    hyper = {}
    for key, default in inspect.signature(cls).parameters.items():
        if key == "params" or key in fixed:
            continue
        hyper[key] = draw(st.booleans()) if isinstance(default.default, bool) else draw(RANGES[key])
    try:
        return cls(params, **fixed, **hyper)
    except ValueError:  # e.g. Nesterov with momentum 0: rejected, as in torch
        assume(False)
        raise


shapes = st.lists(st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple), min_size=1, max_size=3)


@SETTINGS
@given(st.sampled_from(sorted(optim.OPTIMIZERS)), shapes, st.integers(0, 2**16), st.data())
def test_no_optimizer_makes_nan_from_finite_input(name, param_shapes, seed, data):
    rng = np.random.default_rng(seed)
    params = [rng.normal(scale=10, size=s) for s in param_shapes]
    opt = build(name, params, data.draw)
    for _ in range(20):
        grads = [rng.normal(scale=10, size=s) * rng.choice([0.0, 1e-8, 1.0, 1e3]) for s in param_shapes]
        opt.step(grads)
        assert all(np.isfinite(p).all() for p in params), f"{opt!r} produced a non-finite value"


def test_every_hyperparameter_has_a_range():
    for name, (cls, fixed) in optim.OPTIMIZERS.items():
        for key, p in inspect.signature(cls).parameters.items():
            if key != "params" and key not in fixed and not isinstance(p.default, bool):
                assert key in RANGES, f"{name}: {cls.__name__}({key}=...) needs a range in RANGES"
