"""Check that this Python has what the course needs, and say how to fix what is missing.

Run ``python -m gdcourse.check`` in a terminal, or ``gdcourse.check.report()`` in a notebook.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

MIN_PYTHON = (3, 10)

# (import name, distribution name, minimum version, needed for)
PACKAGES = [
    ("numpy", "numpy", "1.24", "every notebook"),
    ("matplotlib", "matplotlib", "3.7", "every figure"),
    ("ipywidgets", "ipywidgets", "8.0", "the interactive explorers"),
    ("sklearn", "scikit-learn", "1.3", "the bundled data sets (notebooks 02-06)"),
    ("torch", "torch", "2.1", "notebooks 07-08 (PyTorch)"),
]
INSTALL = "run `make setup` in the course folder (or `pip install -e '.[lab]' -c constraints.txt`)"


@dataclass
class Row:
    """One line of the report."""

    package: str
    required: str
    found: str | None
    needed_for: str

    @property
    def ok(self) -> bool:
        return self.found is not None and as_tuple(self.found) >= as_tuple(self.required)

    @property
    def advice(self) -> str:
        if self.ok:
            return "ok"
        if self.found is None:
            return f"missing: {INSTALL}"
        return f"too old (need {self.required} or newer): {INSTALL}"


def as_tuple(v: str) -> tuple[int, ...]:
    """'2.13.0+cpu' -> (2, 13, 0): enough to compare release numbers."""
    parts = []
    for piece in v.split("+")[0].split("."):
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
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
                found = "unknown"
        out.append(Row(dist, minimum, found, needed_for))
    return out


def report(file=None) -> bool:
    """Print a table of Python and package versions with what to do; True if all is well."""
    file = file or sys.stdout
    python_ok = sys.version_info[:2] >= MIN_PYTHON
    python = ".".join(map(str, sys.version_info[:3]))
    lines = [f"{'Python':<14}{python:<14}{'ok' if python_ok else 'too old: install Python 3.10 or newer'}"]
    table = rows()
    for r in table:
        lines.append(f"{r.package:<14}{r.found or '-':<14}{r.advice}  [{r.needed_for}]")
    all_ok = python_ok and all(r.ok for r in table)
    lines.append("Everything the course needs is here." if all_ok else "Fix the lines above, then restart the kernel.")
    print("\n".join(lines), file=file)
    return all_ok


def main() -> int:
    return 0 if report() else 1


if __name__ == "__main__":
    raise SystemExit(main())
