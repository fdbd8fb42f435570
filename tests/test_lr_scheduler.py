"""``gdcourse.optim.lr_scheduler`` against ``torch.optim.lr_scheduler``, value by value.

Both libraries use the same class names and arguments, so each case is one builder
``build(lib, optimizer)`` run once with our module and once with torch's. We record the
learning rate (and the momentum, for OneCycleLR) at construction (step 0) and after
every ``step()``; they must agree to a relative 1e-12 (absolute 1e-15 near zero).
torch computes most schedules recursively (lr <- lr * factor), we use closed forms,
so agreement to rounding error is the whole claim.
"""

import numpy as np
import pytest

from gdcourse import optim
from gdcourse.optim import lr_scheduler

RTOL = 1e-12
ATOL = 1e-15


def make_optimizers(torch, name: str, kwargs: dict):
    """Our optimizer ``name`` and torch's, each on a throw-away parameter."""
    ours = getattr(optim, name)([np.zeros(2)], **kwargs)
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    return ours, theirs


def momentum_of(hyper: dict) -> float:
    """The momentum a OneCycleLR cycles: ``momentum``, or ``betas[0]`` for the Adam family."""
    return hyper["betas"][0] if "betas" in hyper else hyper["momentum"]


def record(scheduler, hyper, num_steps: int, before_step=lambda: None) -> dict[str, np.ndarray]:
    """lr and momentum at step 0 and after each of ``num_steps`` calls of ``scheduler.step()``.

    ``hyper()`` returns the optimizer's current hyperparameters as a dict.
    """
    seen = {"lr": [], "momentum": []}
    for k in range(num_steps + 1):
        if k > 0:
            before_step()
            scheduler.step()
        values = hyper()
        seen["lr"].append(values["lr"])
        seen["momentum"].append(momentum_of(values) if "momentum" in values or "betas" in values else np.nan)
    return {key: np.array(value, dtype=float) for key, value in seen.items()}


def run_both(torch, build, optimizer: str, opt_kwargs: dict, num_steps: int):
    """(ours, theirs): the recorded sequences of the same schedule in both libraries."""
    opt, torch_opt = make_optimizers(torch, optimizer, opt_kwargs)
    ours = record(build(lr_scheduler, opt), lambda: vars(opt), num_steps)
    # torch warns if its scheduler steps before its optimizer ever has: step it first (no grads: no-op).
    theirs = record(
        build(torch.optim.lr_scheduler, torch_opt), lambda: torch_opt.param_groups[0], num_steps, torch_opt.step
    )
    return ours, theirs


def max_rel_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest |ours - theirs| / |theirs| (absolute difference where torch's value is 0)."""
    scale = np.where(theirs == 0, 1.0, np.abs(theirs))
    return float(np.nanmax(np.abs(ours - theirs) / scale))


def assert_same_sequence(ours: np.ndarray, theirs: np.ndarray, name: str = "lr") -> None:
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    bad = np.abs(ours - theirs) > np.maximum(RTOL * np.abs(theirs), ATOL)
    assert not np.any(bad), (
        f"{name} differs at steps {np.flatnonzero(bad).tolist()}: ours {ours[bad]}, torch {theirs[bad]}"
    )


def wsd(lib, opt, warmup, stable, decay, start_factor, end_factor):
    """Warm-up-stable-decay: our class, or torch's equivalent chain (torch has no class of its own)."""
    if lib is lr_scheduler:
        return lib.WarmupStableDecayLR(opt, warmup, stable, decay, start_factor=start_factor, end_factor=end_factor)
    parts = [
        lib.LinearLR(opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup),
        lib.ConstantLR(opt, factor=1.0, total_iters=stable),
        lib.LinearLR(opt, start_factor=1.0, end_factor=end_factor, total_iters=decay),
    ]
    return lib.SequentialLR(opt, parts, milestones=[warmup, warmup + stable])


# (id, build(lib, optimizer), number of steps). Steps run to about 3 periods where that means something.
SCHEDULES = [
    ("StepLR", lambda lib, opt: lib.StepLR(opt, step_size=7, gamma=0.5), 42),
    ("StepLR-default-gamma", lambda lib, opt: lib.StepLR(opt, step_size=5), 30),
    ("ExponentialLR", lambda lib, opt: lib.ExponentialLR(opt, gamma=0.9), 60),
    ("CosineAnnealingLR", lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=10), 30),  # rises again after 10
    ("CosineAnnealingLR-eta_min", lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=7, eta_min=0.01), 21),
    ("LinearLR-default", lambda lib, opt: lib.LinearLR(opt), 15),
    ("LinearLR-warmup", lambda lib, opt: lib.LinearLR(opt, start_factor=0.1, total_iters=10), 30),
    ("LinearLR-to-zero", lambda lib, opt: lib.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=10), 30),
    (
        "SequentialLR-warmup-cosine",
        lambda lib, opt: lib.SequentialLR(
            opt,
            [lib.LinearLR(opt, start_factor=0.1, total_iters=5), lib.CosineAnnealingLR(opt, T_max=20)],
            milestones=[5],
        ),
        75,  # 3 * (5 + 20): the cosine runs past its T_max
    ),
    (
        "SequentialLR-warmup-exponential",
        lambda lib, opt: lib.SequentialLR(
            opt, [lib.LinearLR(opt, start_factor=0.25, total_iters=4), lib.ExponentialLR(opt, gamma=0.8)], [4]
        ),
        20,
    ),
    (
        "WarmupStableDecayLR",
        lambda lib, opt: wsd(lib, opt, warmup=5, stable=10, decay=8, start_factor=0.1, end_factor=0.0),
        30,  # past the end of the decay: the rate stays at end_factor
    ),
    (
        "WarmupStableDecayLR-to-a-floor",
        lambda lib, opt: wsd(lib, opt, warmup=3, stable=4, decay=5, start_factor=0.25, end_factor=0.1),
        15,
    ),
    (
        "WarmupStableDecayLR-one-step-phases",
        lambda lib, opt: wsd(lib, opt, warmup=1, stable=1, decay=1, start_factor=0.5, end_factor=0.2),
        6,
    ),
]


