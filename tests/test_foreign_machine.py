"""The foreign-machine run (``tools/foreign_machine.py``, part of ``make test``) must catch a printed
value whose last digits rounding decides, and must not flag a value printed to the digits that survive.

A small notebook prints three such values, one per mechanism the run changes (an OpenBLAS dot
product, a NumPy SIMD reduction, a PyTorch kernel), and the same quantities rounded. Its outputs
are stored on this machine; nbval then passes here and fails exactly the three unstable cells
under the foreign-machine settings.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SETUP = "import numpy as np\nrng = np.random.default_rng(0)\na, b = rng.normal(size=(2, 4097))"
# torch on one thread, as in notebooks 07-08: with two, how they share the work changes from run to run.
TORCH = "import torch\ntorch.set_num_threads(1)\n"
UNSTABLE = {
    "OpenBLAS dot product": "print(repr(float(a @ b)))",
    "NumPy SIMD reduction": "print(repr(float(np.tanh(a).sum())))",
    "PyTorch kernel": TORCH + "print(repr(float(torch.tanh(torch.from_numpy(a)).sum())))",
}
STABLE = "print(f'{a @ b:.6f} {np.tanh(a).sum():.6f}')  # the digits that survive"


def run_nbval(notebook: Path, foreign: bool, tmp_path: Path) -> dict[str, str]:
    """nbval over ``notebook``; the outcome of each cell ('passed' or 'failed'), by test name."""
    report = tmp_path / f"report-{foreign}.xml"
    pytest_args = ["-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", "-o", "addopts="]
    command = [sys.executable, *pytest_args, f"--junitxml={report}", "--rootdir", str(tmp_path), str(notebook)]
    if foreign:
        command = [sys.executable, str(ROOT / "tools" / "foreign_machine.py"), "--", *command]
    subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    cases = ET.parse(report).getroot().iter("testcase")
    return {case.get("name"): "failed" if case.find("failure") is not None else "passed" for case in cases}


def test_the_foreign_machine_run_fails_unstable_prints_and_passes_rounded_ones(tmp_path):
    pytest.importorskip("torch")
    cells = [SETUP, *UNSTABLE.values(), STABLE]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "unstable.ipynb"
    nbformat.write(notebook, path)

    native = run_nbval(path, foreign=False, tmp_path=tmp_path)
    assert set(native.values()) == {"passed"}, native  # stable on one machine
    outcome = run_nbval(path, foreign=True, tmp_path=tmp_path)
    expected = ["passed", *["failed"] * len(UNSTABLE), "passed"]
    assert [outcome[f"Cell {i}"] for i in range(len(cells))] == expected, outcome
