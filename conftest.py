"""One look per optimizer, checked on every figure the notebooks show while nbval runs them.

Before the first cell of each notebook, nbval's kernel gets a hidden hook (silent, not in the
history, nothing left in the namespace): whenever the notebook displays a matplotlib ``Figure``
(a figure ending a cell, or ``display(fig)``), ``gdcourse.plots.style_mismatches`` looks at every
line, marker, filled area, bar and legend entry whose label names an optimizer and compares it
with ``plots.OPTIMIZER_STYLES``. A mismatch raises in that cell, so nbval fails the cell and shows
which figure, which label and which look it expected. The check reuses the nbval run (and the
foreign-machine run): no notebook is executed a third time. ``tests/test_notebook_styles.py`` shows
that a wrong colour, marker or line style fails a cell.
"""

from __future__ import annotations

import pytest

HOOK = r"""
def _install_style_check():
    import sys

    from IPython import get_ipython

    formatter = get_ipython().display_formatter
    original = formatter.format

    def format(obj, include=None, exclude=None):
        figure = sys.modules.get("matplotlib.figure")
        if figure is not None and isinstance(obj, figure.Figure):
            from gdcourse.plots import style_mismatches

            problems = style_mismatches(obj)
            if problems:
                raise AssertionError(
                    "this figure draws an optimizer off gdcourse.plots.OPTIMIZER_STYLES (draw it with "
                    "**plots.optimizer_style(name) and a label that starts with its name):\n"
                    + "\n".join(problems)
                )
        return original(obj, include=include, exclude=exclude)

    formatter.format = format


_install_style_check()
del _install_style_check
"""
TIMEOUT = 60


def kernel_of(item):
    """nbval's running kernel for a notebook cell item, or None for any other test."""
    return getattr(item.parent, "kernel", None) if type(item).__name__ == "IPyNbCell" else None


def run_silently(kernel, code: str) -> None:
    """Run code in nbval's kernel without output or history."""
    msg_id = kernel.kc.execute(code, silent=True, store_history=False)
    while True:
        reply = kernel.kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    kernel.await_idle(msg_id, TIMEOUT)  # the kernel's status messages for it, before the next cell runs
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the optimizer-style hook failed in the kernel: {reply['content'].get('evalue')}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    result = yield  # nbval has started the notebook's kernel
    kernel = kernel_of(item)
    if kernel is not None and not getattr(item.parent, "style_hook", False):
        run_silently(kernel, HOOK)
        item.parent.style_hook = True
    return result
