"""The course as a learner sees it: every notebook run in JupyterLab, in a real headless browser.

nbval (``make test``) proves that each notebook runs in a kernel; it cannot see the page. This
test opens each notebook in JupyterLab (see conftest.py for the server and the browser) and,
as a learner would, clears the outputs and picks Run > Run All Cells from the menu. Then it checks
what the page shows:

- every code cell ran once, in order (prompts ``[1]`` ... ``[N]``), and no cell shows an error
  (a traceback) or writes to stderr where the stored notebook does not (a new warning);
- as many figures are shown, and loaded, as the stored notebook has;
- no widget says "Error displaying widget" or stays at "Loading widget...";
- every ``OptimizerExplorer`` is live: moving its ``lr`` slider with the keyboard, and picking
  another entry in each of its menus, redraws the figure (new image, different pixels);
- every other slider widget answers: moving it changes what the kernel writes beside it;
- JupyterLab raised no uncaught JavaScript exception.

``test_a_failing_cell_is_caught`` checks the checker on a notebook with ``1 / 0`` in it.

Screenshots go to build/screenshots/ (``GDCOURSE_SCREENSHOTS`` overrides): ``NN_name.png`` is
the whole notebook after the run, top to bottom; ``NN_name__window.png`` the JupyterLab window;
``NN_name__explorer1_*.png`` the explorer before and after each change.

    make test-browser        # or: .venv/bin/python -m pytest tests/browser
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from PIL import Image, ImageChops

from gdcourse import course

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # conftest.py fails or skips the tests, with the reason
    PlaywrightError = PlaywrightTimeout = Exception

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = course.notebooks(ROOT / "notebooks")  # in order, fresh copies excluded
OPEN_TIMEOUT = 90_000  # ms: load JupyterLab, render the notebook, start its kernel
RUN_TIMEOUT = 300_000  # ms: Run All Cells (the budget is 30 s per notebook; this only bounds a hang)
WIDGET_TIMEOUT = 30_000  # ms: one redraw of a widget after a change


@dataclass
class Expected:
    """What the stored (committed, executed) notebook says the page should show."""

    cells: int
    code_cells: int
    images: int  # image outputs; an explorer's still image becomes the live widget's image
    explorers: int  # OptimizerExplorer outputs
    sliders: int  # other widget outputs with a slider
    stderr_cells: tuple = ()  # numbers (from 1, all cells) of the cells whose stored outputs write to stderr

    @classmethod
    def from_notebook(cls, path: Path) -> Expected:
        nb = nbformat.read(path, as_version=4)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        stderr_cells = tuple(
            k
            for k, cell in enumerate(nb.cells, start=1)
            if any(out.get("name") == "stderr" for out in cell.get("outputs", []))
        )
        outputs = [out for cell in code for out in cell.get("outputs", [])]
        texts = [str(out.get("data", {}).get("text/plain", "")) for out in outputs]
        return cls(
            cells=len(nb.cells),
            code_cells=len(code),
            images=sum(any(m.startswith("image/") for m in out.get("data", {})) for out in outputs),
            explorers=sum(t.startswith("OptimizerExplorer:") for t in texts),
            sliders=sum(bool(re.match(r"\w+\(.*Slider\(", t)) and not t.startswith("OptimizerExplorer") for t in texts),
            stderr_cells=stderr_cells,
        )


# What the notebook page shows, read from JupyterLab's DOM (JupyterLab 4.6, ipywidgets 8).
STATE_JS = r"""() => {
  const panel = document.querySelector('.jp-NotebookPanel');
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const code = cells.map((cell, i) => [cell, i]).filter(([cell]) => cell.classList.contains('jp-CodeCell'));
  const outputs = [...panel.querySelectorAll('.jp-Notebook .jp-OutputArea-output')];
  const imgs = [...panel.querySelectorAll('.jp-Notebook .jp-OutputArea-output img')];
  // JupyterLab renders a traceback like any stderr text: same mime type, no class of its own.
  // textContent, not innerText: innerText is empty for cells that content-visibility skips (off screen).
  const stderr = code.flatMap(([cell, i]) =>
    [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(e => ({cell: i + 1, text: e.textContent.trim()})));
  const lastLine = t => t.split('\n').filter(l => l.trim()).pop() || '';
  const isError = t => /Traceback \(most recent call last\)/.test(t) ||
    /^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)(:|$)/.test(lastLine(t));
  return {
    cells: cells.length,
    status: indicator ? indicator.dataset.status : null,
    prompts: code.map(([cell]) => (cell.querySelector('.jp-InputPrompt') || {}).textContent?.trim() ?? ''),
    codeCells: code.map(([, i]) => i + 1),
    outputs: outputs.length,
    errors: stderr.filter(e => isError(e.text)),
    stderr: stderr.filter(e => !isError(e.text)),
    images: imgs.length,
    unloadedImages: imgs.filter(img => !(img.complete && img.naturalWidth > 0)).length,
    widgetErrors: outputs.filter(o => /Error displaying widget/.test(o.textContent)).length,
    widgetsLoading: outputs.filter(o => /Loading widget\.\.\./.test(o.textContent)).length,
    explorers: panel.querySelectorAll('.jp-OutputArea-output:has(img.widget-image):has(.widget-dropdown)').length,
    sliders: panel.querySelectorAll(
      '.jp-OutputArea-output:has(.widget-slider):not(:has(img.widget-image))').length,
  };
}"""

# Run All has finished: it started (a prompt left '[ ]'), no cell waits ('[*]': JupyterLab marks every
# queued cell at once) and the kernel is idle. After an error the cells below go back to '[ ]'.
DONE_JS = f"""() => {{
  const s = ({STATE_JS})();
  if (!s) return false;
  const started = s.prompts.some(p => p !== '[ ]:');
  const waiting = s.prompts.some(p => p === '[*]:');
  return (started && !waiting && s.status === 'idle') || s.status === 'dead';
}}"""

# Two animation frames: whatever was scrolled into view has been laid out and painted.
FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def state(page) -> dict:
    return page.evaluate(STATE_JS)


def menu(page, top: str, item: str) -> None:
    """Click a menu-bar entry, then an item of its menu, as a person would."""
    page.locator(".lm-MenuBar-item", has=page.locator(f".lm-MenuBar-itemLabel:text-is('{top}')")).click()
    page.locator(".lm-Menu-item", has=page.locator(f".lm-Menu-itemLabel:text-is('{item}')")).click()


def open_notebook(page, lab, relative: str, expected: Expected) -> None:
    """Open a notebook in its own fresh workspace and wait for its kernel to be idle."""
    workspace = re.sub(r"\W", "-", Path(relative).stem)
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{relative}?token={lab.token}"))
    # JupyterLab attaches cells in batches: wait for all of them, then for the kernel.
    page.wait_for_function(
        "n => { const s = (" + STATE_JS + ")(); return s && s.cells === n && s.status === 'idle'; }",
        arg=expected.cells,
        timeout=OPEN_TIMEOUT,
    )
    assert page.locator(".jp-NotebookPanel").count() == 1, "another notebook was open in the workspace"
    # Fold the file browser away (click its active tab), so the notebook gets the window's width.
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    page.locator(".jp-FileBrowser").wait_for(state="hidden")


def run_all_cells(page, done_js: str = DONE_JS) -> dict:
    """Clear every output (so that what follows is new), then Run > Run All Cells; return the page's state."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        "() => { const s = (" + STATE_JS + ")(); return s.outputs === 0 && s.prompts.every(p => p === '[ ]:'); }"
    )
    menu(page, "Run", "Run All Cells")
    try:
        page.wait_for_function(done_js, timeout=RUN_TIMEOUT, polling=200)
    except PlaywrightTimeout as error:
        s = state(page)
        raise AssertionError(
            f"Run All Cells did not finish in {RUN_TIMEOUT / 1000:.0f} s: kernel {s['status']}, "
            f"prompts {' '.join(s['prompts'])}"
        ) from error
    # Widgets render asynchronously after the kernel has sent them.
    try:
        page.wait_for_function("() => (" + STATE_JS + ")().widgetsLoading === 0", timeout=WIDGET_TIMEOUT)
    except PlaywrightTimeout:
        pass  # reported by problems() below
    return state(page)


