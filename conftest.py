"""One look per optimizer, checked on every figure the notebooks show while nbval runs them.

Before the first cell of each notebook, nbval's kernel gets a hidden hook (silent, not in the
history, nothing left in the namespace): whenever the notebook displays a matplotlib ``Figure``
(a figure ending a cell, or ``display(fig)``), ``gdcourse.plots.style_mismatches`` looks at every
line, marker, filled area, bar and legend entry whose label names an optimizer and compares it
with ``plots.OPTIMIZER_STYLES``. A mismatch raises in that cell, so nbval fails the cell and shows
which figure, which label and which look it expected. The check reuses the nbval run (and the
foreign-machine run): no notebook is executed a third time. ``tests/test_notebook_styles.py`` shows
that a wrong colour, marker or line style fails a cell.

A notebook whose owner is still moving its figures to the map can be listed in ``PENDING`` with
the reason: its mismatches are then reported at the end of the run instead of failing, and once it
has none left, the run fails until it is taken off the list (so the list only shrinks).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

# notebook file name -> why it may still draw an optimizer off the map (reported, not failed)
PENDING: dict[str, str] = {
    "06_optimizer_comparison.ipynb": "issue 14: the optimizers in plots.COLORS",
}

HOOK = r"""
def _install_style_check(record):
    import sys

    from IPython import get_ipython

    formatter = get_ipython().display_formatter
    original = formatter.format
    found = formatter.style_mismatches = []  # what a listed notebook's figures got wrong

    def format(obj, include=None, exclude=None):
        figure = sys.modules.get("matplotlib.figure")
        if figure is not None and isinstance(obj, figure.Figure):
            from gdcourse.plots import style_mismatches

            problems = style_mismatches(obj)
            if problems and not record:
                raise AssertionError(
                    "this figure draws an optimizer off gdcourse.plots.OPTIMIZER_STYLES (draw it with "
                    "**plots.optimizer_style(name) and a label that starts with its name):\n"
                    + "\n".join(problems)
                )
            found.extend(problems)
        return original(obj, include=include, exclude=exclude)

    formatter.format = format


_install_style_check(record=RECORD)
del _install_style_check
"""
FOUND = "get_ipython().display_formatter.style_mismatches"
TIMEOUT = 60
SHOWN = 12  # mismatches listed per pending notebook in the summary
reports: dict[str, list[str]] = {}


def kernel_of(item):
    """nbval's running kernel for a notebook cell item, or None for any other test."""
    return getattr(item.parent, "kernel", None) if type(item).__name__ == "IPyNbCell" else None


def notebook_of(item) -> str:
    return Path(str(item.fspath)).name


def run_silently(kernel, code: str, expressions: dict | None = None) -> dict:
    """Run code in nbval's kernel without output or history; the reply's user expressions."""
    msg_id = kernel.kc.execute(code, silent=True, store_history=False, user_expressions=expressions or {})
    while True:
        reply = kernel.kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    kernel.await_idle(msg_id, TIMEOUT)  # the kernel's status messages for it, before the next cell runs
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the optimizer-style hook failed in the kernel: {reply['content'].get('evalue')}")
    return reply["content"].get("user_expressions", {})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    result = yield  # nbval has started the notebook's kernel
    kernel = kernel_of(item)
    if kernel is not None and not getattr(item.parent, "style_hook", False):
        run_silently(kernel, HOOK.replace("RECORD", str(notebook_of(item) in PENDING)))
        item.parent.style_hook = True
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    kernel, notebook = kernel_of(item), notebook_of(item)
    last = nextitem is None or nextitem.parent is not item.parent
    if kernel is not None and last and notebook in PENDING and kernel.is_alive():
        reports[notebook] = ast.literal_eval(run_silently(kernel, "", {"found": FOUND})["found"]["data"]["text/plain"])
    result = yield  # nbval stops the kernel after the notebook's last cell
    if kernel is not None and last and reports.get(notebook) == []:
        pytest.fail(f"{notebook} now draws every optimizer in its look: take it off PENDING in conftest.py")
    return result


def pytest_terminal_summary(terminalreporter):
    for notebook, found in reports.items():
        terminalreporter.write_sep("-", f"{notebook}: {len(found)} optimizer looks off the map ({PENDING[notebook]})")
        for problem in found[:SHOWN]:
            terminalreporter.write_line(problem)
        if len(found) > SHOWN:
            terminalreporter.write_line(f"... and {len(found) - SHOWN} more")
