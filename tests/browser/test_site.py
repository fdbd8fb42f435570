"""The course website (``make html``, in site/) in headless Chromium, served on 127.0.0.1.

- every notebook has a page with every stored figure, loaded;
- no formula is left as raw source: MathJax (served by the site itself) typeset every one;
- previous/next links and the sidebar lead through the course in order;
- the search finds a term that only notebook 05 explains;
- the launch buttons: JupyterLite's and the JupyterHub help resolve within the site, Binder's and
  Colab's are the release links of ``gdcourse.course``;
- on a phone-sized screen the page fits the width (screenshot: build/screenshots/site/phone_*.png);
- no request left 127.0.0.1 (Chromium's network log, as in test_lite.py).

    make test-lite      # builds the JupyterLite site and the website first
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from gdcourse import course

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = course.notebooks(ROOT / "notebooks")
RASTER = ("image/png", "image/jpeg", "image/gif")

# Text outside code that still holds TeX: $...$ or \( \) \[ \] delimiters MathJax did not replace.
RAW_MATH_JS = r"""() => {
  const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('pre, code, .highlight, script, style, mjx-container, .output')) continue;
    const t = node.textContent;
    if (/\$[^$\s][^$]*\$|\\\(|\\\)|\\\[|\\\]|\\frac|\\mathcal|\\nabla/.test(t)) raw.push(t.trim().slice(0, 120));
  }
  return raw;
}"""


DECODE_JS = "() => Promise.all([...document.querySelectorAll('main img')].map(i => i.decode().catch(() => null)))"
LOADED_JS = """() => [...document.querySelectorAll('main .cell_output img')]
  .filter(i => i.complete && i.naturalWidth > 0).length"""


def stored_figures(path: Path) -> int:
    nb = json.loads(path.read_text())
    return sum(
        1
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
        if set(out.get("data", {})) & set(RASTER)
    )


def has_math(path: Path) -> bool:
    nb = json.loads(path.read_text())
    return any(c["cell_type"] == "markdown" and "$" in "".join(c["source"]) for c in nb["cells"])


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def site_page(site_browser):
    page = site_browser.context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture(scope="session")
def site_shots(screenshots):
    folder = screenshots / "site"
    folder.mkdir(exist_ok=True)
    return folder


def typeset(page) -> None:
    """Wait until MathJax has finished with the page (its startup promise resolved)."""
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
    page.evaluate("() => MathJax.startup.promise")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_notebook_page_has_its_figures_math_navigation_and_launch_buttons(site_page, site_server, notebook):
    page = site_page
    url = site_server.url(f"notebooks/{notebook.stem}.html")
    page.goto(url)
    typeset(page)
    title = json.loads(notebook.read_text())["cells"][0]["source"][0].removeprefix("# ").strip()
    assert page.locator("main h1").first.inner_text().strip().rstrip("#").strip() == title
    # Figures: as many images in the page's content as the notebook stores, every one loaded.
    images = page.locator("main .cell_output img")
    if images.count():
        images.last.scroll_into_view_if_needed()
    page.evaluate(DECODE_JS)
    loaded = page.evaluate(LOADED_JS)
    assert images.count() == stored_figures(notebook), f"{images.count()} figures for {stored_figures(notebook)} stored"
    assert loaded == images.count(), f"{images.count() - loaded} figures did not load"
    # Math: typeset, none left as source.
    assert page.evaluate(RAW_MATH_JS) == []
    if has_math(notebook):
        assert page.locator("main mjx-container").count() > 0, "MathJax typeset nothing"
    # Previous / next, in course order.
    k = NOTEBOOKS.index(notebook)
    nav = {a.get_attribute("class"): a.get_attribute("href") for a in page.locator(".prev-next-area a").all()}
    if k + 1 < len(NOTEBOOKS):
        assert nav.get("right-next", "").endswith(f"{NOTEBOOKS[k + 1].stem}.html"), nav
    if k > 0:
        assert nav.get("left-prev", "").endswith(f"{NOTEBOOKS[k - 1].stem}.html"), nav
    # Launch buttons.
    links = {
        a.get_attribute("data-bs-title") or a.inner_text().strip(): a.get_attribute("href")
        for a in page.locator(".dropdown-launch-buttons a").all()
    }
    number = notebook.stem[:2]
    by_text = {re.sub(r"\s+", " ", k).strip(): v for k, v in links.items()}
    lite = next(v for k, v in by_text.items() if "JupyterLite" in k)
    binder = next(v for k, v in by_text.items() if "Binder" in k)
    colab = next(v for k, v in by_text.items() if "Colab" in k)
    hub = next(v for k, v in by_text.items() if "JupyterHub" in k)
    assert binder == course.binder_link(number) and colab == course.colab_link(number)
    lite_url = urljoin(url, lite)
    assert urlsplit(lite_url).netloc == f"127.0.0.1:{site_server.port}"
    assert status(lite_url.split("?")[0]) == 200
    assert urlsplit(lite_url).query == f"path=notebooks/{notebook.name}"
    assert status(site_server.url(f"lite/files/notebooks/{notebook.name}")) == 200
    assert status(urljoin(url, hub)) == 200 and urljoin(url, hub).endswith("docs/jupyterhub.html")
    assert page.errors == []


def test_the_jupyterlite_button_opens_the_notebook_in_the_site(site_page, site_server):
    page = site_page
    page.goto(site_server.url("notebooks/02_linear_regression.html"))
    href = page.locator(".dropdown-launch-buttons a", has_text="JupyterLite").get_attribute("href")
    page.goto(urljoin(page.url, href))
    title = page.locator(".jp-NotebookPanel .jp-MarkdownCell h1", has_text="02 · Linear regression")
    title.first.wait_for(timeout=120_000)  # JupyterLite, served from the site's lite/ folder
    assert page.url.startswith(site_server.url("lite/lab/index.html"))


def test_search_finds_a_term_from_notebook_05(site_page, site_server):
    page = site_page
    page.goto(site_server.url("search.html?q=Nesterov"))
    page.wait_for_selector("#search-results ul li a", timeout=30_000)
    hits = page.locator("#search-results ul li a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert any("notebooks/05_optimizers.html" in h for h in hits), hits


def test_index_lists_every_notebook_in_order(site_page, site_server):
    page = site_page
    page.goto(site_server.url("index.html"))
    typeset(page)
    hrefs = page.locator("main .toctree-wrapper a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    pages = [h for h in hrefs if h.startswith("notebooks/")]
    assert pages == [f"notebooks/{p.stem}.html" for p in NOTEBOOKS]
    assert page.locator("main a", has_text="open the course in JupyterLite").get_attribute("href") == (
        "lite/lab/index.html?path=notebooks/00_start_here.ipynb"
    )
    assert page.evaluate(RAW_MATH_JS) == []


def test_a_page_reads_on_a_phone(site_browser, site_server, site_shots):
    context = site_browser.browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(site_server.url("notebooks/01_gradient_descent.html"))
        typeset(page)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page is {overflow} px wider than the phone's screen"
        font = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
        assert font >= 14, f"body text of {font} px"
        page.screenshot(path=site_shots / "phone_01.png")
        figure = page.locator("main .cell_output img").first
        figure.scroll_into_view_if_needed()
        width = figure.evaluate("i => i.getBoundingClientRect().width")
        assert width <= 390, f"a figure {width} px wide on a 390 px screen"
        page.screenshot(path=site_shots / "phone_01_figure.png")
    finally:
        context.close()
    assert (site_shots / "phone_01.png").stat().st_size > 10_000


def test_zz_no_request_left_127_0_0_1(site_browser, site_server, screenshots, requests_check):
    """Runs last: closes the browser, then checks every URL the site made it request."""
    outside = requests_check(site_browser, site_server, screenshots / "site" / "requests.txt")
    assert not outside, "requests left 127.0.0.1:\n" + "\n".join(outside[:50])