@pytest.mark.parametrize("build, num_steps", [s[1:] for s in SCHEDULES], ids=[s[0] for s in SCHEDULES])
def test_schedule_matches_torch(torch64, build, num_steps):
    ours, theirs = run_both(torch64, build, "SGD", {"lr": 0.1}, num_steps)
    assert_same_sequence(ours["lr"], theirs["lr"])


def test_every_scheduler_is_covered():
    covered = {name.split("-")[0] for name, _, _ in SCHEDULES} | {"OneCycleLR", "ReduceLROnPlateau"}
    public = {name for name, obj in vars(lr_scheduler).items() if isinstance(obj, type) and name != "LRScheduler"}
    assert public - {"Optimizer"} <= covered


ONE_CYCLE_KWARGS = {
    "defaults": {},
    "custom": {
        "pct_start": 0.25,
        "div_factor": 10.0,
        "final_div_factor": 100.0,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
    },
}
ONE_CYCLE_STEPS = 40


@pytest.mark.parametrize("kwargs", ONE_CYCLE_KWARGS.values(), ids=ONE_CYCLE_KWARGS.keys())
@pytest.mark.parametrize(
    "optimizer, opt_kwargs",
    [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.1, "betas": (0.9, 0.99)})],
    ids=["SGD-momentum", "Adam-betas"],
)
@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True], ids=["two-phase", "three-phase"])
def test_one_cycle_matches_torch(torch64, three_phase, anneal_strategy, optimizer, opt_kwargs, kwargs):
    def build(lib, opt):
        return lib.OneCycleLR(
            opt,
            max_lr=0.5,
            total_steps=ONE_CYCLE_STEPS,
            anneal_strategy=anneal_strategy,
            three_phase=three_phase,
            **kwargs,
        )

    ours, theirs = run_both(torch64, build, optimizer, opt_kwargs, ONE_CYCLE_STEPS)
    assert_same_sequence(ours["lr"], theirs["lr"])
    assert_same_sequence(ours["momentum"], theirs["momentum"], name="momentum")
    assert ours["lr"][0] == pytest.approx(0.5 / kwargs.get("div_factor", 25.0), rel=RTOL)
    assert ours["lr"].max() == pytest.approx(0.5, rel=RTOL)


def test_one_cycle_leaves_beta2_alone(torch64):
    opt, torch_opt = make_optimizers(torch64, "Adam", {"betas": (0.9, 0.99)})
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)
    torch_scheduler = torch64.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=0.5, total_steps=10)
    for _ in range(5):
        torch_opt.step()
        scheduler.step()
        torch_scheduler.step()
    assert opt.betas[1] == torch_opt.param_groups[0]["betas"][1] == 0.99


