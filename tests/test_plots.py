"""``gdcourse.plots``: one look per optimizer (``plots.OPTIMIZER_STYLES`` gives each a colour, marker
and line style; every figure function draws a line whose label names an optimizer in that style,
other lines take ``plots.COLORS`` in order, and the explorer draws each optimizer in its style),
legends and labels as documented, figures shown in IPython, and the explorer's fast redraw giving
the very picture a full render gives."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import warnings

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import imread

from gdcourse import functions, optim, plots
from gdcourse.models import LinearRegression
from gdcourse.train import fit, minimize
from gdcourse.widgets import OptimizerExplorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"  # the first 8 bytes of every PNG file (PNG specification)


# ---------------------------------------------------------------- one look per optimizer


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
    assert named | set(optim.OPTIMIZERS) <= set(plots.OPTIMIZER_STYLES)


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


# ---------------------------------------------------------------- labels


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


# ---------------------------------------------------------------- showing figures in IPython


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


# ---------------------------------------------------------------- the explorer's picture


def full_render(explorer: OptimizerExplorer) -> np.ndarray:
    """The explorer's picture drawn from scratch on a new figure, as pixels."""
    figure = Figure(figsize=(5.5, 4.5))
    figure.subplots_adjust(left=0.14, right=0.96, bottom=0.11, top=0.93)
    explorer.plot(explorer.library[explorer.function.value], figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=explorer.dpi)
    return imread(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize(
    "function, optimizer, changes",
    [
        ("x^2 + 4x + 1", "GD", [("lr", 0.3), ("lr", 0.9), ("lr", 0.3), ("x", -3.0), ("num_steps", 7)]),  # 0.9 widens
        ("Rosenbrock", "Adam", [("lr", 0.05), ("beta1", 0.5), ("x", 0.5), ("lr", 0.3)]),
        ("saddle", "RMSprop", [("lr", 0.05), ("alpha", 0.9)]),
        ("Booth", "Nesterov", [("momentum", 0.5), ("optimizer", "Adam"), ("function", "Himmelblau")]),
    ],
)
def test_the_fast_redraw_gives_the_full_render_pixel_for_pixel(function, optimizer, changes):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer = OptimizerExplorer(function=function, optimizer=optimizer, num_steps=40)
        for control, value in changes:
            getattr(explorer, control).value = value
            blitted = imread(io.BytesIO(explorer.png))
            np.testing.assert_array_equal(blitted, full_render(explorer), err_msg=f"after {control} = {value}")


def test_importing_plots_registers_nothing():
    code = (
        "from IPython.core.interactiveshell import InteractiveShell; shell = InteractiveShell.instance(); "
        "import gdcourse.plots; from matplotlib.figure import Figure; "
        "print(Figure in shell.display_formatter.formatters['image/png'].type_printers)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # gdcourse.setup() registers it, not the import
