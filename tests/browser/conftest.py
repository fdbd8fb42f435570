"""Infrastructure for the browser test: a JupyterLab server, a headless Chromium, the report.

The server runs on 127.0.0.1 with a random free port and token authentication on, serves a
temporary copy of notebooks/ (running the notebooks never touches the committed files), and
keeps its configuration, settings, workspaces and runtime files in a temporary directory, so
nothing leaks in from the developer's own Jupyter set-up or out into it.

The browser is Debian's Chromium (``GDCOURSE_CHROMIUM`` overrides the path), driven by
Playwright for Python; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("GDCOURSE_SCREENSHOTS", ROOT / "build" / "screenshots"))
CHROMIUM = os.environ.get("GDCOURSE_CHROMIUM", "/usr/bin/chromium")
# Known-good flags for a headless Chromium as root in a closed network: without the
# background-networking ones, Chromium's own connections are refused and slow everything down.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90  # seconds
REPORT = pytest.StashKey[list]()
SKIPPED = pytest.StashKey[str]()


def browser_required() -> bool:
    """True in CI and under `make test-browser`: a missing browser is then a failure, not a skip."""
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return ci or os.environ.get("GDCOURSE_REQUIRE_BROWSER", "") == "1"


def unavailable(request, reason: str):
    """Fail (CI, `make test-browser`) or skip loudly (an ad-hoc developer run)."""
    if browser_required():
        pytest.fail(f"{reason}. The browser test is required here (CI or make test-browser).", pytrace=False)
    request.config.stash[SKIPPED] = reason
    pytest.skip(f"BROWSER TEST NOT RUN: {reason}")


@dataclass
class Lab:
    """A running JupyterLab server and the temporary folder it serves."""

    port: int
    token: str
    root: Path
    log: Path
    process: subprocess.Popen = field(repr=False)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def api(self, method: str, path: str):
        request = urllib.request.Request(
            self.url(path), method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every notebook session, so each notebook starts in a fresh kernel and none is left running."""
        for session in self.api("GET", "api/sessions"):
            self.api("DELETE", f"api/sessions/{session['id']}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder for screenshots, the server log and the timing report; emptied of the last run's files."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS.glob("*.png"), SCREENSHOTS / "report.txt"]:
        old.unlink(missing_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def report(request) -> list:
    """Rows for the timing table printed at the end of the run (and written to report.txt)."""
    return request.config.stash.setdefault(REPORT, [])


@pytest.fixture(scope="session")
def lab(tmp_path_factory, screenshots) -> Lab:
    """JupyterLab on 127.0.0.1:<random port> with a token, serving a copy of notebooks/."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "root"
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    home = tmp / "state"
    settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No "Would you like to get notified about official Jupyter news?" pop-up over the notebook.
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
    )
    token = secrets.token_hex(24)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI runs as root; Jupyter refuses that without this
        command.append("--ServerApp.allow_root=True")
    log = screenshots / "jupyterlab.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(command, env=env, cwd=root, stdout=log_file, stderr=subprocess.STDOUT)
    server = Lab(port=port, token=token, root=root, log=log, process=process)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {process.returncode} at start:\n{server.log_tail()}")
            try:
                server.api("GET", "api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n{server.log_tail()}")
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()  # Jupyter shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def playwright(request):
    """Playwright, started once for the whole run (its sync API allows one at a time), with a
    Chromium that exists; a missing one fails in CI and under make."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable(request, "the playwright Python package is not installed (pip install -e '.[dev]')")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(
            request,
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set GDCOURSE_CHROMIUM to its path)",
        )
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright):
    """Headless Debian Chromium through Playwright."""
    # launch() gives every run a fresh, empty user data directory of its own.
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="session")
def context(browser):
    """One browser context for the run: JupyterLab's code is loaded once, then cached."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context, lab):
    """A new page per test (each notebook opens in a workspace of its own); afterwards its
    kernels are shut down."""
    page = context.new_page()
    page.errors = []  # uncaught JavaScript exceptions in JupyterLab, checked by the test
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        page.close()
        lab.shutdown_kernels()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rows = config.stash.get(REPORT, [])
    skipped = config.stash.get(SKIPPED, None)
    if skipped:
        terminalreporter.section("BROWSER TEST NOT RUN", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{skipped}.\nInstall Chromium (apt-get install chromium, as .ci/run does), then run `make test-browser`."
        )
    if not rows:
        return
    lines = [f"{'notebook':<34} {'open':>6} {'run all':>8} {'widgets':>8} {'shots':>6} {'total':>7}  checked"]
    for row in rows:
        lines.append(
            f"{row['notebook']:<34} {row['open']:>5.1f}s {row['run']:>7.1f}s {row['widgets']:>7.1f}s "
            f"{row['shots']:>5.1f}s {row['total']:>6.1f}s  {row['checked']}"
        )
    total = sum(row["total"] for row in rows)
    lines.append(f"{'all notebooks':<34} {'':>6} {'':>8} {'':>8} {'':>6} {total:>6.1f}s")
    lines.append(f"screenshots: {SCREENSHOTS}")
    terminalreporter.section("JupyterLab in Chromium: time per notebook")
    for line in lines:
        terminalreporter.line(line)
    if SCREENSHOTS.is_dir():
        (SCREENSHOTS / "report.txt").write_text("\n".join(lines) + "\n")


# --- The JupyterLite site (make lite) and the course website (make html), served as static files ---

LITE_DIR = Path(os.environ.get("GDCOURSE_LITE_DIR", ROOT / "build" / "lite"))
SITE_DIR = Path(os.environ.get("GDCOURSE_SITE_DIR", ROOT / "site"))


@dataclass
class StaticSite:
    """A folder served on 127.0.0.1:<random port>, every request logged (path and status)."""

    root: Path
    port: int
    requests: list = field(default_factory=list)
    server: object = field(default=None, repr=False)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"


def serve(root: Path) -> StaticSite:
    """Serve ``root`` in a thread, as any static web space would (WebAssembly with its MIME type)."""
    import functools
    import http.server
    import threading

    site = StaticSite(root=root, port=0)

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".wasm": "application/wasm",
            ".mjs": "text/javascript",
            ".js": "text/javascript",
            ".json": "application/json",
        }

        def log_request(self, code="-", size="-"):
            site.requests.append((self.path, int(code) if str(code).isdigit() else code))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.port, site.server = server.server_address[1], server
    return site


def built(request, folder: Path, target: str) -> None:
    if not (folder / "index.html").is_file():
        message = f"{folder} has not been built: run `make {target}` first"
        if browser_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def lite_site(request):
    built(request, LITE_DIR, "lite")
    site = serve(LITE_DIR)
    yield site
    site.server.shutdown()


# Chromium's own background services (updates, accounts, autofill) still call home despite
# CHROMIUM_ARGS; these flags silence most of them, and the resolver rule makes any name but
# 127.0.0.1 fail at once, so nothing waits on the closed network. What remains is told apart
# in the network log: the browser itself starts it ("initiator": "not an origin").
QUIET_ARGS = [
    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate,"
    "InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    # room.test: the site as another machine in the room sees it (not localhost: no secure context)
    "--host-resolver-rules=MAP room.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class LoggedBrowser:
    """A Chromium of its own, with a network log (--log-net-log) of every request any of its
    processes made (pages, workers, service workers), readable once the browser has closed."""

    def __init__(self, playwright, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.netlog = SCREENSHOTS / f"{name}-netlog.json"
        self.netlog.unlink(missing_ok=True)
        self.urls = []  # what Playwright saw requested, in order
        self.browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, *QUIET_ARGS, f"--log-net-log={self.netlog}", "--net-log-capture-mode=Default"],
        )
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(30_000)
        self.context.on("request", lambda r: self.urls.append(r.url))
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.context.close()
            self.browser.close()

    def netlog_requests(self) -> list[tuple[str, str]]:
        """(URL, initiator) of every request the browser's network stack started (the log is
        complete once the browser has closed). The initiator is the origin of the page, worker or
        service worker that asked, or "not an origin" for the browser itself (a navigation typed
        in, or its own background services)."""
        assert self.closed, "the network log is complete only after the browser has closed"
        log = json.loads(self.netlog.read_text())
        start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        return [
            (event["params"]["url"], event["params"].get("initiator", "not an origin"))
            for event in log.get("events", [])
            if event["type"] == start and isinstance(event.get("params", {}).get("url"), str)
        ]


@pytest.fixture(scope="session")
def lite_browser(playwright):
    browser = LoggedBrowser(playwright, "lite")
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def site_server(request):
    built(request, SITE_DIR, "html")
    site = serve(SITE_DIR)
    yield site
    site.server.shutdown()


@pytest.fixture(scope="session")
def site_browser(playwright):
    browser = LoggedBrowser(playwright, "site")
    yield browser
    browser.close()


def check_requests(browser: LoggedBrowser, site: StaticSite, log: Path) -> list[str]:
    """Close the browser, write its request log to ``log`` and return the requests that left
    127.0.0.1: every one the site's pages, workers and service worker made (Playwright's view,
    and the network log's requests with an initiator) must go to the site's own address.
    Chromium's own background requests (no initiator, other hosts) are listed apart."""
    browser.close()
    here = f"127.0.0.1:{site.port}"
    room = f"room.test:{site.port}"  # 127.0.0.1 under another name (QUIET_ARGS' resolver rule)
    seen = [u for u in browser.urls if not u.startswith(("data:", "blob:", "about:", "chrome"))]
    netlog = [(u, who) for u, who in browser.netlog_requests() if not u.startswith(("data:", "blob:", "chrome"))]
    by_site = seen + [u for u, who in netlog if who != "not an origin"]
    ours = (here, room)
    by_chromium = sorted(
        {u.split("?")[0] for u, who in netlog if who == "not an origin" and u.split("/")[2] not in ours}
    )
    counts = {}
    for url in by_site + [u for u, who in netlog if who == "not an origin" and u.split("/")[2] in ours]:
        counts[url] = counts.get(url, 0) + 1
    hosts = sorted({url.split("/")[2] for url in counts})
    lines = [
        f"Requests made by the site (pages, workers, service worker), and browser navigations to it: "
        f"{sum(counts.values())} ({len(counts)} distinct URLs), hosts: {hosts}",
        *[f"{n:5d}  {u}" for u, n in sorted(counts.items())],
        "",
        f"Chromium's own background requests (no initiator; not made by the site; the host resolver "
        f"rule fails them at once): {len(by_chromium)}",
        *by_chromium,
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("\n".join(lines) + "\n")
    assert counts, "no request was recorded: the check checked nothing"
    return sorted({u for u in by_site if u.split("/")[2] not in ours})


@pytest.fixture(scope="session")
def requests_check():
    """``check_requests`` for the test modules (they do not import conftest)."""
    return check_requests
