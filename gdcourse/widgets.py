"""Interactive widgets built on ipywidgets: the optimizer explorer and ``fit``'s progress bar.

``OptimizerExplorer`` runs ``minimize`` with the settings on its controls and redraws the
path whenever one of them changes. Its logic lives in plain methods and attributes, so it
can be driven and tested without a browser: set ``explorer.lr.value = 0.5`` and read
``explorer.path``, ``explorer.summary.value`` or ``explorer.png``.

Everything here also runs in the browser (JupyterLite's Pyodide kernel): no threads, no
files, matplotlib's Agg canvas only.
"""

from __future__ import annotations

import html
import inspect
import io
import warnings
from operator import attrgetter
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave

from gdcourse import plots
from gdcourse.errors import DivergenceWarning
from gdcourse.functions import all_functions
from gdcourse.optim import OPTIMIZERS
from gdcourse.train import Trajectory, minimize, stability_hint

__all__ = ["WIDGET_VIEW", "OptimizerExplorer", "ProgressBar"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # the output type of a live widget in a notebook
RED = "color:#c62828"
# The explorer's sliders besides lr: (name, first value, min, max, step). An optimizer shows those
# its constructor takes, unless its entry in optim.OPTIMIZERS fixes them; beta1 and beta2 are ``betas``.
SLIDERS = [
    ("momentum", 0.9, 0.0, 0.99, 0.01),
    ("alpha", 0.99, 0.5, 0.999, 0.001),
    ("rho", 0.9, 0.5, 0.999, 0.001),
    ("beta1", 0.9, 0.0, 0.99, 0.01),
    ("beta2", 0.999, 0.9, 0.9999, 0.0001),
]


def sliders_used(name: str) -> list[str]:
    """The explorer's sliders that optimizer ``name`` (a key of ``optim.OPTIMIZERS``) shows."""
    cls, fixed = OPTIMIZERS[name]
    takes = set(inspect.signature(cls).parameters) - set(fixed)
    return [s for s, *_ in SLIDERS if (s in takes) or (s.startswith("beta") and "betas" in takes)]


class OptimizerExplorer:
    """Pick a function, an optimizer, its learning rate and other settings, and a start point;
    the path is recomputed and redrawn on every change.

    ``functions`` and ``optimizers`` restrict the menus (names from ``functions.all_functions()``
    and ``optim.OPTIMIZERS``); the keyword arguments set the first values shown.
    """

    def __init__(
        self,
        functions: list[str] | None = None,
        optimizers: list[str] | None = None,
        function: str | None = None,
        optimizer: str | None = None,
        lr: float = 0.1,
        num_steps: int = 50,
        x0: Any = None,
        dpi: int = 72,
    ):
        every = all_functions()
        names = functions or list(every)
        optimizers = optimizers or list(OPTIMIZERS)
        unknown = [n for n in [*names, function] if n is not None and n not in every]
        unknown += [o for o in [*optimizers, optimizer] if o is not None and o not in OPTIMIZERS]
        if unknown:
            raise ValueError(
                f"Unknown function or optimizer {unknown}; choose from {list(every)} and {list(OPTIMIZERS)}."
            )
        self.library = {n: every[n] for n in names}
        self.dpi = dpi
        self.path: Trajectory | None = None
        self.png, self.holding = b"", True
        self.canvas = _BlitCanvas(dpi)
        style = {"description_width": "90px"}
        self.function = w.Dropdown(options=names, value=function or names[0], description="function", style=style)
        self.optimizer = w.Dropdown(
            options=optimizers, value=optimizer or optimizers[0], description="optimizer", style=style
        )
        self.lr = w.FloatLogSlider(
            value=lr, base=10, min=-4, max=0.5, step=0.05, description="lr", readout_format=".4f", style=style
        )
        self.hyper = {
            name: w.FloatSlider(value=v, min=lo, max=hi, step=step, description=name, readout_format=".4g", style=style)
            for name, v, lo, hi, step in SLIDERS
        }
        self.momentum, self.alpha, self.rho, self.beta1, self.beta2 = self.hyper.values()
        self.num_steps = w.IntSlider(value=num_steps, min=1, max=500, description="steps", style=style)
        self.x = w.FloatSlider(description="start x", step=0.05, style=style)
        self.y = w.FloatSlider(description="start y", step=0.05, style=style)
        self.summary = w.HTML()
        self.image = w.Image(format="png")
        controls = [self.function, self.optimizer, self.lr, *self.hyper.values(), self.num_steps, self.x, self.y]
        self.widget = w.HBox([w.VBox([*controls, self.summary]), self.image])
        for control in controls:
            control.observe(self.on_change, names="value")
        self.set_start_controls(x0)
        self.holding = False
        self.update()

    def set_start_controls(self, x0=None) -> None:
        """Fit the start sliders to the chosen function's window and put them at ``x0`` (or its default)."""
        f = self.library[self.function.value]
        start = tuple(x0) if x0 is not None else f.x0
        holding, self.holding = self.holding, True  # one redraw afterwards, not one per slider change
        for slider, lim, value in [(self.x, f.xlim, start[0]), (self.y, f.ylim, start[-1])]:
            if lim is None:
                continue
            # One message to the browser with range and value together: set one by one, the
            # browser would clamp or round the value to the old range and send it back.
            with slider.hold_sync(), slider.hold_trait_notifications():
                slider.min, slider.max, slider.value = lim[0], lim[1], value
        self.y.layout.display = "none" if f.dim == 1 else None
        self.holding = holding

    def on_change(self, change) -> None:
        if self.holding:
            return
        if change["owner"] is self.function:
            self.set_start_controls()
        self.update()

    def settings(self) -> tuple:
        """(function, optimizer class, hyperparameters, start) from the current controls."""
        f = self.library[self.function.value]
        cls, fixed = OPTIMIZERS[self.optimizer.value]
        hyper = {"lr": self.lr.value, **fixed}
        for name in sliders_used(self.optimizer.value):
            if not name.startswith("beta"):
                hyper[name] = self.hyper[name].value
        if "beta1" in sliders_used(self.optimizer.value):
            hyper["betas"] = (self.beta1.value, self.beta2.value)
        start = (self.x.value,) if f.dim == 1 else (self.x.value, self.y.value)
        return f, cls, hyper, start

    def update(self) -> None:
        """Recompute the path and redraw the figure (called on every control change)."""
        used = sliders_used(self.optimizer.value)
        for name, slider in self.hyper.items():  # show only the sliders this optimizer uses
            slider.layout.display = None if name in used else "none"
        f, cls, hyper, start = self.settings()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DivergenceWarning)  # reported in the summary instead
                self.path = minimize(f, start, cls, self.num_steps.value, **hyper)
        except ValueError as error:  # e.g. Nesterov with momentum 0: say so, keep the last figure
            self.path = None
            message = html.escape(str(error))
            self.summary.value = f"<b style='{RED}'>{message}</b> (the figure shows the last valid settings)"
            return
        self.png = self.draw(f)
        self.image.value = self.png
        self.summary.value = (
            f"after {len(self.path) - 1} steps: f = {self.path.values[-1]:.4g}, "
            f"|grad| = {self.path.grad_norms[-1]:.3g}{self.divergence(f)}"
        )

    def draw(self, f) -> bytes:
        """The current path on the function, as PNG bytes: ``plot``'s picture.

        What the path does not change (the curve or the contours, the axes, the title) is rendered
        once per function, optimizer and window and kept as pixels; a change of settings redraws
        only the path's artists on top (matplotlib's blitting).
        """
        view = (f.name, self.optimizer.value, self.window_1d(f) if f.dim == 1 else None)
        return self.canvas.render(view, lambda ax: self.plot(f, ax), lambda ax: self.plot_path(f, ax))

    def window_1d(self, f) -> tuple[tuple[float, float], tuple[float, float]]:
        """The 1-D figure's (xlim, ylim): the function's window, followed a little beyond where the path goes."""
        # Follow the path a little beyond the window, and scale f to the curve, not to a runaway point.
        (lo, hi), xs = f.xlim, self.trajectory().points[:, 0]
        lo, hi = max(min(lo, xs.min()), lo - (hi - lo)), min(max(hi, xs.max()), hi + (hi - lo))
        xlim = (lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
        curve = f(np.linspace(*xlim, 200)[:, None])
        pad = 0.05 * (curve.max() - curve.min())
        return (float(xlim[0]), float(xlim[1])), (float(curve.min() - pad), float(curve.max() + pad))

    def plot(self, f, ax) -> list:
        """Draw the current path on ``f`` into ``ax``; returns the path's artists (``plot_path``'s)."""
        title = f"{self.optimizer.value} on {f.name}"
        if f.dim == 1:
            xlim, ylim = self.window_1d(f)
            plots.draw_curve(f, ax, xlim, title)
            ax.set(xlim=xlim, ylim=ylim)
        else:
            plots.draw_contours(f, ax, title)
        return self.plot_path(f, ax)

    def plot_path(self, f, ax) -> list:
        """Draw the path, the start, the minima and the legend into ``ax``; returns those artists."""
        label, path = f"{self.optimizer.value} (lr={self.lr.value:.3g})", self.trajectory()
        if f.dim == 1:
            xlim, _ = self.window_1d(f)
            return plots.draw_paths_1d(f, {label: path}, ax, (xlim[0] + xlim[1]) / 2)
        return plots.draw_paths_2d(f, {label: path}, ax)  # the label starts with the optimizer's name: its style

    def trajectory(self) -> Trajectory:
        """The current path (drawing happens only after a run with valid settings)."""
        if self.path is None:
            raise RuntimeError("No path yet: the settings are invalid (see the summary).")
        return self.path

    def divergence(self, f) -> str:
        """A warning for the summary if the run overflowed, or if f grew and the path left the window."""
        path = self.trajectory()
        lows, highs = np.array([f.xlim, f.ylim][: f.dim]).T
        left = np.any((path.x < lows) | (path.x > highs))
        if not (path.diverged or (left and path.values[-1] > path.values[0])):
            return ""
        if path.diverged:
            where = f"at step {path.diverged_at} (overflow)"
        else:
            where = f"(f grew from {path.values[0]:.4g} to {path.values[-1]:.4g} and left the window)"
        return f" <b style='{RED}'>diverged {where}.{html.escape(stability_hint(f, path.optimizer))}</b>"

    def _repr_mimebundle_(self, **kwargs) -> dict:
        # The live widget in Jupyter; a still image of the current figure where widgets cannot run
        # (GitHub, the HTML copy of the course).
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        name = type(self).__name__
        bundle["text/plain"] = f"{name}: {self.optimizer.value} on {self.function.value} (interactive in Jupyter)"
        if self.png:
            bundle["image/png"] = self.png
        return bundle


class _BlitCanvas:
    """A figure kept between redraws, with the pixels of its background (matplotlib's blitting).

    ``render(view, plot, plot_path)``: when ``view`` (what the background shows) changed, ``plot(ax)``
    draws the whole picture on the cleared axes and returns the path's artists; everything the axes
    paint from the first of those on is left out of a render that is kept as pixels. Otherwise the
    path's artists give way to those ``plot_path(ax)`` returns, in the same places in the painting
    order. Then those artists are painted on the background's pixels, which gives the picture a full
    render would, and the canvas is encoded as a PNG.
    """

    def __init__(self, dpi: int):
        self.figure = Figure(figsize=(5.5, 4.5), dpi=dpi)
        self.figure.subplots_adjust(left=0.14, right=0.96, bottom=0.11, top=0.93)  # fixed margins: no layout
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self.view: Any = object()
        self.background: Any = None
        self.on_top: list = []  # painted over the background, in Axes.draw's order
        self.path: list = []  # the path's artists, replaced on every redraw

    def render(self, view: Any, plot, plot_path) -> bytes:
        canvas = self.canvas
        if view != self.view:
            self.clear()
            self.path = plot(self.ax)
            order = sorted((a for a in self.ax.get_children() if a is not self.ax.patch), key=attrgetter("zorder"))
            self.on_top = order[min(order.index(a) for a in self.path) :]
            for artist in self.on_top:
                artist.set_animated(True)  # Axes.draw leaves animated artists out
            canvas.draw()
            self.background, self.view = canvas.copy_from_bbox(self.figure.bbox), view
        else:
            for artist in self.path:
                artist.remove()
            new = plot_path(self.ax)
            replace = dict(zip(map(id, self.path), new, strict=True))
            self.on_top = [replace.get(id(a), a) for a in self.on_top]
            self.path = new
            for artist in new:
                artist.set_animated(True)
        canvas.restore_region(self.background)
        renderer = canvas.get_renderer()
        for artist in self.on_top:
            artist.draw(renderer)
        buffer = io.BytesIO()
        # zlib level 1 instead of the default 6: three times faster to encode, the same pixels
        imsave(buffer, np.asarray(canvas.buffer_rgba()), format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def clear(self) -> None:
        """Remove what was drawn but keep the axes' ticks: ``ax.clear()`` would discard them, and
        making new ones is most of the cost of a new background (the limits are set again anyway)."""
        legend = self.ax.get_legend()
        for artist in [*self.ax.lines, *self.ax.collections, *self.ax.texts, *([legend] if legend else [])]:
            artist.remove()


class ProgressBar:
    """``fit``'s progress bar for long runs in Jupyter; silent elsewhere and for short runs.

    It is displayed without a text form, so saved notebooks and nbval see no difference
    between a run that showed it and one that did not.
    """

    def __init__(self, total: int, mode: bool | str):
        self.total, self.mode = total, mode
        self.widget: w.HBox | None = None

    def update(self, epoch: int, seconds: float, train_loss: float) -> None:
        """Show epoch ``epoch`` done after ``seconds`` of training (the bar appears once the run looks long)."""
        if self.widget is None and not self.should_show(epoch, seconds):
            return
        bar, label = (self.widget or self.show()).children
        bar.value = epoch
        label.value = f"epoch {epoch}/{self.total}, train loss {train_loss:.4g}"

    def should_show(self, epoch: int, seconds: float) -> bool:
        """True for ``mode=True``, and for ``'auto'`` in a notebook when the whole run looks longer than 2 s."""
        if self.mode is False or not in_notebook():
            return False
        return self.mode is True or seconds / epoch * self.total > 2.0

    def show(self) -> w.HBox:
        """Display the bar below the cell and return it."""
        from IPython.display import display

        self.widget = w.HBox([w.IntProgress(min=0, max=self.total), w.Label()])
        view = {"model_id": self.widget.model_id, "version_major": 2, "version_minor": 0}
        display({WIDGET_VIEW: view}, raw=True)  # the live bar only: no text/plain for nbval to compare
        return self.widget

    def close(self, failed: bool = False) -> None:
        """Colour the bar: green when training finished, red when it diverged."""
        if self.widget is not None:
            self.widget.children[0].bar_style = "danger" if failed else "success"


# The shells of the Jupyter kernels that show widgets, as "module.class": ipykernel's (JupyterLab on a
# computer, Binder, a hub; Colab's shell is a subclass of it) and the Pyodide kernel's (JupyterLite,
# Python in the browser). A terminal IPython has neither.
_KERNEL_SHELLS = frozenset({"ipykernel.zmqshell.ZMQInteractiveShell", "pyodide_kernel.interpreter.Interpreter"})


def in_notebook() -> bool:
    """True inside a Jupyter kernel, where widgets can be shown (the shells in ``_KERNEL_SHELLS``)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and any(f"{c.__module__}.{c.__qualname__}" in _KERNEL_SHELLS for c in type(shell).__mro__)
