"""Run NumPy's BLAS on one thread: the course multiplies small matrices.

For products of this size extra BLAS threads gain nothing, and where cores are shared they cost
a lot: a Binder or JupyterHub container sees every core of a large machine but may use one or
two, and OpenBLAS starts a thread per visible core that then queue for the same CPU. Measured
on a 2-core machine shared with other jobs (3 epochs of the digits MLP with batch 32; 30
full-batch epochs), one thread against OpenBLAS's default of two: batch 32 took 48-55 ms
against 110-120 ms; full batch 0.41-0.44 s against 0.41-2.6 s; with two CPU-bound processes
beside it, 0.13-0.19 s against 0.29-0.68 s and 1.3-3.5 s against 5.0-8.4 s. One thread also
makes results independent of the machine's core count.

``gdcourse.setup()`` (the first code cell of every notebook) applies this; ``import gdcourse``
does not. Nothing changes if you chose yourself with ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` or ``MKL_NUM_THREADS``, or where there are no threads (JupyterLite).
"""

from __future__ import annotations

import os
import sys

__all__ = ["USER_SETTINGS", "limit_blas_threads"]

USER_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads(n: int = 1) -> int | None:
    """Limit NumPy's BLAS to ``n`` threads unless the user chose; return the number set (or None).

    Returns None without doing anything in the browser (Pyodide: WebAssembly without threads).
    """
    if sys.platform == "emscripten" or any(name in os.environ for name in USER_SETTINGS):
        return None
    try:
        import numpy  # noqa: F401  (loads the BLAS library, so the limit reaches it)
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    threadpool_limits(n, user_api="blas")
    return n
