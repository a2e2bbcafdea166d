"""Back up the default database (what `make backup` / scripts/backup.sh run).

PostgreSQL: `pg_dump -Fc` (custom format: compressed, restorable table by table with pg_restore).
SQLite: a consistent copy through SQLite's online backup API — never `cp` of a live file, which can copy
a half-written page while a worker is writing.

The file goes to --output, else $BACKUP_FILE, else var/backups/<YYYYmmdd-HHMMSS>.<dump|sqlite3>. It holds
residents' personal data: it is created readable by its owner only (0600).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ._dbfiles import backup_dir, default_database


class Command(BaseCommand):
    help = "Back up the default database to var/backups/ (or --output / $BACKUP_FILE)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="file to write (default: $BACKUP_FILE or var/backups/<time>.<ext>)"
        )

    def handle(self, *args, output=None, **options):
        target = default_database()
        path = Path(output or os.environ.get("BACKUP_FILE") or self._default_path(target.extension))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        try:
            if target.vendor == "postgresql":
                self._pg_dump(target, partial)
            else:
                self._sqlite_backup(target.name, partial)
            partial.replace(path)  # a backup file that exists is complete
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(str(path))

    @staticmethod
    def _default_path(extension: str) -> Path:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return backup_dir() / f"{stamp}.{extension}"

    @staticmethod
    def _pg_dump(target, path: Path) -> None:
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--file", str(path)],
            env=target.pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")

    @staticmethod
    def _sqlite_backup(source: str, path: Path) -> None:
        if not Path(source).exists():
            raise CommandError(f"no database file at {source}")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(path)
        try:
            with dst:
                src.backup(dst)
            (status,) = dst.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise CommandError(f"the copy failed its integrity check: {status}")
        finally:
            dst.close()
            src.close()
