"""``gdcourse.optim`` against ``torch.optim``: same path, step by step, to 1e-10.

Both sides start from identical copies of the same parameters (a matrix, a vector and a
0-d scalar bias) and receive identical gradients. The gradients change every step: they
are the gradient of a fixed non-quadratic function evaluated at each side's *current*
parameters, plus a seeded noise term shared by both sides. torch runs its single-tensor
path (``foreach=False``) in float64 (the ``torch64`` fixture in conftest.py).

The last section checks that bad input fails early, says what was wrong, and leaves the
parameters untouched.
"""

import inspect
import itertools

import numpy as np
import pytest

from gdcourse import optim
from gdcourse.optim.lr_scheduler import OneCycleLR

NUM_STEPS = 100
RTOL = 1e-10
TINY = np.finfo(np.float64).tiny
SHAPES = [(3, 4), (5,), ()]  # weight matrix, vector, scalar bias (0-d)
# Every optimizer the package exports: a new one is tested here without editing this file.
OPTIMIZERS = [
    cls
    for cls in (getattr(optim, name) for name in optim.__all__)
    if isinstance(cls, type) and issubclass(cls, optim.Optimizer) and cls is not optim.Optimizer
]
ADAM_FAMILY = [cls for cls in OPTIMIZERS if "betas" in inspect.signature(cls).parameters]  # the ones with betas


# ---------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------


def make_params(seed: int = 0) -> list[np.ndarray]:
    """Float64 arrays of the shapes in SHAPES, with entries in [0.5, 2.5].

    Along every run in this file the entries stay between 0.5 and 2.4, well away from 0, so
    the relative error is never inflated by a parameter that happens to pass close to zero.
    """
    rng = np.random.default_rng(seed)
    return [np.array(rng.uniform(0.5, 2.5, size=shape), dtype=np.float64) for shape in SHAPES]


def make_noise(num_steps: int, seed: int = 1) -> list[list[np.ndarray]]:
    """One list of noise arrays (aligned with SHAPES) per step, seeded so both sides share it."""
    rng = np.random.default_rng(seed)
    return [[np.array(0.3 * rng.normal(size=shape)) for shape in SHAPES] for _ in range(num_steps)]


def gradient(params: list[np.ndarray], noise: list[np.ndarray], sign: float = 1.0) -> list[np.ndarray]:
    """``sign`` times the gradient of f(theta) = sum(log cosh(theta - 2) + theta^4 / 40), plus noise.

    With ``maximize=True`` we pass ``sign = -1``: the optimizer then ascends -f, which
    keeps the run bounded instead of climbing the quartic.
    """
    return [sign * (np.tanh(p - 2) + 0.1 * p**3) + n for p, n in zip(params, noise, strict=True)]  # minimum near 1.6


