"""Latency of the optimizer explorer: from a learning-rate change to the new figure.

``OptimizerExplorer`` recomputes the path and redraws inside the slider's observer, so the
assignment ``explorer.lr.value = v`` returns when ``explorer.png`` holds the new figure; its wall
time is the latency (the browser's own rendering of the PNG comes on top). Median over a series
of distinct values, for a 1-D function (the curve) and a 2-D one (contours). The explorer keeps
the picture's background (curve or contours, axes, title) as pixels and paints only the path on
it; a new background is rendered when the window changes (in 1-D, when the path leaves it). A
profile of the same redraws splits the time into its parts.
"""

from __future__ import annotations

import cProfile
import pstats
import time
import warnings

import numpy as np
from common import median

CASES = [  # (label, function, optimizer, learning rates to step through)
    ("1-D: x^2 + 4x + 1, GD", "x^2 + 4x + 1", "GD", np.geomspace(0.05, 0.9, 12)),
    ("2-D: Rosenbrock, Adam", "Rosenbrock", "Adam", np.geomspace(0.01, 0.3, 12)),
]

# Where the time goes: (part, name of the function in the profile, file name it must come from)
PARTS = [
    ("path (minimize)", "minimize", "train.py"),
    ("new background (full render)", "draw", "backend_agg.py"),
    ("the path's artists", "plot_path", "widgets.py"),
    ("encode the PNG", "imsave", "image.py"),
]


def explorer_for(function: str, optimizer: str):
    from gdcourse.widgets import OptimizerExplorer

    return OptimizerExplorer(functions=[function], optimizers=[optimizer])


def latencies(explorer, rates, clock=time.perf_counter) -> np.ndarray:
    """Seconds from each ``explorer.lr.value = rate`` to the new PNG, by ``clock``."""
    seconds = []
    for lr in rates:
        before = explorer.png
        start = clock()
        explorer.lr.value = float(lr)
        seconds.append(clock() - start)
        assert explorer.png != before, "the figure did not change"
    return np.array(seconds)


def profile(explorer, rates) -> dict:
    """Cumulative seconds per redraw spent in each of PARTS."""
    profiler = cProfile.Profile()
    profiler.enable()
    latencies(explorer, rates)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    parts = {}
    for part, name, file in PARTS:
        cumulative = [v[3] for (f, _, n), v in stats.items() if n == name and f.endswith(file)]
        parts[part] = max(cumulative, default=0.0) / len(rates)
    parts["profiled redraw (total)"] = sum(v[2] for v in stats.values()) / len(rates)
    return parts


def run(quick: bool = False) -> dict:
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, function, optimizer, rates in CASES:
            explorer = explorer_for(function, optimizer)
            rates = rates[:6] if quick else rates
            latencies(explorer, rates[:3] * 0.97)  # warm-up: fonts, caches, first-call costs
            seconds = latencies(explorer, rates)
            cpu = latencies(explorer, rates * 1.01, clock=time.process_time)
            rows.append(
                {
                    "case": label,
                    "dpi": explorer.dpi,
                    "median_s": median(seconds),
                    "max_s": float(seconds.max()),
                    "median_cpu_s": median(cpu),
                    "parts": profile(explorer, rates * 1.03),
                }
            )
    return {"rows": rows, "target_s": 0.050, "target_max_s": 0.100}


def tables(result: dict) -> str:
    from common import markdown_table, seconds

    header = ["case", "median latency", "slowest", "CPU time", *(part for part, _, _ in PARTS)]
    rows = []
    for r in result["rows"]:
        total = r["parts"]["profiled redraw (total)"]
        shares = [f"{r['parts'][part] / total:.0%}" if r["parts"][part] else "-" for part, _, _ in PARTS]
        verdict = "" if r["median_s"] <= result["target_s"] else " (over target)"
        slowest = seconds(r["max_s"]) + ("" if r["max_s"] <= result["target_max_s"] else " (over target)")
        rows.append([r["case"], f"**{seconds(r['median_s'])}**{verdict}", slowest, seconds(r["median_cpu_s"]), *shares])
    return (
        f"Time from `explorer.lr.value = ...` to the new PNG (targets: median at most "
        f"{result['target_s'] * 1e3:.0f} ms, slowest at most {result['target_max_s'] * 1e3:.0f} ms), wall clock "
        "(what a learner waits) and CPU time (the wall clock of an idle machine); the last columns split a "
        "profiled redraw (profiling slows it down) into its parts. The slowest 1-D change is the one whose "
        "path leaves the window, which renders a new background.\n\n" + markdown_table(header, rows)
    )
