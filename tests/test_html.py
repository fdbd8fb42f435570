"""The website and JupyterLite builds (``make html``, ``make lite``): the parts testable without
building. The built sites are tested in a browser by tests/browser/test_site.py and test_lite.py
(``make test-lite``)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

from gdcourse import course

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


site = load(ROOT / "tools" / "build_site.py", "build_site")
lite = load(ROOT / "tools" / "build_lite.py", "build_lite")
conf = load(ROOT / "docs" / "site" / "conf.py", "gdcourse_site_conf")


def makefile_rule(target: str) -> str:
    return re.search(rf"^{target}:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(0)


def test_make_html_builds_the_website_after_jupyterlite_into_site_which_git_ignores():
    assert makefile_rule("html").startswith("html: lite")
    assert "tools/build_site.py site" in makefile_rule("html")
    assert "tools/build_lite.py build/lite" in makefile_rule("lite")
    assert makefile_rule("lite").startswith("lite: site-setup")
    assert "/site/" in (ROOT / ".gitignore").read_text().splitlines()  # the built site, not docs/site
    assert not (ROOT / "tools" / "build_html.py").exists()  # replaced by build_site.py


def test_make_serve_serves_the_built_site_to_the_room():
    rule = makefile_rule("serve")
    assert "http.server --directory site --bind 0.0.0.0 $(PORT)" in rule
    assert "make html first" in rule


def test_guide_links_to_repository_files_go_to_the_release_on_github():
    text = "[README](../README.md#launch) [guide](jupyterhub.md) [02](../notebooks/02_linear_regression.ipynb)"
    base = f"{course.REPOSITORY_URL}/blob/{course.RELEASE_TAG}/"
    assert site.repository_links(text) == (
        f"[README]({base}README.md#launch) [guide](jupyterhub.md) [02](../notebooks/02_linear_regression.ipynb)"
    )


def test_staged_sources_hold_every_notebook_the_guides_and_mathjax(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "mathjax", lambda: _fake_mathjax(tmp_path))
    src = tmp_path / "src"
    site.stage(src)
    assert sorted(p.name for p in (src / "notebooks").iterdir()) == [p.name for p in course.notebooks()]
    assert (src / "index.md").read_text() == (ROOT / "docs" / "site" / "index.md").read_text()
    assert sorted(p.name for p in (src / "docs").iterdir()) == ["instructor-guide.md", "jupyterhub.md"]
    assert "](../README.md" not in (src / "docs" / "jupyterhub.md").read_text()
    assert (src / "_static" / "mathjax" / "tex-svg-full.js").is_file()


def _fake_mathjax(tmp_path: Path) -> Path:
    path = tmp_path / "tex-svg-full.js"
    path.write_text("/* MathJax */")
    return path


def test_the_site_loads_mathjax_from_itself():
    assert conf.mathjax_path == "mathjax/tex-svg-full.js"  # relative: the site's _static, no CDN
    assert site.MATHJAX_FILE == "es5/tex-svg-full.js" and site.MATHJAX_INTEGRITY.startswith("sha512-")


class FakeContext(dict):
    def __init__(self, depth: int):
        super().__init__(header_buttons=[], pathto=lambda target, resource=0: "../" * depth + target)


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.stem[:2])
def test_every_notebook_page_gets_launch_buttons(path, monkeypatch):
    monkeypatch.setattr(conf, "HUB_URL", "")
    context = FakeContext(depth=1)
    conf.launch_buttons(None, f"notebooks/{path.stem}", "page.html", context, None)
    [group] = context["header_buttons"]
    urls = {b["text"]: b["url"] for b in group["buttons"]}
    number = path.stem[:2]
    assert urls == {
        "JupyterLite": f"../lite/lab/index.html?path=notebooks/{path.name}",
        "Binder": course.binder_link(number),
        "Colab": course.colab_link(number),
        "JupyterHub": "../docs/jupyterhub",
    }


def test_the_hub_button_is_the_nbgitpuller_link_when_the_hub_is_known(monkeypatch):
    monkeypatch.setattr(conf, "HUB_URL", "https://hub.example.org")
    context = FakeContext(depth=1)
    conf.launch_buttons(None, "notebooks/02_linear_regression", "page.html", context, None)
    hub = next(b["url"] for b in context["header_buttons"][0]["buttons"] if b["text"] == "JupyterHub")
    assert hub == course.hub_link("https://hub.example.org", "02")


def test_pages_that_are_not_notebooks_get_no_launch_buttons():
    context = FakeContext(depth=0)
    conf.launch_buttons(None, "index", "page.html", context, None)
    conf.launch_buttons(None, "docs/instructor-guide", "page.html", context, None)
    assert context["header_buttons"] == []


# --- the JupyterLite build's pieces --------------------------------------------------------------

LOCK = {
    "info": {"version": lite.PYODIDE_VERSION, "python": "3.12.7"},
    "packages": {
        "numpy": {"depends": [], "file_name": "numpy.whl"},
        "matplotlib": {"depends": ["numpy", "python-dateutil"], "file_name": "mpl.whl"},
        "python-dateutil": {"depends": ["six"], "file_name": "du.whl"},
        "six": {"depends": [], "file_name": "six.whl"},
        "pandas": {"depends": ["numpy"], "file_name": "pandas.whl"},
    },
}


def test_closure_takes_what_the_roots_need_and_nothing_else():
    assert lite.closure(LOCK["packages"], ["matplotlib"]) == ["matplotlib", "numpy", "python-dateutil", "six"]
    with pytest.raises(lite.BuildError, match="torch is not in Pyodide"):
        lite.closure(LOCK["packages"], ["torch"])


def wheel(folder: Path, name: str, version: str, requires: list[str], top: str) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
        whl.writestr(f"{name}-{version}.dist-info/METADATA", meta)
        whl.writestr(f"{top}/__init__.py", "")
    return path


def test_lock_entries_of_our_wheels_name_their_imports_dependencies_and_sha256(tmp_path):
    path = wheel(
        tmp_path,
        "ipywidgets",
        "8.1.7",
        ["comm>=0.1.3", "six", "widgetsnbextension~=4.0.14", "jupyterlab_widgets~=3.0.15", "pytest; extra == 'test'"],
        "ipywidgets",
    )
    entry = lite.lock_entry(path, {"comm", "six"})
    assert entry["name"] == "ipywidgets" and entry["version"] == "8.1.7" and entry["imports"] == ["ipywidgets"]
    assert entry["depends"] == ["comm", "six"]  # the front-end-only packages and extras left out
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(lite.BuildError, match="needs comm, which the site's Pyodide does not have"):
        lite.lock_entry(path, {"six"})


def test_a_wheel_that_does_not_match_the_official_lock_fails_the_build(tmp_path, monkeypatch):
    core, wheels = tmp_path / "core", tmp_path / "wheels"
    core.mkdir()
    wheels.mkdir()
    for name in lite.CORE_FILES:
        (core / name).write_text("x")
    packages = {}
    for name in lite.ROOTS:
        data = f"wheel of {name}".encode()
        (wheels / f"{name}.whl").write_bytes(data)
        packages[name] = {"depends": [], "file_name": f"{name}.whl", "sha256": hashlib.sha256(data).hexdigest()}
    lock = {"info": {"version": lite.PYODIDE_VERSION}, "packages": packages}
    (core / "pyodide-lock.json").write_text(json.dumps(lock))
    monkeypatch.setattr(lite, "npm_core", lambda: core)
    monkeypatch.setattr(lite, "carried_wheels", lambda: wheels)
    monkeypatch.delenv("PYODIDE_DIST", raising=False)
    assert lite.verified_pyodide(tmp_path / "ok") == lock  # every file matches
    (wheels / "numpy.whl").write_bytes(b"tampered")
    with pytest.raises(lite.BuildError, match=r"numpy.whl: sha256 [0-9a-f]{64}, the official lock says"):
        lite.verified_pyodide(tmp_path / "bad")
    (wheels / "numpy.whl").unlink()
    with pytest.raises(lite.BuildError, match="numpy.whl: missing"):
        lite.verified_pyodide(tmp_path / "bad")


def test_an_official_distribution_is_used_when_pyodide_dist_is_set(tmp_path, monkeypatch):
    dist = tmp_path / "pyodide"
    dist.mkdir()
    (dist / "pyodide-lock.json").write_text(json.dumps({"info": {"version": "0.26.0"}, "packages": {}}))
    monkeypatch.setenv("PYODIDE_DIST", str(dist))
    monkeypatch.setattr(lite, "npm_core", lambda: pytest.fail("npm must not be used"))
    with pytest.raises(lite.BuildError, match=f"is Pyodide 0.26.0; this build needs {lite.PYODIDE_VERSION}"):
        lite.verified_pyodide(tmp_path / "out")


def test_notebooks_07_and_08_open_with_the_pytorch_note_in_the_site_only():
    for path in course.notebooks():
        nb = lite.site_notebook(path)
        tags = [c.get("metadata", {}).get("tags", []) for c in nb["cells"]]
        noted = [k for k, t in enumerate(tags) if lite.NEEDS_TORCH_TAG in t]
        if path.stem[:2] in lite.TORCH_NOTEBOOKS:
            assert noted == [1], path.name
            text = nb["cells"][1]["source"]
            assert course.binder_link(path.stem[:2]) in text and course.colab_link(path.stem[:2]) in text
        else:
            assert noted == [], path.name
        assert nb["metadata"]["kernelspec"]["name"] == "python"  # JupyterLite's Pyodide kernel
    committed = json.loads(course.find("07").read_text())
    assert not any(lite.NEEDS_TORCH_TAG in c.get("metadata", {}).get("tags", []) for c in committed["cells"])


def test_the_site_never_falls_back_to_pypi_and_attaches_every_cell():
    kernel = lite.lite_config()["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    assert kernel == {"disablePyPIFallback": True}
    assert lite.SETTINGS_OVERRIDES == {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}


def test_lite_and_html_builders_are_pinned_and_installed_only_by_their_targets():
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line)
    assert pins["jupyterlite-core"] == "0.6.4" and pins["jupyterlite-pyodide-kernel"] == "0.6.1"
    assert "jupyterlite-pyodide-kernel==0.6.1" in lite.EXTENSION_WHEELS
    setup = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert ".[dev]" in setup and "site" not in setup  # make lab stays as it was
    assert ".[dev,site]" in makefile_rule(r"\$\(SITE_STAMP\)")
