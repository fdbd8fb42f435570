# gdcourse: `make lab` to learn, `make test` to check everything. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SITE_STAMP := $(VENV)/.installed-site

.PHONY: setup site-setup lab test test-fast test-foreign test-browser test-lite lint typecheck format notebooks lite html serve fresh bench clean help

help:
	@echo "make lab    - set up .venv and open JupyterLab on the first notebook"
	@echo "make test   - set up .venv and run lint, type check, unit tests and every notebook (nbval), then the notebooks again as on another CPU"
	@echo "make test-fast - lint, type check and the unit tests, without the notebooks (about two minutes)"
	@echo "make test-foreign - only the notebooks, as another CPU/BLAS would compute them (see tools/foreign_machine.py)"
	@echo "make test-browser - every notebook run in JupyterLab in headless Chromium (apt-get install chromium)"
	@echo "make notebooks - re-execute every notebook in place (after changing one)"
	@echo "make format - apply ruff's formatting and safe fixes"
	@echo "make lite   - the course in the browser (JupyterLite, Python in WebAssembly), a static site in build/lite/"
	@echo "make html   - the course website in site/: a page per notebook, search, launch buttons, JupyterLite in site/lite/"
	@echo "make serve  - serve site/ on this machine's network, offline (a room from one laptop; PORT=8000)"
	@echo "make test-lite - JupyterLite and the website in headless Chromium, offline (builds both first)"
	@echo "make fresh NB=02 - a pristine copy of notebook 02 beside yours (yours is not touched)"
	@echo "make bench  - speed against PyTorch and the machine's limits (a few minutes; BENCH=--quick: one)"

# The install runs again only when the requirements change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "gdcourse needs Python 3.11 or newer, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

# The builders of the JupyterLite site and the website: only `make lite`, `make html` and their test
# install them (about 40 packages a learner never needs), so `make lab` stays as quick as it was.
$(SITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,site]"
	@touch $(SITE_STAMP)

site-setup: $(SITE_STAMP)

# Localhost only, token authentication on. Jupyter refuses to run as root unless told (containers).
lab: setup
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

CODE := gdcourse tests tools benchmarks notebooks conftest.py

lint: setup
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

# The package's type hints, checked (configuration in pyproject.toml).
typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-foreign

# nbval again with other BLAS kernels, NumPy SIMD narrowed and torch's portable kernels: a stored
# output that only this machine's rounding produces fails here (README, "How notebook outputs are kept").
test-foreign: setup
	$(BIN)/python tools/foreign_machine.py -- $(BIN)/python -m pytest notebooks -q

# The unit tests alone: no notebook is run.
test-fast: lint typecheck
	$(BIN)/python -m pytest tests

# JupyterLab driven by Debian's headless Chromium: run every notebook from the menu, move the
# widgets, screenshots in build/screenshots/. Fails (not skips) without Chromium; .ci/run installs it.
test-browser: setup
	GDCOURSE_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser/test_jupyterlab.py

format: setup
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

notebooks: setup
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

# Pyodide's core from npm, its compiled wheels verified against the official lock (PYODIDE_DIST=path:
# an official Pyodide 0.27.7 distribution instead); gdcourse as a wheel of this checkout.
lite: site-setup
	$(BIN)/python tools/build_lite.py build/lite

# From the stored outputs (nothing is executed); JupyterLite is copied into site/lite/.
html: lite
	$(BIN)/python tools/build_site.py site

# A room from one laptop, offline: every device on the same network opens http://<this laptop's address>:8000
PORT ?= 8000
serve:
	@test -f site/index.html || { echo "site/ is not built: run make html first (needs the internet once)"; exit 2; }
	$(PYTHON) -m http.server --directory site --bind 0.0.0.0 $(PORT)

# The JupyterLite site (every notebook 00-06 run from the Run menu) and the website, in headless
# Chromium, offline; fails (not skips) without Chromium. Screenshots and request logs in build/screenshots.
test-lite: html
	GDCOURSE_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser/test_lite.py tests/browser/test_site.py

fresh: setup
	@test -n "$(NB)" || { echo "usage: make fresh NB=02"; exit 2; }
	$(BIN)/python -m gdcourse.course fresh $(NB)

# Prints a Markdown report and writes benchmarks/results/latest.md, .json and .png.
bench: setup
	$(BIN)/python benchmarks/run.py $(BENCH)

clean:
	rm -rf $(VENV) build site *.egg-info
