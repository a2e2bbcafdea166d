#!/usr/bin/env bash
# Serve the web app (gunicorn) with its Celery worker and beat scheduler; Ctrl-C stops them all.
# Embedded default: SQLite + Kombu's filesystem broker under var/, so no server is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
WEB_WORKERS=${WEB_WORKERS:-2}
mkdir -p var/celery/out var/celery/processed var/log

"$BIN/python" manage.py collectstatic --no-input -v0

# One worker process with the beat scheduler embedded: exactly one scheduler, reading its jobs from the
# database (django-celery-beat's DatabaseScheduler; edit them in the admin). With a real broker, run
# `celery beat` once and as many `celery worker` processes as needed instead (see README, "Scaling out").
"$BIN/celery" -A config worker --beat --loglevel=INFO --concurrency=2 \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler >>var/log/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo "Serving on http://127.0.0.1:${PORT}/  (admin: /admin/, API docs: /api/docs/; worker log: var/log/worker.log)"
"$BIN/gunicorn" -c config/gunicorn.conf.py --bind "127.0.0.1:${PORT}" --workers "$WEB_WORKERS"
