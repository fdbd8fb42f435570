"""How the time of a fit call grows with the number of samples and with the batch size.

The digits MLP of ``training.py`` (same network, optimizer and torch twin). For the number of
samples, the digits are resampled with replacement to n images, batch size 32; for the batch
size, the 1438 training digits. Each point is a whole call for two epochs (``fit`` with its
evaluations; the torch loop with the same ones), CPU time, median over repeats, gdcourse and
torch interleaved. The slope of log(time) against log(n) or log(batch size) says how the time
grows: 1 is linear; -1 means the time per epoch halves when the batch doubles (a fixed cost per
step dominates), 0 that the batch size no longer matters (the cost per sample dominates).
"""

from __future__ import annotations

import numpy as np
from common import loglog_slope, median
from training import digits, gdcourse_run, torch_run

NUM_EPOCHS = 2


def point(X, y, batch_size, repeats) -> dict:
    times = {"gdcourse": [], "torch": []}
    for r in range(repeats):
        for side in ["gdcourse", "torch"] if r % 2 == 0 else ["torch", "gdcourse"]:
            runner = gdcourse_run if side == "gdcourse" else torch_run
            times[side].append(runner(X, y, batch_size, NUM_EPOCHS)[1] * NUM_EPOCHS)
    return {
        "gdcourse_s": median(times["gdcourse"]),
        "torch_s": median(times["torch"]),
        "ratio": median(np.array(times["gdcourse"]) / np.array(times["torch"])),
    }


def run(quick: bool = False) -> dict:
    X, _, y, _ = digits()
    repeats = 3 if quick else 5
    sizes = [250, 500, 1000, 2000, 4000] + ([] if quick else [8000])
    batch_sizes = [1, 4, 16, 64, 256, len(X)] if quick else [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, len(X)]
    rng = np.random.default_rng(0)
    by_n = []
    for n in sizes:
        rows = rng.integers(0, len(X), n)
        by_n.append({"n": n, "batch_size": 32, **point(X[rows], y[rows], 32, repeats)})
    by_batch = [{"n": len(X), "batch_size": b, **point(X, y, b, repeats)} for b in batch_sizes]
    result = {"num_epochs": NUM_EPOCHS, "by_n": by_n, "by_batch": by_batch}
    for key, axis in [("by_n", "n"), ("by_batch", "batch_size")]:
        x = [p[axis] for p in result[key]]
        for side in ["gdcourse", "torch"]:
            t = [p[f"{side}_s"] for p in result[key]]
            result[f"{key}_slope_{side}"] = loglog_slope(x, t)
            if key == "by_batch":  # the two regimes: small batches (per-step cost) and large ones
                small = [i for i, b in enumerate(x) if b <= 16]
                large = [i for i, b in enumerate(x) if b >= 64]
                result[f"by_batch_slope_small_{side}"] = loglog_slope([x[i] for i in small], [t[i] for i in small])
                result[f"by_batch_slope_large_{side}"] = loglog_slope([x[i] for i in large], [t[i] for i in large])
    return result


def tables(result: dict) -> str:
    from common import markdown_table, seconds

    def table(key, axis, label):
        rows = [[p[axis], seconds(p["gdcourse_s"]), seconds(p["torch_s"]), f"{p['ratio']:.2f}"] for p in result[key]]
        return markdown_table([label, "gdcourse fit", "torch loop", "gdcourse / torch"], rows)

    r = result
    return (
        f"Time of a {r['num_epochs']}-epoch call against the number of samples (batch size 32): slope "
        f"**{r['by_n_slope_gdcourse']:.2f}** for gdcourse, {r['by_n_slope_torch']:.2f} for torch.\n\n"
        + table("by_n", "n", "samples")
        + f"\n\nAgainst the batch size (1438 samples): slope **{r['by_batch_slope_gdcourse']:.2f}** overall for "
        f"gdcourse ({r['by_batch_slope_small_gdcourse']:.2f} for batches up to 16, "
        f"{r['by_batch_slope_large_gdcourse']:.2f} from 64 up); torch {r['by_batch_slope_torch']:.2f} "
        f"({r['by_batch_slope_small_torch']:.2f}, {r['by_batch_slope_large_torch']:.2f}).\n\n"
        + table("by_batch", "batch_size", "batch size")
    )
