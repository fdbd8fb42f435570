"""Course housekeeping: list the notebooks and get a pristine copy without losing your work.

``fresh_copy("02")`` (or ``python -m gdcourse.course fresh 02``) writes the published version of
notebook 02 *beside* yours, as ``02_....fresh.ipynb`` (``.fresh-2``, ... if that exists). Your
own notebook is never touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def notebooks(folder: Path | None = None) -> list[Path]:
    """The course notebooks in order (``NN_name.ipynb``), fresh copies excluded."""
    folder = Path(folder or ROOT / "notebooks")
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if ".fresh" not in p.name)


def find(name: str, folder: Path | None = None) -> Path:
    """The notebook whose file name starts with ``name`` ("02" or "02_linear_regression")."""
    matches = [p for p in notebooks(folder) if p.name.startswith(name)]
    if len(matches) != 1:
        names = ", ".join(p.stem for p in notebooks(folder))
        raise ValueError(f"{name!r} matches {len(matches)} notebooks; use a number such as '02'. Notebooks: {names}.")
    return matches[0]


def published_version(path: Path) -> bytes:
    """The notebook as committed (git HEAD), whatever its state on disk."""
    path = Path(path).resolve()
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=path.parent, capture_output=True, text=True, check=True
        ).stdout.strip()
        relative = path.relative_to(Path(top).resolve()).as_posix()
        return subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=top, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError, ValueError):
        raise RuntimeError(
            f"Could not read the published version of {path.name}: this folder is not a git clone of the "
            "course (or git is missing). Download the notebook again from the course repository instead."
        ) from None


def fresh_copy(name: str, folder: Path | None = None) -> Path:
    """Write a pristine copy of notebook ``name`` beside yours and return its path. Never overwrites."""
    original = find(name, folder)
    content = published_version(original)
    target = original.with_name(f"{original.stem}.fresh.ipynb")
    n = 2
    while target.exists():
        target = original.with_name(f"{original.stem}.fresh-{n}.ipynb")
        n += 1
    fd, tmp = tempfile.mkstemp(dir=original.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.replace(tmp, target)  # the copy appears whole or not at all
    return target


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "fresh":
        print(f"Wrote {fresh_copy(argv[1])}; your own notebook is unchanged.")
        return 0
    if argv == ["list"]:
        print("\n".join(p.name for p in notebooks()))
        return 0
    print("usage: python -m gdcourse.course fresh NN   (a pristine copy of notebook NN beside yours)\n"
          "       python -m gdcourse.course list")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
