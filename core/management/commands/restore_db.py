"""Restore the default database from a backup made by backup_db (what `make restore` runs).

PostgreSQL: `pg_restore --clean --if-exists` in one transaction (all or nothing), without owners or
grants from the source machine. SQLite: SQLite's backup API copies the file into the live database, so
open connections see the old or the new database, never a mixture.

Everything in the database is replaced: the command asks for the database name unless --yes is given.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ._dbfiles import default_database


class Command(BaseCommand):
    help = "Replace the default database with a backup file (from backup_db)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup file (.dump for PostgreSQL, .sqlite3 for SQLite)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file, yes=False, **options):
        target = default_database()
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no backup file at {path}")
        if not yes:
            answer = input(f"This replaces everything in {target.name}. Type its name to go on: ")
            if answer.strip() != Path(target.name).name and answer.strip() != target.name:
                raise CommandError("not confirmed; nothing was changed")
        connections.close_all()
        if target.vendor == "postgresql":
            self._pg_restore(target, path)
        else:
            self._sqlite_restore(path, target.name)
        self.stdout.write(f"restored {target.name} from {path}")

    @staticmethod
    def _pg_restore(target, path: Path) -> None:
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                target.name,
                str(path),
            ],
            env=target.pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")

    @staticmethod
    def _sqlite_restore(path: Path, database: str) -> None:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (status,) = src.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise CommandError(f"{path} failed its integrity check: {status}")
            dst = sqlite3.connect(database, timeout=30)
            try:
                with dst:
                    src.backup(dst)
            finally:
                dst.close()
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"{path} is not a SQLite backup: {exc}")
        finally:
            src.close()
