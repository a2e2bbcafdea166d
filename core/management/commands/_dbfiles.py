"""Shared by backup_db and restore_db: what the default database is, and how to reach it from a shell."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


@dataclass(frozen=True)
class Target:
    vendor: str  # "postgresql" or "sqlite"
    name: str  # database name, or the SQLite file path
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @property
    def extension(self) -> str:
        return "dump" if self.vendor == "postgresql" else "sqlite3"

    def pg_env(self) -> dict:
        """libpq variables, so the password never appears on a command line (`ps` shows those)."""
        env = {**os.environ, "PGDATABASE": self.name}
        for var, value in (("PGHOST", self.host), ("PGPORT", self.port), ("PGUSER", self.user)):
            if value:
                env[var] = str(value)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def default_database() -> Target:
    db = settings.DATABASES["default"]
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise CommandError("an in-memory SQLite database cannot be backed up or restored")
        return Target("sqlite", name)
    if "postgresql" in engine:
        return Target(
            "postgresql",
            db["NAME"],
            host=db.get("HOST") or "",
            port=str(db.get("PORT") or ""),
            user=db.get("USER") or "",
            password=db.get("PASSWORD") or "",
        )
    raise CommandError(f"backups of {engine} are not supported")


def backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"
