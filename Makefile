# tsunagu — the two commands of the README are `make demo` and `make test`.
# Both set up everything they need on a fresh Debian machine.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SECRET_FILE := var/secret.key
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages, each with the check that tells whether it is needed.
# The demo needs Python 3.11, npm for the front-end libraries (Node may come
# from elsewhere with its own npm), and for printing PDFs (WeasyPrint) Pango,
# HarfBuzz's subsetter (without it every sheet takes seconds) and the fonts:
# Noto CJK for Japanese, DejaVu for the check boxes ☑☐; Graphviz lays out the
# household page's ecomap (with the same Noto CJK metrics).
DEMO_NEEDS := python3.11:python3.11 python3.11-venv:python3.11-venv npm:npm \
	graphviz:/usr/bin/dot \
	fonts-noto-cjk:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
	fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
	libpango-1.0-0:/usr/share/doc/libpango-1.0-0/copyright \
	libpangoft2-1.0-0:/usr/share/doc/libpangoft2-1.0-0/copyright \
	libharfbuzz-subset0:/usr/share/doc/libharfbuzz-subset0/copyright
# The tests also need Chromium for the browser tests and gettext for message catalogues.
NEEDS := $(DEMO_NEEDS) chromium:/usr/bin/chromium gettext:msgfmt

.PHONY: demo test lint typecheck migrations-check pytest system-deps demo-system-deps install-needs static venv dev-venv lock run clean bench load floor fuzz

## make demo: install, migrate an SQLite database, load the demo ward, serve on http://127.0.0.1:8000
demo: demo-system-deps venv static $(SECRET_FILE)
	@export TSUNAGU_SECRET_KEY="$$(cat $(SECRET_FILE))" TSUNAGU_DEMO_NOTICE=1; \
	$(BIN)/python manage.py migrate --no-input -v 0 && \
	$(BIN)/python manage.py collectstatic --no-input -v 0 && \
	$(BIN)/python manage.py load_demo && \
	echo && echo "つなぐ（デモ区）を http://$(HOST):$(PORT)/ で起動します。終了するには Ctrl+C を押してください。" && \
	echo "住民向けのオンライン相談のページは http://localhost:$(PORT)/consult/ です（職員のページとは別のホスト）。" && \
	exec $(BIN)/gunicorn tsunagu.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

## make test: the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set), ruff, mypy, migrations check
test: dev-venv static system-deps lint typecheck migrations-check pytest

lint:
	$(BIN)/ruff check tsunagu
	$(BIN)/ruff format --check tsunagu

typecheck:
	TSUNAGU_DEBUG=1 $(BIN)/mypy tsunagu

migrations-check:
	TSUNAGU_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# The suite runs on one pytest-xdist worker per CPU (two on CI), a module's
# tests on one worker (tsunagu/conftest.py).
# PYTEST_XDIST="-n0" runs it in one process; PYTEST_ARGS add to either.
PYTEST_XDIST ?= -n auto --dist loadscope
pytest:
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

## make fuzz: the API (schemathesis: examples, coverage, fuzzing and stateful phases, every
## check) and the page forms (Hypothesis) with many more examples than `make test` runs
## (after `make test`; tens of minutes). FUZZ_ARGS go to pytest.
fuzz:
	@test -x $(BIN)/python || { echo "Run make test first (it sets up $(VENV))."; exit 1; }
	TSUNAGU_FUZZ=1 $(BIN)/python -m pytest -m fuzz -p no:cacheprovider $(FUZZ_ARGS)

## make bench: p50/p95 of the six working pages (household page, person search, referral inbox,
## coordinator case list, business report for a fiscal year, HSDS service list) at the ward and
## large synthetic scales, on SQLite and PostgreSQL, each against hand-written SQL for the same
## rows (after `make test`; see bench/README.md). Generating `large` once takes tens of minutes.
BENCH_DBS ?= sqlite postgresql
BENCH_SCALES ?= ward large
bench:
	@test -x $(BIN)/python || { echo "Run make test first (it sets up $(VENV))."; exit 1; }
	@for scale in $(BENCH_SCALES); do for db in $(BENCH_DBS); do \
	  if [ $$db = postgresql ]; then bash bench/postgres.sh || exit 1; fi; \
	  $(BIN)/python -m bench.run --db $$db --scale $$scale $(BENCH_ARGS) || exit 1; \
	done; done

## make load: 50 simulated users for 5 minutes against gunicorn on loopback (bench/load/README.md)
load:
	@test -x $(BIN)/python || { echo "Run make test first (it sets up $(VENV))."; exit 1; }
	@for db in $(BENCH_DBS); do \
	  if [ $$db = postgresql ]; then bash bench/postgres.sh || exit 1; fi; \
	  $(BIN)/python -m bench.load.run --db $$db $(LOAD_ARGS) || exit 1; \
	done

## make floor: 8 connections for 20 s on each working page of a counselor and on the sign-in
## page (the floor), gunicorn on loopback as `make demo` runs it (bench/README.md)
FLOOR_DBS ?= sqlite
floor:
	@test -x $(BIN)/python || { echo "Run make test first (it sets up $(VENV))."; exit 1; }
	@for db in $(FLOOR_DBS); do \
	  if [ $$db = postgresql ]; then bash bench/postgres.sh || exit 1; fi; \
	  $(BIN)/python -m bench.floor --db $$db $(FLOOR_ARGS) || exit 1; \
	done

system-deps:
	@$(MAKE) --no-print-directory install-needs LIST="$(NEEDS)"

# The demo needs no browser: only what it runs and prints with.
demo-system-deps:
	@$(MAKE) --no-print-directory install-needs LIST="$(DEMO_NEEDS)"

install-needs:
	@missing=""; \
	for need in $(LIST); do \
	  package=$${need%%:*}; probe=$${need#*:}; \
	  case $$probe in \
	    /*) [ -e $$probe ] || missing="$$missing $$package" ;; \
	    python3.11-venv) $(PYTHON) -c "import ensurepip" >/dev/null 2>&1 || missing="$$missing $$package" ;; \
	    *) command -v $$probe >/dev/null 2>&1 || missing="$$missing $$package" ;; \
	  esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/uv:
	$(MAKE) demo-system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

venv: $(BIN)/uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/base.txt

dev-venv: $(BIN)/uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/base.txt requirements/dev.txt

## Front-end libraries come from the npm registry (lock file) and are served by the app.
static: tsunagu/static/vendor/htmx.min.js

tsunagu/static/vendor/htmx.min.js: package-lock.json
	command -v npm >/dev/null 2>&1 || $(MAKE) system-deps
	npm ci --no-audit --no-fund --silent
	mkdir -p tsunagu/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(SECRET_FILE):
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

## make lock: re-resolve the pinned dependencies after editing requirements/*.in
lock: $(BIN)/uv
	cd requirements && ../$(BIN)/uv pip compile -q --python-version 3.11 --generate-hashes base.in -o base.txt
	cd requirements && ../$(BIN)/uv pip compile -q --python-version 3.11 --generate-hashes dev.in -o dev.txt

clean:
	rm -rf $(VENV) node_modules tsunagu/static/vendor staticfiles var
