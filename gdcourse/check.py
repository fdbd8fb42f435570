"""Check that this Python has what the course needs, and say how to fix what is missing.

Run ``python -m gdcourse.check`` in a terminal, or ``gdcourse.check.report()`` in a notebook;
``pytorch()`` tests PyTorch's import in a separate process. Both know the browser version of the
course (JupyterLite, where Python is Pyodide): there PyTorch does not exist, notebooks 00-06 run
and 07-08 are read-only, and no other process can be started.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

__all__ = ["MIN_PYTHON", "PACKAGES", "report", "rows"]

MIN_PYTHON = (3, 11)

# In the browser: what the course's other routes are for notebooks 07 and 08.
IN_BROWSER_TORCH = "not in the browser version (JupyterLite); 07-08 run on Binder, Colab or your computer"
IN_BROWSER_PYTORCH = (
    "PyTorch does not exist in the browser version of the course (JupyterLite), and this kernel cannot start "
    "another process: notebooks 00-06 run here; notebooks 07 and 08 run on Binder, in Google Colab or on your "
    "computer (the README's 'Launch the course')."
)
TORCH_NOTEBOOKS = "notebooks 07-08 (PyTorch)"

# (import name, distribution name, minimum version, needed for)
PACKAGES = [
    ("numpy", "numpy", "1.24", "every notebook"),
    ("matplotlib", "matplotlib", "3.7", "every figure"),
    ("ipywidgets", "ipywidgets", "8.0", "the interactive explorers"),
    ("sklearn", "scikit-learn", "1.3", "the bundled data sets (notebooks 02-06)"),
    ("torch", "torch", "2.1", TORCH_NOTEBOOKS),
]
# What to do, for each way of installing the course (README, "Quick start").
HOW_TO_FIX = """\
To fix it, use the way you installed the course:
  - with make (the README's quick start): in the course folder, run `make setup`, then `make lab`;
  - with pip, in your own environment: in the course folder, run `pip install -e '.[lab]' -c constraints.txt`;
  - with conda: in the course folder, run `conda env update -f environment.yml`, then `pip install --no-deps -e .`;
  - on Binder or a JupyterHub: the environment comes with the course; tell your instructor what this check says;
  - in the browser (JupyterLite): the site brings every package; reload the page, and if this persists,
    tell whoever published the site what this check says.
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


def in_browser() -> bool:
    """True in the browser version of the course (JupyterLite: Python is Pyodide, on WebAssembly)."""
    return sys.platform == "emscripten"


def where() -> str:
    """A line naming the Python that runs this: its version, and Pyodide's in the browser."""
    python = ".".join(map(str, sys.version_info[:3]))
    if in_browser():
        try:
            import pyodide

            pyodide_version = f" {pyodide.__version__}"
        except ImportError:  # pragma: no cover (Pyodide always has it)
            pyodide_version = ""
        return f"Running in your browser: JupyterLite, Python {python} on Pyodide{pyodide_version} (WebAssembly)."
    return f"Running on your computer or a server: Python {python} at {sys.executable}."


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
    browser_torch = in_browser() and any(r.package == "torch" and r.found is None for r in table)
    for r in table:
        advice = IN_BROWSER_TORCH if browser_torch and r.package == "torch" else r.advice
        lines.append(f"{r.package:<14}{r.found or '-':<14}{advice}  [{r.needed_for}]")
    if browser_torch:
        table = [r for r in table if r.package != "torch"]
    all_ok = python_ok and all(r.ok for r in table)
    if all_ok and browser_torch:
        lines.append("Everything notebooks 00-06 need is here.")
    elif all_ok:
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
    if in_browser():
        lines.insert(0, where())
    print("\n".join(lines), file=file)
    return all_ok


def pytorch(file=None, timeout: float = 300) -> bool:
    """Import PyTorch in a separate Python process and say whether notebooks 07 and 08 will run.

    A separate process keeps this kernel small (importing torch takes a few hundred megabytes) and
    safe from a broken installation. In the browser there is no PyTorch and no other process: it
    says so, and where notebooks 07 and 08 run. Returns True if PyTorch imports.
    """
    file = file or sys.stdout
    if in_browser():
        print(IN_BROWSER_PYTORCH, file=file)
        return False
    result = subprocess.run(
        [sys.executable, "-c", "import torch; print(torch.__version__)"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode == 0:
        print(f"PyTorch {result.stdout.strip()} imports fine: notebooks 07 and 08 will run.", file=file)
        return True
    last_line = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
    print(f"PyTorch could not be imported: {last_line}", file=file)
    print("Notebooks 00-06 do not need it. For 07 and 08, run `make setup`", file=file)
    print("(or `pip install -e '.[lab]' -c constraints.txt`) and restart Jupyter.", file=file)
    return False


def main() -> int:
    return 0 if report() else 1


if __name__ == "__main__":
    raise SystemExit(main())
