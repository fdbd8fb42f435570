"""Build a static, readable copy of the whole course: one HTML page per notebook and an index.

    python tools/build_html.py [OUTPUT_DIR]      # default: site/  (also: make html)

The notebooks are committed executed, so the pages show the stored outputs, every figure
included, without running anything (a few seconds for the whole course). Figures are embedded
in the pages, so ``site/`` can be copied anywhere, served as it is, or opened from disk on a
phone; only the typesetting of equations (MathJax) is loaded from the web. Links from one
notebook to another point at the other page.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # gdcourse, also when it is not installed

from gdcourse import course  # noqa: E402
from gdcourse.widgets import WIDGET_VIEW  # noqa: E402

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")  # shown as <img>; SVG is inlined instead


def drop_live_widgets(nb: nbformat.NotebookNode) -> None:
    """A live widget needs a kernel; a page shows its still image or text, or nothing."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(WIDGET_VIEW, None)
            if out.output_type not in ("display_data", "execute_result") or out.data:
                kept.append(out)
        cell.outputs = kept


def image_outputs(nb: nbformat.NotebookNode) -> int:
    """How many figures (raster image outputs) the notebook has stored."""
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if any(kind in out.get("data", {}) for kind in IMAGE_TYPES)
    )


def title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return fallback


def link_pages(page: str) -> str:
    """Links to another course notebook (``02_linear_regression.ipynb``) go to its page."""
    return re.sub(r'href="(?:\./)?(\d\d_[\w-]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', page)


def index_page(entries: list[tuple[str, str, int]]) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(page)}">{html.escape(name)}</a> '
        f'<span class="meta">{figures} figure{"s" if figures != 1 else ""} · '
        f'<a href="{html.escape(course.binder_link(page[:2]))}">run it on Binder</a></span></li>'
        for page, name, figures in entries
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gdcourse: gradient descent, from the definition to PyTorch</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
li {{ margin: 0.6rem 0; }} .meta {{ color: #555; font-size: 0.9em; display: block; }}
</style>
</head>
<body>
<h1>gdcourse: gradient descent, from the definition to PyTorch</h1>
<p>A read-only copy of the course, with every output and figure as published ({course.RELEASE_TAG}).
To run and edit the notebooks, use the course repository
(<a href="{course.REPOSITORY_URL}">{course.REPOSITORY_URL}</a>) or the Binder links below.</p>
<ol start="0">
{items}
</ol>
<p class="meta">Text and figures: CC BY 4.0; code: MIT. See LICENSE-CONTENT.md and LICENSE in the repository.</p>
</body>
</html>
"""


def build(output: Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Write one page per notebook and ``index.html`` into ``output``; return the pages."""
    output.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    pages, entries = [], []
    for path in notebooks if notebooks is not None else course.notebooks():
        nb = nbformat.read(path, as_version=4)
        drop_live_widgets(nb)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title(nb, path.stem)}})
        page = output / f"{path.stem}.html"
        page.write_text(link_pages(body), encoding="utf-8")
        pages.append(page)
        entries.append((page.name, title(nb, path.stem), image_outputs(nb)))
    (output / "index.html").write_text(index_page(entries), encoding="utf-8")
    return pages


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else ROOT / "site"
    pages = build(output)
    print(f"Wrote {len(pages)} pages and {output / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
