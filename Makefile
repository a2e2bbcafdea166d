# Two commands on a fresh machine with Python 3.11+ and make:  make run  ·  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: install run serve migrate seed test test-postgres schemathesis lint format bench backup restore clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var/celery/out var/celery/processed
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo --if-empty

# Web (gunicorn), Celery worker and beat scheduler together; Ctrl-C stops all three.
run: seed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} PORT=$(PORT) BIN=$(BIN) ./scripts/run.sh

test: install
	DJANGO_TESTING=1 CELERY_TASK_ALWAYS_EAGER=1 $(BIN)/pytest -q -n 2

# The suite on PostgreSQL with a real Celery worker on Redis (what .ci/run does after `make test`).
test-postgres: install
	./scripts/test-postgres.sh

# Schemathesis against the OpenAPI schema over HTTP, a token per role, on a throwaway demo database
# (what .ci/run does last; scripts/schemathesis.sh lists the knobs: ROLES, MAX_EXAMPLES, PHASES, SEED).
schemathesis: install
	BIN=$(BIN) ./scripts/schemathesis.sh

# ruff; the import contracts between apps (lint-imports, [tool.importlinter] in pyproject.toml); mypy with
# django-stubs on core and every app's services and selectors ([tool.mypy] files). The plugin loads the
# settings, hence DJANGO_TESTING (no SECRET_KEY needed). All four run, then it fails if any failed, so
# one run shows every problem. What .ci/run does first, before the tests.
LINTERS := "$(BIN)/ruff check ." \
           "$(BIN)/ruff format --check ." \
           "$(BIN)/lint-imports --no-logo" \
           "env DJANGO_TESTING=1 $(BIN)/mypy"

lint: install
	@failed=""; for linter in $(LINTERS); do \
	  echo "== $$linter"; $$linter || failed="$$failed\n  $$linter"; \
	done; \
	if [ -n "$$failed" ]; then printf "make lint failed:$$failed\n"; exit 1; fi

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# BENCH_ARGS: e.g. "--scale 0.1" (1,000 members instead of 10,000, for CI) or "--only sheets"
bench: migrate
	DJANGO_TESTING=1 $(PY) -m benchmarks $(BENCH_ARGS)

# Backups (scripts/backup.sh, scripts/restore.sh): pg_dump -Fc / pg_restore on PostgreSQL, SQLite's backup
# API on SQLite. `make backup` writes var/backups/<time>.<ext> (or BACKUP_FILE=…);
# `make restore BACKUP_FILE=var/backups/….dump` replaces the database after asking for its name.
backup: install
	BACKUP_FILE="$(BACKUP_FILE)" ./scripts/backup.sh

restore: install
	@test -n "$(BACKUP_FILE)" || { echo "usage: make restore BACKUP_FILE=var/backups/<file>"; exit 2; }
	./scripts/restore.sh "$(BACKUP_FILE)"

clean:
	rm -rf $(VENV) var
