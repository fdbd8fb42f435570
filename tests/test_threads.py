"""gdcourse.threads: one BLAS thread after ``import gdcourse``, and a user's choice wins."""

from __future__ import annotations

import os
import subprocess
import sys

from gdcourse import threads


def blas_threads_after_import(env: dict) -> int:
    code = (
        "import gdcourse, numpy; from threadpoolctl import threadpool_info; "
        "print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_import_sets_one_blas_thread_unless_the_user_chose():
    env = {k: v for k, v in os.environ.items() if k not in threads.USER_SETTINGS}
    assert blas_threads_after_import(env) == 1
    if os.cpu_count() > 1:
        assert blas_threads_after_import({**env, "OPENBLAS_NUM_THREADS": "2"}) == 2
