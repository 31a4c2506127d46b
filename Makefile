# Everything runs inside .venv, built from pyproject.toml; nothing is installed globally.
# A second run reuses .venv and installs nothing unless pyproject.toml changed.
# Two stamps: the runtime packages (all `make demo` needs) and the development tools on top of them
# (pytest, ruff, mypy, playwright...: `make test`, `make lint`, `make bench`), so a demo venv later used
# by `make test` only gets the dev extras added.

VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
# .installed is the name the one full install had before the split: a venv set up then stays up to date
DEV_STAMP := $(VENV)/.installed
HEADLESS := SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy

# First interpreter that the pinned dependencies support (3.10-3.12); override with PYTHON=...
PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3; do \
	  $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] <= (3,12))' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: demo test bench lint venv venv-dev clean screenshots web-screenshots crash-test postgres browser proxy

venv: $(RUNTIME_STAMP)

venv-dev: $(DEV_STAMP)

# All set-up talk, pip's included, goes to stderr, so that `make bench` prints only JSON on stdout even
# when it installs. pip is not quiet: its download lines and progress bars are the progress a user sees.
$(RUNTIME_STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: need Python 3.10, 3.11 or 3.12 (mediapipe 0.10.14 supports no other); set PYTHON=..." >&2; exit 1; }
	@# a full install made after pyproject.toml last changed already holds every runtime package
	@if [ $(DEV_STAMP) -nt pyproject.toml ]; then touch $@; exit 0; fi; \
	echo "make: creating $(VENV) with $(PYTHON) and upgrading its pip" >&2 && \
	$(PYTHON) -m venv $(VENV) >&2 && \
	$(BIN)/python -m pip install --quiet --upgrade pip >&2 && \
	echo "make: installing the runtime packages (about 340 MB to download, 1.4 GB on disk; 0.5 GB of that is jax, jaxlib and scipy, which mediapipe requires)" >&2 && \
	$(BIN)/python -m pip install -e . >&2 && \
	touch $@

# order-only on the runtime stamp: a fresh runtime install does not by itself call for the dev extras again
$(DEV_STAMP): pyproject.toml | $(RUNTIME_STAMP)
	@echo "make: adding the development tools (pytest, ruff, mypy, playwright...; about 110 MB to download, 370 MB on disk)" >&2
	@$(BIN)/python -m pip install -e '.[dev]' >&2
	@touch $@

demo: $(RUNTIME_STAMP)
	$(BIN)/rehab demo

# tests/test_structure.py also checks the layer contract, so a wrong-way import fails the suite
test: $(DEV_STAMP) postgres browser proxy
	$(HEADLESS) $(BIN)/python -m pytest -q

# the clinic tests run against a real PostgreSQL (tests/clinic_fixtures.py starts a throw-away one);
# as root on a machine without it, install Debian's server package (quietly, talk to stderr)
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: installing PostgreSQL for the clinic tests (apt-get install postgresql)" >&2; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq postgresql >&2 2>/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2; }; \
	fi

# the web app's browser tests (tests/test_web_browser_*.py) drive Debian's chromium through Playwright
# (never a browser Playwright downloads); as root on a machine without it, install it (talk to stderr)
browser:
	@if ! [ -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: installing chromium for the browser tests (apt-get install chromium)" >&2; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq chromium >&2 2>/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq chromium >&2; }; \
	fi

# live sessions behind a TLS proxy (tests/test_live_proxy.py) run through Debian's nginx; as root on
# a machine without it, install it (the small build; the test starts its own, never a service)
proxy:
	@if ! [ -x /usr/sbin/nginx ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: installing nginx for the live proxy test (apt-get install nginx-light)" >&2; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq nginx-light >&2 2>/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq nginx-light >&2; }; \
	fi

# a real guided session killed right after each store write in turn, resumed, and checked
# (tests/test_crash_injection.py; make test runs a handful of the writes); prints the figures
crash-test: $(DEV_STAMP)
	$(HEADLESS) $(BIN)/python tests/test_crash_injection.py

bench: $(DEV_STAMP)
	@$(HEADLESS) $(BIN)/python benchmarks/run.py

screenshots: $(RUNTIME_STAMP)
	$(HEADLESS) $(BIN)/python docs/make_screenshots.py

# the web app's pages for docs/web.md (a demo clinic on SQLite, photographed in headless chromium)
web-screenshots: $(DEV_STAMP) browser
	$(HEADLESS) $(BIN)/python docs/make_web_screenshots.py

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) build *.egg-info
