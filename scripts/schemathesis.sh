#!/usr/bin/env bash
# Property-based API testing with Schemathesis, once per role, against the real app served by gunicorn.
#
#   scripts/schemathesis.sh                          # default roles, 20 examples per operation
#   ROLES="beijie_shuji zhen" MAX_EXAMPLES=50 RUN_TIMEOUT=300 scripts/schemathesis.sh
#
# A throwaway SQLite database seeded with the demo town (manage.py seed_demo) under a temporary VAR_DIR,
# production settings (DEBUG off) on a free 127.0.0.1 port, one DRF token per role (manage.py
# issue_tokens). Checks: not_a_server_error and response_schema_conformance. Reports (JUnit + NDJSON)
# and the server log go to var/schemathesis/. Exits non-zero when any role's run found a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
MAX_EXAMPLES=${MAX_EXAMPLES:-20}
RUN_TIMEOUT=${RUN_TIMEOUT:-150}   # seconds per role, a hard bound
ROLES=${ROLES:-"beijie_shuji beijie_staff zhen beijie_m1 beijie_officer yiyuan_liaison"}
OUT=${OUT:-var/schemathesis}
# One web process: with two, concurrent writes on the throwaway SQLite file end in "database is locked"
# 500s that say nothing about the API (WEB_WORKERS=2 reproduces that finding on purpose).
WEB_WORKERS=${WEB_WORKERS:-1}

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=$(cd "$BIN" && pwd)
: >"$OUT/server.log"

export DJANGO_SETTINGS_MODULE=config.settings
export DJANGO_DEBUG=0
export SECRET_KEY
SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=0
export VAR_DIR="$work"
export DATABASE_URL="sqlite:///$work/schemathesis.sqlite3"
export CELERY_TASK_ALWAYS_EAGER=1
unset DJANGO_TESTING

"$BIN/python" manage.py migrate --no-input -v0
"$BIN/python" manage.py seed_demo --people 12 >/dev/null
# shellcheck disable=SC2086
"$BIN/python" manage.py issue_tokens $ROLES >"$work/tokens.tsv"

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$port" --workers "$WEB_WORKERS" --timeout 60 \
  --access-logfile /dev/null --error-logfile "$OUT/server.log" --capture-output &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 60); do
  if "$BIN/python" -c "import urllib.request as u; u.urlopen('$base/accounts/login/', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.5
done

status=0
started=$(date +%s)
while IFS=$'\t' read -r role token; do
  echo "== schemathesis as $role (max $MAX_EXAMPLES examples per operation, at most ${RUN_TIMEOUT}s)"
  role_started=$(date +%s)
  set +e
  # run from the scratch folder, so Schemathesis' own cache folder does not land in the work tree
  (cd "$work" && timeout --signal=INT --kill-after=10 "$RUN_TIMEOUT" \
    "$BIN/schemathesis" run "$base/api/schema/" \
      --header "Authorization: Token $token" \
      --checks not_a_server_error,response_schema_conformance \
      --max-examples "$MAX_EXAMPLES" \
      --workers 2 \
      --request-timeout 30 \
      --generation-database none \
      --no-color \
      --report junit,ndjson \
      --report-junit-path "$OUT/$role.junit.xml" \
      --report-ndjson-path "$OUT/$role.ndjson" \
      >"$OUT/$role.txt" 2>&1)
  rc=$?
  set -e
  sed -n '/^Failures:/,$p' "$OUT/$role.txt" | head -n 40
  summary=$(grep -E '^=+ .* =+$' "$OUT/$role.txt" | tail -n 1 || true)
  echo "-- $role: exit $rc in $(( $(date +%s) - role_started ))s: ${summary:-no summary} (full output: $OUT/$role.txt)"
  # Running out of time (exit 124) only ends the search; failures found before then still count.
  if [ "$rc" -ne 0 ] && { [ "$rc" -ne 124 ] || grep -qE '[0-9]+ (failures?|errors?)' <<<"$summary"; }; then
    status=1
  fi
done <"$work/tokens.tsv"
echo "== schemathesis done in $(( $(date +%s) - started ))s, exit $status"
exit "$status"
