"""Build the course website: a page per notebook, search, offline math, launch buttons.

    python tools/build_site.py [OUTPUT_DIR]      # default: site/  (also: make html)

Sphinx with myst-nb renders each notebook from its stored outputs (nothing is executed) in
sphinx-book-theme: previous/next links, a sidebar, full-text search, pages that read on a phone.
The configuration is docs/site/conf.py; the sources are staged in build/cache-site/src (the
landing page docs/site/index.md, the notebooks, the instructor guide and the JupyterHub page).

Math is typeset by MathJax served from the site itself (``_static/mathjax``, from the npm package
``mathjax@3.2.2``, checked against the integrity hash pinned below), so no page needs a CDN. The
JupyterLite build (build/lite, ``make lite``) is copied to ``lite/`` beside the pages: every
notebook page's JupyterLite button opens it there. Links from the guides to files of the
repository point at the release on GitHub.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gdcourse import course  # noqa: E402

CACHE = ROOT / "build" / "cache-site"
MATHJAX = "mathjax@3.2.2"
MATHJAX_INTEGRITY = "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
MATHJAX_FILE = "es5/tex-svg-full.js"  # TeX in, SVG out, every extension in one file: no fonts to fetch
LITE = ROOT / "build" / "lite"


class BuildError(RuntimeError):
    """A step of the build failed; the message says what to do."""


def mathjax() -> Path:
    """MathJax's single-file TeX-to-SVG build, from npm, checked against the pinned integrity."""
    target = CACHE / "mathjax" / Path(MATHJAX_FILE).name
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"{MATHJAX.replace('@', '-')}.tgz"
    if not tarball.exists():
        if not shutil.which("npm"):
            raise BuildError("npm is needed to fetch MathJax once (apt-get install npm).")
        result = subprocess.run(["npm", "pack", "--silent", MATHJAX], cwd=CACHE, capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"npm pack {MATHJAX} failed:\n{result.stderr[-2000:]}")
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if integrity != MATHJAX_INTEGRITY:
        tarball.unlink()
        raise BuildError(f"{tarball.name}: integrity {integrity} is not the pinned {MATHJAX_INTEGRITY}; deleted it.")
    with tarfile.open(tarball) as tar:
        data = tar.extractfile(f"package/{MATHJAX_FILE}").read()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def repository_links(text: str) -> str:
    """Links from docs/ to other files of the repository (``../README.md``) go to the release on GitHub."""
    base = f"{course.REPOSITORY_URL}/blob/{course.RELEASE_TAG}/"
    return re.sub(
        r"\]\(\.\./(?!notebooks/)([^)#]+)(#[^)]*)?\)", lambda m: f"]({base}{m.group(1)}{m.group(2) or ''})", text
    )


def stage(src: Path) -> None:
    """The Sphinx sources: landing page, notebooks (as committed), the two guides."""
    shutil.rmtree(src, ignore_errors=True)
    (src / "notebooks").mkdir(parents=True)
    (src / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "site" / "index.md", src / "index.md")
    for path in course.notebooks():
        shutil.copy(path, src / "notebooks" / path.name)
    for name in ("instructor-guide.md", "jupyterhub.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        (src / "docs" / name).write_text(repository_links(text), encoding="utf-8")
    static = src / "_static" / "mathjax"
    static.mkdir(parents=True)
    shutil.copy(mathjax(), static)


def build(output: Path, lite: Path = LITE) -> Path:
    """Build the website into ``output`` (replaced); return it."""
    if not (lite / "index.html").is_file():
        raise BuildError(f"{lite} is missing: build the JupyterLite site first (make lite).")
    src = CACHE / "src"
    stage(src)
    # Sphinx writes into the cache (myst-nb puts a jupyter_execute/ folder beside its output), then
    # the pages are copied to ``output``.
    html = CACHE / "html"
    shutil.rmtree(html, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(ROOT / "docs" / "site")]
    command += ["-d", str(CACHE / "doctrees"), str(src), str(html)]
    env = {**os.environ, "GDCOURSE_SITE_STATIC": str(src / "_static")}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BuildError(f"sphinx-build failed:\n{result.stderr[-4000:]}")
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    if warnings:
        raise BuildError("sphinx-build warned (fix the source, the site must be complete):\n" + "\n".join(warnings))
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(html, output)
    shutil.copytree(lite, output / "lite")
    (output / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _images/ as they are
    return output


def main(argv: list[str]) -> int:
    output = Path(argv[0]).resolve() if argv else ROOT / "site"
    try:
        build(output)
    except BuildError as error:
        print(f"make html failed: {error}", file=sys.stderr)
        return 1
    pages = len(list(output.glob("notebooks/*.html")))
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file()) / 1e6
    lite = sum(p.stat().st_size for p in (output / "lite").rglob("*") if p.is_file()) / 1e6
    print(
        f"Wrote {output}: {pages} notebook pages, {size:.1f} MB (of which JupyterLite {lite:.1f} MB).\n"
        f"Serve it with: python -m http.server --bind 127.0.0.1 --directory {output} 8000"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