def problems(s: dict, expected: Expected, page_errors: list[str]) -> list[str]:
    """Everything wrong with the page after Run All, in words a person can act on."""
    found = [] if s["status"] == "idle" else [f"the kernel is {s['status']} after Run All Cells"]
    for error in s["errors"]:
        last = error["text"].splitlines()[-1] if error["text"] else ""
        found.append(f"cell {error['cell']} shows an error: {last}\n{error['text'][-3000:]}")
    for out in s["stderr"]:
        if out["cell"] not in expected.stderr_cells:  # a warning the stored notebook does not show
            found.append(f"cell {out['cell']} writes to stderr, the stored notebook does not: {out['text'][-1000:]}")
    wanted = [f"[{k}]:" for k in range(1, expected.code_cells + 1)]
    if s["prompts"] != wanted:
        wrong = [  # the cells shown, each against its expected prompt (cells beyond the expected: none)
            f"cell {cell} {got} (expected {wanted[k] if k < len(wanted) else 'no such cell'})"
            for k, (cell, got) in enumerate(zip(s["codeCells"], s["prompts"], strict=True))
            if k >= len(wanted) or got != wanted[k]
        ]
        found.append(
            f"{len(s['prompts'])} code cells shown, {expected.code_cells} expected; not run once in order: "
            + ", ".join(wrong[:10])
            + (" ..." if len(wrong) > 10 else "")
        )
    if not s["errors"]:  # after an error the later cells did not run: counting their figures says nothing
        if s["images"] != expected.images:
            found.append(f"{s['images']} images shown, the stored notebook has {expected.images}")
        if s["explorers"] != expected.explorers:
            found.append(f"{s['explorers']} live OptimizerExplorer widgets shown, {expected.explorers} expected")
        if s["sliders"] != expected.sliders:
            found.append(f"{s['sliders']} live slider widgets shown, {expected.sliders} expected")
    if s["unloadedImages"]:
        found.append(f"{s['unloadedImages']} images did not load")
    if s["widgetErrors"]:
        found.append(f"{s['widgetErrors']} outputs say 'Error displaying widget'")
    if s["widgetsLoading"]:
        found.append(f"{s['widgetsLoading']} outputs still say 'Loading widget...'")
    found += [f"uncaught JavaScript error in JupyterLab: {e}" for e in page_errors]
    return found


def pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def changed(before: bytes, after: bytes) -> bool:
    a, b = pixels(before), pixels(after)
    return a.size != b.size or ImageChops.difference(a, b).getbbox() is not None


def wait_idle(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator').dataset.status === 'idle'",
        timeout=WIDGET_TIMEOUT,
    )


def redraws(page, explorer, what: str, action, shot: Path) -> str | None:
    """Do ``action`` on an explorer; None if its figure was redrawn, else what went wrong."""
    image = explorer.locator("img.widget-image")
    src = image.get_attribute("src")
    before = image.screenshot()
    action()
    try:
        page.wait_for_function(
            "([img, src]) => img.getAttribute('src') !== src && img.complete && img.naturalWidth > 0",
            arg=[image.element_handle(), src],
            timeout=WIDGET_TIMEOUT,
        )
        wait_idle(page)
    except PlaywrightTimeout:
        return f"{what}: the explorer's figure was not redrawn within {WIDGET_TIMEOUT / 1000:.0f} s"
    explorer.screenshot(path=shot)
    if not changed(before, image.screenshot()):
        return f"{what}: the explorer's image was replaced but shows the same pixels"
    return None


def nudge_slider(page, handle, key: str, mouse: bool) -> None:
    """Move a slider one notch: with the keyboard (``key``) or, with ``mouse``, by a click on its
    track beside the handle (JupyterLite 0.6.4's widgets do not answer the keyboard)."""
    if not mouse:
        handle.focus()
        handle.press(key)
        return
    box = handle.bounding_box()
    track = handle.evaluate_handle("h => h.closest('.noUi-target')").as_element().bounding_box()
    centre = box["x"] + box["width"] / 2
    step = 24 if key == "ArrowRight" else -24  # beside the handle, not on it
    if not track["x"] + 8 <= centre + step <= track["x"] + track["width"] - 8:
        step = -step  # at an end of the track: the other way
    page.mouse.click(centre + step, box["y"] + box["height"] / 2)


def exercise_explorer(
    page, explorer, stem: str, k: int, shots: Path, mouse: bool = False
) -> tuple[list[str], list[str]]:
    """Move the lr slider and pick another entry in every menu; each must redraw the figure."""
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=shots / f"{stem}__explorer{k}_0_start.png")
    done = []
    handle = explorer.locator(".widget-slider:has(label.widget-label:text-is('lr')) .noUi-handle")
    readout = explorer.locator(".widget-slider:has(label.widget-label:text-is('lr')) .widget-readout")
    for press in (1, 2):
        old = readout.inner_text()

        def nudge():
            nudge_slider(page, handle, "ArrowRight", mouse)

        problem = redraws(
            page, explorer, f"lr slider (ArrowRight {press})", nudge, shots / f"{stem}__explorer{k}_{press}_lr.png"
        )
        if problem:  # the next changes would wait as long for nothing
            return done, [problem]
        done.append(f"lr {old}->{readout.inner_text()}")
    step = 3
    for menu_name in explorer.locator(".widget-dropdown label.widget-label").all_inner_texts():
        select = explorer.locator(f".widget-dropdown:has(label.widget-label:text-is('{menu_name}')) select")
        options = select.evaluate("s => [...s.options].map(o => o.value)")
        if len(options) < 2:
            continue  # a menu with one entry (01's optimizer: GD only)
        current = select.input_value()
        choice = options[(options.index(current) + 1) % len(options)]
        problem = redraws(
            page,
            explorer,
            f"{menu_name} menu -> {choice}",
            lambda select=select, choice=choice: select.select_option(choice),
            shots / f"{stem}__explorer{k}_{step}_{menu_name}.png",
        )
        if problem:
            return done, [problem]
        done.append(f"{menu_name} {current}->{choice}")
        if menu_name == "function":
            problem = shows_default_start(explorer, choice)
            if problem:
                return done, [problem]
        step += 1
    return done, []


