"""Backups that restore: the database and every stored file, with a manifest of checksums.

A backup is one directory::

    <name>/database.dump        pg_dump --format=custom of the default database (database.sqlite3 on SQLite, dev only)
    <name>/files/<storage name> every file of Django's default storage, copied through the storage API
    <name>/manifest.json        written last: without it the backup is incomplete and restore refuses it

Files are read and written only through ``default_storage`` (never MEDIA_ROOT), so the same commands work
when the storage is an S3-compatible object store. ``backup_restore`` checks every checksum before it
changes anything, refuses a target that already holds data unless forced, and checks the files it wrote
back against the manifest afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import Error as DatabaseError

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024

# The connection options (settings' OPTIONS) that libpq also reads from the environment. "options" (the web
# requests' lock and statement timeouts) is left out on purpose: pg_dump and pg_restore set their own, and a
# 30 s statement limit would cut a city-sized dump.
_LIBPQ_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
              "passfile": "PGPASSFILE", "service": "PGSERVICE", "connect_timeout": "PGCONNECT_TIMEOUT",
              "target_session_attrs": "PGTARGETSESSIONATTRS"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what to do (the commands show it as is)."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database_bytes: int
    files: int
    file_bytes: int
    seconds: float


@dataclass(frozen=True)
class RestoreSummary:
    path: Path
    vendor: str
    database_bytes: int
    files: int
    file_bytes: int
    seconds: float
    warnings: tuple[str, ...]


# --- Backup ------------------------------------------------------------------------------------------------


def backup_create(*, directory: Path, name: str | None = None, storage: Storage = default_storage,
                  using: str = "default") -> BackupSummary:
    """Write a complete backup to ``directory/<name>`` (a UTC timestamp by default) and return its figures."""
    started = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    name = name or now.strftime("%Y%m%dT%H%M%SZ")
    if not name or name in (".", "..") or "/" in name or os.sep in name:
        raise BackupError(f"Invalid backup name {name!r}: give a plain folder name, without slashes.")
    target = Path(directory) / name
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not empty: choose another name or directory.")
    created = not target.exists()
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP:
        raise BackupError(f"Backups support PostgreSQL (and SQLite for development), not {vendor}.")
    # The backup holds personal data of every official: readable by the operator's account only.
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    target.chmod(0o700)
    try:
        # The database first, then the files: a file written meanwhile is merely extra in the backup, whereas
        # copying the files first could leave a row of the dump pointing at a file the backup lacks.
        dump = target / DUMP[vendor]
        database = _database_dump(connection, dump)
        database.update(_checksum_file(dump))
        files: dict[str, dict[str, Any]] = {}
        vanished: list[str] = []
        for stored in _walk(storage):
            try:
                files[stored] = _file_copy_out(storage, stored, target / FILES / _safe(stored))
            except FileNotFoundError:
                # Deleted between the listing and the copy (an export pruned, an import upload cleaned up):
                # a file that no longer exists is not part of the state to restore.
                (target / FILES / _safe(stored)).unlink(missing_ok=True)
                vanished.append(stored)
                logger.warning("Backup: %s was deleted while the backup ran; left out", stored)
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat().replace("+00:00", "Z"),
            "host": getattr(settings, "OPS_HOST_NAME", "") or platform.node(),
            "database": database,
            "versions": {"python": platform.python_version(), "django": django.get_version(),
                         **_optional_versions()},
            "migrations": _latest_migrations(connection),
            "files": files,
            "vanished_during_backup": vanished,
        }
        # Written last and renamed into place: a manifest exists only for a backup that is complete.
        partial = target / f".{MANIFEST}.partial"
        partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
        partial.replace(target / MANIFEST)
    except OSError as error:  # a full disk, an unreadable stored file: the operator's to fix, said plainly
        _remove_partial(target, created=created)
        raise BackupError(f"The backup failed and {target} was removed: {error}") from None
    except BaseException:
        _remove_partial(target, created=created)
        raise
    return BackupSummary(path=target, database_bytes=database["size"], files=len(files),
                         file_bytes=sum(entry["size"] for entry in files.values()),
                         seconds=time.monotonic() - started)


def _database_dump(connection: BaseDatabaseWrapper, dump: Path) -> dict[str, Any]:
    if connection.vendor == "sqlite":
        # The backup API copies a consistent snapshot even while others write (a plain file copy would not).
        # It reads through a connection of its own, as pg_dump does: what is committed, never a caller's
        # open transaction (through the caller's connection it would wait on that transaction for ever).
        name = str(connection.settings_dict["NAME"])
        if not Path(name).is_file():
            raise BackupError(f"The SQLite database {name} does not exist (an in-memory database cannot be backed "
                              "up).")
        with sqlite3.connect(f"{Path(name).resolve().as_uri()}?mode=ro", uri=True) as source, \
                sqlite3.connect(dump) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return {"vendor": "sqlite", "file": dump.name, "server_version": sqlite3.sqlite_version}
    command = [_client("pg_dump"), "--format=custom", "--no-password", f"--file={dump}",
               f"--dbname={_conninfo(connection)}"]
    _run(command, env=_libpq_env(connection), what="pg_dump")
    dump.chmod(0o600)
    connection.ensure_connection()
    return {"vendor": "postgresql", "file": dump.name, "name": connection.settings_dict["NAME"],
            "server_version": connection.pg_version,  # type: ignore[attr-defined]
            "pg_dump": _run([_client("pg_dump"), "--version"], env=dict(os.environ), what="pg_dump").strip()}


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, sorted, through ``listdir`` only (works for object stores too)."""
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created holds nothing
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(names):
        yield prefix + name
    for sub in sorted(folders):
        yield from _walk(storage, prefix + sub)


