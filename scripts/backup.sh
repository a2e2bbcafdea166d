#!/usr/bin/env bash
# Back up the database named by DATABASE_URL (default: var/db.sqlite3).
#   PostgreSQL: pg_dump -Fc          SQLite: a consistent copy via SQLite's online backup API
# Writes var/backups/<YYYYmmdd-HHMMSS>.<dump|sqlite3>, or $BACKUP_FILE if set; prints the file's path.
# The file holds personal data (PIPL): it is created 0600; copy it off the machine encrypted.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
umask 077
exec "$BIN/python" manage.py backup_db "$@"
