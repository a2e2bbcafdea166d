# Sourced (POSIX sh) by scripts/run.sh and the Makefile's migrate/seed/run/debug/backup/restore: the
# environment the embedded default needs, filled in only where the caller left it empty.
#   VAR_DIR           where the SQLite file, the broker folders, the logs and the key live (default: var/)
#   SECRET_KEY_FILE   without SECRET_KEY or SECRET_KEY_FILE, a key is generated once into $VAR_DIR/secret_key
#                     and kept there: sessions survive a restart and every web and worker process signs alike.
VAR_DIR=${VAR_DIR:-$(pwd)/var}
export VAR_DIR
mkdir -p "$VAR_DIR"
if [ -z "${SECRET_KEY:-}" ] && [ -z "${SECRET_KEY_FILE:-}" ]; then
  SECRET_KEY_FILE="$VAR_DIR/secret_key"
  if [ ! -s "$SECRET_KEY_FILE" ]; then
    (umask 077 && "${PY:-${BIN:-.venv/bin}/python}" -c 'import secrets; print(secrets.token_urlsafe(50))' \
      >"$SECRET_KEY_FILE.tmp" && mv "$SECRET_KEY_FILE.tmp" "$SECRET_KEY_FILE")
    echo "A new SECRET_KEY was written to $SECRET_KEY_FILE (keep it; back it up with the database)." >&2
  fi
  export SECRET_KEY_FILE
fi