def _file_copy_out(storage: Storage, name: str, destination: Path) -> dict[str, Any]:
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as source, destination.open("wb") as out:
        for chunk in _chunks(source):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _remove_partial(target: Path, *, created: bool) -> None:
    if created:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir():  # the folder was empty when we started: everything in it is ours
        shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)


# --- Verify ------------------------------------------------------------------------------------------------


def backup_verify(*, path: Path) -> dict[str, Any]:
    """The backup's manifest, once the dump and every file match their size and sha256 (else BackupError)."""
    path = Path(path)
    if not path.is_dir():
        raise BackupError(f"{path} is not a backup directory.")
    try:
        manifest = json.loads((path / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} has no {MANIFEST}: the backup is incomplete (it was interrupted or is not a "
                          "backup). Use another backup.") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{path / MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path / MANIFEST}: unknown backup format {manifest.get('format_version')!r} "
                          f"(this code reads format {FORMAT_VERSION}).")
    try:
        database = manifest["database"]
        checks = [(path / _safe(database["file"]), database, database["file"])]
        checks += [(path / FILES / _safe(name), entry, f"{FILES}/{name}") for name, entry in manifest["files"].items()]
        problems = [problem for file, entry, label in checks
                    if (problem := _checksum_problem(file, entry, label=label))]
    except (KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{path / MANIFEST} is malformed ({error!r}): use another backup.") from None
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise BackupError(f"The backup {path} does not match its manifest; nothing was restored:\n  {shown}")
    return manifest


def _checksum_problem(file: Path, entry: dict[str, Any], *, label: str) -> str:
    if not file.is_file():
        return f"{label}: missing"
    found = _checksum_file(file)
    if found["size"] != entry["size"]:
        return f"{label}: {found['size']} bytes, the manifest says {entry['size']}"
    if found["sha256"] != entry["sha256"]:
        return f"{label}: sha256 {found['sha256']}, the manifest says {entry['sha256']}"
    return ""


# --- Restore -----------------------------------------------------------------------------------------------


def backup_restore(*, path: Path, force: bool = False, storage: Storage = default_storage,
                   using: str = "default") -> RestoreSummary:
    """Restore the backup at ``path`` into the configured database and storage.

    Nothing is changed unless every checksum matches and, without ``force``, both targets are empty.
    """
    started = time.monotonic()
    path = Path(path)
    manifest = backup_verify(path=path)
    connection = connections[using]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"The backup holds a {vendor} database but the configured database is "
                          f"{connection.vendor}: restore it into a {vendor} database.")
    occupied = [what for what in (_database_contents(connection), _storage_contents(storage)) if what]
    if occupied and not force:
        raise BackupError("Refusing to restore over existing data:\n  " + "\n  ".join(occupied) +
                          "\nRestore into an empty database and an empty storage, or run again with --force to "
                          "replace the database's contents with the backup's and overwrite stored files of the "
                          "same name (other files are left in place).")
    dump = path / manifest["database"]["file"]
    connection.close()  # our own idle connection must not stand in the restore's way
    if vendor == "sqlite":
        _sqlite_restore(connection, dump)
    else:
        try:
            _run([_client("pg_restore"), "--clean", "--if-exists", "--no-owner",
                  # Grants name roles of the old host, which a new host may not have; the operator grants afresh.
                  "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password",
                  f"--dbname={_conninfo(connection)}", str(dump)],
                 env=_libpq_env(connection), what="pg_restore")
        except BackupError as error:
            # One transaction: a failed pg_restore leaves the database as it was, and no file was written yet.
            raise BackupError(f"{error}\nThe database was left as it was and no file was restored.") from None
    files = manifest["files"]
    try:
        for name in files:
            _file_copy_in(storage, name, path / FILES / _safe(name), overwrite=force)
    except OSError as error:
        raise BackupError(f"The database was restored but writing the files failed: {error}\nFix the cause and "
                          "run the restore again with --force.") from None
    warnings = _check_restored(connection, storage, manifest)
    if vendor == "postgresql":
        warnings += _tables_left_over(connection, dump)
    return RestoreSummary(path=path, vendor=vendor, database_bytes=manifest["database"]["size"], files=len(files),
                          file_bytes=sum(entry["size"] for entry in files.values()),
                          seconds=time.monotonic() - started, warnings=tuple(warnings))