def shows_default_start(explorer, function_name: str) -> str | None:
    """After another function is picked, the start sliders must show that function's default start
    (the kernel sets range and value together; set one by one, the browser would round the old
    value into the new range and send it back)."""
    from gdcourse.functions import all_functions

    expected = all_functions()[function_name].x0
    for label, value in zip(("start x", "start y")[: len(expected)], expected, strict=True):  # 1-d: no y
        readout = explorer.locator(f".widget-slider:has(label.widget-label:text-is('{label}')) .widget-readout")
        shown = float(readout.inner_text().replace("\u2212", "-"))
        if abs(shown - value) > 0.026:  # the readout shows 2 decimals
            return f"function menu -> {function_name}: {label} shows {shown}, expected the default start {value}"
    return None


def exercise_slider(page, output, stem: str, k: int, shots: Path, mouse: bool = False) -> tuple[list[str], list[str]]:
    """Move a slider widget one step; what the kernel writes beside it (not the slider's own readout) must change."""
    output.scroll_into_view_if_needed()
    output.screenshot(path=shots / f"{stem}__slider{k}_0_start.png")
    handle = output.locator(".noUi-handle").first
    at_max = float(handle.get_attribute("aria-valuenow")) >= float(handle.get_attribute("aria-valuemax"))
    key = "ArrowLeft" if at_max else "ArrowRight"
    text_js = (
        "o => { const c = o.cloneNode(true); "
        "c.querySelectorAll('.widget-slider').forEach(s => s.remove()); return c.textContent; }"
    )
    before = output.evaluate(text_js)
    nudge_slider(page, handle, key, mouse)
    try:
        page.wait_for_function(
            f"([o, before]) => ({text_js})(o) !== before", arg=[output.element_handle(), before], timeout=WIDGET_TIMEOUT
        )
        wait_idle(page)
    except PlaywrightTimeout:
        return [], [f"slider widget {k}: nothing beside it changed within {WIDGET_TIMEOUT / 1000:.0f} s after {key}"]
    output.screenshot(path=shots / f"{stem}__slider{k}_1_moved.png")
    return [f"slider {key}: {before.strip()!r}->{output.evaluate(text_js).strip()!r}"], []


def scroll_to_top(page, element) -> None:
    """Scroll an element to the top of the notebook and wait until it stays there: cells that
    content-visibility skipped take their real height as they come into view, moving what follows."""
    top = None
    for _ in range(10):
        element.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.evaluate(FRAMES_JS)
        now = element.bounding_box()["y"]
        if top is not None and abs(now - top) < 1:
            return
        top = now


def screenshot_notebook(page, path: Path) -> None:
    """The whole notebook, top to bottom, in one PNG: JupyterLab scrolls inside the page, so the
    notebook's scroller is stepped through a tall window and the pieces are stitched."""
    page.set_viewport_size({"width": 1280, "height": 4000})
    page.evaluate(FRAMES_JS)
    scroller = page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer")
    box = scroller.bounding_box()
    total, view = scroller.evaluate("e => [e.scrollHeight, e.clientHeight]")
    pieces, y = [], 0
    while True:
        top = scroller.evaluate(
            """async (e, y) => {
              e.scrollTop = y;
              await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
              await Promise.all([...e.querySelectorAll('img')].map(i => i.decode().catch(() => null)));
              return e.scrollTop;
            }""",
            y,
        )
        pieces.append((top, pixels(page.screenshot(clip=box))))
        if top + view >= total or y > top:  # at the bottom (the last scroll was clamped)
            break
        y = top + view
    width = pieces[0][1].width
    scale = width / box["width"]  # device pixels per CSS pixel
    whole = Image.new("RGB", (width, round(max(total, view) * scale)), "white")
    for top, piece in pieces:
        whole.paste(piece, (0, round(top * scale)))
    whole.save(path)
    page.set_viewport_size({"width": 1280, "height": 900})


