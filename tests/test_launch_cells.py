"""The launch cells (tools/launch_cells.py): Colab links and the Colab-only install cell.

Colab itself cannot be reached from the tests. What is tested here instead: every notebook has
the cells, up to date; the install cell does nothing outside Colab and, with a fake
``google.colab`` module, runs exactly ``%pip install`` of the course at the release tag and turns
on Colab's widget manager; and that pip requirement installs the package from a git
repository at a tag (a local clone tagged like the release).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from gdcourse import course

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "launch_cells.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("launch_cells", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def launch_cell(path: Path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if tool.CELL_TAG in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} launch cells"
    return nb, cells[0]


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.stem[:2])
def test_every_notebook_has_its_colab_link_and_install_cell_first(path):
    nb, cell = launch_cell(path)
    assert nb.cells[0].source.startswith(f"# {path.stem[:2]} ·"), "the title stays first"
    links, code = nb.cells[1], nb.cells[2]
    assert tool.LINKS_TAG in links.metadata["tags"] and code is cell
    assert f"[in Google Colab]({course.colab_link(path.stem[:2])})" in links.source
    assert f"[on Binder]({course.binder_link(path.stem[:2])})" in links.source
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is cell, "the install cell must run before anything imports gdcourse"
    assert cell.outputs == [], "outside Colab the cell prints nothing"
    assert cell.id == f"launch-{path.stem[:2]}"


def test_the_committed_notebooks_are_up_to_date_with_the_tool():
    result = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tool_is_idempotent_and_keeps_everything_else(tmp_path):
    for path in course.notebooks():
        shutil.copy(path, tmp_path / path.name)
    copies = sorted(tmp_path.glob("*.ipynb"))
    nb = nbformat.read(copies[1], as_version=4)
    nb.cells = [c for c in nb.cells if c.metadata.get("tags", [])[:1] not in ([tool.LINKS_TAG], [tool.CELL_TAG])]
    without = len(nb.cells)
    nbformat.write(nb, copies[1])
    assert tool.apply(copies[1]) is True  # inserted again
    assert len(nbformat.read(copies[1], as_version=4).cells) == without + 2
    before = {p: p.read_bytes() for p in copies}
    assert not any(tool.apply(p) for p in copies)
    assert before == {p: p.read_bytes() for p in copies}


def test_notebook_00_checks_pytorch_through_the_package(tmp_path):
    nb = nbformat.read(course.find("00"), as_version=4)
    checks = [c for c in nb.cells if tool.PYTORCH_TAG in c.metadata.get("tags", [])]
    assert len(checks) == 1 and checks[0].source == tool.PYTORCH_CODE
    assert "nbval-ignore-output" in checks[0].metadata["tags"]  # the versions differ between machines
    assert not any("subprocess" in c.source for c in nb.cells if c.cell_type == "code")


class FakeShell:
    """Records the line magics the cell runs instead of running them."""

    def __init__(self):
        self.magics = []

    def run_line_magic(self, name, line):
        self.magics.append((name, line))


def run_launch_cell(monkeypatch, in_colab: bool):
    """Execute notebook 00's launch cell as IPython would; return the shell and the fake Colab module."""
    _, cell = launch_cell(course.find("00"))
    python = TransformerManager().transform_cell(cell.source)
    shell, calls = FakeShell(), []
    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: calls.append("widgets on"))
    if in_colab:
        google = types.ModuleType("google")
        google.colab = colab
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(python, "launch-cell", "exec"), {"get_ipython": lambda: shell})
    return shell, calls


def test_outside_colab_the_launch_cell_does_nothing(monkeypatch):
    shell, calls = run_launch_cell(monkeypatch, in_colab=False)
    assert shell.magics == [] and calls == []


def test_in_colab_the_launch_cell_installs_the_release_and_turns_on_widgets(monkeypatch):
    shell, calls = run_launch_cell(monkeypatch, in_colab=True)
    assert shell.magics == [("pip", f'install --quiet "gdcourse @ git+{course.REPOSITORY_URL}@{course.RELEASE_TAG}"')]
    assert calls == ["widgets on"]
    assert course.COLAB_INSTALL == f"gdcourse @ git+https://github.com/gdcourse/gdcourse@{course.RELEASE_TAG}"


def test_the_install_requirement_installs_the_course_from_a_git_tag(tmp_path):
    """The same requirement, with the repository swapped for a local clone tagged like the release."""
    pytest.importorskip("setuptools", reason="the offline build below uses this environment's setuptools")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "tag", course.RELEASE_TAG], check=True)
    requirement = course.COLAB_INSTALL.replace(course.REPOSITORY_URL, clone.as_uri())
    assert requirement == f"gdcourse @ git+{clone.as_uri()}@{course.RELEASE_TAG}"
    target = tmp_path / "site-packages"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--target", str(target), requirement],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (target / "gdcourse" / "course.py").is_file()
    assert (target / "gdcourse" / "exercises").is_dir()


def test_readme_has_a_colab_link_for_every_notebook_at_the_release():
    readme = (ROOT / "README.md").read_text()
    for path in course.notebooks():
        assert f"[open]({course.colab_link(path.stem[:2])})" in readme, f"no Colab link for {path.name}"
    assert course.launch_table() in readme, "the README's table is not `python -m gdcourse.course launch-table`"
