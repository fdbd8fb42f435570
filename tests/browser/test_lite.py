"""The course in the browser: the JupyterLite site (``make lite``) in headless Chromium, offline.

The site (build/lite) is served as static files on 127.0.0.1 (conftest.py), and Chromium, with a
network log of every request any of its processes makes, opens each notebook the way a learner
does and picks Run > Run All Cells. For notebooks 00-06 it checks what test_jupyterlab.py checks
(every cell ran, no error and no new stderr, every figure, the explorers' sliders and menus
redraw, the other sliders answer) and, in addition:

- the printed output of every code cell equals the stored (desktop) output, after the same
  masking nbval applies, except for the differences listed in ``ALLOWED`` with their reason;
- an exercise ``check`` answers in the browser;
- 07 and 08 open with the note that they need PyTorch, with Binder and Colab links;
- no request left 127.0.0.1: neither in what Playwright saw (pages, workers, service worker) nor
  in Chromium's own network log (build/screenshots/lite-netlog.json), which records every URL the
  browser's network stack was asked for. The URLs go to build/screenshots/lite/requests.txt.

    make test-lite      # builds the site first; or: .venv/bin/python -m pytest tests/browser/test_lite.py
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import re
from pathlib import Path

import pytest
from test_jupyterlab import STATE_JS, Expected, check_notebook

from gdcourse import course

ROOT = Path(__file__).resolve().parents[2]


def _build_lite():
    """tools/build_lite.py, which decides which notebooks open with the note that they need PyTorch."""
    spec = importlib.util.spec_from_file_location("build_lite", ROOT / "tools" / "build_lite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NEEDS_TORCH = _build_lite().TORCH_NOTEBOOKS  # ("07", "08")
NOTEBOOKS = course.notebooks(ROOT / "notebooks")
LITE_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem[:2] not in NEEDS_TORCH]
TORCH_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem[:2] in NEEDS_TORCH]
OPEN_TIMEOUT = 120_000  # ms: JupyterLite's page and the notebook (Pyodide loads when the first cell runs)
SANITIZE = ROOT / "notebooks" / "sanitize.cfg"

# Where the browser prints something other than the stored desktop output, and why that is right.
# (notebook number, regex that the stored line matches, regex that the browser's line matches, reason)
ALLOWED = [
    (
        "00",
        r"^gdcourse \d[\d.]*, NumPy 2\.4\.6$",
        r"^gdcourse \d[\d.]*, NumPy 2\.0\.2$",
        "versions: the browser has Pyodide 0.27.7's NumPy 2.0.2, the desktop the pinned 2.4.6",
    ),
    (
        "03",
        r"^scikit-learn 1\.9\.1$",
        r"^scikit-learn 1\.6\.1$",
        "versions: the browser has Pyodide 0.27.7's scikit-learn 1.6.1, the desktop the pinned 1.9.1",
    ),
    (
        "03",
        r"^NumPy warnings: \['overflow encountered in exp'\]$",
        r"^NumPy warnings: \[\]$",
        "WebAssembly has no floating-point exception flags, so NumPy in the browser cannot notice the "
        "overflow (the result, inf, is the same)",
    ),
]


# Standard-error text the browser writes where the desktop does not, and why that is right.
ALLOWED_STDERR = {
    "Matplotlib is building the font cache; this may take a moment.": (
        "each new browser kernel starts without matplotlib's font cache (the desktop keeps it in ~/.cache)"
    ),
}


def allowed_stderr(problem: str) -> bool:
    match = re.fullmatch(r"cell \d+ writes to stderr, the stored notebook does not: (.*)", problem, re.S)
    return bool(match) and match.group(1).strip() in ALLOWED_STDERR


def sanitizers() -> list[tuple[re.Pattern, str]]:
    """nbval's replacements (notebooks/sanitize.cfg), applied to both sides before comparing."""
    config = configparser.ConfigParser()
    config.read(SANITIZE)
    return [(re.compile(config[s]["regex"], re.M), config[s]["replace"]) for s in config.sections()]


