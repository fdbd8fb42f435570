"""One look per optimizer: ``plots.OPTIMIZER_STYLES`` gives each optimizer a colour, marker and
line style; every figure function draws a line whose label names an optimizer in that style, other
lines take ``plots.COLORS`` in order, and the explorer draws each optimizer in its style."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from gdcourse import functions, optim, plots
from gdcourse.models import LinearRegression
from gdcourse.train import fit, minimize
from gdcourse.widgets import OPTIMIZERS, OptimizerExplorer


@pytest.fixture
def two_paths():
    f = functions.Rosenbrock()
    return f, {
        "GD": minimize(f, f.start, optim.SGD, 5, lr=1e-3),
        "Adam (lr 0.1)": minimize(f, f.start, optim.Adam, 5, lr=0.1),
        "start near the valley": minimize(f, np.array([0.0, 0.0]), optim.SGD, 5, lr=1e-3),
    }


def path_lines(ax, labels):
    """The drawn line of each path, found by its legend label."""
    return {label: next(line for line in ax.get_lines() if line.get_label().startswith(label)) for label in labels}


def looks(line) -> tuple:
    return to_rgba(line.get_color()), line.get_marker(), line.get_linestyle()


def expected(name: str) -> tuple:
    style = plots.OPTIMIZER_STYLES[name]
    return to_rgba(style["color"]), style["marker"], style["linestyle"]


def test_every_optimizer_of_the_package_and_the_explorer_has_a_style():
    named = {name for name in optim.__all__ if isinstance(getattr(optim, name), type)} - {"Optimizer"}
    assert named | set(OPTIMIZERS) <= set(plots.OPTIMIZER_STYLES)


def test_styles_differ_in_greyscale_and_in_colour():
    """Distinct optimizers (GD and SGD are one rule) differ by marker and line style together, so a
    greyscale print tells them apart; no two share all three of colour, marker and line style."""
    distinct = {name: style for name, style in plots.OPTIMIZER_STYLES.items() if name != "SGD"}
    assert plots.OPTIMIZER_STYLES["SGD"] == plots.OPTIMIZER_STYLES["GD"]
    greyscale = {(s["marker"], s["linestyle"]) for s in distinct.values()}
    assert len({s["marker"] for s in distinct.values()}) == len(distinct)
    assert len(greyscale) == len(distinct)


@pytest.mark.parametrize(
    ("label", "name"),
    [("Adam", "Adam"), ("AdamW (lr 0.01)", "AdamW"), ("Adam, lr=0.1", "Adam"), ("NAdam", "NAdam"), ("Adamant", None)],
)
def test_labels_name_their_optimizer(label, name):
    assert plots.optimizer_name(label) == name


def test_unknown_label_has_no_style():
    with pytest.raises(KeyError, match="names no optimizer; known: GD, SGD"):
        plots.optimizer_style("Newton")


def test_contour_paths_draw_each_optimizer_in_its_style(two_paths):
    f, paths = two_paths
    lines = path_lines(plots.contour_paths(f, paths).axes[0], paths)
    assert looks(lines["GD"]) == expected("GD")
    assert looks(lines["Adam (lr 0.1)"]) == expected("Adam")
    assert to_rgba(lines["start near the valley"].get_color()) == to_rgba(plots.COLORS[0])


def test_colours_by_label_override_the_style(two_paths):
    f, paths = two_paths
    lines = path_lines(plots.contour_paths(f, paths, colors={"GD": "tab:pink"}).axes[0], paths)
    assert to_rgba(lines["GD"].get_color()) == to_rgba("tab:pink")
    assert looks(lines["Adam (lr 0.1)"]) == expected("Adam")


def test_convergence_and_loss_curves_use_the_styles(two_paths):
    f, paths = two_paths
    lines = path_lines(plots.convergence(paths).axes[0], paths)
    assert looks(lines["Adam (lr 0.1)"]) == expected("Adam")
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = X @ np.array([1.0, -2.0])
    histories = {}
    for name, cls in [("SGD", optim.SGD), ("RMSprop", optim.RMSprop)]:
        model = LinearRegression(2)
        histories[name] = fit(model, cls(model.params, lr=0.01), X, y, 10, 3, X_val=X, y_val=y, progress=False)
    ax = plots.loss_curves(histories).axes[0]
    train = {line.get_label(): line for line in ax.get_lines()}
    assert looks(train["RMSprop (train)"]) == expected("RMSprop")
    held_out = train["RMSprop (validation)"]
    assert (to_rgba(held_out.get_color()), held_out.get_marker()) == expected("RMSprop")[:2]


def test_the_values_in_the_legend_are_optional(two_paths):
    f, paths = two_paths
    shown = [t.get_text() for t in plots.contour_paths(f, paths).axes[0].get_legend().get_texts()]
    hidden = [t.get_text() for t in plots.contour_paths(f, paths, show_values=False).axes[0].get_legend().get_texts()]
    final = paths["GD"].values[-1]
    assert f"GD: f = {final:.3g}" in shown
    assert "GD" in hidden and not any("f =" in text for text in hidden)


@pytest.mark.parametrize("name", ["Adam", "Momentum", "Adadelta"])
def test_explorer_draws_each_optimizer_in_its_style(name):
    explorer = OptimizerExplorer(function="Rosenbrock", optimizer="GD", lr=1e-3, num_steps=5)
    explorer.optimizer.value = name
    ax = Figure().add_subplot()
    explorer.plot(functions.Rosenbrock(), ax)
    line = next(line for line in ax.get_lines() if line.get_label().startswith(name))
    assert looks(line) == expected(name)
    assert np.isfinite(explorer.path.values).all()
