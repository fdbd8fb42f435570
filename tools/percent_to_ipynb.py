"""Build a notebook from a script in the "percent" format (a drafting aid; the .ipynb is the source).

    python tools/percent_to_ipynb.py draft.py notebooks/NN_name.ipynb

``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell (its lines lose the leading
``# ``), and ``# %% tags=["a", "b"]`` sets cell tags. Cell ids are numbered so diffs stay stable.
"""

from __future__ import annotations

import json
import re
import sys

import nbformat


def parse(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cells, kind, tags, lines = [], None, [], []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.splitlines())
            cell = nbformat.v4.new_markdown_cell(body)
        else:
            cell = nbformat.v4.new_code_cell(body)
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)

    for line in text.splitlines():
        header = re.match(r"^# %%(.*)$", line)
        if header:
            flush()
            rest = header.group(1)
            kind = "markdown" if "[markdown]" in rest else "code"
            tag_match = re.search(r"tags=(\[.*\])", rest)
            tags = json.loads(tag_match.group(1)) if tag_match else []
            lines = []
        else:
            lines.append(line)
    flush()
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:03d}"
    nb.cells = cells
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    with open(source) as f:
        nbformat.write(parse(f.read()), target)
    print(f"wrote {target}")
