"""The set-up files agree with each other, and importing the package stays light."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PIP_TO_CONDA = {"torch": "pytorch-cpu"}  # conda-forge's CPU-only PyTorch
CONDA_ONLY = {"python", "pip"}  # the interpreter and installer themselves
# Tools only CI and publishers need (building the Binder spec, driving a browser, building the
# JupyterLite site and the website, type checking); a learner's environment does not.
CI_ONLY = {
    "jupyter-repo2docker",
    "playwright",
    "jupyterlite-core",
    "jupyterlite-pyodide-kernel",
    "sphinx",
    "myst-nb",
    "sphinx-book-theme",
    "pydata-sphinx-theme",
    "mypy",
}


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~\[; ]", spec.strip(), maxsplit=1)[0].lower()


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"][0] == "conda-forge"
    pins = {}
    for dep in env["dependencies"]:
        name, _, version = dep.partition("=")
        pins[name.lower()] = version
    return pins


def pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += [s for s in extra if not s.startswith("gdcourse")]
    return {requirement_name(s) for s in specs}


def test_constraints_pin_every_package_pyproject_names():
    assert set(constraints()) == pyproject_names()


def test_environment_yml_names_the_same_packages_at_the_same_versions():
    conda = conda_pins()
    assert conda["python"] == "3.11"
    expected = {PIP_TO_CONDA.get(name, name): v for name, v in constraints().items() if name not in CI_ONLY}
    got = {name: version for name, version in conda.items() if name not in CONDA_ONLY}
    assert got == expected


def test_an_installed_torch_is_the_cpu_build():
    torch = pytest.importorskip("torch")
    assert torch.version.cuda is None, "a CUDA build of torch: install with -c constraints.txt (make setup)"


def test_the_declared_python_range_is_the_one_the_package_checks():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    from gdcourse import check

    assert project["requires-python"] == ">=" + ".".join(map(str, check.MIN_PYTHON))
    assert sys.version_info[:2] >= check.MIN_PYTHON  # these tests run on a supported Python


def test_import_gdcourse_does_not_import_torch_or_sklearn():
    code = (
        "import sys, gdcourse, gdcourse.optim, gdcourse.models, gdcourse.train, gdcourse.data, "
        "gdcourse.functions, gdcourse.plots, gdcourse.widgets, gdcourse.exercises, gdcourse.gradcheck; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'sklearn', 'scipy'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_licences_are_stated():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "MIT" in readme and "CC BY 4.0" in readme