def test_one_cycle_without_momentum_cycling_matches_torch(torch64):
    def build(lib, opt):
        return lib.OneCycleLR(opt, max_lr=0.5, total_steps=ONE_CYCLE_STEPS, cycle_momentum=False)

    ours, theirs = run_both(torch64, build, "Adagrad", {}, ONE_CYCLE_STEPS)
    assert_same_sequence(ours["lr"], theirs["lr"])


def test_one_cycle_needs_momentum_to_cycle_like_torch(torch64):
    opt, torch_opt = make_optimizers(torch64, "Adagrad", {})
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        torch64.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=0.5, total_steps=10)
    with pytest.raises(ValueError, match=r"Adagrad has no momentum or betas to cycle; pass cycle_momentum=False"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)


def test_one_cycle_raises_past_total_steps_like_torch(torch64):
    opt, torch_opt = make_optimizers(torch64, "SGD", {"lr": 0.1, "momentum": 0.9})
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)
    torch_scheduler = torch64.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=0.5, total_steps=10)
    for _ in range(10):  # stepping up to total_steps itself is allowed in torch
        torch_opt.step()
        scheduler.step()
        torch_scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        torch_scheduler.step()
    with pytest.raises(ValueError, match=r"OneCycleLR was stepped 11 times but total_steps is 10"):
        scheduler.step()


@pytest.mark.parametrize(
    "build, error, match",
    [
        (
            lambda opt: lr_scheduler.StepLR(opt, step_size=2.5),
            ValueError,
            r"Invalid step_size: 2\.5\. It must be a whole",
        ),
        (lambda opt: lr_scheduler.StepLR(opt, step_size=True), TypeError, r"Invalid step_size: True\. .* not bool"),
        (lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=0), ValueError, r"Invalid T_max: 0\. .* at least 1"),
        (lambda opt: lr_scheduler.LinearLR(opt, total_iters=4.5), ValueError, r"Invalid total_iters: 4\.5"),
        (lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=99.5), ValueError, r"Invalid total_steps: 99\.5"),
        (
            lambda opt: lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2)] * 2, [2.5]),
            ValueError,
            r"Invalid milestones\[0\]: 2\.5",
        ),
    ],
)
def test_schedule_lengths_must_be_whole_numbers(build, error, match):
    opt = optim.SGD([np.zeros(2)], lr=0.1, momentum=0.9)
    with pytest.raises(error, match=match):
        build(opt)
    assert opt.lr == 0.1 and getattr(opt, "initial_lr", 0.1) == 0.1  # the rate was not touched


def test_schedule_lengths_may_be_numpy_integers():
    opt = optim.SGD([np.zeros(2)], lr=0.1)
    scheduler = lr_scheduler.StepLR(opt, step_size=np.int64(2), gamma=0.5)
    for _ in range(4):
        scheduler.step()
    assert opt.lr == pytest.approx(0.1 * 0.5**2)


