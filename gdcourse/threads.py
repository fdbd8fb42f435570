"""Match NumPy's BLAS threads to the CPUs this process may really use.

The course multiplies small matrices, where extra BLAS threads only help if each has a CPU of
its own. On Binder and most JupyterHubs a container sees every core of a large machine but may
use only one or two (a cgroup quota): OpenBLAS would start a thread per visible core, and the
threads would queue for the same CPU, making small products several times slower.
``import gdcourse`` therefore sets the BLAS thread count to ``available_cpus()``, unless you
chose one yourself with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` or ``MKL_NUM_THREADS``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

USER_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def cgroup_cpu_limit(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """The CPU quota of this container in CPUs (cgroup v2 ``cpu.max`` or v1 ``cfs_quota_us``), or None."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]  # v2: "max 100000" or "150000 100000"
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())  # v1: -1 means no limit
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def available_cpus(root: Path = Path("/sys/fs/cgroup")) -> int:
    """CPUs this process may use: its CPU affinity, capped by the container's quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        n = os.cpu_count() or 1
    limit = cgroup_cpu_limit(root)
    if limit is not None:
        n = min(n, max(1, math.ceil(limit)))
    return n


def limit_blas_threads() -> int | None:
    """Set NumPy's BLAS threads to ``available_cpus()`` unless the user chose; return the number set."""
    if any(name in os.environ for name in USER_SETTINGS):
        return None
    try:
        import numpy  # noqa: F401  (loads the BLAS library, so the limit reaches it)
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    n = available_cpus()
    threadpool_limits(n, user_api="blas")
    return n
