"""gdcourse.threads: BLAS threads follow the CPUs the process may use, and a user's choice wins."""

from __future__ import annotations

import os
import subprocess
import sys

from gdcourse import threads


def test_cgroup_v2_quota(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert threads.cgroup_cpu_limit(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert threads.cgroup_cpu_limit(tmp_path) is None


def test_cgroup_v1_quota(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert threads.cgroup_cpu_limit(tmp_path) == 1.0
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert threads.cgroup_cpu_limit(tmp_path) is None


def test_available_cpus_is_capped_by_the_quota(tmp_path):
    (tmp_path / "cpu.max").write_text("100000 100000\n")  # one CPU, like a Binder container
    assert threads.available_cpus(tmp_path) == 1
    assert threads.available_cpus(tmp_path / "missing") == len(os.sched_getaffinity(0))


def blas_threads_after_import(env: dict) -> int:
    code = (
        "import gdcourse, numpy; from threadpoolctl import threadpool_info; "
        "print(min(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_import_sets_blas_threads_unless_the_user_chose():
    env = {k: v for k, v in os.environ.items() if k not in threads.USER_SETTINGS}
    assert blas_threads_after_import(env) == threads.available_cpus()
    assert blas_threads_after_import({**env, "OPENBLAS_NUM_THREADS": "1"}) == 1
