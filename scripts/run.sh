#!/usr/bin/env bash
# Serve the web app (gunicorn) with its Celery worker and beat scheduler; Ctrl-C stops them all.
# Embedded default: SQLite + Kombu's filesystem broker under var/, so no server is needed.
#
# This is the product: DEBUG off, static files served by WhiteNoise (collected first), the product's own
# error pages. Local defaults, each overridable from the environment:
#   DJANGO_HTTPS=0                 served over plain http://127.0.0.1 (DJANGO_HTTPS=1 behind TLS: README "HTTPS")
#   ALLOWED_HOSTS=127.0.0.1,localhost
#   SECRET_KEY_FILE=$VAR_DIR/secret_key   generated on first run (scripts/embedded-env.sh)
#   PORT=8000  BIND=127.0.0.1  WEB_WORKERS=2
# DJANGO_DEBUG=1 (`make debug`) serves Django's debug pages instead and reloads on code changes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
BIND=${BIND:-127.0.0.1}
WEB_WORKERS=${WEB_WORKERS:-2}
# shellcheck source=scripts/embedded-env.sh
. scripts/embedded-env.sh
export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
export DJANGO_HTTPS=${DJANGO_HTTPS:-0}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
mkdir -p "$VAR_DIR/celery/out" "$VAR_DIR/celery/processed" "$VAR_DIR/log"

"$BIN/python" manage.py collectstatic --no-input -v0

# One worker process with the beat scheduler embedded: exactly one scheduler, reading its jobs from the
# database (django-celery-beat's DatabaseScheduler; edit them in the admin). With a real broker, run
# `celery beat` once and as many `celery worker` processes as needed instead (see README, "Scaling out").
"$BIN/celery" -A config worker --beat --loglevel=INFO --concurrency=2 \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler >>"$VAR_DIR/log/worker.log" 2>&1 &
worker=$!
# Stop the worker with the web server: a warm shutdown first; one still running after 30 s (seen once, stuck
# after its pool had exited) is killed. Tasks are acknowledged late and idempotent, so a killed one reruns.
stop_worker() {
  kill "$worker" 2>/dev/null || return 0
  for _ in $(seq 30); do kill -0 "$worker" 2>/dev/null || break; sleep 1; done
  kill -KILL "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT INT TERM

reload=()
mode="product (DEBUG off)"
if [ "$DJANGO_DEBUG" = 1 ]; then reload=(--reload); mode="DEBUG on, reloading on code changes"; fi
echo "Serving on http://${BIND}:${PORT}/ — ${mode}  (admin: /admin/, API docs: /api/docs/; worker log: $VAR_DIR/log/worker.log)"
"$BIN/gunicorn" -c config/gunicorn.conf.py --bind "${BIND}:${PORT}" --workers "$WEB_WORKERS" "${reload[@]}"
