# Two commands on a fresh machine with Python 3.11+ and make:  make run  ·  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: install run debug serve migrate seed test test-embedded test-postgres schemathesis lint format bench backup restore clean

# The embedded default's environment for manage.py (scripts/embedded-env.sh): VAR_DIR, and a SECRET_KEY
# generated once into var/secret_key when neither SECRET_KEY nor SECRET_KEY_FILE is given.
EMBEDDED := . scripts/embedded-env.sh &&

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(EMBEDDED) mkdir -p "$$VAR_DIR/celery/out" "$$VAR_DIR/celery/processed" && $(PY) manage.py migrate --no-input

seed: migrate
	$(EMBEDDED) $(PY) manage.py seed_demo --if-empty

# The product: web (gunicorn, 2 workers), Celery worker and beat scheduler together, DEBUG off, on
# http://127.0.0.1:$(PORT)/ (scripts/run.sh lists the knobs); Ctrl-C stops all three.
run: seed
	PORT=$(PORT) BIN=$(BIN) ./scripts/run.sh

# The same processes with DEBUG on (Django's debug pages, static files from the source tree, reload on
# code changes): for developing, never for an office.
debug: seed
	DJANGO_DEBUG=1 PORT=$(PORT) BIN=$(BIN) ./scripts/run.sh

# The suite on SQLite with eager tasks, except the tests marked `embedded` (a live `make run`-style server
# on a fresh database, about a minute): `make test-embedded` runs those, and .ci/run runs both.
test: install
	DJANGO_TESTING=1 CELERY_TASK_ALWAYS_EAGER=1 $(BIN)/pytest -q -n 2 -m "not embedded"

test-embedded: install
	DJANGO_TESTING=1 CELERY_TASK_ALWAYS_EAGER=1 $(BIN)/pytest -q -p no:randomly -m embedded tests/embedded

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
	$(EMBEDDED) BACKUP_FILE="$(BACKUP_FILE)" ./scripts/backup.sh

restore: install
	@test -n "$(BACKUP_FILE)" || { echo "usage: make restore BACKUP_FILE=var/backups/<file>"; exit 2; }
	$(EMBEDDED) ./scripts/restore.sh "$(BACKUP_FILE)"

clean:
	rm -rf $(VENV) var
