"""Wall time and kernel memory of every notebook under nbval, as ``make test`` runs them.

    python benchmarks/notebooks.py                      # lint + unit tests + every notebook, as make test
    python benchmarks/notebooks.py notebooks/03_*.ipynb # only these notebooks

One ``pytest`` process runs what ``make test`` runs (pyproject's options: nbval, the sanitiser,
the current environment), with a JUnit report that gives each notebook's time (kernel start-up
and shutdown included). Meanwhile a thread reads each kernel's peak resident memory (``VmHWM``
in /proc/<pid>/status, the high-water mark of its RSS) every 50 ms until the kernel exits, and
whether it loaded PyTorch. Budgets (CONTRIBUTING.md): 30 s per notebook; 250 MB for a NumPy
kernel, 500 MB for one that loads PyTorch. Times are wall clock: a learner waits on them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_BUDGET_S = 30
MEMORY_BUDGET_MB = {"numpy": 250, "torch": 500}


def read_kernel(pid: int) -> tuple[float, bool]:
    """(peak RSS in MB, whether libtorch is mapped) of a live process; (0, False) once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return 0.0, False
    kilobytes = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return kilobytes / 1024, "libtorch" in maps


class KernelWatcher(threading.Thread):
    """Records, for every ipykernel started under ``pid``, its peak memory and working directory,
    in order of start (nbval starts each notebook's kernel in the notebook's folder)."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.kernels: dict[int, dict] = {}  # insertion order = start order
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        parent = psutil.Process(self.pid)
        while not self.done.is_set():
            try:
                children = parent.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for child in children:
                try:
                    if child.pid not in self.kernels and "ipykernel" not in " ".join(child.cmdline()):
                        continue
                except psutil.Error:
                    continue
                peak, torch = read_kernel(child.pid)
                if child.pid not in self.kernels:
                    try:
                        cwd = child.cwd()
                    except psutil.Error:
                        continue
                    self.kernels[child.pid] = {"peak_mb": 0.0, "torch": False, "cwd": cwd}
                kernel = self.kernels[child.pid]
                kernel["peak_mb"] = max(kernel["peak_mb"], peak)
                kernel["torch"] = kernel["torch"] or torch
            time.sleep(self.interval)


def timed(command: list[str]) -> dict:
    start = time.perf_counter()
    process = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return {"seconds": time.perf_counter() - start, "ok": process.returncode == 0}


def run_pytest(paths: list[str]) -> dict:
    """One pytest run over ``paths`` (default: pyproject's testpaths, as make test): times and memory."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", *paths]
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        watcher = KernelWatcher(process.pid)
        watcher.start()
        output, _ = process.communicate()
        seconds = time.perf_counter() - start
        watcher.done.set()
        watcher.join()
        cases = ET.parse(report).getroot().iter("testcase") if report.exists() else []
        files: dict[str, dict] = {}
        for case in cases:
            name = case.get("classname", "")  # "notebooks.03_logistic_regression.ipynb", "tests.test_optim"
            if name.endswith(".ipynb"):
                name = name.removesuffix(".ipynb").replace(".", "/") + ".ipynb"
            entry = files.setdefault(name, {"seconds": 0.0, "tests": 0, "failed": 0})
            entry["seconds"] += float(case.get("time", 0))
            entry["tests"] += 1
            entry["failed"] += any(child.tag in ("failure", "error") for child in case)
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    return {
        "seconds": seconds,
        "ok": process.returncode == 0,
        "summary": summary,
        "files": files,
        "kernels": list(watcher.kernels.values()),
    }


def notebook_rows(result: dict) -> list[dict]:
    """One row per notebook (in run order), with its kernel's memory.

    The kernels started in a notebook's folder are matched to the notebooks in order; kernels
    that unit tests start elsewhere are left out. If the counts differ, memory is unknown."""
    notebooks = [(name, entry) for name, entry in result["files"].items() if name.endswith(".ipynb")]
    folders = {str((ROOT / name).parent) for name, _ in notebooks}
    kernels = [k for k in result["kernels"] if k["cwd"] in folders]
    rows = []
    for i, (name, entry) in enumerate(notebooks):
        kernel = kernels[i] if len(kernels) == len(notebooks) else None
        kind = ("torch" if kernel["torch"] else "numpy") if kernel else "?"
        rows.append(
            {
                "notebook": Path(name).name,
                "seconds": entry["seconds"],
                "cells": entry["tests"],
                "failed_cells": entry["failed"],
                "peak_mb": kernel["peak_mb"] if kernel else None,
                "kernel": kind,
                "within_budget": entry["seconds"] < TIME_BUDGET_S
                and (kernel is not None and kernel["peak_mb"] < MEMORY_BUDGET_MB[kind]),
            }
        )
    return rows


def run(paths: list[str] | None = None, lint: bool = True) -> dict:
    """What make test does, timed: ruff (lint and format check) and mypy, then one pytest run
    (make test's second nbval run, as a foreign machine, is not timed here)."""
    result = {}
    if lint:
        ruff, code = [sys.executable, "-m", "ruff"], ["gdcourse", "tests", "tools", "benchmarks", "notebooks"]
        checks = [
            timed([*ruff, "check", *code]),
            timed([*ruff, "format", "--check", *code]),
            timed([sys.executable, "-m", "mypy"]),
        ]
        result["lint"] = {"seconds": sum(c["seconds"] for c in checks), "ok": all(c["ok"] for c in checks)}
    result["pytest"] = run_pytest(paths or [])
    result["notebooks"] = notebook_rows(result["pytest"])
    unit = [entry for name, entry in result["pytest"]["files"].items() if not name.endswith(".ipynb")]
    result["unit_tests_s"] = sum(entry["seconds"] for entry in unit)
    result["total_s"] = result["pytest"]["seconds"] + result.get("lint", {}).get("seconds", 0.0)
    return result


def tables(result: dict) -> str:
    from common import markdown_table

    rows = []
    for r in result["notebooks"]:
        peak = f"{r['peak_mb']:.0f} MB" if r["peak_mb"] is not None else "?"
        budget = f"{MEMORY_BUDGET_MB.get(r['kernel'], '?')} MB"
        status = "passed" if not r["failed_cells"] else f"**{r['failed_cells']} cell(s) failed**"
        within = "yes" if r["within_budget"] else "**no**"
        rows.append(
            [r["notebook"], f"{r['seconds']:.1f} s", f"{peak} ({r['kernel']}, budget {budget})", status, within]
        )
    table = markdown_table(["notebook", "wall time under nbval", "kernel peak RSS", "nbval", "within budgets"], rows)
    notebooks = sum(r["seconds"] for r in result["notebooks"])
    pytest = result["pytest"]
    if "lint" not in result:  # only some paths: not the whole of make test
        return (
            f"{table}\n\npytest in all {pytest['seconds']:.1f} s (notebooks {notebooks:.1f} s): `{pytest['summary']}`"
        )
    lint = result["lint"]
    return (
        f"{table}\n\n`make test` as run here: ruff and mypy {lint['seconds']:.1f} s"
        f"{'' if lint['ok'] else ' (it reported problems)'}, then pytest {pytest['seconds']:.1f} s (unit tests "
        f"{result['unit_tests_s']:.1f} s, notebooks {notebooks:.1f} s, start-up and collection the rest): "
        f"**{result['total_s']:.1f} s** in total (target: under 120 s). pytest said: `{pytest['summary']}`"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks to run (default: what make test runs)")
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()
    result = run(args.paths, lint=not args.paths)
    print(tables(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0 if result["pytest"]["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
