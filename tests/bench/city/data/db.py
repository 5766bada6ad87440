"""The database side of the generator: recreate the bench database, set Django up on it, COPY rows in."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from typing import Any

SAFE_PREFIXES = ("bench_", "ci_", "test_")


def database_name(database_url: str) -> str:
    return database_url.rpartition("/")[2].split("?", 1)[0]


def check_name(database_url: str) -> str:
    """The database's name, if it is one this generator may drop; it refuses any other."""
    name = database_name(database_url)
    if not name.startswith(SAFE_PREFIXES):
        raise SystemExit(f"refusing to drop database {name!r}: only bench_*/ci_*/test_* databases")
    return name


def recreate(database_url: str) -> None:
    import psycopg

    name = check_name(database_url)
    base = database_url.rpartition("/")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        # A bench database is rebuilt, never recovered: commits need not wait for the disk (migrate's hundreds).
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def drop(database_url: str) -> None:
    import psycopg

    name = check_name(database_url)
    base = database_url.rpartition("/")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_site.settings.dev")
    import django

    django.setup()


def columns(model: Any, fields: Sequence[str]) -> list[str]:
    """The database columns of ``fields`` (``unit`` → ``unit_id``): the COPY names what the model names."""
    return [model._meta.get_field(name).column for name in fields]


def copy_rows(model: Any, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Stream ``rows`` into the model's table with COPY on Django's own connection (same transaction)."""
    from django.db import connection

    cols = ", ".join(f'"{c}"' for c in columns(model, fields))
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def next_id(model: Any) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
        return int(cursor.fetchone()[0])


def sync_sequence(model: Any) -> None:
    """After COPY with explicit ids, the id sequence continues after the highest one."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')


def execute(sql: str, params: Sequence[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def base_fingerprint(today: str, extra: str = "") -> str:
    """What the migrated, demo-seeded base depends on: every migration, the demo's code, the day (the demo
    dates its classes from today) and ``extra`` (how it was seeded). A change to any of them makes a new
    template; the generator's own code is not part of the base."""
    import hashlib
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[4]
    digest = hashlib.sha256(f"{today}|{extra}".encode())
    files = sorted([*root.glob("*/migrations/*.py"), *root.glob("staff/demo/*.py")])
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def clone_template(database_url: str, template: str) -> bool:
    """Recreate the database as a copy of ``template`` if that exists (seconds instead of migrate's minutes)."""
    import psycopg

    name = check_name(database_url)
    base = database_url.rpartition("/")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone() is None:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for attempt in range(5):
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                break
            except psycopg.errors.ObjectInUse:  # autovacuum visiting the template: it leaves soon
                time.sleep(1 + attempt)
        else:
            return False
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return True


def save_template(database_url: str, template: str) -> None:
    """Keep the migrated base as ``template`` for the next build (the source must have no other session)."""
    import psycopg
    from django.db import connection

    check_name(f"/{template}")
    connection.close()
    base = database_url.rpartition("/")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        # Older templates of this generator are of no use once the migrations or the day changed.
        for (old,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench_data_base_%%' "
                                   "AND datname <> %s", [template]).fetchall():
            conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        for attempt in range(5):
            try:
                conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{database_name(database_url)}"')
                return
            except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                return  # another build saved the same base at the same moment
            except psycopg.errors.ObjectInUse:
                # Another session (autovacuum, most often) is in the base: wait, and build without a template
                # if it stays. The template only saves time.
                time.sleep(1 + attempt)


def bulk_mode(on: bool) -> None:
    """Skip the foreign-key triggers while the generator loads rows it wrote consistently itself (superuser
    only: ``session_replication_role``); ``check_foreign_keys`` proves afterwards, set-wise, that every
    reference resolves. The constraints themselves stay in the schema, and hold for every later write."""
    execute(f"SET session_replication_role = {'replica' if on else 'origin'}")
    execute(f"SET jit = {'off' if on else 'default'}")  # bulk statements' estimates make JIT compile for seconds


def check_foreign_keys(models: Sequence[Any]) -> dict[str, int]:
    """Count, per foreign key of ``models``, the rows pointing at nothing; raise if any does."""
    from django.db import models as m

    orphans: dict[str, int] = {}
    for model in models:
        table = model._meta.db_table
        for fk in model._meta.concrete_fields:
            if not isinstance(fk, m.ForeignKey):
                continue
            target = fk.related_model._meta
            sql = (f'SELECT count(*) FROM "{table}" t WHERE t."{fk.column}" IS NOT NULL AND NOT EXISTS '
                   f'(SELECT 1 FROM "{target.db_table}" r WHERE r."{fk.target_field.column}" = t."{fk.column}")')
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(sql)
                count = cursor.fetchone()[0]
            if count:
                orphans[f"{table}.{fk.column}"] = count
    if orphans:
        raise RuntimeError(f"rows pointing at nothing: {orphans}")
    return orphans
