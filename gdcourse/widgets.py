"""Interactive explorers built on ipywidgets.

``OptimizerExplorer`` runs ``minimize`` with the settings on its controls and redraws the
path whenever one of them changes. Its logic lives in plain methods and attributes, so it
can be driven and tested without a browser: set ``explorer.lr.value = 0.5`` and read
``explorer.path``, ``explorer.summary.value`` or ``explorer.png``.
"""

from __future__ import annotations

import html
import io
import warnings

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

from gdcourse import functions as F
from gdcourse import optim, plots
from gdcourse.train import DivergenceWarning, minimize

# The hyperparameters each optimizer exposes in the explorer.
OPTIMIZERS = {
    "GD": (optim.SGD, ()),
    "Momentum": (optim.SGD, ("momentum",)),
    "Nesterov": (optim.SGD, ("momentum", "nesterov")),
    "Adagrad": (optim.Adagrad, ()),
    "RMSprop": (optim.RMSprop, ("alpha",)),
    "Adadelta": (optim.Adadelta, ("rho",)),
    "Adam": (optim.Adam, ("beta1", "beta2")),
    "AdamW": (optim.AdamW, ("beta1", "beta2")),
    "NAdam": (optim.NAdam, ("beta1", "beta2")),
    "Adamax": (optim.Adamax, ("beta1", "beta2")),
}
RED = "color:#c62828"


class OptimizerExplorer:
    """Pick a function, an optimizer, its learning rate and other settings, and a start point;
    the path is recomputed and redrawn on every change.

    ``functions`` and ``optimizers`` restrict the menus (names from ``functions.all_functions()``
    and ``widgets.OPTIMIZERS``); the keyword arguments set the first values shown.
    """

    def __init__(
        self,
        functions: list[str] | None = None,
        optimizers: list[str] | None = None,
        function: str | None = None,
        optimizer: str | None = None,
        lr: float = 0.1,
        num_steps: int = 50,
        x0=None,
        dpi: int = 72,
    ):
        every = F.all_functions()
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
        self.path, self.png, self.holding = None, b"", True
        style = {"description_width": "90px"}
        self.function = w.Dropdown(options=names, value=function or names[0], description="function", style=style)
        self.optimizer = w.Dropdown(
            options=optimizers, value=optimizer or optimizers[0], description="optimizer", style=style
        )
        self.lr = w.FloatLogSlider(
            value=lr, base=10, min=-4, max=0.5, step=0.05, description="lr", readout_format=".4f", style=style
        )
        # The other hyperparameters: (name, first value, min, max, step); only the chosen optimizer's are shown.
        self.hyper = {
            name: w.FloatSlider(value=v, min=lo, max=hi, step=step, description=name, readout_format=".4g", style=style)
            for name, v, lo, hi, step in [
                ("momentum", 0.9, 0.0, 0.99, 0.01),
                ("alpha", 0.99, 0.5, 0.999, 0.001),
                ("rho", 0.9, 0.5, 0.999, 0.001),
                ("beta1", 0.9, 0.0, 0.99, 0.01),
                ("beta2", 0.999, 0.9, 0.9999, 0.0001),
            ]
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
        cls, used = OPTIMIZERS[self.optimizer.value]
        hyper = {"lr": self.lr.value}
        if "momentum" in used:
            hyper["momentum"] = self.momentum.value
        if "nesterov" in used:
            hyper["nesterov"] = True
        for name in ("alpha", "rho"):
            if name in used:
                hyper[name] = self.hyper[name].value
        if "beta1" in used:
            hyper["betas"] = (self.beta1.value, self.beta2.value)
        start = (self.x.value,) if f.dim == 1 else (self.x.value, self.y.value)
        return f, cls, hyper, start

    def update(self) -> None:
        """Recompute the path and redraw the figure (called on every control change)."""
        used = OPTIMIZERS[self.optimizer.value][1]
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
        """The current path on the function, as PNG bytes."""
        figure = Figure(figsize=(5.5, 4.5))
        figure.subplots_adjust(left=0.14, right=0.96, bottom=0.11, top=0.93)  # fixed margins: faster than a layout
        self.plot(f, figure.add_subplot())
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()

    def plot(self, f, ax) -> None:
        """Draw the current path on ``f`` into ``ax``."""
        label = f"{self.optimizer.value} (lr={self.lr.value:.3g})"
        title = f"{self.optimizer.value} on {f.name}"
        if f.dim == 1:
            # Follow the path a little beyond the window, and scale f to the curve, not to a runaway point.
            (lo, hi), xs = f.xlim, self.path.points[:, 0]
            lo, hi = max(min(lo, xs.min()), lo - (hi - lo)), min(max(hi, xs.max()), hi + (hi - lo))
            xlim = (lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
            plots.path_1d(f, {label: self.path}, ax=ax, title=title, xlim=xlim)
            curve = f(np.linspace(*xlim, 200)[:, None])
            pad = 0.05 * (curve.max() - curve.min())
            ax.set(xlim=xlim, ylim=(curve.min() - pad, curve.max() + pad))
        else:
            plots.contour_paths(f, {label: self.path}, ax=ax, title=title)  # the label starts with the optimizer's name

    def divergence(self, f) -> str:
        """A warning for the summary if the run overflowed, or if f grew and the path left the window."""
        path = self.path
        lows, highs = np.array([f.xlim, f.ylim][: f.dim]).T
        left = np.any((path.x < lows) | (path.x > highs))
        if not (path.diverged or (left and path.values[-1] > path.values[0])):
            return ""
        if path.diverged:
            where = f"at step {path.diverged_at} (overflow)"
        else:
            where = f"(f grew from {path.values[0]:.4g} to {path.values[-1]:.4g} and left the window)"
        limit = ""
        if hasattr(f, "L") and self.optimizer.value == "GD":
            limit = f"; GD is stable only for lr < 2/L = {2 / f.L:.4g}"
        return f" <b style='{RED}'>diverged {where}{limit}</b>"

    def _repr_mimebundle_(self, **kwargs) -> dict:
        # The live widget in Jupyter; a still image of the current figure where widgets cannot run
        # (GitHub, the HTML copy of the course).
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        name = type(self).__name__
        bundle["text/plain"] = f"{name}: {self.optimizer.value} on {self.function.value} (interactive in Jupyter)"
        if self.png:
            bundle["image/png"] = self.png
        return bundle
