"""Execute notebooks in place from a fresh kernel and store their outputs, normalised.

    python tools/run_notebooks.py notebooks/*.ipynb

The outputs are what nbval compares against on every `make test`, and what a learner sees
on GitHub without running anything. Normalising keeps diffs small: no timing metadata, no
widget state, sequential execution counts. Prints each notebook's wall time.
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # gdcourse, also when it is not installed
from gdcourse.widgets import WIDGET_VIEW  # noqa: E402


def normalise(nb: nbformat.NotebookNode) -> None:
    """Drop what changes from run to run but carries no content."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(strip_widget_views(cell.outputs))


def strip_widget_views(outputs: list) -> list:
    """Drop live-widget references: their model ids change on every run, and without a kernel
    they show nothing. What remains (the explorer's still image and text) is what a reader sees
    before running the cell; an output that held only a widget (a progress bar) goes entirely."""
    kept = []
    for out in outputs:
        if WIDGET_VIEW in out.get("data", {}):
            out = copy.deepcopy(out)
            del out.data[WIDGET_VIEW]
            if not out.data:
                continue
        kept.append(out)
    return kept


def merge_streams(outputs: list) -> list:
    """Join consecutive chunks of the same stream: where the kernel splits a cell's printing
    depends on timing, so unmerged outputs would differ from run to run (nbval merges them too)."""
    merged = []
    for out in outputs:
        previous = merged[-1] if merged else None
        if out.output_type == "stream" and previous and previous.output_type == "stream" and previous.name == out.name:
            previous.text += out.text
        else:
            merged.append(copy.copy(out))  # a copy: the caller's outputs stay as they were
    return merged


def run(path: Path, timeout: int = 300) -> float:
    """Execute one notebook in place; return its wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    normalise(nb)
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> int:
    total = 0.0
    for p in paths:
        seconds = run(Path(p))
        total += seconds
        print(f"{seconds:6.1f} s  {p}", flush=True)
    print(f"{total:6.1f} s  total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
