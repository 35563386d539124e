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

.PHONY: help install run test soak lint format lock demo bench clean

help:
	@echo "make run    - install, migrate, load demo content, serve http://$(HOST):$(PORT)"
	@echo "make test   - install, lint, run the whole test suite (DATABASE_URL picks the database)"
	@echo "make soak   - 60 s of 32 clients against gunicorn + PostgreSQL (needs DATABASE_URL=postgres://...)"
	@echo "make lint   - ruff check, ruff format --check, makemigrations --check, manage.py check"
	@echo "make format - apply ruff's fixes and formatting"
	@echo "make lock   - re-resolve requirements*.lock from pyproject.toml"
	@echo "make bench  - load-test the site under gunicorn (PostgreSQL, Redis, wrk; ~4 min),"
	@echo "              print the table and write it to bench/results/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes.
$(STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

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

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
