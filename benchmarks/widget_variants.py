"""What would make the explorer's redraw faster: the current ``draw`` against variants of it.

    python benchmarks/widget_variants.py

Each variant is a subclass of ``OptimizerExplorer`` that overrides ``draw`` only (widgets.py and
plots.py are untouched); all are timed the same way as in widget.py, interleaved, on the same
sequence of learning rates. The variants add one change at a time:

1. ``fixed title``: the title at a fixed height (``axes.titley = 1``), so matplotlib does not
   measure the tick labels to place it;
2. ``+ fixed legend``: the legend in a fixed corner instead of ``loc="best"``, which tests
   every candidate position against every plotted point;
3. ``+ fast PNG``: zlib level 1 for the PNG instead of 6 (a larger file, encoded faster);
4. ``+ 100x100 grid``: contours from a 100 x 100 grid instead of 200 x 200 (2-D only);
5. ``cached background``: one figure per function; the background (curve or contours, axes,
   ticks) is rendered once and kept as pixels; a change redraws only the path on a copy of it
   (matplotlib's blitting), then encodes the PNG.
"""

from __future__ import annotations

import io
import warnings
from contextlib import ExitStack
from functools import partial
from unittest import mock

import matplotlib
import numpy as np
from common import markdown_table, median, seconds
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from widget import CASES, latencies

from gdcourse import plots
from gdcourse.widgets import OptimizerExplorer

VARIANTS = ["current", "fixed title", "+ fixed legend", "+ fast PNG", "+ 100x100 grid", "cached background"]


class Variant(OptimizerExplorer):
    """The explorer with the first ``level`` changes of VARIANTS applied to ``draw``."""

    def __init__(self, level: int, **kwargs):
        self.level = level
        super().__init__(**kwargs)

    def draw(self, f) -> bytes:
        if self.level == 0:
            return super().draw(f)
        with ExitStack() as stack:
            stack.enter_context(matplotlib.rc_context({"axes.titley": 1.0}))
            if self.level >= 4:
                stack.enter_context(mock.patch.object(plots, "grid", partial(plots.grid, n=100)))
            figure = Figure(figsize=(5.5, 4.5))
            figure.subplots_adjust(left=0.14, right=0.96, bottom=0.11, top=0.93)
            ax = figure.add_subplot()
            self.plot(f, ax)
        if self.level >= 2:
            ax.get_legend().set_loc("upper right")
        buffer = io.BytesIO()
        pil_kwargs = {"compress_level": 1} if self.level >= 3 else {}
        figure.savefig(buffer, format="png", dpi=self.dpi, pil_kwargs=pil_kwargs)
        return buffer.getvalue()


class CachedBackground(Variant):
    """Blitting: the background is rendered once per function (and 1-D window); a change draws
    the path and the legend, whose label holds the learning rate, on a copy of its pixels."""

    def __init__(self, **kwargs):
        self.cache = {}
        super().__init__(level=4, **kwargs)

    def draw(self, f) -> bytes:
        from PIL import Image

        figure, ax, pixels, path_artists, legend, entry = self.background(f)
        figure.canvas.restore_region(pixels)
        points, values = self.path.points, self.path.values
        label = f"{self.optimizer.value} (lr={self.lr.value:.3g})"
        if f.dim == 1:
            line, dots = path_artists
            line.set_data(points[:, 0], values)
            dots.set_offsets(np.c_[points[:, 0], values])
            legend.texts[entry].set_text(f"{label} ({len(self.path) - 1} steps)")
        else:
            path_artists[0].set_data(points[:, 0], points[:, 1])
            diverged = " (diverged)" if self.path.diverged else ""
            legend.texts[entry].set_text(f"{label}: f = {values[-1]:.3g}{diverged}")
        for artist in [*path_artists, legend]:
            ax.draw_artist(artist)
        width, height = figure.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def background(self, f):
        if f.dim == 1:  # the 1-D window follows the path: one background per window
            (lo, hi), xs = f.xlim, self.path.points[:, 0]
            key = (f.name, max(min(lo, xs.min()), lo - (hi - lo)), min(max(hi, xs.max()), hi + (hi - lo)))
        else:
            key = (f.name,)
        if key not in self.cache:
            with matplotlib.rc_context({"axes.titley": 1.0}):
                figure = Figure(figsize=(5.5, 4.5), dpi=self.dpi)
                FigureCanvasAgg(figure)  # blitting needs the Agg canvas's pixel buffer
                figure.subplots_adjust(left=0.14, right=0.96, bottom=0.11, top=0.93)
                ax = figure.add_subplot()
                with mock.patch.object(plots, "grid", partial(plots.grid, n=100)):
                    self.plot(f, ax)
            legend = ax.get_legend()
            legend.set_loc("upper right")
            # path_1d draws the curve, then the path's line and dots; contour_paths the path's line first
            path_artists, entry = ([ax.lines[1], ax.collections[0]], 1) if f.dim == 1 else ([ax.lines[0]], 0)
            for artist in [*path_artists, legend]:
                artist.set_animated(True)  # left out of the background
            figure.canvas.draw()
            self.cache[key] = (figure, ax, figure.canvas.copy_from_bbox(figure.bbox), path_artists, legend, entry)
        return self.cache[key]


def run(repeats: int = 3) -> dict:
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, function, optimizer, rates in CASES:
            kwargs = {"functions": [function], "optimizers": [optimizer]}
            explorers = {name: Variant(level, **kwargs) for level, name in enumerate(VARIANTS[:-1])}
            explorers["cached background"] = CachedBackground(**kwargs)
            times = {name: [] for name in explorers}
            for explorer in explorers.values():
                latencies(explorer, rates[:3] * 0.97)  # warm-up
            for r in range(repeats):
                for name, explorer in explorers.items():
                    times[name].extend(latencies(explorer, rates * (1 + 0.01 * (r + 1))))
            rows.append({"case": label, **{name: median(t) for name, t in times.items()}})
    return {"variants": VARIANTS, "rows": rows}


def tables(result: dict) -> str:
    header = ["case", *result["variants"]]
    rows = [[r["case"], *(seconds(r[name]) for name in result["variants"])] for r in result["rows"]]
    return markdown_table(header, rows)


if __name__ == "__main__":
    print(tables(run()))
