"""Figures for the course. Each function takes data (a function, a ``Trajectory``, a ``History``)
and returns a matplotlib ``Figure``; give ``ax=`` to draw into an existing axes instead (all but
``digits``, which makes a grid of its own).

The figures are not managed by pyplot, so nothing is drawn twice and nothing piles up in
memory: in a notebook, end the cell with the figure (or call ``display(fig)``) to show it.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "COLORS",
    "OPTIMIZER_STYLES",
    "contour_paths",
    "convergence",
    "decision_boundary",
    "digits",
    "draw_contours",
    "draw_curve",
    "draw_paths_1d",
    "draw_paths_2d",
    "grid",
    "line_styles",
    "loss_curves",
    "optimizer_name",
    "optimizer_style",
    "path_1d",
    "show_figures_in_notebooks",
    "surface_path",
]

# Colours for lines that are not optimizers (data sets, learning rates, seeds): the Okabe-Ito
# palette, safe for the common forms of colour blindness.
COLORS = [
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#999999",  # grey
    "#882255",  # wine
    "#F0E442",  # yellow
]

# One look per optimizer, the same in every figure of the course. The colours are Okabe-Ito's and
# Paul Tol's colour-blind-safe palettes, chosen so that every pair stays apart for normal vision and
# the three kinds of colour blindness (tests/test_optimizer_styles.py measures it), and none so
# light that it fades on white. Each optimizer also has its own marker, and optimizers that share
# a line style differ in lightness, so a greyscale print tells them apart.
# "GD" and "SGD" are the same rule (SGD without momentum), so they look the same.
OPTIMIZER_STYLES = {
    "GD": {"color": "#000000", "marker": "o", "linestyle": "-"},  # black
    "SGD": {"color": "#000000", "marker": "o", "linestyle": "-"},
    "Momentum": {"color": "#332288", "marker": "s", "linestyle": "-"},  # indigo
    "Nesterov": {"color": "#56B4E9", "marker": "D", "linestyle": "--"},  # sky blue
    "Adagrad": {"color": "#117733", "marker": "^", "linestyle": ":"},  # green
    "RMSprop": {"color": "#009E73", "marker": "v", "linestyle": "-."},  # bluish green
    "Adadelta": {"color": "#E69F00", "marker": "P", "linestyle": ":"},  # orange
    "Adam": {"color": "#D55E00", "marker": "X", "linestyle": "-"},  # vermillion
    "AdamW": {"color": "#CC79A7", "marker": "p", "linestyle": "--"},  # reddish purple
    "NAdam": {"color": "#AA4499", "marker": "h", "linestyle": "--"},  # purple
    "Adamax": {"color": "#882255", "marker": "<", "linestyle": ":"},  # wine
}


def optimizer_name(label: str) -> str | None:
    """The optimizer a legend label names (``"Adam (lr 0.01)"`` -> ``"Adam"``), or None.

    The label must start with the optimizer's name, followed by the end or a non-letter, so
    ``"AdamW ..."`` is AdamW and not Adam, and ``"Adamant"`` is no optimizer.
    """
    for name in sorted(OPTIMIZER_STYLES, key=len, reverse=True):
        if label.startswith(name) and not label[len(name) : len(name) + 1].isalpha():
            return name
    return None


def optimizer_style(label: str) -> dict:
    """Colour, marker and line style of the optimizer a label names: keyword arguments for ``ax.plot``.

    ``ax.plot(k, loss, **plots.optimizer_style("Adam"), label="Adam")`` draws Adam as every figure
    of the course does. Raises ``KeyError`` naming the known optimizers for a label that names none.
    """
    name = optimizer_name(label)
    if name is None:
        raise KeyError(f"{label!r} names no optimizer; known: {', '.join(OPTIMIZER_STYLES)}.")
    return dict(OPTIMIZER_STYLES[name])


NOTHING_DRAWN = ("None", "none", "", " ", None)
VARIANTS = ("held-out", "theory")  # gids of curves that may take another line style: loss_curves, convergence


def colours_of(artist) -> list:
    """The colours an artist paints: a line's colour, a patch's fill, a collection's fills (or edges)."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D

    if isinstance(artist, Line2D):
        return [artist.get_color()]
    if isinstance(artist, Collection):
        fills = artist.get_facecolor()
        return list(fills if len(fills) else artist.get_edgecolor())
    return [artist.get_facecolor()] if hasattr(artist, "get_facecolor") else []


