# The two commands a newcomer needs: `make run` and `make test`.
# Everything installs into .venv from the pinned lock file (requirements-dev.lock).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two workers: the machine has two cores, and the suite (browser tests included) is
# written to run in parallel. `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n 2
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails (written by a worker, with no request at hand) and the demo banner use
# SITE_URL: by default the address `make run` serves.
SITE_URL ?= http://$(HOST):$(PORT)

# The vulnerability database pip-audit asks: pypi (PyPI's per-release JSON API), osv or
# esms. `make audit` is separate from `make lint` and `make test` (which must pass
# offline and give the same answer every time); if no database answers, it fails.
PIP_AUDIT ?=
PIP_AUDIT_SERVICE ?= pypi

.PHONY: help install run test soak lint audit format lock demo bench hotspots import-memory clean messages

help:
	@echo "make run    - install, migrate, load demo content, serve http://$(HOST):$(PORT)"
	@echo "make test   - install, lint, run the whole test suite (DATABASE_URL picks the database)"
	@echo "make soak   - 60 s of 32 clients against gunicorn + PostgreSQL (needs DATABASE_URL=postgres://...)"
	@echo "make lint   - ruff check, ruff format --check, makemigrations --check, manage.py check,"
	@echo "              check_translations (catalogues complete, in step with the code, compiled)"
	@echo "make messages - update locale/ from the code, write sr from sr_Latn, compile (needs gettext)"
	@echo "make audit  - pip-audit: no known-vulnerable pins in requirements*.lock (needs a vulnerability database)"
	@echo "make format - apply ruff's fixes and formatting"
	@echo "make lock   - re-resolve requirements*.lock from pyproject.toml"
	@echo "make bench  - load-test the site under gunicorn (PostgreSQL, Redis, wrk; ~4 min),"
	@echo "              print the table and write it to bench/results/"
	@echo "make hotspots TARGET=post - profile one bench target in-process (top functions)"
	@echo "make import-memory - import a generated 100,000-comment Disqus export; print peak RSS and time"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes.
$(STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_demo
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check
	$(BIN)/python manage.py check_translations

# New strings into locale/ (translate them in sr_Latn and es), then the Cyrillic catalogue
# written from the Latin one and everything compiled (.mo files are committed).
MESSAGES_IGNORE := --ignore='tests/*' --ignore='bench/*' --ignore='staticfiles/*' --ignore='docs/*'
messages: install
	$(BIN)/python manage.py makemessages -l sr_Latn -l es --add-location=file $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages -d djangojs -l sr_Latn -l es --add-location=file $(MESSAGES_IGNORE)
	$(BIN)/python manage.py translit_catalog
	$(BIN)/python manage.py compilemessages -l sr_Latn -l sr -l es

# Every pin of both locks against a vulnerability database. --strict: a package that
# could not be checked (the service is unreachable, or does not know it) fails too, so
# the audit never passes by checking nothing.
audit: install
	@if [ "$(PIP_AUDIT)" = "skip" ]; then \
	  echo "pip-audit: SKIPPED (PIP_AUDIT=skip): the locks were NOT checked for known vulnerabilities"; \
	else \
	  out=$$(mktemp); \
	  if $(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off \
	      --vulnerability-service $(PIP_AUDIT_SERVICE) \
	      -r requirements.lock -r requirements-dev.lock >$$out 2>&1; then \
	    cat $$out; rm -f $$out; \
	  else \
	    cat $$out; \
	    if grep -qiE "could not be audited|ConnectionError|NameResolution|timed out" $$out; then \
	      echo >&2 "pip-audit: the '$(PIP_AUDIT_SERVICE)' vulnerability service could not be reached (or does not know these pins), so the locks were NOT audited."; \
	      echo >&2 "  Try PIP_AUDIT_SERVICE=osv (or esms), or run with PIP_AUDIT=skip to lint without the audit."; \
	    else \
	      echo >&2 "pip-audit: known-vulnerable pins above: upgrade them in pyproject.toml and run make lock."; \
	    fi; \
	    rm -f $$out; exit 1; \
	  fi; \
	fi

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The long soak: `make test` runs the same test for SOAK_SECONDS (15 by default).
SOAK_SECONDS ?= 60
soak: install
	@case "$$DATABASE_URL" in postgres*) ;; \
	  *) echo "make soak needs DATABASE_URL=postgres://... (it skips on SQLite)"; exit 1 ;; esac
	SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/python -m pytest tests/soak -n 0 -s -q

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs network access to PyPI; uv resolves, pip installs (see README "Dependencies").
lock: install
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements-dev.lock

# Installs and starts PostgreSQL, Redis and wrk when missing (as .ci/run does), then
# bench/run.py. `make bench BENCH_ARGS=--readme` also copies the table into README.md.
bench: install
	BENCH_PYTHON=$(BIN)/python bench/run.sh $(BENCH_ARGS)

# Where one bench target's time goes: cProfile in one process against the bench data,
# e.g. `make hotspots TARGET=post` (targets: bench/targets.py; HOTSPOTS_ARGS="-n 200").
TARGET ?= page_cold
hotspots: install
	BENCH_PYTHON=$(BIN)/python BENCH_SCRIPT=bench/hotspots.py bench/run.sh $(TARGET) $(HOTSPOTS_ARGS)

# The streaming import's memory and time (tests/portability/test_streaming.py), alone in
# its process so that the peak RSS printed is the import's.
import-memory: install
	IMPORT_MEMORY_TEST=1 $(BIN)/pytest -p no:cacheprovider -q -s tests/portability/test_streaming.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
