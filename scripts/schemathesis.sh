#!/usr/bin/env bash
# Property-based API testing with Schemathesis, a token per role, against the real app served by gunicorn.
#
#   scripts/schemathesis.sh                 # every role: examples + fuzzing; secretary and member: + coverage of writes
#   ROLES="beijie_shuji zhen" MAX_EXAMPLES=50 PHASES=examples,fuzzing,coverage scripts/schemathesis.sh
#   SEED=123 scripts/schemathesis.sh        # reproduce a run (CI uses a fixed seed, so a red run replays)
#
# A throwaway SQLite database seeded with the demo town (manage.py seed_demo) under a temporary VAR_DIR,
# production settings (DEBUG off) on a free 127.0.0.1 port, one DRF token per role (manage.py
# issue_tokens); "anonymous" sends no token. The schema is read once (it needs a login) and every pass
# tests all of its operations. Checks: not_a_server_error and response_schema_conformance.
#
# Two kinds of pass:
#   - every role in ROLES: PHASES (default examples,fuzzing), at most MAX_EXAMPLES cases per operation;
#   - every role in COVERAGE_ROLES: Schemathesis' coverage phase (boundary and wrong-type values for each
#     field, several thousand requests) over the write operations (POST/PUT/PATCH/DELETE) only, which
#     is where a bad value can reach the database. All operations take over two minutes per role.
# A pass that hits RUN_TIMEOUT has not covered every operation: it fails the script, so a pass that
# silently stopped covering the API cannot look green. Reports (JUnit + NDJSON per pass) and the server
# log go to $OUT (var/schemathesis/). Exits non-zero when any pass found a failure or ran out of time.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
MAX_EXAMPLES=${MAX_EXAMPLES:-10}
PHASES=${PHASES:-examples,fuzzing}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}   # seconds per pass, a hard bound
# town supervisor, secretary, staff, office director, officer, in-service member, deputy, employer liaison
ROLES=${ROLES:-"zhen beijie_shuji beijie_staff beijie_zhuren beijie_officer beijie_m1 beijie_deputy yiyuan_liaison anonymous"}
COVERAGE_ROLES=${COVERAGE_ROLES:-"beijie_shuji beijie_m1"}
SEED=${SEED:-}
# One Schemathesis worker: with two threads, Hypothesis once failed inside its own lambda-source cache (a
# "Runtime Error" about AST recursion depth) and the single gunicorn worker serves one request at a time anyway.
ST_WORKERS=${ST_WORKERS:-1}
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
"$BIN/python" manage.py issue_tokens $(tr ' ' '\n' <<<"$ROLES" | grep -vx anonymous) >"$work/tokens.tsv"
# "anonymous" runs with no token at all: everything but the public list must be a 401, and say so in the schema
if grep -qwx anonymous <(tr ' ' '\n' <<<"$ROLES"); then printf 'anonymous\t\n' >>"$work/tokens.tsv"; fi

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/gunicorn" -c config/gunicorn.conf.py --bind "127.0.0.1:$port" --workers "$WEB_WORKERS" \
  --access-logfile /dev/null --error-logfile "$OUT/server.log" --capture-output &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 60); do
  if "$BIN/python" -c "import urllib.request as u; u.urlopen('$base/accounts/login/', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.5
done

# The schema needs a login to read; fetch it once, so the anonymous run tests the same operations
first_token=$(awk -F'\t' '$2 != "" {print $2; exit}' "$work/tokens.tsv")
"$BIN/python" - "$base/api/schema/?format=json" "$first_token" "$work/schema.json" <<'PY'
import sys, urllib.request
url, token, out = sys.argv[1:]
request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
with urllib.request.urlopen(request, timeout=60) as response, open(out, "wb") as f:
    f.write(response.read())
PY

status=0
started=$(date +%s)
# run_pass NAME TOKEN schemathesis-options...: one pass, its reports under $OUT/NAME.*
run_pass() {
  local name=$1 token=$2 rc summary pass_started
  shift 2
  pass_started=$(date +%s)
  set +e
  # run from the scratch folder, so Schemathesis' own cache folder does not land in the work tree
  (cd "$work" && timeout --signal=INT --kill-after=10 "$RUN_TIMEOUT" \
    "$BIN/schemathesis" run "$work/schema.json" --url "$base" \
      ${token:+--header "Authorization: Token $token"} \
      --checks not_a_server_error,response_schema_conformance \
      ${SEED:+--seed "$SEED"} \
      --workers "$ST_WORKERS" \
      --request-timeout 30 \
      --generation-database none \
      --no-color \
      --report junit,ndjson \
      --report-junit-path "$OUT/$name.junit.xml" \
      --report-ndjson-path "$OUT/$name.ndjson" \
      "$@" \
      >"$OUT/$name.txt" 2>&1)
  rc=$?
  set -e
  sed -n '/^Failures:/,$p' "$OUT/$name.txt" | head -n 40
  summary=$(grep -E '^=+ .* =+$' "$OUT/$name.txt" | tail -n 1 || true)
  cases=$(grep -oE '[0-9]+ generated' "$OUT/$name.txt" | tail -n 1 || true)
  echo "-- $name: exit $rc in $(( $(date +%s) - pass_started ))s, ${cases:-? generated}: ${summary:-no summary} (full output: $OUT/$name.txt)"
  if [ "$rc" -eq 124 ]; then echo "!! $name ran out of its ${RUN_TIMEOUT}s before covering every operation"; fi
  if [ "$rc" -ne 0 ]; then status=1; fi
}

while IFS=$'\t' read -r role token; do
  echo "== schemathesis as $role: $PHASES, at most $MAX_EXAMPLES cases per operation"
  run_pass "$role" "$token" --phases "$PHASES" --max-examples "$MAX_EXAMPLES"
  if grep -qwx "$role" <(tr ' ' '\n' <<<"$COVERAGE_ROLES"); then
    echo "== schemathesis as $role: coverage of the write operations"
    run_pass "$role.coverage" "$token" --phases coverage --include-method-regex '^(POST|PUT|PATCH|DELETE)$'
  fi
done <"$work/tokens.tsv"
echo "== schemathesis done in $(( $(date +%s) - started ))s, exit $status"
exit "$status"
