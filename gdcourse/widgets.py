"""Interactive explorers built on ipywidgets.

``OptimizerExplorer`` runs ``minimize`` with the settings on its controls and redraws the
path whenever one of them changes. Its logic lives in plain methods and attributes, so it
can be driven and tested without a browser: set ``explorer.lr.value = 0.5`` and read
``explorer.path`` or ``explorer.png``.
"""

from __future__ import annotations

import html
import io
import warnings

import ipywidgets as w
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
        unknown = [n for n in names if n not in every] + [o for o in optimizers or [] if o not in OPTIMIZERS]
        if unknown:
            raise ValueError(f"Unknown function or optimizer {unknown}; choose from {list(every)} and {list(OPTIMIZERS)}.")
        self.library = {n: every[n] for n in names}
        self.dpi = dpi
        style = {"description_width": "90px"}
        self.function = w.Dropdown(options=names, value=function or names[0], description="function", style=style)
        self.optimizer = w.Dropdown(options=optimizers or list(OPTIMIZERS), value=optimizer or (optimizers or ["GD"])[0], description="optimizer", style=style)
        self.lr = w.FloatLogSlider(value=lr, base=10, min=-4, max=0.5, step=0.05, description="lr", readout_format=".4f", style=style)
        self.momentum = w.FloatSlider(value=0.9, min=0, max=0.99, step=0.01, description="momentum", style=style)
        self.alpha = w.FloatSlider(value=0.99, min=0.5, max=0.999, step=0.001, description="alpha", readout_format=".3f", style=style)
        self.rho = w.FloatSlider(value=0.9, min=0.5, max=0.999, step=0.001, description="rho", readout_format=".3f", style=style)
        self.beta1 = w.FloatSlider(value=0.9, min=0, max=0.99, step=0.01, description="beta1", style=style)
        self.beta2 = w.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001, description="beta2", readout_format=".4f", style=style)
        self.num_steps = w.IntSlider(value=num_steps, min=1, max=500, description="steps", style=style)
        self.x = w.FloatSlider(description="start x", step=0.05, style=style)
        self.y = w.FloatSlider(description="start y", step=0.05, style=style)
        self.summary = w.HTML()
        self.image = w.Image(format="png")
        self.hyper = {"momentum": self.momentum, "alpha": self.alpha, "rho": self.rho, "beta1": self.beta1, "beta2": self.beta2}
        self.set_start_controls(x0)
        controls = [self.function, self.optimizer, self.lr, *self.hyper.values(), self.num_steps, self.x, self.y]
        self.widget = w.HBox([w.VBox([*controls, self.summary]), self.image])
        for control in controls:
            control.observe(self.on_change, names="value")
        self.update()

    def set_start_controls(self, x0=None) -> None:
        """Fit the start sliders to the chosen function's window and put them at ``x0`` (or its default)."""
        f = self.library[self.function.value]
        start = tuple(x0) if x0 is not None else f.x0
        for slider, lim, value in [(self.x, f.xlim, start[0]), (self.y, f.ylim, start[-1])]:
            if lim is None:
                continue
            slider.min, slider.max = -1e9, 1e9  # widen first so the new range is always accepted
            slider.min, slider.max, slider.value = lim[0], lim[1], value
        self.y.layout.display = "none" if f.dim == 1 else None

    def on_change(self, change) -> None:
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
        for name, slider in self.hyper.items():
            slider.layout.display = None if name in used else "none"
        return f, cls, hyper, start

    def update(self) -> None:
        """Recompute the path and redraw the figure (called on every control change)."""
        f, cls, hyper, start = self.settings()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DivergenceWarning)  # reported in the summary instead
                self.path = minimize(f, start, cls, self.num_steps.value, **hyper)
        except ValueError as error:  # e.g. Nesterov with momentum 0: say so, keep the last figure
            self.summary.value = f"<b style='color:#c62828'>{html.escape(str(error))}</b>"
            return
        self.figure = Figure(figsize=(5.5, 4.5), layout="constrained")
        ax = self.figure.add_subplot()
        label = f"{self.optimizer.value} (lr={self.lr.value:.3g})"
        title = f"{self.optimizer.value} on {f.name}"
        if f.dim == 1:
            plots.path_1d(f, {label: self.path}, ax=ax, title=title)
        else:
            plots.contour_paths(f, {label: self.path}, ax=ax, title=title)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        self.png = buffer.getvalue()
        self.image.value = self.png
        status = f" <b style='color:#c62828'>diverged at step {self.path.diverged_at}</b>" if self.path.diverged else ""
        self.summary.value = (
            f"after {len(self.path) - 1} steps: f = {self.path.values[-1]:.4g}, "
            f"|grad| = {self.path.grad_norms[-1]:.3g}{status}"
        )

    def _repr_mimebundle_(self, **kwargs) -> dict:
        # The live widget in Jupyter; a still image of the current figure where widgets cannot run
        # (GitHub, the HTML copy of the course).
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"{type(self).__name__}: {self.optimizer.value} on {self.function.value} (interactive in Jupyter)"
        bundle["image/png"] = self.png
        return bundle
