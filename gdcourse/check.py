"""Check that this Python has what the course needs, and say how to fix what is missing.

Run ``python -m gdcourse.check`` in a terminal, or ``gdcourse.check.report()`` in a notebook.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

__all__ = ["MIN_PYTHON", "PACKAGES", "report", "rows"]

MIN_PYTHON = (3, 11)

# (import name, distribution name, minimum version, needed for)
PACKAGES = [
    ("numpy", "numpy", "1.24", "every notebook"),
    ("matplotlib", "matplotlib", "3.7", "every figure"),
    ("ipywidgets", "ipywidgets", "8.0", "the interactive explorers"),
    ("sklearn", "scikit-learn", "1.3", "the bundled data sets (notebooks 02-06)"),
    ("torch", "torch", "2.1", "notebooks 07-08 (PyTorch)"),
]
# What to do, for each way of installing the course (README, "Quick start").
HOW_TO_FIX = """\
To fix it, use the way you installed the course:
  - with make (the README's quick start): in the course folder, run `make setup`, then `make lab`;
  - with pip, in your own environment: in the course folder, run `pip install -e '.[lab]' -c constraints.txt`;
  - with conda: in the course folder, run `conda env update -f environment.yml`, then `pip install --no-deps -e .`;
  - on Binder or a JupyterHub: the environment comes with the course; tell your instructor what this check says.
Then restart the kernel (Kernel > Restart Kernel) and run this check again
(the first code cells of notebook 00, or `python -m gdcourse.check` in a terminal)."""

UNKNOWN = "unknown"  # importable, but no version recorded (for example a source checkout)


@dataclass
class Row:
    """One line of the report."""

    package: str
    required: str
    found: str | None
    needed_for: str

    @property
    def ok(self) -> bool:
        if self.found == UNKNOWN:
            return True  # it imports; nothing better to go on
        return self.found is not None and as_tuple(self.found) >= as_tuple(self.required)

    @property
    def advice(self) -> str:
        if self.found == UNKNOWN:
            return "ok (installed; its version could not be read)"
        if self.ok:
            return "ok"
        if self.found is None:
            return f"missing: not installed (need {self.required} or newer)"
        return f"too old: {self.found} is installed, the course needs {self.required} or newer"


def as_tuple(v: str) -> tuple[int, ...]:
    """'2.13.0+cpu' -> (2, 13, 0), '1.24rc1' -> (1, 24): enough to compare release numbers."""
    parts = []
    for piece in v.split("+")[0].split("."):
        digits = re.findall(r"^\d*", piece)[0]
        if not digits:
            break  # "post1", "dev2": past the release number
        parts.append(int(digits))
        if len(digits) != len(piece):
            break  # "24rc1": the release number ends here
    return tuple(parts)


def rows() -> list[Row]:
    """One ``Row`` per required package, with the version found (or None)."""
    out = []
    for module, dist, minimum, needed_for in PACKAGES:
        found = None
        if importlib.util.find_spec(module) is not None:
            try:
                found = version(dist)
            except PackageNotFoundError:
                found = UNKNOWN
        out.append(Row(dist, minimum, found, needed_for))
    return out


def report(file=None) -> bool:
    """Print a table of Python and package versions with what to do; True if all is well."""
    file = file or sys.stdout
    python_ok = sys.version_info[:2] >= tuple(MIN_PYTHON)
    python = ".".join(map(str, sys.version_info[:3]))
    minimum = ".".join(map(str, MIN_PYTHON))
    advice = "ok" if python_ok else f"too old: the course needs Python {minimum} or newer; install a newer Python"
    lines = [f"{'Python':<14}{python:<14}{advice}"]
    table = rows()
    for r in table:
        lines.append(f"{r.package:<14}{r.found or '-':<14}{r.advice}  [{r.needed_for}]")
    all_ok = python_ok and all(r.ok for r in table)
    if all_ok:
        lines.append("Everything the course needs is here.")
    else:
        problems = ([] if python_ok else ["Python"]) + [r.package for r in table if not r.ok]
        lines.append(f"\nNeeds fixing: {', '.join(problems)} (see the lines above).")
        if not python_ok:
            lines.append(
                f"Python {minimum} or newer: from https://www.python.org/downloads/ or with conda "
                "(`conda env create -f environment.yml` brings its own Python)."
            )
        lines.append(HOW_TO_FIX)
    print("\n".join(lines), file=file)
    return all_ok


def main() -> int:
    return 0 if report() else 1


if __name__ == "__main__":
    raise SystemExit(main())
