# Komar — see README.md. `make demo` runs the app; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test install install-dev serve worker lint typecheck migrations-check messages messages-check test-sqlite test-postgres bench clean

$(BIN)/python:
	@bash scripts/ensure-venv-support.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@bash scripts/ensure-system-libs.sh $(PYTHON)
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@bash scripts/ensure-system-libs.sh $(PYTHON)
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, migrate SQLite under var/, load reference + demo data, serve on $(HOST):$(PORT)
demo: install
	KOMAR_DEMO=1 $(BIN)/komar migrate --no-input
	KOMAR_DEMO=1 PORT=$(PORT) $(BIN)/komar demo
	@echo "Serving Komar on http://$(HOST):$(PORT)/ (Ctrl-C to stop; background worker runs alongside)"
	@trap 'kill 0' EXIT INT TERM; \
	  KOMAR_DEMO=1 $(BIN)/komar worker --no-startup-delay >> var/worker.log 2>&1 & \
	  KOMAR_DEMO=1 PORT=$(PORT) $(BIN)/komar runserver --noreload $(HOST):$(PORT)

## make test: every check — lint, types, migrations, Khmer catalogue, suite on SQLite and PostgreSQL
test: install-dev lint typecheck migrations-check messages-check test-sqlite test-postgres

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	KOMAR_ENV=test $(BIN)/mypy

migrations-check: install-dev
	KOMAR_ENV=test $(BIN)/komar makemigrations --check --dry-run

messages: install-dev
	bash scripts/messages.sh update

messages-check: install-dev
	bash scripts/messages.sh check

test-sqlite: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install-dev
	$(BIN)/python scripts/with_postgres.py -- $(BIN)/pytest $(PYTEST_ARGS)

bench: install-dev
	KOMAR_ENV=test $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/static .mypy_cache .ruff_cache
