"""The look of each optimizer: the map is readable by everyone, and ``plots.style_mismatches`` finds
every optimizer drawn off it.

Colour vision is simulated with the published matrices of Machado, Oliveira and Fernandes (2009,
severity 1: protanopia, deuteranopia, tritanopia), applied in linear sRGB; differences are CIELAB
distances (Delta E 1976), for which about 2 is just noticeable and 10 or more is clearly distinct.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from gdcourse import functions, optim, plots
from gdcourse.train import minimize

VISION = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
WHITE = SRGB_TO_XYZ.sum(axis=1)  # D65, the white point of sRGB
DISTINCT = {name: style for name, style in plots.OPTIMIZER_STYLES.items() if name != "SGD"}  # SGD is GD


def linear(colour) -> np.ndarray:
    """sRGB (0..1) to linear light (the sRGB standard's transfer function)."""
    c = np.array(to_rgb(colour))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(linear_rgb) -> np.ndarray:
    """CIELAB coordinates (L*, a*, b*) of a linear sRGB colour."""
    t = SRGB_TO_XYZ @ np.clip(linear_rgb, 0, 1) / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_colour_science_reproduces_known_values():
    assert lab(linear("#FFFFFF")) == pytest.approx([100, 0, 0], abs=0.01)
    assert lab(linear("#000000")) == pytest.approx([0, 0, 0], abs=0.01)
    assert lab(linear("#FF0000")) == pytest.approx([53.24, 80.09, 67.20], abs=0.05)  # sRGB red, D65
    for matrix in VISION.values():  # each simulation leaves white and greys as they are
        assert matrix @ np.ones(3) == pytest.approx(np.ones(3), abs=1e-3)


@pytest.mark.parametrize("vision", VISION)
def test_every_pair_of_optimizers_differs_in_colour_for_every_kind_of_vision(vision):
    seen = {name: lab(VISION[vision] @ linear(style["color"])) for name, style in DISTINCT.items()}
    distances = {(a, b): np.linalg.norm(seen[a] - seen[b]) for a, b in itertools.combinations(seen, 2)}
    closest = min(distances, key=distances.get)
    assert distances[closest] > 15, f"{vision}: {closest} differ by only Delta E {distances[closest]:.1f}"


def test_no_colour_fades_on_white():
    lightness = {name: lab(linear(style["color"]))[0] for name, style in DISTINCT.items()}
    assert max(lightness.values()) < 75, lightness  # yellow (#F0E442) has L* 89


def test_in_greyscale_markers_differ_and_a_shared_line_style_differs_in_lightness():
    assert len({style["marker"] for style in DISTINCT.values()}) == len(DISTINCT)
    for linestyle in {style["linestyle"] for style in DISTINCT.values()}:
        greys = sorted(lab(linear(s["color"]))[0] for s in DISTINCT.values() if s["linestyle"] == linestyle)
        assert min(np.diff(greys), default=np.inf) > 8, f"line style {linestyle!r}: lightness {greys}"


def drawn(**styles) -> Figure:
    """A figure with one line per label, each with the given keyword arguments, and a legend."""
    fig = Figure()
    ax = fig.add_subplot(title="test")
    for label, style in styles.items():
        ax.plot([0, 1], [0, 1], label=label.replace("_", " "), **style)
    ax.legend()
    return fig


def test_lines_in_their_optimizers_look_pass():
    fig = drawn(Adam_lr_01=plots.optimizer_style("Adam"), NAdam=plots.optimizer_style("NAdam"))
    f = functions.Rosenbrock()
    paths = {
        name: minimize(f, f.start, cls, 3, lr=1e-3) for name, cls in [("GD", optim.SGD), ("Adagrad", optim.Adagrad)]
    }
    assert plots.style_mismatches(fig) == []
    assert plots.style_mismatches(plots.contour_paths(f, paths)) == []
    assert (
        plots.style_mismatches(plots.convergence(paths, rates={"GD, theory: 0.9^(2k)": 0.9})) == []
    )  # dashed on purpose


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"color": "tab:pink"}, "colour #e377c2"),
        ({"marker": "o"}, "marker 'o'"),
        ({"linestyle": ":"}, "line style ':'"),
    ],
)
def test_a_wrong_colour_marker_or_line_style_is_named(change, named):
    problems = plots.style_mismatches(drawn(RMSprop={**plots.optimizer_style("RMSprop"), **change}))
    assert problems and all("'RMSprop'" in problem and named in problem for problem in problems[:1])
    assert "RMSprop's look is colour #009E73, marker 'v', line style '-.'" in problems[0]


def test_labels_that_name_no_optimizer_are_free():
    assert plots.style_mismatches(drawn(lr_01={"color": "tab:pink"}, heavy_ball={"color": "red"})) == []


def test_bars_areas_points_and_legend_proxies_are_checked_too():
    fig = Figure()
    ax = fig.add_subplot()
    ax.bar(["a"], [1.0], color="red", label="Adagrad")
    ax.fill_between([0, 1], [0, 1], [1, 2], color="red", alpha=0.2, label="Adam, spread of 5 seeds")
    ax.scatter([0], [1], color="red", label="NAdam")
    ax.errorbar([0], [1], yerr=[0.1], color="red", label="Adamax")
    ax.legend(handles=[ax.plot([], [], "o", color="red", label="Nesterov")[0]])
    problems = "\n".join(plots.style_mismatches(fig))
    for name in ["Adagrad", "Adam, spread", "NAdam", "Adamax", "Nesterov"]:
        assert f"'{name}" in problems, name


def test_the_held_out_curve_of_loss_curves_keeps_its_own_line_style():
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = X @ np.array([1.0, -2.0])
    from gdcourse.models import LinearRegression
    from gdcourse.train import fit

    model = LinearRegression(2)
    history = fit(model, optim.RMSprop(model.params, lr=0.01), X, y, 10, 2, X_val=X, y_val=y, progress=False)
    assert plots.style_mismatches(plots.loss_curves({"RMSprop": history})) == []


def test_contour_paths_takes_a_coarser_grid_for_small_panels():
    f = functions.Rosenbrock()
    path = minimize(f, f.start, optim.Adam, 3, lr=0.1)
    fine, coarse = (plots.contour_paths(f, {"Adam": path}, n=n).axes[0] for n in (200, 60))
    # the filled contours of a coarser grid have fewer vertices: less memory and drawing time
    sizes = [sum(len(p.vertices) for c in ax.collections[:1] for p in c.get_paths()) for ax in (fine, coarse)]
    assert sizes[1] < sizes[0] and plots.style_mismatches(coarse.figure) == []
