# Baton: `make run` serves the demo site, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12+; on machines with several Pythons prefer the newest.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/15
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install install-dev run test lint format browser check-services test-sqlite test-postgres clean bench

help:
	@echo "make run    set up and serve the demo site on http://$(HOST):$(PORT) (SQLite, embedded broker, worker + beat)"
	@echo "make test   set up and run ruff and the whole test suite on SQLite and PostgreSQL"
	@echo "make lint   ruff only;  make format  reformat the code;  make clean  remove the venv and runtime files"
	@echo "make bench  load-test the production setup on PostgreSQL at N=10000 incidents (make bench N=100000)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Baton needs Python 3.12 or newer (python3.13, python3.12 or python3)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: $(VENV)/.runtime
	DEBUG=true $(MANAGE) migrate --noinput
	DEBUG=true $(MANAGE) seed_demo
	@echo "Serving Baton on http://$(HOST):$(PORT)/ with a Celery worker and beat. Ctrl-C stops all of it."
	@DEBUG=true $(MANAGE) rundev $(HOST):$(PORT)

# Debian's chromium drives the browser tests. Installed when missing and we are root.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else \
	  echo "Chromium is missing: install Debian's 'chromium' package (sudo apt-get install chromium) for the browser tests."; \
	  if [ "$$CI" = "true" ]; then exit 1; fi; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# PostgreSQL and Redis: required under CI=true, otherwise a missing one is reported and skipped.
# The Redis-outage test also starts a redis-server of its own: installed when missing and we are root.
check-services: $(VENV)/.dev
	@if command -v redis-server >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's redis-server for the Redis-outage test..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	fi
	@$(BIN)/python tests/services.py

test-sqlite: $(VENV)/.dev
	$(BIN)/pytest

test-postgres: $(VENV)/.dev
	@if $(BIN)/python tests/services.py postgres >/dev/null 2>&1; then \
	  echo "== The same suite on PostgreSQL"; DATABASE_URL=$(PG_URL) $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL is not reachable at $(PG_URL) (required with CI=true)."; exit 1; \
	else echo "PostgreSQL is not reachable at $(PG_URL): skipping the PostgreSQL run (it is required with CI=true)."; fi

test: $(VENV)/.dev browser lint check-services
	@echo "== The suite on SQLite"
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

# The benchmark (README, Performance): PostgreSQL at $(BENCH_PG), gunicorn, wrk. Not part of `make test`.
N ?= 10000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
bench: $(VENV)/.runtime
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's wrk for the benchmark..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "The benchmark needs wrk: install Debian's 'wrk' package (sudo apt-get install wrk)."; exit 1; fi
	BENCH_PG=$(BENCH_PG) $(BIN)/python -m bench.run --incidents $(N)

clean:
	rm -rf $(VENV) var staticfiles screenshots