def style_mismatches(fig: Figure) -> list[str]:
    """Every place where ``fig`` draws an optimizer in a look other than its own, one line each.

    An artist is drawn *for an optimizer* when its label names one (``optimizer_name``): lines,
    scatter points, filled areas, bars, error bars, and the entries of every legend. Each must have
    the optimizer's colour (transparency aside) and, where it draws a marker, the optimizer's
    marker. A line drawn on the axes must also have the optimizer's line style, unless its ``gid``
    is ``"held-out"`` or ``"theory"`` (the held-out curve of ``loss_curves``, a theory line of
    ``convergence``: in another line style on purpose).
    The course's tests run this on every figure the notebooks show (``conftest.py``); an empty list
    means every optimizer looks as it does everywhere else.
    """
    from matplotlib.colors import to_hex, to_rgb

    problems = []

    def check(artist, label: object, where: str, marker=None, linestyle=None, parts=None) -> None:
        name = optimizer_name(label) if isinstance(label, str) else None
        if name is None:
            return
        style = OPTIMIZER_STYLES[name]
        colours = [c for part in (parts or [artist]) for c in colours_of(part)]
        wrong = [f"colour {to_hex(c)}" for c in colours if to_rgb(c) != to_rgb(style["color"])][:1]
        if marker not in NOTHING_DRAWN and marker != style["marker"]:
            wrong.append(f"marker {marker!r}")
        if linestyle not in NOTHING_DRAWN and linestyle != style["linestyle"] and artist.get_gid() not in VARIANTS:
            wrong.append(f"line style {linestyle!r}")
        if wrong:
            look = f"colour {style['color']}, marker {style['marker']!r}, line style {style['linestyle']!r}"
            problems.append(f"{where}: {label!r} is drawn with {', '.join(wrong)}; {name}'s look is {look}")

    for number, ax in enumerate(fig.axes, start=1):
        where = f"axes {number} ({ax.get_title() or 'untitled'})"
        for line in ax.get_lines():
            check(line, line.get_label(), where, line.get_marker(), line.get_linestyle())
        for artist in [*ax.collections, *ax.patches]:
            check(artist, artist.get_label(), where)
        for container in ax.containers:  # bars and error bars carry the label on the container
            check(container, container.get_label(), where, parts=[a for a in container.get_children() if a])
        legend = ax.get_legend()
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True) if legend else []:
            marker = getattr(handle, "get_marker", lambda: None)()
            check(handle, text.get_text(), f"legend of {where}", marker)
    for legend in fig.legends:
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
            marker = getattr(handle, "get_marker", lambda: None)()
            check(handle, text.get_text(), "figure legend", marker)
    return problems


