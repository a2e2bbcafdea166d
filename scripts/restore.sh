#!/usr/bin/env bash
# Replace the database named by DATABASE_URL with a backup made by scripts/backup.sh.
#   scripts/restore.sh var/backups/20260301-020000.dump          (asks for the database name)
#   BACKUP_FILE=… scripts/restore.sh --yes                         (no question: for drills and scripts)
#   PostgreSQL: pg_restore --clean --if-exists, one transaction     SQLite: SQLite's backup API
# Stop the web and worker processes first on SQLite; on PostgreSQL they may keep running.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
args=()
file=""
for arg in "$@"; do
  case "$arg" in
    -*) args+=("$arg") ;;
    *) file="$arg" ;;
  esac
done
file=${file:-${BACKUP_FILE:-}}
if [ -z "$file" ]; then
  echo "usage: scripts/restore.sh [--yes] FILE   (or BACKUP_FILE=FILE)" >&2
  exit 2
fi
exec "$BIN/python" manage.py restore_db "$file" "${args[@]}"
