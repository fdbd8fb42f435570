"""Timing on a shared, noisy machine, and a description of the machine.

Every comparison is *interleaved*: in each round every candidate runs once (the order rotates
from round to round), so a burst of load from another process slows all of them alike. A ratio
is the median over rounds of the per-round ratio; a time is the median over rounds.

The clock is the process's CPU time (``time.process_time``): with one thread it is what the
wall clock would show on an idle machine, and it does not count the time during which other
processes held the CPU, which on a shared machine is most of the noise. Wall-clock samples
are kept too. Absolute times still move with the load (caches, memory bandwidth); the ratios
are what to read.
"""

from __future__ import annotations

import gc
import os
import platform
import time
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np


def setup(threads: int) -> None:
    """The same number of threads for NumPy's BLAS and for PyTorch, and float64 in PyTorch.

    float64 is the course's dtype; torch also keeps optimizer state such as NAdam's momentum
    product in the default dtype, which must be float64 for the two libraries to agree.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)
    torch.set_default_dtype(torch.float64)


@contextmanager
def no_gc():
    """Keep the garbage collector out of the timed region (as ``timeit`` does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


CLOCK = time.process_time


def time_calls(fn: Callable[[], object], number: int, clock: Callable[[], float] = CLOCK) -> float:
    """Seconds per call of ``fn``, over ``number`` consecutive calls."""
    with no_gc():
        start = clock()
        for _ in range(number):
            fn()
        return (clock() - start) / number


def calls_for(fn: Callable[[], object], seconds: float) -> int:
    """How many calls of ``fn`` take about ``seconds`` (at least 1)."""
    fn()  # warm-up: first-call costs (imports, allocations, caches) are not what we measure
    number = 1
    while True:
        elapsed = time_calls(fn, number) * number
        if elapsed >= seconds / 4 or number >= 1_000_000:
            return max(1, int(number * seconds / max(elapsed, 1e-9)))
        number *= 4


def interleaved(candidates: dict[str, Callable[[], object]], repeats: int, seconds: float) -> dict[str, np.ndarray]:
    """Seconds per call of each candidate, one sample per round, shape (repeats,) each.

    Each sample runs a candidate for about ``seconds``; within a round the candidates run one
    after the other, and the starting candidate rotates from round to round.
    """
    numbers = {name: calls_for(fn, seconds) for name, fn in candidates.items()}
    names = list(candidates)
    samples = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(time_calls(candidates[name], numbers[name]))
    return {name: np.array(s) for name, s in samples.items()}


def ratio(samples: dict[str, np.ndarray], numerator: str, denominator: str) -> float:
    """Median over rounds of numerator time / denominator time (both measured in each round)."""
    return float(np.median(samples[numerator] / samples[denominator]))


def median(values) -> float:
    return float(np.median(values))


def loglog_slope(x, y) -> float:
    """Least-squares slope of log y against log x: y grows like x**slope."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine(threads: int) -> dict:
    """What the numbers were measured on: CPU, cores, library versions and their BLAS, threads."""
    info = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "threads": threads,
    }
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    info["numpy_blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    try:
        import torch

        info["torch"] = torch.__version__
        config = torch.__config__.show()
        info["torch_blas"] = next(
            (part.split("=", 1)[1] for part in config.replace(",", " ").split() if part.startswith("BLAS_INFO=")), "?"
        )
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = "not installed"
    return info


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(t: float) -> str:
    """A duration with a unit a reader takes in at a glance."""
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.3g} ms"
    return f"{t * 1e6:.3g} µs"
