"""Course housekeeping: list the notebooks, get a pristine copy without losing your work, and
make the links that open the course on Binder or on a JupyterHub.

``fresh_copy("02")`` (or ``python -m gdcourse.course fresh 02``) writes the published version of
notebook 02 *beside* yours, as ``02_....fresh.ipynb`` (``.fresh-2``, ... if that exists). Your
own notebook is never touched.

``binder_link("02")`` and ``hub_link("https://hub.example.org", "02")`` build launch links from
the constants below, the one place that says where the course is published; the README's links
are checked against them by ``tests/test_course.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

__all__ = ["binder_link", "find", "fresh_copy", "hub_link", "launch_table", "notebooks", "published_version", "title"]

ROOT = Path(__file__).resolve().parent.parent

# Where the course is published. README links, the link generators and the tests read these.
REPOSITORY = "gdcourse/gdcourse"  # on GitHub
REPOSITORY_URL = f"https://github.com/{REPOSITORY}"
RELEASE_TAG = "v1.0.0"  # Binder links point at this tag, so they never change under a learner
BINDER = "https://mybinder.org"
COLAB = "https://colab.research.google.com"
# What the first cell of each notebook installs when it runs in Google Colab: the course at its release.
COLAB_INSTALL = f"gdcourse @ git+{REPOSITORY_URL}@{RELEASE_TAG}"
# nbgitpuller needs a *branch*: it clones a tag once, but every later click fails with
# "git diff ..origin/v1.0.0: unknown revision" (nbgitpuller 1.3.0; tests/test_course.py shows it).
HUB_BRANCH = "main"
HUB_FOLDER = REPOSITORY.rsplit("/", 1)[1]  # the folder nbgitpuller clones into, in each learner's home


# The published notebooks, for where the package runs without them on disk: Colab, or a browser
# that gives JupyterLite no access to its files (plain http from another machine: no service
# worker). tests/test_course.py keeps this equal to the notebooks/ folder.
PUBLISHED = (
    "00_start_here.ipynb",
    "01_gradient_descent.ipynb",
    "02_linear_regression.ipynb",
    "03_logistic_regression.ipynb",
    "04_neural_network.ipynb",
    "05_optimizers.ipynb",
    "06_optimizer_comparison.ipynb",
    "07_pytorch.ipynb",
    "08_learning_rate_schedules.ipynb",
)


def notebooks(folder: Path | None = None) -> list[Path]:
    """The course notebooks in order (``NN_name.ipynb``), fresh copies excluded.

    By default from the course's ``notebooks/`` folder beside the package (a clone: ``make``,
    Binder, a hub); where the package is installed on its own, as in the browser version
    (JupyterLite), from the current folder or its ``notebooks/`` (a notebook runs in its folder);
    failing those, the names in ``PUBLISHED`` (paths that may not exist here, good for links).
    """
    if folder is not None:
        return _course_notebooks(Path(folder))
    for candidate in (ROOT / "notebooks", Path.cwd(), Path.cwd() / "notebooks"):
        found = _course_notebooks(candidate)
        if found:
            return found
    return [Path(name) for name in PUBLISHED]


def _course_notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if ".fresh" not in p.name)


def find(name: str, folder: Path | None = None) -> Path:
    """The notebook whose file name starts with ``name`` ("02" or "02_linear_regression")."""
    matches = [p for p in notebooks(folder) if p.name.startswith(name)]
    if len(matches) != 1:
        names = ", ".join(p.stem for p in notebooks(folder))
        raise ValueError(f"{name!r} matches {len(matches)} notebooks; use a number such as '02'. Notebooks: {names}.")
    return matches[0]


def _git(args: list[str], cwd: Path | str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def published_commit(top: Path | str) -> str:
    """The newest commit of the course in your checkout, without commits of your own.

    In a fresh clone (yours, or Binder's at the release tag) that is HEAD. If your branch has
    commits of its own on top of the course's branch (``@{upstream}``), it is the commit where the
    two part: on a JupyterHub, nbgitpuller commits your edits ("Automatic commit by nbgitpuller")
    and merges the course's new commits into them, and you may have committed work yourself.
    """
    try:
        return _git(["merge-base", "HEAD", "@{upstream}"], top)
    except subprocess.CalledProcessError:  # no upstream (a detached tag, a clone without a remote)
        return _git(["rev-parse", "HEAD"], top)


def published_version(path: Path) -> bytes:
    """The notebook as published (see ``published_commit``), whatever its state on disk."""
    path = Path(path).resolve()
    if sys.platform == "emscripten":  # Pyodide: no git, no other process
        raise RuntimeError(
            f"The browser version of the course (JupyterLite) has no git, so it cannot read the published "
            f"{path.name}. Your notebook stays as it is; download the published one from {REPOSITORY_URL} "
            f"(notebooks/{path.name} at tag {RELEASE_TAG}) and upload it (File Browser, Upload)."
        )
    try:
        top = _git(["rev-parse", "--show-toplevel"], path.parent)
        relative = path.relative_to(Path(top).resolve()).as_posix()
        commit = published_commit(top)
        return subprocess.run(["git", "show", f"{commit}:{relative}"], cwd=top, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError, ValueError):
        raise RuntimeError(
            f"Could not read the published version of {path.name}: this folder is not a git clone of the "
            f"course (or git is missing). Download the notebook again from {REPOSITORY_URL} instead "
            f"(notebooks/{path.name} at tag {RELEASE_TAG})."
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


def _notebook_path(notebook: str | None) -> str:
    """``notebooks/NN_name.ipynb`` for ``notebook`` ("02"), or ``notebooks`` for the whole course."""
    if notebook is None:
        return "notebooks"
    return f"notebooks/{find(notebook).name}"


def binder_link(notebook: str | None = None, ref: str = RELEASE_TAG) -> str:
    """The mybinder.org link that builds the course at ``ref`` and opens ``notebook`` in JupyterLab.

    >>> binder_link("00")
    'https://mybinder.org/v2/gh/gdcourse/gdcourse/v1.0.0?urlpath=lab/tree/notebooks/00_start_here.ipynb'
    """
    return f"{BINDER}/v2/gh/{REPOSITORY}/{ref}?urlpath=lab/tree/{_notebook_path(notebook)}"


def colab_link(notebook: str, ref: str = RELEASE_TAG) -> str:
    """The Google Colab link that opens ``notebook`` as published at ``ref`` (its first cell then
    installs ``gdcourse`` at the same release, see ``COLAB_INSTALL``).

    >>> colab_link("00")
    'https://colab.research.google.com/github/gdcourse/gdcourse/blob/v1.0.0/notebooks/00_start_here.ipynb'
    """
    return f"{COLAB}/github/{REPOSITORY}/blob/{ref}/{_notebook_path(notebook)}"


def hub_link(hub_url: str, notebook: str | None = None, branch: str = HUB_BRANCH) -> str:
    """An nbgitpuller link: each learner who opens it gets the course in ``~/gdcourse`` on their
    own server on the hub ``hub_url``, then ``notebook`` (or the notebook folder) in JupyterLab.

    The first click clones the course; later clicks merge the course's new commits into the
    learner's copy and keep the learner's edits: where both changed the same lines the learner's
    version wins (so a change next to theirs does not arrive; ``fresh_copy`` shows it), and a
    file they deleted comes back. The hub needs nbgitpuller installed (it is in
    ``environment.yml``); docs/jupyterhub.md has the details.

    >>> hub_link("https://hub.example.org", "02")
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https://github.com/gdcourse/gdcourse&branch=main&urlpath=lab/tree/gdcourse/notebooks/02_linear_regression.ipynb'
    """
    parts = urlsplit(hub_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"hub_url must be the hub's address, such as https://hub.example.org; got {hub_url!r}.")
    if not branch or re.fullmatch(r"v?\d+(\.\d+)+", branch):
        raise ValueError(
            f"branch={branch!r}: give nbgitpuller a branch, not a release tag. It clones a tag once, then "
            "fails on every later click. To freeze the course for a workshop, push a branch made from the "
            f"tag (git push origin {RELEASE_TAG}:refs/heads/workshop) and use branch='workshop'."
        )
    base = hub_url.strip().rstrip("/").removesuffix("/hub")
    query = urlencode(
        {"repo": REPOSITORY_URL, "branch": branch, "urlpath": f"lab/tree/{HUB_FOLDER}/{_notebook_path(notebook)}"},
        safe="/:",
        quote_via=quote,
    )
    return f"{base}/hub/user-redirect/git-pull?{query}"


def title(path: Path) -> str:
    """The notebook's title, from the heading of its first cell ("02 · Linear regression")."""
    first = json.loads(Path(path).read_text(encoding="utf-8"))["cells"][0]["source"]
    heading = ("".join(first) if isinstance(first, list) else first).splitlines()[0]
    return heading.lstrip("#").strip() if heading.startswith("#") else Path(path).stem


def launch_table() -> str:
    """The README's table of launch links (Binder and Colab), one row per notebook present."""
    rows = ["| notebook | on Binder | in Google Colab |", "|---|---|---|"]
    for path in notebooks():
        number = path.stem[:2]
        rows.append(f"| {title(path)} | [launch]({binder_link(number)}) | [open]({colab_link(number)}) |")
    return "\n".join(rows)


USAGE = """usage: python -m gdcourse.course COMMAND

  fresh NN                     a pristine copy of notebook NN beside yours (yours is not touched)
  list                         the notebooks, in order
  binder-link [NN]             the Binder link for notebook NN (or the whole course), at tag {tag}
  hub-link HUB_URL [NN] [--branch BRANCH]
                               the nbgitpuller link for your JupyterHub (default branch: {branch})
  hub-links HUB_URL [--branch BRANCH]
                               a Markdown table of hub links, one per notebook, for your learners
  launch-table                 the README's table of Binder and Colab links"""


def _branch(args: list[str]) -> tuple[list[str], str]:
    if "--branch" in args:
        i = args.index("--branch")
        return args[:i] + args[i + 2 :], args[i + 1]
    return args, HUB_BRANCH


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "fresh" and len(args) == 1:
            print(f"Wrote {fresh_copy(args[0])}; your own notebook is unchanged.")
        elif command == "list" and not args:
            print("\n".join(p.name for p in notebooks()))
        elif command == "binder-link" and len(args) <= 1:
            print(binder_link(*args))
        elif command == "hub-link" and len(_branch(args)[0]) in (1, 2):
            args, branch = _branch(args)
            print(hub_link(args[0], args[1] if len(args) > 1 else None, branch=branch))
        elif command == "hub-links" and len(_branch(args)[0]) == 1:
            args, branch = _branch(args)
            print("| notebook | open on the hub |\n|---|---|")
            for path in notebooks():
                print(f"| {path.stem} | [open]({hub_link(args[0], path.stem[:2], branch=branch)}) |")
        elif command == "launch-table" and not args:
            print(launch_table())
        else:
            print(USAGE.format(tag=RELEASE_TAG, branch=HUB_BRANCH))
            return 2
    except (ValueError, RuntimeError, IndexError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
