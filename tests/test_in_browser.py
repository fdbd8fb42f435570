"""What cannot work in the browser version of the course (JupyterLite, Python on Pyodide) says so.

Pyodide reports ``sys.platform == "emscripten"``; these tests set that and check each degradation:
no BLAS thread limit, the environment check naming JupyterLite and PyTorch's absence without
calling it a failure, no subprocess, no download, no git. The real browser run is in
``tests/browser/test_lite.py``.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest

from gdcourse import check, course, data, threads


@pytest.fixture
def browser(monkeypatch):
    """Pretend to be Pyodide: the platform, and no PyTorch (Pyodide has none); nothing may start a process."""
    monkeypatch.setattr(sys, "platform", "emscripten")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real_find_spec(name, *a)
    )

    def no_process(*args, **kwargs):
        raise OSError("Pyodide cannot start processes")

    monkeypatch.setattr(subprocess, "run", no_process)


def test_no_blas_thread_limit_in_the_browser(browser, monkeypatch):
    for name in threads.USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert threads.limit_blas_threads() is None


def test_environment_check_names_jupyterlite_and_passes_without_pytorch(browser):
    out = io.StringIO()
    assert check.report(file=out) is True
    text = out.getvalue()
    assert text.splitlines()[0].startswith("Running in your browser: JupyterLite, Python ")
    torch_line = next(line for line in text.splitlines() if line.startswith("torch"))
    assert "not in the browser version (JupyterLite)" in torch_line and "Binder" in torch_line
    assert "Everything notebooks 00-06 need is here." in text
    assert "Needs fixing" not in text and "make setup" not in text


def test_environment_check_in_the_browser_still_reports_a_missing_package(browser, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in ("torch", "sklearn") else real_find_spec(name, *a)
    )
    out = io.StringIO()
    assert check.report(file=out) is False
    assert "Needs fixing: scikit-learn" in out.getvalue()
    assert "in the browser (JupyterLite)" in out.getvalue()


def test_pytorch_check_in_the_browser_starts_no_process_and_says_where_07_and_08_run(browser):
    out = io.StringIO()
    assert check.pytorch(file=out) is False
    assert out.getvalue().strip() == check.IN_BROWSER_PYTORCH
    for route in ("Binder", "Colab", "computer", "00-06"):
        assert route in out.getvalue()


def test_pytorch_check_on_the_desktop_imports_torch_in_another_process():
    out = io.StringIO()
    assert check.pytorch(file=out) is True  # the test environment has torch
    assert out.getvalue().startswith("PyTorch 2.")
    assert "imports fine: notebooks 07 and 08 will run." in out.getvalue()


def test_pytorch_check_reports_a_failed_import_with_its_last_line(monkeypatch):
    failed = subprocess.CompletedProcess([], 1, stdout="", stderr="Traceback ...\nImportError: libtorch.so: nope\n")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: failed)
    out = io.StringIO()
    assert check.pytorch(file=out) is False
    assert "PyTorch could not be imported: ImportError: libtorch.so: nope" in out.getvalue()
    assert "make setup" in out.getvalue()


def test_where_names_the_desktop_python():
    assert check.where().startswith(f"Running on your computer or a server: Python {sys.version_info.major}.")


def test_a_download_in_the_browser_fails_at_once_saying_what_to_do(browser, tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("urlopen must not be called in the browser")

    monkeypatch.setattr(data.urllib.request, "urlopen", no_network)
    target = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(OSError, match=r"browser version of the course \(JupyterLite\) cannot download") as error:
        data._download("https://example.org/t10k-labels-idx1-ubyte.gz", target, "0" * 64)
    assert "upload t10k-labels-idx1-ubyte.gz into the folder" in str(error.value)
    assert not target.parent.exists()  # nothing was created


def test_a_cached_file_is_still_used_in_the_browser(browser, tmp_path):
    target = tmp_path / "f.gz"
    target.write_bytes(b"course")
    assert data._download("https://example.org/f.gz", target, data._sha256(target)) == target


def test_fresh_copy_in_the_browser_says_what_to_do_and_leaves_the_notebook_alone(browser, tmp_path):
    notebook = tmp_path / "notebooks" / "02_linear_regression.ipynb"
    notebook.parent.mkdir()
    notebook.write_text('{"cells": []}')
    with pytest.raises(RuntimeError, match="has no git") as error:
        course.fresh_copy("02", folder=notebook.parent)
    assert course.REPOSITORY_URL in str(error.value) and course.RELEASE_TAG in str(error.value)
    assert notebook.read_text() == '{"cells": []}'
    assert sorted(p.name for p in notebook.parent.iterdir()) == [notebook.name]


def test_notebooks_are_found_in_the_current_folder_when_the_package_is_installed_alone(tmp_path, monkeypatch):
    """In JupyterLite the package sits in site-packages and each notebook runs in its own folder."""
    monkeypatch.setattr(course, "ROOT", tmp_path / "site-packages")
    drive = tmp_path / "drive" / "notebooks"
    drive.mkdir(parents=True)
    for name in ("00_start_here.ipynb", "01_gradient_descent.ipynb", "01_gradient_descent.fresh.ipynb"):
        (drive / name).write_text("{}")
    monkeypatch.chdir(drive)
    assert [p.name for p in course.notebooks()] == ["00_start_here.ipynb", "01_gradient_descent.ipynb"]
    assert course.find("01").name == "01_gradient_descent.ipynb"
    monkeypatch.chdir(drive.parent)  # the folder above notebooks/
    assert course.binder_link("01").endswith("lab/tree/notebooks/01_gradient_descent.ipynb")
    monkeypatch.chdir(tmp_path)  # no notebook files at all (Colab; JupyterLite without its files)
    assert [p.name for p in course.notebooks()] == list(course.PUBLISHED)
    assert course.colab_link("02").endswith("/blob/v1.0.0/notebooks/02_linear_regression.ipynb")


def test_the_published_list_is_the_notebooks_folder():
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    assert [p.name for p in course.notebooks(folder)] == list(course.PUBLISHED)