def _database_contents(connection: BaseDatabaseWrapper) -> str:
    """What the target database already holds, in a sentence; "" when it has no table at all."""
    try:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
    except DatabaseError as error:
        raise BackupError(f"Cannot connect to the database {_describe(connection)}: {error}".strip() +
                          "\nCreate it first (createdb) and check DATABASE_URL.") from None
    if not tables:
        return ""
    recorder = MigrationRecorder(connection)
    migrations = f"; django_migrations lists {recorder.migration_qs.count()} applied migrations" \
        if recorder.has_table() else ""
    return f"the database {_describe(connection)} has {len(tables)} tables{migrations}"


def _storage_contents(storage: Storage) -> str:
    names = list(islice(_walk(storage), 3))
    if not names:
        return ""
    return f"the file storage already holds files (for example {', '.join(names)})"


def _tables_left_over(connection: BaseDatabaseWrapper, dump: Path) -> list[str]:
    """Tables of the target that the dump does not have: --clean drops only the dump's own objects.

    After a forced restore over a newer schema (an upgrade being rolled back) they would stand in the way of
    the next ``migrate``.
    """
    listing = _run([_client("pg_restore"), "--list", str(dump)], env=dict(os.environ), what="pg_restore --list")
    dumped = set()
    for line in listing.splitlines():
        # A table's entry reads "<id>; <oid> <oid> TABLE <schema> <name> <owner>" ("TABLE DATA …" are its rows).
        parts = line.split()
        if len(parts) >= 6 and parts[0].endswith(";") and parts[3] == "TABLE" and parts[4] != "DATA":
            dumped.add(parts[5])
    with connection.cursor() as cursor:
        extra = sorted(set(connection.introspection.table_names(cursor)) - dumped)
    if not extra:
        return []
    return [f"{len(extra)} table(s) not in the backup were left in place ({', '.join(extra[:10])}): drop them, "
            "or restore into a freshly created database, before running `manage.py migrate`."]


def _sqlite_restore(connection: BaseDatabaseWrapper, dump: Path) -> None:
    database = str(connection.settings_dict["NAME"])
    try:
        with sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True) as source, \
                sqlite3.connect(database) as target:
            source.backup(target)  # replaces the target's pages wholesale, in one step
    except sqlite3.Error as error:
        raise BackupError(f"Copying the backup into {database} failed: {error}") from None
    source.close()
    target.close()


