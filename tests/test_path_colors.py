"""One colour per optimizer: ``contour_paths(colors=...)`` draws each path in the colour asked for,
``show_values=False`` keeps the final value out of the legend, and the explorer draws each optimizer
in the colour notebook 05 gives it (its position in the menu, like ``plots.COLORS``)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from gdcourse import functions, optim, plots
from gdcourse.train import minimize
from gdcourse.widgets import OptimizerExplorer


@pytest.fixture
def two_paths():
    f = functions.Rosenbrock()
    return f, {
        "GD": minimize(f, f.start, optim.SGD, 5, lr=1e-3),
        "Adam": minimize(f, f.start, optim.Adam, 5, lr=0.1),
    }


def path_lines(ax, labels):
    """The drawn line of each path, found by its legend label."""
    return {label: next(line for line in ax.get_lines() if line.get_label().startswith(label)) for label in labels}


def test_default_colours_follow_the_order(two_paths):
    f, paths = two_paths
    ax = plots.contour_paths(f, paths).axes[0]
    lines = path_lines(ax, paths)
    assert to_rgba(lines["GD"].get_color()) == to_rgba("tab:red")
    assert to_rgba(lines["Adam"].get_color()) == to_rgba("tab:blue")


def test_colours_by_label_override_the_order(two_paths):
    f, paths = two_paths
    ax = plots.contour_paths(f, paths, colors={"Adam": "tab:pink"}).axes[0]
    lines = path_lines(ax, paths)
    assert to_rgba(lines["Adam"].get_color()) == to_rgba("tab:pink")
    assert to_rgba(lines["GD"].get_color()) == to_rgba("tab:red")  # not in the dict: its default


def test_values_in_the_legend_are_optional(two_paths):
    f, paths = two_paths
    shown = [t.get_text() for t in plots.contour_paths(f, paths).axes[0].get_legend().get_texts()]
    hidden = [t.get_text() for t in plots.contour_paths(f, paths, show_values=False).axes[0].get_legend().get_texts()]
    final = paths["GD"].values[-1]
    assert f"GD: f = {final:.3g}" in shown
    assert "GD" in hidden and not any("f =" in text for text in hidden)


def test_explorer_draws_each_optimizer_in_its_own_colour(monkeypatch):
    drawn = {}
    original = plots.contour_paths

    def spy(function, paths, **kwargs):
        drawn.update(kwargs.get("colors") or {})
        return original(function, paths, **kwargs)

    monkeypatch.setattr(plots, "contour_paths", spy)
    explorer = OptimizerExplorer(function="Rosenbrock", optimizer="Adam", lr=0.1, num_steps=5)
    assert [to_rgba(c) for c in drawn.values()] == [to_rgba("tab:pink")]  # Adam is 7th: COLORS[6]
    drawn.clear()
    explorer.optimizer.value = "Momentum"
    assert [to_rgba(c) for c in drawn.values()] == [to_rgba("tab:blue")]
    assert np.isfinite(explorer.path.values).all()
