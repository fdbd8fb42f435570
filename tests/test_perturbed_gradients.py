"""``tools/perturbed_gradients.py`` changes every exact gradient in its last digit, the same way for the
same point, inside IPython (where notebooks run), and leaves everything else alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import numpy as np
from gdcourse import functions
f = functions.Rosenbrock()
x = np.random.default_rng(0).uniform(-2, 2, size=(1000, 2))
exact, changed = f.gradient(x), f.grad(x)
relative = np.abs(changed / exact - 1)
print("RESULT", relative.max() <= 3 * 2.0**-52, (relative > 0).mean() > 0.9,
      np.array_equal(changed, f.grad(x)), np.array_equal(f(x), f.value(x)))
"""


def probe(*tool_args: str) -> str:
    """The probe's verdicts, run by IPython under the tool."""
    command = [sys.executable, "-m", "IPython", "--no-banner", "-c", PROBE]
    command = [sys.executable, str(ROOT / "tools" / "perturbed_gradients.py"), *tool_args, "--", *command]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return next(line for line in run.stdout.splitlines() if line.startswith("RESULT"))


def test_every_gradient_moves_by_one_unit_in_the_last_place_and_the_same_point_moves_alike():
    # one or two units in the last place, nearly every entry changed, a point twice alike, values untouched
    assert probe() == "RESULT True True True True"
    assert probe("--seed", "2") == "RESULT True True True True"


def test_without_the_tool_the_gradients_are_exact():
    command = [sys.executable, "-m", "IPython", "--no-banner", "-c", PROBE]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert "RESULT True False True True" in run.stdout  # no entry changed