def _file_copy_in(storage: Storage, name: str, source: Path, *, overwrite: bool) -> None:
    if overwrite and storage.exists(name):
        storage.delete(name)
    with source.open("rb") as stream:
        saved = storage.save(name, File(stream, name=PurePosixPath(name).name))
    if saved != name:
        raise BackupError(f"The storage saved {name} as {saved}: a file of that name was already there. "
                          "Restore into an empty storage, or use --force to overwrite.")


def _check_restored(connection: BaseDatabaseWrapper, storage: Storage, manifest: dict[str, Any]) -> list[str]:
    """Read back what was restored; a mismatch is an error, a schema older or newer than the code a warning."""
    problems = []
    for name, entry in manifest["files"].items():
        if not storage.exists(name):
            problems.append(f"{name}: not in the storage after the restore")
            continue
        digest = hashlib.sha256()
        with storage.open(name, "rb") as stream:
            for chunk in _chunks(stream):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            problems.append(f"{name}: sha256 {digest.hexdigest()} after the restore, the manifest says "
                            f"{entry['sha256']}")
    connection.close()
    restored = _latest_migrations(connection)
    if restored != manifest["migrations"]:
        problems.append(f"the restored database's migrations {restored} differ from the manifest's "
                        f"{manifest['migrations']}")
    if problems:
        raise BackupError("The restore finished but does not match the backup:\n  " + "\n  ".join(problems))
    warnings = []
    executor = MigrationExecutor(connection)
    unknown = sorted(f"{app}.{name}" for app, name in executor.loader.applied_migrations
                     if (app, name) not in executor.loader.disk_migrations)
    if unknown:
        warnings.append(f"The backup has migrations this code does not know ({', '.join(unknown[:5])}): run the "
                        "version of the code that made the backup.")
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        warnings.append(f"{len(pending)} migration(s) of this code not applied in the backup "
                        f"({', '.join(str(migration) for migration, _ in pending[:5])}): run `manage.py migrate` "
                        "before starting the app.")
    return warnings


# --- Shared helpers ----------------------------------------------------------------------------------------


def size_text(count: int) -> str:
    """A byte count as the commands' summaries print it."""
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count:,} bytes"


def _latest_migrations(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The latest applied migration of each app (numbered names sort in the order they apply)."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.values_list("app", "name"):
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _optional_versions() -> dict[str, str]:
    try:
        import wagtail
    except ImportError:  # pragma: no cover - Wagtail is a dependency; the manifest must not need it
        return {}
    return {"wagtail": str(wagtail.__version__)}


def _safe(name: str) -> str:
    """A storage name as a relative path inside the backup; a manifest naming anything outside it is refused."""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or "\\" in name or any(part in ("..", ".", "") for part in parts):
        raise BackupError(f"Refusing the file name {name!r}: not a plain relative storage name.")
    return str(PurePosixPath(*parts))


def _chunks(stream: IO[bytes] | File) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _checksum_file(file: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with file.open("rb") as stream:
        for chunk in _chunks(stream):
            digest.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _client(program: str) -> str:
    found = shutil.which(program)
    if not found:
        raise BackupError(f"{program} is not on PATH: install the PostgreSQL client programs (the server's major "
                          "version or newer, e.g. apt-get install postgresql-client-15).")
    return found


def _conninfo(connection: BaseDatabaseWrapper) -> str:
    # The database name as a libpq connection string, so that no name is ever taken for options; host, port,
    # user and password travel in the environment (a password on the command line shows in `ps`).
    name = str(connection.settings_dict["NAME"]).replace("\\", "\\\\").replace("'", "\\'")
    return f"dbname='{name}'"


def _libpq_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    database = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    for option, variable in _LIBPQ_ENV.items():
        if database.get("OPTIONS", {}).get(option):
            env[variable] = str(database["OPTIONS"][option])
    return env


def _describe(connection: BaseDatabaseWrapper) -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"{database['NAME']}"
    return f"{database['NAME']!r} on {database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"


def _run(command: list[str], *, env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"{what} could not be started: {error}") from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}):\n{done.stderr.strip()[-4000:]}")
    return done.stdout
