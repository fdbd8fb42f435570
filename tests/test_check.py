"""The environment check tells a learner, in plain words, what is missing or too old and what to do.

A missing or old package is simulated by replacing ``importlib.util.find_spec`` (is it
importable?) and ``importlib.metadata.version`` (which version?) as ``gdcourse.check`` sees them.
"""

from __future__ import annotations

import io
import subprocess
import sys
from importlib.metadata import PackageNotFoundError

import pytest

from gdcourse import check

REAL_FIND_SPEC = check.importlib.util.find_spec
REAL_VERSION = check.version


LISTED = {module: (dist, minimum) for module, dist, minimum, _ in check.PACKAGES}


def simulate(monkeypatch, missing=(), versions=None, unversioned=()):
    """A complete environment, except: import names in ``missing`` are not installed;
    distributions in ``versions`` have that version; those in ``unversioned`` import but carry no
    version metadata. A listed package this machine lacks (torch, on a Python without its wheel)
    is simulated at its minimum version, so the tests do not depend on what is installed here."""
    versions = versions or {}
    minimum = {dist: low for dist, low in LISTED.values()}

    def find_spec(name, *args, **kwargs):
        if name in missing:
            return None
        return REAL_FIND_SPEC(name, *args, **kwargs) or (object() if name in LISTED else None)

    def version(dist):
        if dist in unversioned:
            raise PackageNotFoundError(dist)
        if dist in versions:
            return versions[dist]
        try:
            return REAL_VERSION(dist)
        except PackageNotFoundError:
            if dist in minimum:
                return minimum[dist]
            raise

    monkeypatch.setattr(check.importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(check, "version", version)


def run_report() -> tuple[bool, str]:
    out = io.StringIO()
    ok = check.report(file=out)
    return ok, out.getvalue()


def line_for(text: str, package: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(package))


def test_this_environment_passes_with_every_package_listed():
    pytest.importorskip("torch", reason="without torch the check rightly reports it missing (notebooks 07-08)")
    ok, text = run_report()
    assert ok, text
    assert text.rstrip().endswith("Everything the course needs is here.")
    for _, dist, _, _ in check.PACKAGES:
        assert line_for(text, dist).split()[2] == "ok"


def test_a_missing_package_is_named_with_what_it_is_for_and_how_to_install_it(monkeypatch):
    simulate(monkeypatch, missing={"sklearn"})
    ok, text = run_report()
    assert not ok
    line = line_for(text, "scikit-learn")
    assert "missing: not installed (need 1.3 or newer)" in line
    assert "notebooks 02-06" in line  # what it is needed for
    assert "Needs fixing: scikit-learn" in text
    for fix in ("make setup", "pip install -e '.[lab]' -c constraints.txt", "conda env update -f environment.yml"):
        assert fix in text
    assert "restart the kernel" in text
    assert "Everything the course needs is here." not in text
    assert line_for(text, "numpy").split()[2] == "ok"  # the rest is still reported as fine


def test_a_too_old_package_says_which_version_is_installed_and_which_is_needed(monkeypatch):
    simulate(monkeypatch, versions={"torch": "2.0.1+cpu", "matplotlib": "3.6.3"})
    ok, text = run_report()
    assert not ok
    assert "too old: 2.0.1+cpu is installed, the course needs 2.1 or newer" in line_for(text, "torch")
    assert "too old: 3.6.3 is installed, the course needs 3.7 or newer" in line_for(text, "matplotlib")
    assert "Needs fixing: matplotlib, torch" in text


def test_new_enough_versions_pass_whatever_their_suffix(monkeypatch):
    simulate(monkeypatch, versions={"torch": "2.1.0.dev20231001+cu121", "numpy": "1.24rc1", "scikit-learn": "10.0"})
    assert run_report()[0]


def test_a_package_without_version_metadata_is_accepted_and_says_so(monkeypatch):
    simulate(monkeypatch, unversioned={"ipywidgets"})
    ok, text = run_report()
    assert ok
    assert "version could not be read" in line_for(text, "ipywidgets")


def test_an_old_python_is_reported_with_where_to_get_a_new_one(monkeypatch):
    monkeypatch.setattr(check, "MIN_PYTHON", (sys.version_info[0], sys.version_info[1] + 1))
    ok, text = run_report()
    assert not ok
    assert "too old: the course needs Python" in line_for(text, "Python")
    assert "python.org" in text and "Needs fixing: Python" in text


@pytest.mark.parametrize(
    ("version", "expected"),
    [("2.13.0+cpu", (2, 13, 0)), ("1.24rc1", (1, 24)), ("8.1.9", (8, 1, 9)), ("3.11.2.post1", (3, 11, 2)), ("x", ())],
)
def test_version_strings_compare_by_release_number(version, expected):
    assert check.as_tuple(version) == expected


def test_command_line_exit_status():
    done = subprocess.run([sys.executable, "-m", "gdcourse.check"], capture_output=True, text=True)
    complete = all(REAL_FIND_SPEC(module) is not None for module in LISTED)
    assert done.returncode == (0 if complete else 1)
    assert ("Everything the course needs is here." in done.stdout) == complete
