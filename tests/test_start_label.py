"""``plots.path_1d`` labels a path's start on the side facing the middle of the window, so the
label stays inside the axes even when the start sits at the window's edge (as in the explorer)."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from gdcourse import functions, optim, plots
from gdcourse.train import minimize


@pytest.mark.parametrize("start", [2.0, -4.0])  # the parabola's window is (-4, 2): both edges
def test_the_start_label_is_inside_the_axes(start):
    f = functions.parabola()
    path = minimize(f, (start,), optim.SGD, 5, lr=0.3)
    fig = plots.path_1d(f, {"GD": path}, xlim=(-4.48, 2.48))  # the explorer's window: 8% beyond f.xlim
    ax = fig.axes[0]
    ax.set_xlim(-4.48, 2.48)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)  # lays the figure out
    label = next(t for t in ax.texts if t.get_text() == "start")
    inside, box = ax.get_window_extent(renderer), label.get_window_extent(renderer)
    assert inside.x0 <= box.x0 and box.x1 <= inside.x1, (box, inside)