def rel_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest element-wise |ours - theirs| / max(|theirs|, tiny)."""
    theirs = np.asarray(theirs)
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), TINY)))


def make_twins(torch, cls, kwargs: dict, seed: int = 0):
    """Our optimizer and its ``torch.optim`` twin, each on its own copy of the same parameters."""
    params = make_params(seed)
    torch_params = [torch.tensor(p, requires_grad=True) for p in params]  # copies
    torch_cls = getattr(torch.optim, cls.__name__)
    return cls(params, **kwargs), torch_cls(torch_params, foreach=False, **kwargs)


def step_both(opt, torch_opt, noise: list[np.ndarray], sign: float = 1.0) -> float:
    """One step on each side, each with the gradient at its own parameters; the largest error."""
    torch_params = torch_opt.param_groups[0]["params"]
    for p, g in zip(torch_params, gradient([p.detach().numpy() for p in torch_params], noise, sign), strict=True):
        p.grad = p.new_tensor(g)
    opt.step(gradient(opt.params, noise, sign))
    torch_opt.step()
    return max(rel_error(p, tp.detach().numpy()) for p, tp in zip(opt.params, torch_params, strict=True))


def run_against_torch(opt, torch_opt, num_steps: int = NUM_STEPS, sign: float = 1.0, after_step=None) -> float:
    """Step both sides ``num_steps`` times, asserting the error after every step; the largest error.

    ``after_step(k)`` runs after step k (1, 2, ...), e.g. to change the learning rate.
    """
    noise = make_noise(num_steps)
    worst = 0.0
    for k in range(1, num_steps + 1):
        error = step_both(opt, torch_opt, noise[k - 1], sign)
        assert error <= RTOL, f"step {k}: relative error {error:.3e} > {RTOL:g}"
        worst = max(worst, error)
        if after_step is not None:
            after_step(k)
    return worst


def grid(base: dict, **axes) -> list[dict]:
    """Every combination of the values in ``axes``, each merged into ``base``."""
    return [{**base, **dict(zip(axes, values, strict=True))} for values in itertools.product(*axes.values())]


def case_id(case) -> str:
    cls, kwargs = case
    return f"{cls.__name__}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"


# ---------------------------------------------------------------------------------------
# 1. The update rules, over grids of hyperparameters
# ---------------------------------------------------------------------------------------

# A second value for each hyperparameter (booleans take both values). The grid of an optimizer is
# every combination of its hyperparameters' values that it accepts (torch rejects the same ones),
# plus one case with a larger eps. An optimizer with a hyperparameter not listed here fails
# test_every_hyperparameter_has_a_second_value, which says what to add.
ALTERNATIVES = {
    "momentum": 0.9,
    "dampening": 0.5,
    "weight_decay": 0.1,
    "lr_decay": 0.01,
    "initial_accumulator_value": 0.1,
    "alpha": 0.9,
    "rho": 0.5,
    "betas": (0.5, 0.9),
    "momentum_decay": 0.1,
}
LARGER_EPS = 1e-2  # larger steps than the default eps gives (Adadelta's first steps are about sqrt(eps))


def defaults(cls) -> dict:
    return {name: p.default for name, p in inspect.signature(cls).parameters.items() if name != "params"}


def lr_for(cls) -> float:
    """A learning rate at which 100 steps move the parameters well: the default, if larger than 0.02."""
    return max(defaults(cls)["lr"], 0.02)


def accepts(cls, kwargs: dict) -> bool:
    try:
        cls(make_params(), **kwargs)
    except ValueError:
        return False
    return True


def grid_of(cls) -> list[dict]:
    axes = {}
    for name, default in defaults(cls).items():
        if name in ("lr", "eps"):
            continue
        axes[name] = [False, True] if isinstance(default, bool) else [default, ALTERNATIVES.get(name, default)]
    cases = [kw for kw in grid({"lr": lr_for(cls)}, **axes) if accepts(cls, kw)]
    return cases + ([{"lr": lr_for(cls), "eps": LARGER_EPS}] if "eps" in defaults(cls) else [])


CASES = [(cls, kwargs) for cls in OPTIMIZERS for kwargs in grid_of(cls)]
# One case per optimizer with as many hyperparameters away from their defaults as it accepts.
LR_CASES = {
    cls: max(grid_of(cls), key=lambda kw: sum(kw.get(k, v) != v for k, v in defaults(cls).items() if k != "lr"))
    for cls in OPTIMIZERS
}


def sign_of(kwargs: dict) -> float:
    """-1 for ``maximize=True``: the optimizer then ascends -f, which keeps the run bounded."""
    return -1.0 if kwargs.get("maximize") else 1.0


def test_every_hyperparameter_has_a_second_value():
    for cls in OPTIMIZERS:
        for name, default in defaults(cls).items():
            if name not in ("lr", "eps") and not isinstance(default, bool):
                assert name in ALTERNATIVES, f"{cls.__name__}({name}=...): add a second value to ALTERNATIVES"


def test_every_optimizer_is_in_the_registry():
    assert {cls for cls, _ in optim.OPTIMIZERS.values()} == set(OPTIMIZERS)
    assert len(OPTIMIZERS) >= 8 and len(CASES) > 100  # the grid is not silently empty


@pytest.mark.parametrize("cls, kwargs", CASES, ids=[case_id(c) for c in CASES])
def test_matches_torch(torch64, cls, kwargs):
    opt, torch_opt = make_twins(torch64, cls, kwargs)
    run_against_torch(opt, torch_opt, sign=sign_of(kwargs))


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_changing_lr_between_steps_matches_torch(torch64, cls):
    opt, torch_opt = make_twins(torch64, cls, LR_CASES[cls])
    factors = {30: 0.25, 60: 6.0}  # after step 30 the lr drops, after step 60 it jumps

    def change_lr(k):
        if k in factors:
            opt.lr *= factors[k]
            torch_opt.param_groups[0]["lr"] *= factors[k]

    run_against_torch(opt, torch_opt, sign=sign_of(LR_CASES[cls]), after_step=change_lr)
    assert opt.lr == torch_opt.param_groups[0]["lr"] == LR_CASES[cls]["lr"] * 0.25 * 6.0


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        (optim.RMSprop, {"momentum": 0.9}),
        (optim.Adam, {}),
        (optim.NAdam, {}),
        (optim.Adamax, {}),
    ],
    ids=lambda x: x.__name__ if isinstance(x, type) else "",
)
def test_one_cycle_schedule_drives_optimizer_like_torch(torch64, cls, kwargs):
    """OneCycleLR changes lr and momentum (or beta1) every step; the paths must still agree."""
    opt, torch_opt = make_twins(torch64, cls, kwargs)
    scheduler = OneCycleLR(opt, max_lr=0.05, total_steps=NUM_STEPS)
    torch_scheduler = torch64.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=0.05, total_steps=NUM_STEPS)

    def step_schedules(k):
        scheduler.step()
        torch_scheduler.step()

    run_against_torch(opt, torch_opt, after_step=step_schedules)


# ---------------------------------------------------------------------------------------
# 2. Defaults and the in-place contract
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_defaults_match_torch(torch64, cls):
    ours = {name: p.default for name, p in inspect.signature(cls).parameters.items() if name != "params"}
    theirs = getattr(torch64.optim, cls.__name__)([torch64.zeros(2, requires_grad=True)]).defaults
    assert set(ours) <= set(theirs), f"names torch does not have: {set(ours) - set(theirs)}"
    assert ours == {name: theirs[name] for name in ours}
    opt = cls(make_params())
    assert opt.hyperparameters() == ours  # the attributes hold the constructor's values
    assert opt.decoupled_weight_decay == theirs.get("decoupled_weight_decay", False)


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_step_updates_params_in_place_and_leaves_grads_alone(cls):
    params = make_params()
    before = [p.copy() for p in params]
    opt = cls(params, **LR_CASES[cls])
    grads = gradient(params, make_noise(1)[0], sign_of(LR_CASES[cls]))
    grads_before = [g.copy() for g in grads]

    opt.step(grads)

    assert len(opt.params) == len(params)
    for p, q, old in zip(opt.params, params, before, strict=True):
        assert p is q  # the very arrays we passed
        assert np.all(p != old)  # every entry moved
    for g, old in zip(grads, grads_before, strict=True):
        np.testing.assert_array_equal(g, old)


# ---------------------------------------------------------------------------------------
# 3. Bad input: fail early, say what is wrong, change nothing
# ---------------------------------------------------------------------------------------


def assert_unchanged(params: list[np.ndarray], before: list[np.ndarray]) -> None:
    for p, old in zip(params, before, strict=True):
        np.testing.assert_array_equal(p, old)


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "lr, match",
    [(-0.1, r"Invalid learning rate \(lr\): -0\.1\. It must lie in \[0, inf\)"), (float("nan"), r"rate \(lr\): nan")],
    ids=["negative", "nan"],
)
def test_bad_lr_is_rejected(cls, lr, match):
    params = make_params()
    before = [p.copy() for p in params]
    with pytest.raises(ValueError, match=match):
        cls(params, lr=lr)
    assert_unchanged(params, before)


@pytest.mark.parametrize("cls", ADAM_FAMILY, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "betas, match",
    [
        ((1.0, 0.999), r"Invalid beta1 \(betas\[0\]\): 1\.0\. It must lie in \[0, 1\)"),
        ((-0.1, 0.999), r"Invalid beta1 \(betas\[0\]\): -0\.1"),
        ((0.9, 1.0), r"Invalid beta2 \(betas\[1\]\): 1\.0\. It must lie in \[0, 1\)"),
        ((0.9, 1.5), r"Invalid beta2 \(betas\[1\]\): 1\.5"),
        ((0.9,), r"betas must be a pair \(beta1, beta2\)"),
    ],
    ids=["beta1=1", "beta1<0", "beta2=1", "beta2>1", "not-a-pair"],
)
def test_bad_betas_are_rejected(cls, betas, match):
    params = make_params()
    before = [p.copy() for p in params]
    with pytest.raises(ValueError, match=match):
        cls(params, betas=betas)
    assert_unchanged(params, before)


@pytest.mark.parametrize("cls", [optim.SGD, optim.RMSprop], ids=lambda c: c.__name__)
def test_negative_momentum_is_rejected(cls):
    params = make_params()
    before = [p.copy() for p in params]
    with pytest.raises(ValueError, match=r"Invalid momentum: -0\.5\. It must lie in \[0, inf\)"):
        cls(params, momentum=-0.5)
    assert_unchanged(params, before)


@pytest.mark.parametrize("kwargs", [{"momentum": 0.0}, {"momentum": 0.9, "dampening": 0.1}])
def test_nesterov_without_plain_momentum_is_rejected(kwargs):
    params = make_params()
    before = [p.copy() for p in params]
    with pytest.raises(ValueError, match=r"Nesterov momentum requires momentum > 0 and dampening = 0"):
        optim.SGD(params, nesterov=True, **kwargs)
    assert_unchanged(params, before)


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_bad_params_are_rejected(cls):
    with pytest.raises(ValueError, match=r"params is empty"):
        cls([])

    params = [np.zeros(3), np.arange(3), np.zeros(())]
    before = [p.copy() for p in params]
    with pytest.raises(TypeError, match=r"params\[1\] has dtype int\d+; it must be a float array"):
        cls(params)
    assert_unchanged(params, before)

    w = np.ones(4)
    with pytest.raises(TypeError, match=r"not a single array: wrap it as \[x\]"):
        cls(w)
    np.testing.assert_array_equal(w, np.ones(4))


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_bad_grads_change_nothing(cls):
    params = make_params()
    opt = cls(params, **LR_CASES[cls])
    noise = make_noise(2)
    opt.step(gradient(params, noise[0]))  # build some state first
    before = [p.copy() for p in params]
    grads = gradient(params, noise[1])

    with pytest.raises(ValueError, match=r"Got 2 gradient\(s\) for 3 parameter\(s\)"):
        opt.step(grads[:2])
    assert_unchanged(params, before)

    # The mismatch is in the *last* gradient, so an update that began before checking
    # all of them would already have moved params[0] and params[1].
    with pytest.raises(ValueError, match=r"grads\[2\] has shape \(1,\) but params\[2\] has shape \(\)"):
        opt.step([grads[0], grads[1], np.zeros(1)])
    assert_unchanged(params, before)
    assert opt.t == 1  # the failed steps were not counted
