"""Backup drill: back up, wipe, restore, compare the row count of every table.

Runs the real scripts (scripts/backup.sh, scripts/restore.sh) as subprocesses against a database of its
own — a temporary SQLite file, or on PostgreSQL `<test db name>_drill` — seeded with the demo town, so it
never touches the database the other tests use.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
BIN = str(Path(sys.executable).parent)


def run(args, env, **kwargs):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def drill_env(database_url: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_TESTING="1",
        VAR_DIR=str(tmp_path / "var"),
        BIN=BIN,
    )
    return env


def prepare(env) -> None:
    py = [sys.executable, "manage.py"]
    run([*py, "migrate", "--no-input", "-v0"], env)
    run([*py, "seed_demo", "--people", "8"], env)


def drill(env, tmp_path, counts, wipe) -> None:
    before = counts()
    assert before["members_person"] > 0 and before["members_user"] > 0

    out = run(["scripts/backup.sh"], {**env, "BACKUP_FILE": str(tmp_path / "drill.bak")})
    backup = Path(out.stdout.strip().splitlines()[-1])
    assert backup == tmp_path / "drill.bak" and backup.stat().st_size > 0
    assert backup.stat().st_mode & 0o077 == 0  # personal data: owner only

    wipe()
    wiped = counts()
    assert wiped != before

    run(["scripts/restore.sh", "--yes", str(backup)], env)
    assert counts() == before


def test_default_backup_file_name_is_timestamped_under_var_backups(tmp_path):
    db = tmp_path / "tiny.sqlite3"
    with sqlite3.connect(db) as con:
        con.execute("create table t (x int)")
        con.execute("insert into t values (1)")
    env = drill_env(f"sqlite:///{db}", tmp_path)
    out = run(["scripts/backup.sh"], env)
    made = Path(out.stdout.strip().splitlines()[-1])
    assert made.parent == tmp_path / "var" / "backups"
    assert made.suffix == ".sqlite3" and len(made.stem) == len("20260301-020000")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    db = tmp_path / "tiny.sqlite3"
    sqlite3.connect(db).close()
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    env = drill_env(f"sqlite:///{db}", tmp_path)
    result = subprocess.run(
        ["scripts/restore.sh", "--yes", str(junk)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0


def test_sqlite_backup_drill(tmp_path):
    db = tmp_path / "drill.sqlite3"
    env = drill_env(f"sqlite:///{db}", tmp_path)
    prepare(env)

    def counts():
        with sqlite3.connect(db) as con:
            tables = [
                name
                for (name,) in con.execute(
                    "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
                )
            ]
            return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in sorted(tables)}

    def wipe():
        with sqlite3.connect(db) as con:
            con.execute("pragma foreign_keys=off")
            for table in ("members_registrationevent", "members_registration", "members_partymembership"):
                con.execute(f"delete from {table}")
            con.execute("drop table members_zoneassignment")

    drill(env, tmp_path, counts, wipe)


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_backup_drill(tmp_path):
    import psycopg2
    from psycopg2 import sql

    params = connection.settings_dict
    drill_name = f"{params['NAME']}_drill"
    dsn = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"],
        "password": params["PASSWORD"] or "",
    }

    def admin(statement):
        con = psycopg2.connect(dbname="postgres", **dsn)
        con.autocommit = True
        try:
            con.cursor().execute(statement)
        finally:
            con.close()

    name = sql.Identifier(drill_name)
    admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    admin(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        url = f"postgres://{dsn['user']}:{dsn['password']}@{dsn['host']}:{dsn['port']}/{drill_name}"
        env = drill_env(url, tmp_path)
        prepare(env)

        def query(statements):
            con = psycopg2.connect(dbname=drill_name, **dsn)
            try:
                with con, con.cursor() as cur:
                    return statements(cur)
            finally:
                con.close()

        def counts():
            def count(cur):
                cur.execute("select tablename from pg_tables where schemaname = 'public' order by 1")
                tables = [t for (t,) in cur.fetchall()]
                result = {}
                for table in tables:
                    cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(table)))
                    result[table] = cur.fetchone()[0]
                return result

            return query(count)

        def wipe():
            def delete(cur):
                cur.execute(
                    "truncate members_registrationevent, members_registration, members_partymembership cascade"
                )
                cur.execute("drop table members_zoneassignment cascade")

            query(delete)

        drill(env, tmp_path, counts, wipe)
    finally:
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
