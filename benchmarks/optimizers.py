"""One optimizer step: gdcourse against its torch.optim twin and against the memory-bandwidth floor.

Each optimizer updates one float64 parameter of N numbers with a fixed gradient, for N from 10 to
1e6. Three candidates run interleaved: ``gdcourse``, ``torch.optim`` with ``foreach=False`` (the
single-tensor loop) and ``torch.optim`` with its default (which, on the CPU, resolves to the same
single-tensor loop). The floor is the time to move the bytes the update must read and write
(parameter, gradient and state; no temporaries) at the bandwidth of ``np.copyto`` on arrays of
the same size, timed in the same rounds: the cache's bandwidth while the arrays fit in it, the
memory's beyond. For N <= 1e3 a copy is mostly the cost of one NumPy call, so the floor there
says how many calls' worth of overhead a step costs rather than anything about bandwidth.
"""

from __future__ import annotations

import numpy as np
from common import interleaved, median, ratio

from gdcourse import optim

SIZES = [10, 1_000, 10_000, 100_000, 1_000_000]

# (name, class name in both libraries, hyperparameters, N-arrays the update reads + writes)
# e.g. Adam reads theta, g, m, v and writes theta, m, v: 7 arrays of N float64.
OPTIMIZERS = [
    ("SGD", "SGD", {"lr": 0.01}, 3),
    ("SGD momentum", "SGD", {"lr": 0.01, "momentum": 0.9}, 5),
    ("Adagrad", "Adagrad", {"lr": 0.01}, 5),
    ("RMSprop", "RMSprop", {"lr": 0.01}, 5),
    ("Adadelta", "Adadelta", {}, 7),
    ("Adam", "Adam", {"lr": 1e-3}, 7),
    ("AdamW", "AdamW", {"lr": 1e-3}, 7),
    ("NAdam", "NAdam", {}, 7),
    ("Adamax", "Adamax", {}, 7),
]


def candidates(class_name: str, hyper: dict, n: int, seed: int = 0) -> dict:
    """The three step functions, each on its own copy of the same parameter and gradient, and a copy."""
    import torch

    rng = np.random.default_rng(seed)
    theta, grad = rng.normal(size=n), rng.normal(size=n)
    ours = getattr(optim, class_name)([theta.copy()], **hyper)
    source, destination = theta.copy(), np.empty_like(theta)
    steps = {"gdcourse": lambda: ours.step([grad]), "copy": lambda: np.copyto(destination, source)}
    for label, foreach in [("torch foreach=False", False), ("torch default", None)]:
        p = torch.nn.Parameter(torch.tensor(theta))
        p.grad = torch.tensor(grad)
        steps[label] = getattr(torch.optim, class_name)([p], foreach=foreach, **hyper).step
    return steps


def check_same_update(class_name: str, hyper: dict) -> None:
    """Guard: the two libraries compute the same update, so the timings compare the same work."""
    import torch

    rng = np.random.default_rng(1)
    theta = rng.normal(size=1000)
    ours, p = [theta.copy()], torch.nn.Parameter(torch.tensor(theta))
    opt_ours = getattr(optim, class_name)(ours, **hyper)
    opt_torch = getattr(torch.optim, class_name)([p], foreach=False, **hyper)
    for _ in range(5):
        grad = rng.normal(size=1000)
        opt_ours.step([grad])
        p.grad = torch.tensor(grad)
        opt_torch.step()
    np.testing.assert_allclose(ours[0], p.detach().numpy(), rtol=1e-10, atol=1e-12)


def run(quick: bool = False) -> dict:
    repeats, seconds = (5, 0.003) if quick else (11, 0.01)
    rows = []
    for name, class_name, hyper, arrays in OPTIMIZERS:
        check_same_update(class_name, hyper)
        for n in SIZES:
            samples = interleaved(candidates(class_name, hyper, n), repeats, seconds)
            floor = samples["copy"] * arrays / 2  # a copy reads and writes 2 arrays of n float64
            rows.append(
                {
                    "optimizer": name,
                    "n": n,
                    "gdcourse_s": median(samples["gdcourse"]),
                    "torch_foreach_false_s": median(samples["torch foreach=False"]),
                    "torch_default_s": median(samples["torch default"]),
                    "floor_s": median(floor),
                    "copy_GBps": 2 * 8 * n / median(samples["copy"]) / 1e9,
                    "vs_torch_foreach_false": ratio(samples, "gdcourse", "torch foreach=False"),
                    "vs_torch_default": ratio(samples, "gdcourse", "torch default"),
                    "vs_floor": median(samples["gdcourse"] / floor),
                    "torch_vs_floor": median(samples["torch foreach=False"] / floor),
                }
            )
    return {"sizes": SIZES, "rows": rows, "default_foreach": default_foreach()}


def default_foreach() -> str:
    """What torch.optim's default (foreach=None) resolves to for CPU tensors."""
    import torch
    from torch.optim.optimizer import _default_to_fused_or_foreach

    fused, foreach = _default_to_fused_or_foreach([torch.zeros(1)], differentiable=False, use_fused=False)
    return "foreach" if foreach else ("fused" if fused else "single-tensor loop (same as foreach=False)")


def size_label(n: int) -> str:
    return f"{n:.0e}".replace("e+0", "e") if n >= 1000 else str(n)


def tables(result: dict) -> str:
    """Three tables, optimizers by size: the ratio to each torch variant and to the floor."""
    from common import markdown_table, seconds

    header = ["optimizer", *(f"N={size_label(n)}" for n in result["sizes"])]
    by_name = {}
    for row in result["rows"]:
        by_name.setdefault(row["optimizer"], {})[row["n"]] = row
    parts = []
    for title, key, fmt in [
        (
            "gdcourse step time / torch.optim step time (foreach=False); below 1: gdcourse is faster",
            "vs_torch_foreach_false",
            "{:.2f}",
        ),
        (f"gdcourse / torch.optim default ({result['default_foreach']})", "vs_torch_default", "{:.2f}"),
        (
            "gdcourse / bandwidth floor (bytes the update reads and writes, at the copy bandwidth for arrays of "
            "that size); torch (foreach=False) / floor in brackets",
            None,
            None,
        ),
        ("gdcourse step time (median)", "gdcourse_s", None),
    ]:
        rows = []
        for name, per_n in by_name.items():
            cells = []
            for n in result["sizes"]:
                r = per_n[n]
                if key is None:
                    cells.append(f"{r['vs_floor']:.3g} ({r['torch_vs_floor']:.3g})")
                elif fmt is None:
                    cells.append(seconds(r[key]))
                else:
                    value = fmt.format(r[key])
                    cells.append(f"**{value}**" if r[key] > 1 and key == "vs_torch_foreach_false" else value)
            rows.append([name, *cells])
        parts.append(f"{title}:\n\n" + markdown_table(header, rows))
    bandwidth = {}
    for row in result["rows"]:
        bandwidth.setdefault(row["n"], []).append(row["copy_GBps"])
    cells = [f"{median(v):.3g} GB/s" for v in bandwidth.values()]
    parts.append("Copy bandwidth (np.copyto, read + write, median):\n\n" + markdown_table(header, [["copy", *cells]]))
    return "\n\n".join(parts)
