"""Measure every notebook's run time and kernel memory, as a learner's "Run All" would see them.

    python tools/measure_notebooks.py                       # all notebooks, a Markdown table
    python tools/measure_notebooks.py --repeat 3 notebooks/02_linear_regression.ipynb
    python tools/measure_notebooks.py --repeat 3 --update docs/instructor-guide.md

Each run starts a fresh kernel in the notebook's folder and executes every cell in order; the
stored notebook is never written. Per notebook it reports, as the median over ``--repeat`` runs:

- wall time of the cells (kernel start-up, about 1-2 s, not included);
- CPU time of the kernel process and the processes it waited for (user + system): on a shared,
  loaded machine this moves much less than the wall time, and on an idle machine with one busy
  core the wall time is close to it;
- peak resident memory of the kernel process (``VmHWM``; child processes not included).

``--update FILE`` replaces the text between ``<!-- measured:begin -->`` and
``<!-- measured:end -->`` in FILE with the new table and the measurement conditions, so the
instructor guide stays current by re-running this command. Linux only (reads ``/proc``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # gdcourse, also when it is not installed
from gdcourse import course  # noqa: E402

BEGIN, END = "<!-- measured:begin -->", "<!-- measured:end -->"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Measurement:
    notebook: str
    wall: list[float]
    cpu: list[float]
    peak_mb: list[float]

    @property
    def row(self) -> str:
        wall, cpu, peak = (statistics.median(v) for v in (self.wall, self.cpu, self.peak_mb))
        spread = f"{min(self.wall):.1f}-{max(self.wall):.1f}" if len(self.wall) > 1 else "-"
        return f"| `{self.notebook}` | {wall:.1f} | {spread} | {cpu:.1f} | {peak:.0f} |"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and of the children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])  # fields 14-17 of proc(5)
    return (utime + stime + cutime + cstime) / TICKS


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM) in MB."""
    match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(match.group(1)) / 1024


def run_once(path: Path, timeout: int = 600) -> tuple[float, float, float]:
    """Execute a notebook from a fresh kernel without saving it: (wall s, CPU s, peak MB)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with client.setup_kernel(cwd=str(path.parent)):
        pid = client.km.provisioner.process.pid
        cpu0 = cpu_seconds(pid)
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        wall = time.perf_counter() - start
        cpu = cpu_seconds(pid) - cpu0
        peak = peak_rss_mb(pid)
    return wall, cpu, peak


def conditions(repeat: int, load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    """One paragraph saying on what machine and under what load the numbers were taken."""
    import numpy

    cpu_model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu_model = match.group(1).strip() if match else cpu_model
    try:
        torch_version = f", PyTorch {version('torch')}"
    except PackageNotFoundError:
        torch_version = ""
    return (
        f"Measured {dt.date.today().isoformat()} with `python tools/measure_notebooks.py --repeat {repeat}` "
        f"(median of {repeat} run{'s' if repeat > 1 else ''} from a fresh kernel each): "
        f"{os.cpu_count()} CPU cores ({cpu_model}), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, NumPy {numpy.__version__}{torch_version}. "
        f"Load average (1 min) {load_before[0]:.1f} before and {load_after[0]:.1f} after: "
        "the machine was shared, so wall times are upper bounds and CPU times are the steadier figure."
    )


def table(measurements: list[Measurement]) -> str:
    total_wall = sum(statistics.median(m.wall) for m in measurements)
    lines = [
        "| notebook | wall time (s) | range over runs (s) | kernel CPU time (s) | kernel peak memory (MB) |",
        "|---|---:|---:|---:|---:|",
        *(m.row for m in measurements),
        f"| **all notebooks** | **{total_wall:.1f}** | | | |",
    ]
    return "\n".join(lines)


def update_file(path: Path, text: str) -> None:
    """Replace the block between the markers in ``path`` with ``text``."""
    content = path.read_text()
    if BEGIN not in content or END not in content:
        raise SystemExit(f"{path} has no {BEGIN} ... {END} block to update.")
    head, rest = content.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/NN_*.ipynb")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook; the median is reported")
    parser.add_argument("--update", type=Path, help="a Markdown file whose measured block to replace")
    args = parser.parse_args(argv)
    paths = args.notebooks or course.notebooks()

    load_before = os.getloadavg()
    measurements = []
    for path in paths:
        m = Measurement(path.name, [], [], [])
        for _ in range(args.repeat):
            wall, cpu, peak = run_once(path)
            m.wall.append(wall)
            m.cpu.append(cpu)
            m.peak_mb.append(peak)
            print(f"{wall:6.1f} s wall {cpu:6.1f} s CPU {peak:6.0f} MB  {path.name}", file=sys.stderr, flush=True)
        measurements.append(m)
    text = f"{table(measurements)}\n\n{conditions(args.repeat, load_before, os.getloadavg())}"
    print(text)
    if args.update:
        update_file(args.update, text)
        print(f"Updated {args.update}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
