"""A bare matplotlib Figure (no pyplot) must display as a PNG in IPython once gdcourse.plots is loaded."""

from __future__ import annotations

import base64

import pytest
from matplotlib.figure import Figure

from gdcourse import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"  # the first 8 bytes of every PNG file (PNG specification)


def test_figure_is_shown_as_png_in_ipython():
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:
        fig = Figure(figsize=(2, 2))
        fig.subplots().plot([0, 1], [1, 0])
        assert plots.show_figures_in_notebooks(shell)
        data, _ = shell.display_formatter.format(fig)
        assert "image/png" in data
        assert base64.b64decode(data["image/png"]).startswith(PNG_SIGNATURE)
    finally:
        interactiveshell.InteractiveShell.clear_instance()


def test_without_ipython_nothing_is_registered():
    assert plots.show_figures_in_notebooks() is False  # plain pytest runs outside an IPython shell
