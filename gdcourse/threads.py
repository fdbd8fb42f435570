"""Run NumPy's BLAS on one thread: the course multiplies small matrices.

For products of this size, extra BLAS threads gain little even on an idle machine (measured:
the digits MLP with batch 32 runs at the same speed on one thread as on two; full-batch
epochs about 10% slower). Where cores are shared they cost a lot: a Binder or JupyterHub
container sees every core of a large machine but may use one or two, and OpenBLAS would start
a thread per visible core that then queue for the same CPU (3-5x slower cells measured on a
busy 2-core machine). One thread also makes results independent of the machine's core count.
``import gdcourse`` applies this, unless you chose yourself with ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` or ``MKL_NUM_THREADS``. In the browser (JupyterLite, Pyodide) Python
runs on one thread anyway and there is nothing to limit.
"""

from __future__ import annotations

import os
import sys

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
