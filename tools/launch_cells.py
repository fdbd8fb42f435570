"""Put the launch cells into every notebook, or update them: idempotent, safe to run again.

    python tools/launch_cells.py [--check] [notebooks/*.ipynb]

Each notebook gets, right after its title cell:

- a markdown cell (tag ``gdcourse-launch-links``) with its "Open in Google Colab" and Binder
  links, at the release tag (``gdcourse.course``);
- a code cell (tag ``gdcourse-launch``) that, in Google Colab only, installs ``gdcourse`` at the
  release tag and turns on Colab's widget manager; anywhere else it does nothing.

Notebook 00's PyTorch check (a ``subprocess`` call, which the browser version cannot make) becomes
``environment.pytorch()`` (tag ``gdcourse-pytorch-check``), which makes the same check on a computer
and names JupyterLite in the browser; the imports it no longer needs are removed.

Run it after merging notebook changes, then re-execute what changed (``make notebooks``).
``--check`` changes nothing and exits 1 if a notebook is not up to date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gdcourse import course  # noqa: E402

LINKS_TAG = "gdcourse-launch-links"
CELL_TAG = "gdcourse-launch"
PYTORCH_TAG = "gdcourse-pytorch-check"

LAUNCH_CODE = f"""\
# Google Colab only: install the course's package (release {course.RELEASE_TAG}) and turn on Colab's widgets.
# Anywhere else (your computer, Binder, a JupyterHub, the browser version) this cell does nothing.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet "{course.COLAB_INSTALL}"
    from google.colab import output

    output.enable_custom_widget_manager()"""

PYTORCH_CODE = "torch_ok = environment.pytorch()  # in a separate process; in the browser: where 07-08 run"


def links_text(path: Path) -> str:
    number = path.stem[:2]
    return (
        f"**Run this notebook** on your computer (the README's quick start), "
        f"[in Google Colab]({course.colab_link(number)}) or [on Binder]({course.binder_link(number)}); "
        f"notebooks 00-06 also run in your browser with nothing to install (the course website's "
        f"*JupyterLite* button). In Colab, run the code cell below first: it installs the course's package."
    )


def tagged(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def new_cell(kind: str, source: str, tag: str, cell_id: str, extra_tags: tuple = ()):
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source)
    cell.id = cell_id
    cell.metadata["tags"] = [tag, *extra_tags]
    return cell


def uses(cells, name: str) -> bool:
    """Does any of these code cells use the module ``name`` (``name.something``)?"""
    return any(re.search(rf"\b{name}\.", cell.source) for cell in cells if cell.cell_type == "code")


def pytorch_check(nb) -> None:
    """Notebook 00: the subprocess PyTorch check becomes ``environment.pytorch()``."""
    for cell in nb.cells:
        old = "subprocess.run(" in cell.source and "import torch" in cell.source
        if cell.cell_type == "code" and (old or tagged(cell, PYTORCH_TAG)):
            tags = [t for t in cell.metadata.get("tags", []) if t != PYTORCH_TAG]
            if cell.source != PYTORCH_CODE:
                cell.source = PYTORCH_CODE
                cell.outputs = []
                cell.execution_count = None
            cell.metadata["tags"] = [PYTORCH_TAG, *tags]
            break
    else:
        return
    others = [c for c in nb.cells if not (tagged(c, CELL_TAG) or tagged(c, PYTORCH_TAG))]
    for cell in others:
        if cell.cell_type == "code" and re.search(r"^from gdcourse import check as environment$", cell.source, re.M):
            for module in ("subprocess", "sys"):
                if not uses([c for c in others if c is not cell] + [cell], module):
                    cell.source = re.sub(rf"^import {module}\n", "", cell.source, flags=re.M)
            break


def placed(nb, kind: str, source: str, tag: str, cell_id: str):
    """The notebook's cell tagged ``tag`` (taken out of ``nb``) with ``source``, or a new one. An
    unchanged cell keeps its outputs and execution count, so running the tool again changes nothing."""
    found = [c for c in nb.cells if tagged(c, tag)]
    nb.cells = [c for c in nb.cells if not tagged(c, tag)]
    cell = found[0] if found and found[0].cell_type == kind else new_cell(kind, source, tag, cell_id)
    if cell.source != source:
        cell.source = source
        if kind == "code":
            cell.outputs, cell.execution_count = [], None
    cell.id = cell_id
    return cell


def apply(path: Path) -> bool:
    """Insert or update the launch cells of one notebook; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    number = path.stem[:2]
    links = placed(nb, "markdown", links_text(path), LINKS_TAG, f"launch-links-{number}")
    code = placed(nb, "code", LAUNCH_CODE, CELL_TAG, f"launch-{number}")
    nb.cells[1:1] = [links, code]  # after the title
    if number == "00":
        pytorch_check(nb)
    new = nbformat.writes(nb) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or course.notebooks()
    stale = []
    for path in paths:
        original = path.read_text(encoding="utf-8")
        if apply(path):
            stale.append(path.name)
            if check:
                path.write_text(original, encoding="utf-8")
    if check and stale:
        print(f"Launch cells missing or out of date in: {', '.join(stale)}. Run: python tools/launch_cells.py")
        return 1
    print(f"{'Out of date' if check else 'Updated'}: {', '.join(stale) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
