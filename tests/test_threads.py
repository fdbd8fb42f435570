"""``import gdcourse`` leaves the process alone; ``gdcourse.setup()`` puts NumPy's BLAS on one
thread, unless the user chose (environment variables, or ``blas_threads=None``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gdcourse import threads

REPORT = (
    "; from threadpoolctl import threadpool_info"
    "; print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))"
)


def blas_threads(code: str, **env: str) -> int:
    """The BLAS thread count after running ``code`` in a fresh Python (with ``env`` on top of a clean one)."""
    clean = {k: v for k, v in os.environ.items() if k not in threads.USER_SETTINGS}
    out = subprocess.run([sys.executable, "-c", code + REPORT], env={**clean, **env}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return int(out.stdout)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS runs on one thread anyway")
def test_import_changes_nothing_and_setup_limits_blas_to_one_thread():
    default = blas_threads("import numpy")
    assert default > 1
    assert blas_threads("import numpy, gdcourse, gdcourse.plots, gdcourse.train") == default
    assert blas_threads("import gdcourse; gdcourse.setup()") == 1
    assert blas_threads("import gdcourse; gdcourse.setup(blas_threads=None)") == default


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS runs on one thread anyway")
def test_a_thread_count_the_user_set_wins():
    assert blas_threads("import gdcourse; gdcourse.setup()", OPENBLAS_NUM_THREADS="2") == 2