def test_three_phase_one_cycle_is_smiths_triangle():
    """Linear three-phase one-cycle: up from max_lr/25 to max_lr, down again as fast, then annihilation."""
    opt = optim.SGD([np.zeros(1)], lr=0.1, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(
        opt, max_lr=1.0, total_steps=100, pct_start=0.45, anneal_strategy="linear", three_phase=True
    )
    peak, back = 44, 88  # 0.45 * 100 - 1 and 2 * 0.45 * 100 - 2
    assert scheduler.lr_at(peak) == pytest.approx(1.0) and scheduler.lr_at(back) == pytest.approx(0.04)
    assert scheduler.lr_at(peak // 2) == pytest.approx(scheduler.lr_at(peak + peak // 2))  # symmetric triangle
    assert scheduler.lr_at(99) == pytest.approx(0.04 / 1e4)
    assert scheduler.momentum_at(back) == scheduler.momentum_at(99) == pytest.approx(0.95)


# ReduceLROnPlateau: driven by a metric, so both libraries get the same sequence of values.
PLATEAU_METRICS = {
    "falls-then-stalls": [1.0, 0.8, 0.7, 0.69, 0.695, 0.69, 0.6999, 0.7, 0.71, 0.69, 0.68, 0.68, 0.68, 0.68, 0.68] * 2,
    "noisy": list(np.round(1 / np.arange(1, 41) + 0.05 * np.sin(np.arange(40) * 1.7), 6)),
    "rises": list(np.linspace(0.1, 2.0, 25)),
}
PLATEAU_KWARGS = {
    "defaults": {},
    "patience-2": {"patience": 2, "factor": 0.5},
    "cooldown": {"patience": 1, "factor": 0.5, "cooldown": 2},
    "abs-threshold": {"patience": 1, "threshold": 0.005, "threshold_mode": "abs"},
    "min_lr": {"patience": 0, "factor": 0.3, "min_lr": 0.01},
    "large-eps": {"patience": 0, "factor": 0.9, "eps": 0.02},
    "max-mode": {"mode": "max", "patience": 1, "factor": 0.5},
    "max-abs": {"mode": "max", "patience": 1, "threshold": 0.01, "threshold_mode": "abs"},
}


@pytest.mark.parametrize("kwargs", PLATEAU_KWARGS.values(), ids=PLATEAU_KWARGS.keys())
@pytest.mark.parametrize("metrics", PLATEAU_METRICS.values(), ids=PLATEAU_METRICS.keys())
def test_reduce_on_plateau_matches_torch(torch64, metrics, kwargs):
    opt, torch_opt = make_optimizers(torch64, "SGD", {"lr": 0.1})
    ours = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    theirs = torch64.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, **kwargs)
    lrs, torch_lrs = [opt.lr], [torch_opt.param_groups[0]["lr"]]
    for value in metrics:
        torch_opt.step()
        ours.step(value)
        theirs.step(value)
        lrs.append(opt.lr)
        torch_lrs.append(torch_opt.param_groups[0]["lr"])
    assert_same_sequence(np.array(lrs), np.array(torch_lrs))
    assert ours.last_epoch == theirs.last_epoch == len(metrics)


def test_reduce_on_plateau_reduces_after_patience_and_counts_nan_as_no_improvement():
    opt = optim.Adam([np.zeros(2)], lr=0.01)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5)
    assert opt.lr == 0.01  # construction leaves the rate alone
    for value in [1.0, 1.0, float("nan")]:
        scheduler.step(value)
    assert opt.lr == 0.01  # two epochs without improvement: still within patience
    scheduler.step(np.float64(1.0))
    assert opt.lr == 0.005 and scheduler.get_last_lr() == 0.005


def test_reduce_on_plateau_needs_the_metric_and_valid_settings(torch64):
    opt, torch_opt = make_optimizers(torch64, "SGD", {"lr": 0.1})
    scheduler = lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(TypeError, match=r"scheduler.step\(val_loss\)"):
        scheduler.step()  # what fit(..., scheduler=...) would do
    with pytest.raises(TypeError, match="needs a number, got str"):
        scheduler.step("0.5")
    assert scheduler.last_epoch == 0 and opt.lr == 0.1  # nothing changed
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        torch64.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, factor=1.0)
    with pytest.raises(ValueError, match="Invalid factor: 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="Invalid patience: 2.5"):
        lr_scheduler.ReduceLROnPlateau(opt, patience=2.5)
    with pytest.raises(ValueError, match="mode"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="minimum")


def test_warmup_stable_decay_phases_and_bad_input():
    opt = optim.SGD([np.zeros(1)], lr=0.2)
    scheduler = lr_scheduler.WarmupStableDecayLR(opt, warmup_iters=4, stable_iters=6, decay_iters=10)
    assert opt.lr == pytest.approx(0.02)  # step 0: start_factor 0.1
    assert [scheduler.lr_at(e) for e in (4, 9, 10)] == pytest.approx([0.2, 0.2, 0.2])
    assert scheduler.lr_at(15) == pytest.approx(0.1) and scheduler.lr_at(20) == 0 and scheduler.lr_at(99) == 0
    no_warmup = lr_scheduler.WarmupStableDecayLR(optim.SGD([np.zeros(1)], lr=0.2), 0, 0, 4)
    assert [no_warmup.lr_at(e) for e in range(5)] == pytest.approx([0.2, 0.15, 0.1, 0.05, 0.0])
    with pytest.raises(ValueError, match="Invalid decay_iters: 0"):
        lr_scheduler.WarmupStableDecayLR(opt, 4, 6, 0)
    with pytest.raises(ValueError, match="Invalid warmup_iters: 2.5"):
        lr_scheduler.WarmupStableDecayLR(opt, 2.5, 6, 10)
    assert opt.lr == pytest.approx(0.02)  # the failed constructions changed nothing
