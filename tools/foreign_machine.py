"""Run a command as if on another machine: other BLAS kernels, other SIMD code, other threads.

    python tools/foreign_machine.py -- python -m pytest notebooks      # what `make test` runs
    python tools/foreign_machine.py --show                             # the settings, and checks them

The stored notebook outputs must be what *any* correct installation prints. This machine's CPU
picks one set of code paths (for example AVX-512 kernels in OpenBLAS and in NumPy's `exp`,
`tanh` and reductions); a learner's laptop picks others, which round differently. This script
reruns a command with the code paths a different CPU would take, so that a value printed to
more digits than survive rounding shows up as a failing cell:

- OpenBLAS uses another kernel family (`OPENBLAS_CORETYPE`, Nehalem: SSE only, as on an old or
  a low-power CPU), and two threads instead of the course's one (a learner who set
  `OPENBLAS_NUM_THREADS`, which `import gdcourse` respects);
- NumPy's SIMD dispatch is narrowed to its baseline (`NPY_DISABLE_CPU_FEATURES` lists every
  dispatch target this CPU has): other code for `exp`, `log`, `tanh`, sums and products, as on a
  CPU without AVX2 or AVX-512 (many AMD and older Intel machines);
- PyTorch runs its portable kernels (`ATEN_CPU_CAPABILITY=default`), MKL its conditional
  numerical reproducibility path (`MKL_CBWR=COMPATIBLE`), oneDNN without AVX
  (`ONEDNN_MAX_CPU_ISA=SSE41`);
- another time zone (`TZ`), so a printed date would differ too.

It cannot simulate another CPU architecture's own arithmetic (Apple Silicon's NEON and Apple's
Accelerate BLAS), another operating system's maths library (Windows), or other library versions;
the README says so. Before running the command it checks, in a fresh interpreter, that every
setting took effect, and stops with an error if one did not (then the run would prove nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

# Printed by a fresh interpreter under the candidate settings: what the libraries actually use.
PROBE = r"""
import json
import numpy as np
from threadpoolctl import threadpool_info
try:
    from numpy._core import _multiarray_umath as umath
except ImportError:  # NumPy 1.x
    from numpy.core import _multiarray_umath as umath
report = {
    "numpy_dispatch": [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)],
    "openblas": [i.get("architecture") for i in threadpool_info() if i["internal_api"] == "openblas"],
}
try:
    import torch
    report["torch"] = torch.backends.cpu.get_cpu_capability()
except ImportError:
    report["torch"] = None
print(json.dumps(report))
"""


def probe(env: dict) -> dict:
    """What NumPy, OpenBLAS and torch use in a fresh interpreter with ``env``."""
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def foreign_env(native: dict) -> dict:
    """The environment of the foreign run, given what this machine uses by default."""
    env = dict(os.environ)
    machine = platform.machine().lower()
    current = set(native["openblas"])
    if machine in ("x86_64", "amd64"):
        env["OPENBLAS_CORETYPE"] = "Core2" if current & {"Nehalem"} else "Nehalem"
    elif machine in ("aarch64", "arm64"):
        env["OPENBLAS_CORETYPE"] = "CortexA57" if current & {"ARMV8"} else "ARMV8"
    env["OPENBLAS_NUM_THREADS"] = "2"
    if native["numpy_dispatch"]:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(native["numpy_dispatch"])
    env["ATEN_CPU_CAPABILITY"] = "default"
    env["MKL_CBWR"] = "COMPATIBLE"
    env["ONEDNN_MAX_CPU_ISA"] = env["DNNL_MAX_CPU_ISA"] = "SSE41"
    env["TZ"] = "Pacific/Chatham"
    return env


def differences(native: dict, foreign: dict) -> list[str]:
    """What the foreign run computes differently; raises if a setting did not take effect."""
    problems, lines = [], []
    if foreign["numpy_dispatch"]:
        problems.append(f"NumPy still dispatches to {foreign['numpy_dispatch']}")
    elif native["numpy_dispatch"]:
        lines.append(f"NumPy SIMD: {', '.join(native['numpy_dispatch'])} -> baseline only")
    if foreign["openblas"] == native["openblas"]:
        problems.append(f"OpenBLAS still uses {native['openblas']}")
    else:
        lines.append(f"OpenBLAS kernels: {', '.join(native['openblas'])} -> {', '.join(foreign['openblas'])}")
        lines.append("BLAS threads: 1 (set by import gdcourse) -> 2 (OPENBLAS_NUM_THREADS=2, which gdcourse respects)")
    if native["torch"] is not None:
        if foreign["torch"] != "DEFAULT":
            problems.append(f"torch still uses its {foreign['torch']} kernels")
        else:
            lines.append(f"torch kernels: {native['torch']} -> DEFAULT (portable); MKL_CBWR=COMPATIBLE")
    if problems:
        raise SystemExit("The foreign-machine settings did not take effect: " + "; ".join(problems))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print the settings and what they change, run nothing")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command and not args.show:
        parser.error("give a command after --, or --show")
    native = probe(dict(os.environ))
    env = foreign_env(native)
    lines = differences(native, probe(env))
    print("Foreign-machine run:", *(f"  {line}" for line in lines), sep="\n", flush=True)
    if args.show:
        return 0
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
