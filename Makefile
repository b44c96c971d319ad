# ILM: `make run` serves the demo network, `make test` proves it. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV     := .venv
PY       := $(VENV)/bin/python
LOCK     := requirements/dev.txt
STAMP    := $(VENV)/.installed
HOST     ?= 127.0.0.1
PORT     ?= 8000
PG_URL   ?= postgres://postgres@127.0.0.1:5432/ilm
PYTEST_WORKERS ?= 2

.PHONY: help setup run test test-sqlite test-postgres test-e2e lint typecheck checks bench demo \
        messages compilemessages schema clean system-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): $(LOCK)
	@PYBIN=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	@touch $(STAMP)

system-deps:
	@scripts/system-deps run

setup: system-deps $(STAMP) ## Virtual environment, locked dependencies, compiled translations (no server)
	@mkdir -p var
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

demo: setup ## Migrate and load the demo network (idempotent)
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py demo

run: demo ## Serve the demo network on http://127.0.0.1:8000 with the task worker (SQLite in var/)
	$(PY) manage.py schedule_tasks
	@echo "Demo sign-ins are in var/demo-credentials.json. Ctrl-C stops the server and the worker."
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --queue-name '*' & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP) ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP) ## mypy with django-stubs
	$(VENV)/bin/mypy ilm config

checks: setup ## makemigrations --check, check --deploy with production settings, complete translations
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	scripts/check-deploy
	scripts/check-translations-fresh

test-sqlite: setup ## Unit, integration, API and tenancy tests on SQLite
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not e2e" -q --durations=15

test-postgres: setup ## The same suite on PostgreSQL ($(PG_URL))
	@scripts/check-postgres "$(PG_URL)"
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not e2e" -q --durations=15

test-e2e: setup ## Browser tests in Debian Chromium (screenshots in var/screenshots/)
	@scripts/system-deps test
	$(VENV)/bin/pytest -m e2e -q -p no:xdist --durations=10

test: lint typecheck checks test-sqlite test-postgres test-e2e ## Everything CI runs: lint, types, checks, both databases, browser tests

bench: setup ## Benchmarks on PostgreSQL (figures printed, not asserted)
	@scripts/check-postgres "$(PG_URL)"
	DATABASE_URL=$(PG_URL) $(PY) -m bench

messages: $(STAMP) ## Extract translatable strings into the .po catalogues
	$(PY) manage.py makemessages --locale th --locale my --locale km --locale ne --ignore .venv --ignore var \
		--ignore tests --ignore bench --no-obsolete --no-location
	scripts/check-translations || true

compilemessages: setup

schema: $(STAMP) ## Regenerate the committed OpenAPI schema (docs/api/openapi.yaml)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file docs/api/openapi.yaml

clean: ## Remove the virtual environment and var/ (database, secrets, screenshots)
	rm -rf $(VENV) var
