# Two commands for a fresh clone: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist); 1 runs the suite in this process.
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install migrate seed run test lint check-migrations worker beat bench clean

help:
	@echo "make run    set up (venv, pinned install, migrate, demo data once) and serve on http://127.0.0.1:$(PORT)/"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff check + format check"

# The venv is rebuilt only when the lock file changes.
$(VENV)/.installed: requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Migrate (only when behind), seed_demo --once and runserver in one process: a second `make run`
# pays Django's start-up once, not three times (scripts/run_local.py).
run: install
	$(PY) scripts/run_local.py 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS)) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

worker: install
	$(VENV)/bin/celery -A shop worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A shop beat --loglevel=INFO --schedule=/tmp/celerybeat-schedule

clean:
	rm -rf $(VENV)
