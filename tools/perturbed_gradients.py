"""Run a command with every exact gradient of ``gdcourse.functions`` changed in its last digit.

    python tools/perturbed_gradients.py -- python -m pytest notebooks/05_optimizers.ipynb
    python tools/perturbed_gradients.py --seed 2 -- python -m pytest notebooks/05_optimizers.ipynb

The foreign-machine run (``tools/foreign_machine.py``) changes the BLAS and SIMD code paths, but the
paths of notebook 05 are mostly elementwise arithmetic, which every IEEE machine rounds alike, so
it hardly moves them. Another machine still can: a matrix-vector product with or without fused
multiply-add, another ``pow`` in the maths library. On a stable path such a change stays in the
last digits; on a chaotic one (Adadelta at a large rate, a run that bounces off steep walls) it
grows until the printed digits change. This script finds such prints: it starts every IPython
kernel of the command with a hook that multiplies each gradient returned by
``Function.grad`` by ``1 +- 2**-52`` (one unit in the last place), the sign a fixed hash of the
point, so a point always gets the same gradient and runs that should be identical stay identical.
A cell whose stored output changes under nbval printed digits that rounding decides. It is a
check to run when a notebook's numbers change, not part of ``make test`` (it reruns the notebooks).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

STARTUP = """
# Written by tools/perturbed_gradients.py: every exact gradient changed in its last digit.
import numpy as _np
import gdcourse.functions as _functions

_SEED, _SCALE = {seed}, {scale!r}
_exact_grad = _functions.Function.grad


def _perturbed_grad(self, x):
    g = _exact_grad(self, x)
    return g * (1 + _SCALE * signs(x, _np.shape(g), _SEED))


{signs}

_functions.Function.grad = _perturbed_grad
"""


def signs(x, shape, seed: int):
    """+1 or -1 for each entry, a fixed function of the bits of the point ``x`` and of ``seed``."""
    import numpy as np

    bits = np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), shape)).view(np.uint64)
    with np.errstate(over="ignore"):
        mixed = (bits * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed * 2654435761 + 1)) >> np.uint64(61)
    return np.where(mixed % np.uint64(2) == 0, 1.0, -1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="another seed, another pattern of signs")
    parser.add_argument("--scale", type=float, default=2.0**-52, help="relative change of each gradient entry")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    import inspect

    with tempfile.TemporaryDirectory() as ipython_dir:
        startup = Path(ipython_dir) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        code = STARTUP.format(seed=args.seed, scale=args.scale, signs=inspect.getsource(signs))
        (startup / "00-perturbed-gradients.py").write_text(code)
        return subprocess.run(command, env={**os.environ, "IPYTHONDIR": ipython_dir}).returncode


if __name__ == "__main__":
    sys.exit(main())