def line_styles(labels) -> list[dict]:
    """One style per label: the optimizer's own where the label names one, else the next colour of
    ``COLORS`` with a solid line and a dot. The figures below draw every labelled line with these."""
    labels = list(labels)
    others = iter(COLORS * (1 + len(labels) // len(COLORS)))
    return [
        optimizer_style(label) if optimizer_name(label) else {"color": next(others), "marker": "o", "linestyle": "-"}
        for label in labels
    ]


def _new_axes(ax: Axes | None, figsize=(6, 4.5), projection: str | None = None) -> Axes:
    """The given axes, or the axes of a new unmanaged figure."""
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(projection=projection)


def _figure(ax: Axes) -> Figure:
    """The figure ``ax`` belongs to (a ``Figure``: the course makes no subfigures)."""
    return cast(Figure, ax.figure)


def _as_dict(paths, default_name: str = "path") -> dict:
    """Accept one record or a ``{label: record}`` dict."""
    return paths if isinstance(paths, dict) else {default_name: paths}


def path_1d(function, paths, ax: Axes | None = None, title: str | None = None, xlim=None) -> Figure:
    """The curve ``f`` on its window with each path's points on it, numbered by step order."""
    ax = _new_axes(ax)
    lo, hi = xlim or function.xlim
    draw_curve(function, ax, (lo, hi), title)
    draw_paths_1d(function, _as_dict(paths, "gradient descent"), ax, (lo + hi) / 2)
    return _figure(ax)


def draw_curve(function, ax: Axes, xlim, title: str | None = None) -> None:
    """The curve ``f`` over ``xlim`` with the axis labels and the title: what ``path_1d`` draws before the paths."""
    xs = np.linspace(xlim[0], xlim[1], 400)
    ax.plot(xs, function(xs[:, None]), color="black", lw=1.5, label=function.latex or function.name)
    ax.set(xlabel="x", ylabel="f(x)", title=title or f"Gradient descent on {function.latex or function.name}")


def draw_paths_1d(function, paths: dict, ax: Axes, middle: float) -> list[Artist]:
    """The paths' points on the curve, their start labels, the minima and the legend; returns the
    artists drawn (the part of ``path_1d`` that changes with the paths)."""
    artists: list[Artist] = []
    for (name, path), style in zip(paths.items(), line_styles(paths), strict=True):
        x, fx = path.points[:, 0], path.values
        color = style["color"]
        artists += ax.plot(x, fx, linestyle=style["linestyle"], color=color, lw=0.8, alpha=0.5)
        label = f"{name} ({len(path) - 1} steps)"
        artists.append(ax.scatter(x, fx, color=color, marker=style["marker"], s=18, zorder=3, label=label))
        right = x[0] > middle  # label the start on its side facing the middle, so it stays inside the axes
        offset, align = ((-5, 5), "right") if right else ((5, 5), "left")
        artists.append(
            ax.annotate("start", (x[0], fx[0]), textcoords="offset points", xytext=offset, ha=align, color=color)
        )
    for m in function.minima:
        artists += ax.plot(m[0], function(np.array(m)), "k*", ms=12, label="minimum")
    artists.append(ax.legend(loc="best", fontsize=8))
    return artists


def grid(function, n: int = 200, xlim=None, ylim=None):
    """Coordinates and values of ``function`` on an n x n grid over its window."""
    (x_lo, x_hi), (y_lo, y_hi) = xlim or function.xlim, ylim or function.ylim
    xs, ys = np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n)
    XX, YY = np.meshgrid(xs, ys)
    return XX, YY, function(np.stack([XX, YY], axis=-1))


def contour_paths(
    function,
    paths,
    ax: Axes | None = None,
    title: str | None = None,
    log_levels: bool | None = None,
    xlim=None,
    ylim=None,
    colors: dict | None = None,
    show_values: bool = True,
    n: int = 200,
) -> Figure:
    """Contour lines of a 2-D ``function`` with one labelled line per path, start and minima marked.

    ``log_levels`` spaces the contours geometrically (default: when values span many decades,
    as on Rosenbrock). The axes keep the function's window; paths that leave it are clipped.
    Each path is drawn in its optimizer's style (``optimizer_style``) when its label names one;
    ``colors`` overrides the colour of a label; ``show_values=False`` leaves the final value
    ``f = ...`` out of the legend (where it says little, e.g. on a function unbounded below).
    ``n`` is the number of grid points per axis for the contours (fewer: faster and lighter, for
    small panels).
    """
    ax = _new_axes(ax, figsize=(6, 5))
    draw_contours(function, ax, title, log_levels, xlim, ylim, n)
    draw_paths_2d(function, _as_dict(paths), ax, colors, show_values)
    return _figure(ax)


def draw_contours(
    function,
    ax: Axes,
    title: str | None = None,
    log_levels: bool | None = None,
    xlim=None,
    ylim=None,
    n: int = 200,
) -> None:
    """Filled contours of ``function`` over its window (``n`` grid points per axis), the axis
    labels and the title: what ``contour_paths`` draws before the paths."""
    XX, YY, Z = grid(function, n=n, xlim=xlim, ylim=ylim)
    z_min = function.min_value if function.min_value is not None else Z.min()
    spread = Z.max() - z_min
    if log_levels is None:
        log_levels = function.min_value is not None and np.median(Z - z_min) < 0.05 * spread
    if log_levels:
        levels = z_min + np.geomspace(max(spread * 1e-6, 1e-9), spread, 25)
    else:
        levels = np.linspace(Z.min(), Z.max(), 25)
    ax.contourf(XX, YY, Z, levels=levels, cmap="Greys", alpha=0.35)
    ax.contour(XX, YY, Z, levels=levels, colors="gray", linewidths=0.5)
    ax.set(xlim=xlim or function.xlim, ylim=ylim or function.ylim, xlabel="x", ylabel="y")
    ax.set_title(title or function.latex or function.name)


def draw_paths_2d(
    function, paths: dict, ax: Axes, colors: dict | None = None, show_values: bool = True
) -> list[Artist]:
    """The paths as lines, the start, the minima and the legend; returns the artists drawn (the part
    of ``contour_paths`` that changes with the paths)."""
    artists: list[Artist] = []
    for (name, path), style in zip(paths.items(), line_styles(paths), strict=True):
        pts = path.points
        label = name + (f": f = {path.values[-1]:.3g}" if show_values else "")
        label += " (diverged)" if getattr(path, "diverged", False) else ""
        style["color"] = (colors or {}).get(name, style["color"])
        artists += ax.plot(pts[:, 0], pts[:, 1], **style, ms=3, lw=1.3, label=label)
    first = next(iter(paths.values()), None)
    if first is not None:
        artists += ax.plot(*first.points[0], "ko", ms=7, mfc="white", label="start")
    for i, m in enumerate(function.minima):
        artists += ax.plot(*m, "k*", ms=12, label="minimum" if i == 0 else None)
    artists.append(ax.legend(loc="best", fontsize=8))
    return artists


def surface_path(function, path, ax: Any = None, title: str | None = None) -> Figure:
    """The surface ``z = f(x, y)`` in 3-D with the path drawn on it (``ax``: a 3-D axes)."""
    ax = _new_axes(ax, figsize=(7, 5.5), projection="3d")
    XX, YY, Z = grid(function, n=60)
    ax.plot_surface(XX, YY, Z, cmap="viridis", alpha=0.6, linewidth=0)
    pts = path.points
    ax.plot(pts[:, 0], pts[:, 1], path.values, "r-o", ms=3, lw=1.5, label=f"path ({len(path) - 1} steps)", zorder=5)
    ax.set(xlabel="x", ylabel="y", zlabel="f(x, y)")
    ax.set_title(title or f"Gradient descent on {function.latex or function.name}")
    ax.legend(loc="upper right", fontsize=8)
    return _figure(ax)


def convergence(
    paths, f_star: float = 0.0, ax: Axes | None = None, title: str | None = None, rates: dict | None = None
) -> Figure:
    """``f(x_k) - f*`` against the step ``k`` on a log scale, one line per path.

    ``rates`` optionally maps a label to a per-step error factor ``r``; the line ``r^(2k)``
    (the error in f shrinks with the square of the error in x) is drawn dashed for comparison.
    """
    ax = _new_axes(ax)
    paths = _as_dict(paths)
    for (name, path), style in zip(paths.items(), line_styles(paths), strict=True):
        gap = np.maximum(path.values - f_star, 1e-300)
        ax.semilogy(gap, **style, markevery=max(1, len(gap) // 10), label=name)
    first = next(iter(paths.values()))
    k = np.arange(len(first))
    # Theory lines: thin, dashed, in the colour of the path they describe when their label names it.
    for (name, r), style in zip((rates or {}).items(), line_styles(rates or {}), strict=True):
        theory = (first.values[0] - f_star) * r ** (2 * k)
        ax.semilogy(k, theory, "--", color=style["color"], lw=1, label=name, gid="theory")  # gid: see style_mismatches
    ax.set(xlabel="step k", ylabel=r"$f(x_k) - f^*$", title=title or "Convergence")
    ax.legend(fontsize=8)
    return _figure(ax)


LABELS = {"epoch": "epoch", "grad_evals": "gradient evaluations (samples processed)", "wall_time": "training time (s)"}


def loss_curves(
    histories,
    x: str = "epoch",
    metric: str = "loss",
    log: bool = False,
    val: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
    val_label: str = "validation",
) -> Figure:
    """Training (solid) and held-out (dashed) curves of one or several ``History`` records.

    ``x``: ``'epoch'``, ``'grad_evals'`` or ``'wall_time'``; ``metric``: ``'loss'`` or ``'acc'``.
    ``val_label`` names the held-out set in the legend (``'test'`` if ``fit`` got the test split).
    """
    if x not in LABELS or metric not in ("loss", "acc"):
        raise ValueError(f"x must be one of {list(LABELS)} and metric 'loss' or 'acc'; got {x!r}, {metric!r}.")
    ax = _new_axes(ax)
    histories = _as_dict(histories, "train")
    for (name, h), style in zip(histories.items(), line_styles(histories), strict=True):
        xs = getattr(h, x)
        train, valid = getattr(h, f"train_{metric}"), getattr(h, f"val_{metric}")
        every = max(1, len(xs) // 10)
        ax.plot(xs, train, **style, markevery=every, label=f"{name} (train)" if valid and val else name)
        if valid and val:  # the held-out curve: same colour and marker, thin, hollow markers
            style["linestyle"] = ":" if style["linestyle"] != ":" else "--"
            # gid: style_mismatches allows the held-out curve its own line style
            held_out: dict[str, Any] = {"mfc": "white", "lw": 1, "gid": "held-out"}
            ax.plot(xs, valid, **style, **held_out, markevery=every, label=f"{name} ({val_label})")
    if log:
        ax.set_yscale("log")
    ax.set(
        xlabel=LABELS[x],
        ylabel="accuracy" if metric == "acc" else "loss",
        title=title or f"{'Accuracy' if metric == 'acc' else 'Loss'} during training",
    )
    ax.legend(fontsize=8)
    return _figure(ax)


def decision_boundary(model, X, y, ax: Axes | None = None, title: str | None = None, padding: float = 0.5) -> Figure:
    """The model's predicted probability of class 1 over the plane, the 0.5 line, and the data."""
    ax = _new_axes(ax, figsize=(5.5, 4.5))
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    XX, YY = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    P = model.predict_proba(np.c_[XX.ravel(), YY.ravel()])
    P = (P[:, 1] if P.ndim == 2 else P).reshape(XX.shape)
    filled = ax.contourf(XX, YY, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.5)
    ax.contour(XX, YY, P, levels=[0.5], colors="black", linewidths=1.5)
    for label, marker, color in [(0, "o", "tab:blue"), (1, "^", "tab:red")]:
        ax.scatter(
            X[y == label, 0],
            X[y == label, 1],
            marker=marker,
            c=color,
            edgecolors="k",
            linewidths=0.4,
            s=22,
            label=f"class {label}",
        )
    ax.figure.colorbar(filled, ax=ax, label="P(class 1)")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title or "Decision boundary (black: P = 0.5)")
    ax.legend(loc="best", fontsize=8)
    return _figure(ax)


def digits(images, labels, predictions=None, n: int = 20, shape=(8, 8), title: str | None = None) -> Figure:
    """A grid of digit images with their labels (and predictions: red where wrong)."""
    n = min(n, len(images))
    cols = min(10, n)
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(1.1 * cols, 1.3 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(np.reshape(images[i], shape), cmap="gray_r")
        text = f"{labels[i]}" if predictions is None else f"true {labels[i]}\npred {predictions[i]}"
        wrong = predictions is not None and predictions[i] != labels[i]
        ax.set_title(text, fontsize=8, color="red" if wrong else "black")
    fig.suptitle(
        title
        or (
            "Digits with true and predicted labels (red: wrong)"
            if predictions is not None
            else "Digits and their labels"
        )
    )
    return fig


def show_figures_in_notebooks(shell=None) -> bool:
    """Let Jupyter draw a ``Figure`` that ends a cell as a PNG image, as pyplot's inline backend does.

    The course never imports pyplot, and without pyplot IPython has no rule for showing a bare
    ``Figure`` (it prints ``<Figure size ...>``). This registers one; ``gdcourse.setup()`` calls it
    (``%matplotlib inline`` does the same). Returns True if a shell was found.
    """
    import sys
    from functools import partial

    if shell is None:
        ipython = sys.modules.get("IPython")  # loaded already inside a shell; never imported here
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False

    from IPython.core.pylabtools import print_figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, partial(print_figure, fmt="png", base64=True))
    return True
