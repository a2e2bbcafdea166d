#!/usr/bin/env bash
# The suite on PostgreSQL, with the tests marked `worker` talking to a real Celery worker on Redis.
# The worker is started by the `celery_worker` fixture (tests/conftest.py) against the test database.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export DATABASE_URL=${PG_TEST_URL:-postgres://postgres@127.0.0.1:5432/minqing}
export CELERY_BROKER_URL=${REDIS_TEST_URL:-redis://127.0.0.1:6379/15}
export CELERY_TASK_ALWAYS_EAGER=0
export DJANGO_TESTING=1
exec "$BIN/pytest" -q -n 2 -p no:randomly "$@"