def check_notebook(
    page,
    lab,
    relative: str,
    expected: Expected,
    shots: Path,
    opener=open_notebook,
    after_run=None,
    mouse=False,
    done_js=DONE_JS,
) -> dict:
    """Open, run all, check, play with the widgets, take screenshots; returns the timings and
    the list of problems (empty when the notebook works in JupyterLab). ``opener(page, server,
    relative, expected)`` opens the notebook (JupyterLab's by default; the JupyterLite test passes
    its own); ``after_run(page)``, if given, returns more problems, checked before the widgets move;
    ``mouse`` moves the sliders with the mouse instead of the keyboard; ``done_js`` says when Run All
    has finished."""
    stem = Path(relative).stem
    t0 = time.perf_counter()
    opener(page, lab, relative, expected)
    t1 = time.perf_counter()
    s = run_all_cells(page, done_js)
    t2 = time.perf_counter()
    found = problems(s, expected, page.errors)
    if after_run is not None:
        found += after_run(page)
    seen_errors = len(page.errors)
    checked = [f"{expected.code_cells} cells", f"{s['images']} images"]
    if not s["errors"]:
        try:
            explorers = page.locator(".jp-OutputArea-output:has(img.widget-image):has(.widget-dropdown)")
            for k in range(explorers.count()):
                done, more = exercise_explorer(page, explorers.nth(k), stem, k + 1, shots, mouse)
                checked += done
                found += more
            sliders = page.locator(".jp-OutputArea-output:has(.widget-slider):not(:has(img.widget-image))")
            for k in range(sliders.count()):
                done, more = exercise_slider(page, sliders.nth(k), stem, k + 1, shots, mouse)
                checked += done
                found += more
        except PlaywrightError as error:  # a control missing or not answering: still take the screenshots
            found.append(f"widgets: {str(error).splitlines()[0]}")
        found += [f"uncaught JavaScript error in JupyterLab: {e}" for e in page.errors[seen_errors:]]
    t3 = time.perf_counter()
    # The window shows the first error, else the first widget, else the top of the notebook.
    cells = page.locator(".jp-NotebookPanel .jp-Cell")
    if s["errors"]:
        scroll_to_top(page, cells.nth(s["errors"][0]["cell"] - 1))
    elif page.locator(".jp-NotebookPanel .jp-Cell:has(.jupyter-widgets)").count():
        scroll_to_top(page, page.locator(".jp-NotebookPanel .jp-Cell:has(.jupyter-widgets)").first)
    else:
        scroll_to_top(page, cells.first)
    page.screenshot(path=shots / f"{stem}__window.png")
    screenshot_notebook(page, shots / f"{stem}.png")
    t4 = time.perf_counter()
    return {
        "notebook": Path(relative).name,
        "open": t1 - t0,
        "run": t2 - t1,
        "widgets": t3 - t2,
        "shots": t4 - t3,
        "total": t4 - t0,
        "checked": ", ".join(checked),
        "problems": found,
    }


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(page, lab, screenshots, report, notebook):
    result = check_notebook(page, lab, f"notebooks/{notebook.name}", Expected.from_notebook(notebook), screenshots)
    report.append(result)
    assert not result["problems"], f"{notebook.name} in JupyterLab (screenshots in {screenshots}):\n- " + "\n- ".join(
        result["problems"]
    )


def test_a_failing_cell_is_caught(page, lab, screenshots):
    """The check itself: a notebook whose cell raises, below the first screen (where JupyterLab
    skips rendering), must be reported with its error and the cells that did not run."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    long_text = "\n\n".join(f"A long text, line {i}." for i in range(100))
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A broken notebook"),
        nbformat.v4.new_code_cell("x = 1\nprint('before')"),
        nbformat.v4.new_markdown_cell(long_text),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_markdown_cell(long_text),
        nbformat.v4.new_code_cell("print('never')"),
    ]
    nbformat.write(nb, lab.root / "notebooks" / "zz_meta_test_broken.ipynb")
    expected = Expected(cells=6, code_cells=3, images=0, explorers=0, sliders=0)
    result = check_notebook(page, lab, "notebooks/zz_meta_test_broken.ipynb", expected, screenshots)
    text = "\n".join(result["problems"])
    assert "cell 4 shows an error: ZeroDivisionError: division by zero" in text, text
    assert "cell 6 [ ]: (expected [3]:)" in text, text
    assert (screenshots / "zz_meta_test_broken.png").stat().st_size > 0
