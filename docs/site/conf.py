"""Sphinx configuration of the course website (``make html``; tools/build_site.py stages the sources).

Notebooks are rendered from their stored outputs (nothing is executed) by myst-nb, in
sphinx-book-theme; MathJax is served from the site itself, so formulas render offline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gdcourse import __version__, course  # noqa: E402

project = "gdcourse"
author = "The gdcourse authors"
copyright = "the gdcourse authors; text CC BY 4.0, code MIT"
release = version = __version__
html_title = "gdcourse: gradient descent, from the definition to PyTorch"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "off"  # the notebooks are committed executed: the site shows those outputs
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True  # $$...$$ inside a paragraph, as Jupyter renders it
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
# The staged sources' _static (MathJax), set by tools/build_site.py.
html_static_path = [os.environ.get("GDCOURSE_SITE_STATIC", str(ROOT / "build" / "cache-site" / "src" / "_static"))]
mathjax_path = "mathjax/tex-svg-full.js"  # relative: from the site's _static, not a CDN
html_theme_options = {
    "repository_url": course.REPOSITORY_URL,
    "repository_branch": course.RELEASE_TAG,
    "use_repository_button": True,
    "use_download_button": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_last_updated_fmt = None
html_show_sourcelink = False

# Where a JupyterHub serves the course, for its launch button (optional: python -m gdcourse.course hub-links).
HUB_URL = os.environ.get("GDCOURSE_HUB_URL", "").strip()


def launch_buttons(app, pagename, templatename, context, doctree):
    """Launch buttons on every notebook page: JupyterLite (the site's own copy, beside the pages),
    Binder and Colab (at the release tag), and a JupyterHub (the hub's nbgitpuller link if
    GDCOURSE_HUB_URL was set at build time, otherwise the page that explains the route)."""
    if not pagename.startswith("notebooks/") or "header_buttons" not in context:
        return
    name = pagename.split("/", 1)[1]
    number = name[:2]
    pathto = context["pathto"]
    lite = pathto("lite/lab/index.html", 1) + f"?path=notebooks/{name}.ipynb"
    hub = course.hub_link(HUB_URL, number) if HUB_URL else pathto("docs/jupyterhub")
    buttons = [
        ("JupyterLite", "Run it in your browser, nothing to install (notebooks 00-06)", lite, "fas fa-laptop-code"),
        ("Binder", "Run it on Binder (a temporary server)", course.binder_link(number), "fas fa-cloud"),
        ("Colab", "Open it in Google Colab", course.colab_link(number), "fas fa-flask"),
        ("JupyterHub", "Open it on your institution's JupyterHub", hub, "fas fa-server"),
    ]
    context["header_buttons"].append(
        {
            "type": "group",
            "tooltip": "Run this notebook",
            "icon": "fas fa-rocket",
            "label": "launch-buttons",
            "buttons": [
                {"type": "link", "text": text, "tooltip": tip, "url": url, "icon": icon, "label": f"launch-{text.lower()}"}
                for text, tip, url, icon in buttons
            ],
        }
    )


def setup(app):
    app.connect("html-page-context", launch_buttons, priority=501)