def masked(text: str) -> str:
    for pattern, replacement in sanitizers():
        text = pattern.sub(replacement, text)
    return text.strip()


def is_widget_repr(text: str) -> bool:
    """A stored widget's text (the live widget replaces it in a browser)."""
    return bool(re.match(r"\w+\(children=|\w+Slider\(|OptimizerExplorer:", text))


def stored_texts(path: Path) -> list[str | None]:
    """Per code cell, the text a browser shows for its stored outputs (stdout and plain-text
    results), or None for a cell nbval does not compare (tag nbval-ignore-output)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            texts.append(None)
            continue
        parts = []
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream" and out["name"] == "stdout":
                parts.append("".join(out["text"]))
            elif out["output_type"] in ("execute_result", "display_data"):
                data = out.get("data", {})
                if set(data) == {"text/plain"}:
                    text = "".join(data["text/plain"])
                    if not is_widget_repr(text):
                        parts.append(text)
        texts.append(masked("\n".join(parts)))
    return texts


SHOWN_TEXTS_JS = r"""() => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell.jp-CodeCell')]
  .map(cell =>
  [...cell.querySelectorAll('.jp-OutputArea-output')]
    .filter(o => ['application/vnd.jupyter.stdout', 'text/plain'].includes(o.dataset.mimeType))
    .map(o => o.textContent).join('\n'))"""


def differences(number: str, stored: list, shown: list) -> tuple[list[str], list[str]]:
    """(unexplained differences, allowed ones with their reason) between stored and shown texts."""
    bad, allowed = [], []
    if len(stored) != len(shown):
        return [f"{len(shown)} code cells shown, {len(stored)} stored"], []
    for k, (want, got) in enumerate(zip(stored, shown, strict=True), start=1):
        if want is None:
            continue
        got = masked(got)
        if want == got:
            continue
        want_lines, got_lines = want.splitlines(), got.splitlines()
        if len(want_lines) == len(got_lines):
            reasons = []
            for w, g in zip(want_lines, got_lines, strict=True):
                if w == g:
                    continue
                rule = next((r for r in ALLOWED if r[0] == number and re.search(r[1], w) and re.search(r[2], g)), None)
                if rule is None:
                    reasons = None
                    break
                reasons.append(f"code cell {k}: {w!r} -> {g!r} ({rule[3]})")
            if reasons is not None:
                allowed += reasons
                continue
        bad.append(f"code cell {k} prints other text than the stored notebook:\n--- stored\n{want}\n--- browser\n{got}")
    return bad, allowed


# Run All has finished. As in test_jupyterlab.py, except that after an error JupyterLite 0.6.4's
# status indicator stays at "busy" although the kernel runs the next cell at once (seen here):
# then the run has finished when the error is shown and no cell waits.
DONE_JS = f"""() => {{
  const s = ({STATE_JS})();
  if (!s) return false;
  const started = s.prompts.some(p => p !== '[ ]:');
  const waiting = s.prompts.some(p => p === '[*]:');
  return (started && !waiting && (s.status === 'idle' || s.errors.length > 0)) || s.status === 'dead';
}}"""


def open_lite_notebook(page, site, relative: str, expected: Expected) -> None:
    """Open a notebook in JupyterLite (a fresh browser page: nothing of another notebook's state).
    Its kernel is idle, or not yet started ('unknown': JupyterLite starts it when a cell runs)."""
    page.goto(site.url(f"lab/index.html?path={relative}"))
    page.wait_for_function(
        "n => { const s = (" + STATE_JS + ")(); return s && s.cells === n && ['idle', 'unknown'].includes(s.status); }",
        arg=expected.cells,
        timeout=OPEN_TIMEOUT,
    )
    assert page.locator(".jp-NotebookPanel").count() == 1, "another notebook was open"
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    page.locator(".jp-FileBrowser").wait_for(state="hidden")


@pytest.fixture
def lite_page(lite_browser):
    page = lite_browser.context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture(scope="session")
def lite_shots(screenshots):
    folder = screenshots / "lite"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.mark.parametrize("notebook", LITE_NOTEBOOKS, ids=[p.stem for p in LITE_NOTEBOOKS])
def test_notebook_runs_in_jupyterlite(lite_page, lite_site, lite_shots, report, notebook):
    number = notebook.stem[:2]
    found_texts = {}

    def compare(page):
        found_texts["shown"] = page.evaluate(SHOWN_TEXTS_JS)
        bad, allowed = differences(number, stored_texts(notebook), found_texts["shown"])
        found_texts["allowed"] = allowed
        return bad

    expected = Expected.from_notebook(notebook)
    result = check_notebook(
        lite_page,
        lite_site,
        f"notebooks/{notebook.name}",
        expected,
        lite_shots,
        open_lite_notebook,
        compare,
        mouse=True,
    )
    result["notebook"] = f"lite/{notebook.name}"
    result["checked"] += f", outputs compared ({len(found_texts.get('allowed', []))} allowed differences)"
    report.append(result)
    (lite_shots / f"{notebook.stem}.allowed.txt").write_text("\n".join(found_texts.get("allowed", [])) + "\n")
    problems = [p for p in result["problems"] if not allowed_stderr(p)]
    if number != "00" and not problems:  # every notebook but 00 has exercises whose check answered
        answers = lite_page.locator(".jp-OutputArea-output", has_text=f"Exercise {number}.").count()
        assert answers > 0, "no exercise check answered"
    assert not problems, f"{notebook.name} in JupyterLite (screenshots in {lite_shots}):\n- " + "\n- ".join(problems)


@pytest.mark.parametrize("notebook", TORCH_NOTEBOOKS, ids=[p.stem for p in TORCH_NOTEBOOKS])
def test_pytorch_notebooks_say_they_need_pytorch(lite_page, lite_site, lite_shots, notebook):
    lite_page.goto(lite_site.url(f"lab/index.html?path=notebooks/{notebook.name}"))
    note = lite_page.locator(".jp-NotebookPanel .jp-MarkdownCell", has_text="This notebook needs PyTorch").first
    note.wait_for(timeout=OPEN_TIMEOUT)
    links = note.locator("a").evaluate_all("as => as.map(a => a.href)")
    assert course.binder_link(notebook.stem[:2]) in links and course.colab_link(notebook.stem[:2]) in links
    cells = lite_page.locator(".jp-NotebookPanel .jp-Cell")
    assert "This notebook needs PyTorch" in cells.nth(1).text_content(), "the note is not right after the title"
    lite_page.screenshot(path=lite_shots / f"{notebook.stem}__window.png")


def test_kernel_start_time(lite_page, lite_site, lite_shots):
    """How long a learner waits for Python in the browser: from running the first cell of a freshly
    opened notebook 01 (the launch cell: nothing to import) to its result, then its imports cell
    (gdcourse loads NumPy, matplotlib, scikit-learn and SciPy with it). Nothing is edited."""
    import time

    notebook = ROOT / "notebooks" / "01_gradient_descent.ipynb"
    open_lite_notebook(lite_page, lite_site, f"notebooks/{notebook.name}", Expected.from_notebook(notebook))
    cells = lite_page.locator(".jp-NotebookPanel .jp-CodeCell")
    timings = {}
    assert "import" in cells.nth(1).text_content() and "gdcourse" in cells.nth(1).text_content()
    for k, name in enumerate(["kernel start (first cell)", "the imports cell (gdcourse, NumPy, matplotlib)"]):
        cell = cells.nth(k)
        cell.locator(".jp-InputArea-editor").click()
        start = time.perf_counter()
        lite_page.keyboard.press("Control+Enter")
        cell.locator(".jp-InputPrompt", has_text=f"[{k + 1}]").wait_for(timeout=180_000)
        timings[name] = time.perf_counter() - start
    text = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    (lite_shots / "kernel_start.txt").write_text(text + "\n")
    print(f"\nJupyterLite: {text}")
    assert lite_page.evaluate(STATE_JS)["errors"] == []


class RoomSite:
    """The site under another name than localhost, as the other machines of a room served by
    `make serve` see it: no secure context, so no service worker and no kernel access to files."""

    def __init__(self, site):
        self.port = site.port

    def url(self, path: str = "") -> str:
        return f"http://room.test:{self.port}/{path.lstrip('/')}"


def test_notebook_00_runs_for_a_room_served_over_plain_http(lite_page, lite_site, lite_shots, report):
    notebook = ROOT / "notebooks" / "00_start_here.ipynb"
    room = RoomSite(lite_site)

    def insecure(page):
        secure = page.evaluate("() => window.isSecureContext")
        return ["the page is a secure context: this does not test the room's case"] if secure else []

    result = check_notebook(
        lite_page,
        room,
        f"notebooks/{notebook.name}",
        Expected.from_notebook(notebook),
        lite_shots,
        open_lite_notebook,
        insecure,
        mouse=True,
        done_js=DONE_JS,
    )
    result["notebook"] = f"room/{notebook.name}"
    report.append(result)
    problems = [p for p in result["problems"] if not allowed_stderr(p)]
    assert not problems, "00 over plain http (room.test):\n- " + "\n- ".join(problems)


def test_a_failing_cell_is_caught_in_jupyterlite(lite_page, lite_site, lite_shots, tmp_path):
    """The checker, in JupyterLite: a cell that raises is reported, with the cells that did not run."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A broken notebook"),
        nbformat.v4.new_code_cell("x = 1\nprint('before')"),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("print('never')"),
    ]
    # JupyterLite's contents are files of the site; this one exists only for this test.
    target = lite_site.root / "files" / "notebooks" / "zz_meta_test_broken.ipynb"
    listing = lite_site.root / "api" / "contents" / "notebooks" / "all.json"
    original = listing.read_text()
    try:
        nbformat.write(nb, target)
        contents = json.loads(original)
        contents["content"].append({**contents["content"][0], "name": target.name, "path": f"notebooks/{target.name}"})
        listing.write_text(json.dumps(contents))
        expected = Expected(cells=4, code_cells=3, images=0, explorers=0, sliders=0)
        result = check_notebook(
            lite_page, lite_site, f"notebooks/{target.name}", expected, lite_shots, open_lite_notebook, done_js=DONE_JS
        )
    finally:
        target.unlink(missing_ok=True)
        listing.write_text(original)
    text = "\n".join(result["problems"])
    assert "cell 3 shows an error: ZeroDivisionError: division by zero" in text, text
    assert "cell 4 [ ]: (expected [3]:)" in text, text


def test_zz_no_request_left_127_0_0_1(lite_browser, lite_site, screenshots, requests_check):
    """Runs last: closes the browser, then checks every URL the site made it request."""
    outside = requests_check(lite_browser, lite_site, screenshots / "lite" / "requests.txt")
    assert not outside, "requests left 127.0.0.1:\n" + "\n".join(outside[:50])
    assert len(lite_site.requests) > 100  # the server's own log: the site was really used
    # What one browser downloads to open notebooks and start the kernel (later starts hit its cache).
    served = {path.split("?")[0] for path, status in lite_site.requests if status == 200}
    files = [lite_site.root / p.lstrip("/") for p in served]
    total = sum(f.stat().st_size for f in files if f.is_file())
    with open(screenshots / "lite" / "requests.txt", "a") as log:
        log.write(f"\nDistinct files served: {len(served)}, {total / 1e6:.1f} MB\n")
