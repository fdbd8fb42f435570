"""The optimizer-style check of ``conftest.py`` fails a notebook cell that shows an optimizer off the
map, during the ordinary nbval run, and passes cells that draw it right.

A small notebook shows figures with a wrong colour, a wrong marker (through ``display``), a wrong
line style in a second figure of one cell, and correct figures; nbval runs it with the repository's
``conftest.py`` beside it.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUP = (
    "from IPython.display import display\n"
    "from matplotlib.figure import Figure\n"
    "from gdcourse import functions, optim, plots\n"
    "from gdcourse.train import minimize\n"
    "def figure(label, **style):\n"
    "    fig = Figure()\n"
    "    ax = fig.add_subplot(title='test')\n"
    "    ax.plot([0, 1], [0, 1], label=label, **style)\n"
    "    ax.legend()\n"
    "    return fig"
)
CELLS = {
    "right, by hand": "figure('Adam (lr 0.1)', **plots.optimizer_style('Adam'))",
    "wrong colour": "figure('Adam (lr 0.1)', color='tab:pink', marker='X')",
    "wrong marker, shown with display": "display(figure('Momentum', color='#332288', marker='o'))\nprint('shown')",
    "right, then a wrong line style": (
        "display(figure('NAdam', **plots.optimizer_style('NAdam')))\n"
        "figure('NAdam', **{**plots.optimizer_style('NAdam'), 'linestyle': '-'})"
    ),
    "right, from gdcourse.plots": (
        "f = functions.Rosenbrock()\n"
        "plots.contour_paths(f, {'RMSprop': minimize(f, f.start, optim.RMSprop, 3, lr=0.01)})"
    ),
    "not an optimizer": "figure('lr 0.1', color='tab:pink')",
}
EXPECTED = ["passed", "passed", "failed", "failed", "failed", "passed", "passed"]


@pytest.fixture(scope="module")
def nbval_run(tmp_path_factory) -> tuple[dict[str, str], str]:
    """One nbval run over a notebook of the cells above beside the repository's conftest.py: each
    cell's outcome and pytest's output. The cells are not run beforehand (no stored outputs, so
    nbval compares none): only the style check can fail them."""
    folder = tmp_path_factory.mktemp("styles")
    (folder / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in [SETUP, *CELLS.values()]])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "styles.ipynb")
    report = folder / "report.xml"
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider"]
    command += ["-o", "addopts=", f"--junitxml={report}", "--rootdir", str(folder), str(folder)]
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    outcome = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        notebook = case.get("classname").removesuffix(".ipynb")
        outcome[f"{notebook} {case.get('name')}"] = "failed" if failed else "passed"
    return outcome, run.stdout


def test_a_figure_off_the_map_fails_its_cell(nbval_run):
    outcome, output = nbval_run
    assert [outcome[f"styles Cell {i}"] for i in range(len(EXPECTED))] == EXPECTED, output
    assert "'Adam (lr 0.1)' is drawn with colour #e377c2; Adam's look is colour #D55E00" in output
    assert "'Momentum' is drawn with marker 'o'" in output
    assert "'NAdam' is drawn with line style '-'" in output
