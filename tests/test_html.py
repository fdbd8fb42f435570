"""The static copy of the course (``make html``) has every notebook, with every stored figure."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gdcourse import course

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "build_html.py"
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8"}


def load_tool():
    spec = importlib.util.spec_from_file_location("build_html", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Tags(HTMLParser):
    """The <img> sources, link targets and <title> of a page (real tags only, not escaped text)."""

    def __init__(self, text: str):
        super().__init__()
        self.images, self.links, self.title, self._in_title = [], [], "", False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def stored_figures(path: Path) -> int:
    """Raster image outputs stored in the notebook file, counted from its JSON."""
    nb = json.loads(path.read_text())
    return sum(
        1
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
        if set(out.get("data", {})) & set(MAGIC)
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    output = tmp_path_factory.mktemp("site")
    load_tool().build(output)
    return output


def test_every_notebook_has_a_page_and_the_index_links_them_all(site):
    notebooks = course.notebooks()
    assert notebooks
    index = Tags((site / "index.html").read_text())
    for path in notebooks:
        assert (site / f"{path.stem}.html").is_file(), f"no page for {path.name}"
        assert f"{path.stem}.html" in index.links
        assert course.binder_link(path.stem[:2]) in index.links
    assert sorted(p.name for p in site.glob("*.html")) == sorted(["index.html", *(f"{p.stem}.html" for p in notebooks)])


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.stem[:2])
def test_each_page_shows_every_stored_figure(site, path):
    page = Tags((site / f"{path.stem}.html").read_text(encoding="utf-8"))
    figures = stored_figures(path)
    assert len(page.images) == figures, f"{path.name}: {len(page.images)} <img> for {figures} stored figures"
    for src in page.images:  # embedded, so the page works offline and anywhere it is copied
        match = re.fullmatch(r"data:(image/\w+);base64,(.+)", src, re.S)
        assert match, src[:60]
        assert base64.b64decode(match.group(2)).startswith(MAGIC[match.group(1)])
    title = json.loads(path.read_text())["cells"][0]["source"][0].removeprefix("# ").strip()
    assert page.title.strip() == title


def test_the_published_notebooks_with_figures_have_them_in_their_pages(site):
    """Guards the test above against a build that drops every output: 01 has figures."""
    path = course.find("01")
    assert stored_figures(path) > 0
    assert len(Tags((site / f"{path.stem}.html").read_text()).images) == stored_figures(path)


def test_links_between_notebooks_point_at_pages():
    tool = load_tool()
    page = '<a href="02_linear_regression.ipynb#section">02</a> <a href="https://example.org/x.ipynb">x</a>'
    assert tool.link_pages(page) == (
        '<a href="02_linear_regression.html#section">02</a> <a href="https://example.org/x.ipynb">x</a>'
    )


def test_make_html_builds_site_which_git_ignores():
    rule = re.search(r"^html:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "tools/build_html.py site" in rule
    assert "site/" in (ROOT / ".gitignore").read_text().splitlines()
