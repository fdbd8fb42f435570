"""The optimizer explorer's logic, driven without a browser: set a control's ``.value`` as a
learner's slider would, then compare ``explorer.path`` with ``minimize`` run directly."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

from gdcourse import functions, optim
from gdcourse.train import minimize
from gdcourse.widgets import OptimizerExplorer, sliders_used

SLIDERS = ["momentum", "alpha", "rho", "beta1", "beta2"]


def expected_settings(e: OptimizerExplorer, name: str) -> tuple:
    """What menu entry ``name`` means: its class and fixed settings from the registry, the lr, and
    the sliders for the hyperparameters its class takes and the registry does not fix."""
    cls, fixed = optim.OPTIMIZERS[name]
    takes = inspect.signature(cls).parameters
    hyper = {"lr": e.lr.value, **fixed}
    hyper.update({s: getattr(e, s).value for s in ("momentum", "alpha", "rho") if s in takes and s not in fixed})
    if "betas" in takes:
        hyper["betas"] = (e.beta1.value, e.beta2.value)
    return cls, hyper


# Spot checks, written out by hand: the sliders the course's classic entries show.
SHOWN = {
    "GD": [],
    "Momentum": ["momentum"],
    "Nesterov": ["momentum"],
    "Adagrad": [],
    "RMSprop": ["alpha"],
    "Adadelta": ["rho"],
    "Adam": ["beta1", "beta2"],
}


@pytest.fixture
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # building and redrawing must not warn
        yield OptimizerExplorer(function="Booth", num_steps=30)


def expected_path(e: OptimizerExplorer, name: str):
    cls, hyper = expected_settings(e, name)
    f = functions.all_functions()[e.function.value]
    start = [e.x.value] if f.dim == 1 else [e.x.value, e.y.value]
    return minimize(f, start, cls, e.num_steps.value, **hyper)


def visible(slider) -> bool:
    return slider.layout.display != "none"


def test_the_menu_is_the_registry_and_the_classic_entries_show_their_sliders(explorer):
    assert list(explorer.optimizer.options) == list(optim.OPTIMIZERS)
    for name, shown in SHOWN.items():
        assert sliders_used(name) == shown, name


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_each_optimizer_recomputes_the_path_with_the_new_settings(explorer, name):
    explorer.optimizer.value = name
    used = sliders_used(name)
    for slider in SLIDERS:  # only the sliders this optimizer uses are shown
        assert visible(getattr(explorer, slider)) == (slider in used), slider
    before = explorer.png
    explorer.lr.value = 0.02 if name in ("GD", "Momentum", "Nesterov") else 0.3
    explorer.x.value, explorer.y.value = -4.0, 2.5
    new_values = {"momentum": 0.8, "alpha": 0.95, "rho": 0.8, "beta1": 0.85, "beta2": 0.99}
    for slider in used:
        if slider in new_values:
            getattr(explorer, slider).value = new_values[slider]
    np.testing.assert_array_equal(explorer.path.points, expected_path(explorer, name).points)
    np.testing.assert_array_equal(explorer.path.points[0], [-4.0, 2.5])
    assert explorer.png != before and explorer.image.value == explorer.png


def test_changing_the_function_resets_the_start_to_its_default(explorer):
    calls = []
    explorer.update = lambda original=explorer.update: calls.append(original())
    explorer.function.value = "x^2 + 4x + 1"  # from Booth
    assert len(calls) == 1, "one recompute per change, not one per slider moved"
    f = functions.parabola()
    assert (explorer.x.min, explorer.x.max, explorer.x.value) == (f.xlim[0], f.xlim[1], f.x0[0])
    assert not visible(explorer.y)  # a 1-D function has no y
    assert explorer.path.points.shape == (31, 1)
    explorer.function.value = "Rosenbrock"
    assert (explorer.x.value, explorer.y.value) == functions.Rosenbrock.x0 and visible(explorer.y)
    assert (explorer.y.min, explorer.y.max) == functions.Rosenbrock.ylim


def test_the_parabola_at_lr_07_is_the_seed_example():
    e = OptimizerExplorer(functions=["x^2 + 4x + 1"], optimizers=["GD"], lr=0.7, num_steps=100)
    direct = minimize(functions.parabola(), 2.0, optim.SGD, 100, lr=0.7)
    np.testing.assert_array_equal(e.path.points, direct.points)
    assert e.path.x[0] == pytest.approx(-2.0, abs=1e-12)


def test_an_invalid_setting_shows_a_message_instead_of_raising(explorer):
    explorer.optimizer.value = "Nesterov"
    png = explorer.png
    explorer.momentum.value = 0.0  # torch (and we) reject Nesterov without momentum
    assert "Nesterov momentum requires momentum &gt; 0" in explorer.summary.value  # HTML-escaped
    assert explorer.path is None and explorer.png == png  # the last valid figure stays
    explorer.momentum.value = 0.5  # and the explorer recovers
    assert explorer.path is not None and "requires" not in explorer.summary.value


@pytest.mark.parametrize("function, lr", [("x^2 + 4x + 1", 1.2), ("0.1 x^2 + 2 y^2", 0.6), ("Rosenbrock", 0.01)])
def test_a_diverging_learning_rate_is_reported_without_a_warning(explorer, function, lr):
    # 1.2 > 2/L = 1 and 0.6 > 2/L = 0.5 grow geometrically; 0.01 on Rosenbrock overflows
    explorer.function.value = function
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.lr.value = lr
    assert "diverged" in explorer.summary.value
    f = functions.all_functions()[function]
    assert explorer.path.values[-1] > f(np.array(f.x0))


def test_a_converging_run_is_not_called_diverged(explorer):
    explorer.function.value = "0.1 x^2 + 2 y^2"
    explorer.lr.value = 0.4  # below 2/L = 0.5
    assert "diverged" not in explorer.summary.value
    assert explorer.path.values[-1] < explorer.path.values[0]


def test_the_still_image_and_text_for_viewers_without_widgets(explorer):
    bundle = explorer._repr_mimebundle_()
    text = bundle["text/plain"]
    assert isinstance(text, str) and "\n" not in text and "OptimizerExplorer" in text
    assert bundle["image/png"].startswith(b"\x89PNG") and bundle["image/png"] == explorer.png
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_unknown_names_are_rejected_with_the_choices():
    with pytest.raises(ValueError, match="Rosenbrock"):
        OptimizerExplorer(functions=["Rosenbrok"])
    with pytest.raises(ValueError, match="Adam"):
        OptimizerExplorer(optimizer="Adma")


def test_a_diverging_gd_on_a_quadratic_says_its_stable_range(explorer):
    explorer.optimizer.value = "GD"
    explorer.function.value = "x^2 + 4x + 1"  # L = 2: GD is stable for lr < 1
    explorer.lr.value = 1.2
    assert "On this quadratic, GD is stable only for lr &lt; 1." in explorer.summary.value  # HTML-escaped
    explorer.optimizer.value = "Adam"  # no such bound for Adam: nothing is claimed
    explorer.lr.value = 3.0
    assert "stable only" not in explorer.summary.value


def test_progress_bars_show_in_the_jupyter_kernels_that_show_widgets(monkeypatch):
    """ipykernel's shell (and Colab's, a subclass of it) and JupyterLite's Pyodide kernel show fit's
    progress bar; a terminal IPython and plain Python do not."""
    import IPython
    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython.terminal.interactiveshell import TerminalInteractiveShell

    from gdcourse import widgets

    colab = type("Shell", (ZMQInteractiveShell,), {"__module__": "google.colab._shell"})
    # pyodide_kernel 0.6's shell (pyodide_kernel/interpreter.py): an InteractiveShell subclass,
    # importable only in the browser, so here a class of the same module and name.
    lite = type("Interpreter", (IPython.core.interactiveshell.InteractiveShell,), {})
    lite.__module__ = "pyodide_kernel.interpreter"
    expected = {ZMQInteractiveShell: True, colab: True, lite: True, TerminalInteractiveShell: False}
    for shell_class, shows in expected.items():
        monkeypatch.setattr(IPython, "get_ipython", lambda cls=shell_class: cls.__new__(cls))
        assert widgets.in_notebook() is shows, shell_class
        long_run = widgets.ProgressBar(total=100, mode="auto")
        assert long_run.should_show(epoch=1, seconds=1.0) is shows  # 100 epochs of 1 s: more than 2 s
        assert widgets.ProgressBar(total=100, mode=False).should_show(epoch=1, seconds=1.0) is False
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert widgets.in_notebook() is False
