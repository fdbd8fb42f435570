"""The repository builds on mybinder.org as it is.

``repo2docker --no-build`` (what mybinder.org runs, minus the build) writes the Dockerfile it
would build, without a container engine: its dry run never connects to one (``build()`` only
asks for the engine when ``dry_run`` is false, and ``find_image()`` returns False for a dry run),
which this test makes sure of by pointing DOCKER_HOST at nothing. It runs on a copy of the
files git tracks, so stray local files cannot change which build pack it picks.

The environment must provide every module the notebooks import, directly or through gdcourse:
``IMPORT_PROVIDERS`` says which package of environment.yml provides each import name.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import stat
import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path

import nbformat
import pytest
import yaml

from gdcourse import course

ROOT = Path(__file__).resolve().parent.parent

# import name -> (conda-forge package in environment.yml, dependency through which it comes or None).
# A module that comes through a dependency is checked against the installed package's metadata.
IMPORT_PROVIDERS = {
    "numpy": ("numpy", None),
    "matplotlib": ("matplotlib", None),
    "mpl_toolkits": ("matplotlib", None),  # mplot3d ships inside matplotlib
    "ipywidgets": ("ipywidgets", None),
    "sklearn": ("scikit-learn", None),
    "torch": ("pytorch-cpu", None),
    "IPython": ("ipykernel", "ipython"),
    "threadpoolctl": ("scikit-learn", "threadpoolctl"),
    "nbformat": ("nbconvert", "nbformat"),
    "nbclient": ("nbconvert", "nbclient"),
}
CONDA_TO_PIP = {"pytorch-cpu": "torch"}
# Modules that a platform brings and only code running there imports: not environment.yml's to provide.
PLATFORM_MODULES = {
    "google": "Google Colab's (the notebooks' launch cell imports google.colab only in Colab)",
    "pyodide": "Pyodide's (gdcourse.check imports it only in the browser version)",
}


def environment_packages(path: Path = ROOT / "environment.yml") -> set[str]:
    deps = yaml.safe_load(path.read_text())["dependencies"]
    return {re.split(r"[=<>! ]", d, maxsplit=1)[0].lower() for d in deps if isinstance(d, str)}


def top_level_imports(source: str) -> set[str]:
    """Top-level names of the absolute imports in Python (or IPython cell) source."""
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))  # %magics -> plain Python
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party(names: set[str]) -> set[str]:
    own = ("gdcourse", "__future__", *PLATFORM_MODULES)
    return {n for n in names if n not in sys.stdlib_module_names and n not in own}


def notebook_imports(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    return third_party(set().union(*(top_level_imports(c.source) for c in nb.cells if c.cell_type == "code")))


def package_imports(folder: Path = ROOT / "gdcourse") -> set[str]:
    return third_party(set().union(*(top_level_imports(p.read_text()) for p in folder.rglob("*.py"))))


def unprovided_imports(sources: dict[str, set[str]], packages: set[str]) -> dict[str, list[str]]:
    """{module: [where it is imported]} for every import no package in ``packages`` provides."""
    missing: dict[str, list[str]] = {}
    for where, names in sources.items():
        for name in sorted(names):
            provider = IMPORT_PROVIDERS.get(name, (name.lower(), None))[0]
            if provider not in packages:
                missing.setdefault(name, []).append(where)
    return missing


def course_imports() -> dict[str, set[str]]:
    found = {p.name: notebook_imports(p) for p in course.notebooks()}
    found["gdcourse/"] = package_imports()
    return found


# --- the import check -------------------------------------------------------------------------


def test_every_import_of_the_notebooks_and_of_gdcourse_is_provided_by_environment_yml():
    imports = course_imports()
    assert imports["gdcourse/"] >= {"numpy", "matplotlib"}  # the scan sees something
    missing = unprovided_imports(imports, environment_packages())
    assert not missing, (
        f"imported but not provided by environment.yml: {missing}. Add the package to environment.yml "
        "(and constraints.txt), or, if an environment.yml package provides it, to IMPORT_PROVIDERS."
    )


def test_modules_that_come_through_a_dependency_really_are_its_dependencies():
    for name, (provider, via) in IMPORT_PROVIDERS.items():
        if via:
            requirements = [r for r in requires(CONDA_TO_PIP.get(provider, provider)) or [] if "extra ==" not in r]
            needed = {re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0].lower() for r in requirements}
            assert via in needed, f"{name}: {provider} does not depend on {via}"


def test_the_check_fails_for_a_notebook_importing_what_the_environment_lacks(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("import pandas  (markdown is not code)"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np, os\nfrom sklearn import datasets"),
        nbformat.v4.new_code_cell("import scipy.stats\nfrom polars import DataFrame\nfrom gdcourse import optim"),
        nbformat.v4.new_code_cell("!pip list\ndef f():\n    import seaborn as sns\n    return sns"),
        nbformat.v4.new_code_cell("from . import sibling  # relative: not a package"),
    ]
    path = tmp_path / "99_synthetic.ipynb"
    nbformat.write(nb, path)
    assert notebook_imports(path) == {"numpy", "sklearn", "scipy", "polars", "seaborn"}
    missing = unprovided_imports({path.name: notebook_imports(path)}, environment_packages())
    assert missing == {"scipy": [path.name], "polars": [path.name], "seaborn": [path.name]}


# --- repo2docker ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory) -> Path:
    """The files git tracks, as they are in the working tree (so a change is tested before it
    is committed), without untracked or ignored files."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git clone")
    target = tmp_path_factory.mktemp("binder") / "gdcourse"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def dry_run(clean_copy) -> subprocess.CompletedProcess:
    pytest.importorskip("repo2docker", reason="jupyter-repo2docker is a CI tool, installed by make setup (Python 3.11)")
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", CONTAINER_HOST="unix:///nonexistent")
    # mybinder.org builds as jovyan, uid 1000
    command = [
        sys.executable,
        "-m",
        "repo2docker",
        "--no-build",
        "--debug",
        "--user-name",
        "jovyan",
        "--user-id",
        "1000",
    ]
    done = subprocess.run([*command, str(clean_copy)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def test_repo2docker_picks_the_conda_build_pack_and_environment_yml(dry_run):
    dockerfile = dry_run.stdout
    assert "Building conda environment for python=3.11" in dry_run.stderr
    assert "COPY --chown=1000:1000 src/environment.yml ${REPO_DIR}/environment.yml" in dockerfile
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in dockerfile
    assert "requirements.txt" not in dockerfile and "install.R" not in dockerfile


def test_repo2docker_runs_postbuild_after_copying_the_repository(dry_run):
    dockerfile = dry_run.stdout
    copy = dockerfile.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")  # all of it, .git too: fresh copies work
    assert dockerfile.index("RUN chmod +x postBuild") > copy
    assert dockerfile.index("RUN ./postBuild") > copy


def test_no_other_configuration_overrides_environment_yml(clean_copy):
    # repo2docker prefers binder/ or .binder/, a Dockerfile replaces everything, and an ignore file
    # could drop .git from the image (gdcourse.course.fresh_copy reads the published notebook from git)
    names = ("binder", ".binder", "Dockerfile", "requirements.txt", "Project.toml", "install.R", "apt.txt")
    for name in (*names, ".dockerignore", ".containerignore"):
        assert not (clean_copy / name).exists(), name


def test_postbuild_installs_gdcourse_from_the_repository(clean_copy, tmp_path):
    """Run postBuild with a stand-in ``python`` that records its arguments instead of installing."""
    postbuild = clean_copy / "postBuild"
    assert postbuild.read_text().startswith("#!/usr/bin/env bash")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "calls.txt"
    fake = bin_dir / "python"
    fake.write_text(f'#!/bin/sh\necho "$PWD|$*" >> {record}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(["bash", str(postbuild)], cwd=clean_copy, env=env, check=True, timeout=60)
    assert record.read_text().splitlines() == [f"{clean_copy}|-m pip install --no-deps --editable ."]
    name = re.search(r'^name = "(.+)"', (clean_copy / "pyproject.toml").read_text(), re.M).group(1)
    assert name == "gdcourse"


def test_the_environment_is_cpu_only_pytorch_from_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]
    packages = environment_packages()
    assert "pytorch-cpu" in packages
    assert not packages & {"pytorch", "pytorch-gpu", "cudatoolkit", "cuda-version"}
    assert {"jupyterlab", "nbgitpuller", "ipykernel"} <= packages  # Binder opens Lab; hubs pull with nbgitpuller
