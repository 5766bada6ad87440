"""A PostgreSQL primary and a streaming replica of it, each a cluster of its own on a free port.

Made with the PostgreSQL 15 binaries (initdb, then pg_basebackup -R for the replica), both under one
temporary folder owned by the ``postgres`` user: PostgreSQL refuses to run as root, and CI runs as root.
The machine's own server (5432) is never touched. ``clusters()`` stops both (immediate shutdown) and removes
the folder however the rehearsal ends, keeping their logs beside the rehearsal's.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg


def binaries() -> Path:
    """PG_BIN, or the newest of Debian's /usr/lib/postgresql/<version>/bin (15 on our machines)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


BIN = binaries()
OWNER = "postgres"
DATABASE = "cluster"

# Durability is not what is rehearsed (no server of PostgreSQL is killed): no fsync keeps two clusters'
# writes off a CI disk. Statement logging is off; the replica's reads are shown by its own statistics.
CONFIG = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 5
hot_standby = on
track_counts = on
"""


@dataclass
class Server:
    name: str
    port: int
    data: Path
    log: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def connect(self, database: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True)

    def one(self, sql: str, params: tuple = ()) -> tuple:
        with self.connect() as connection:
            row = connection.execute(sql, params).fetchone()
        assert row is not None, sql
        return tuple(row)


def as_owner(*command: str | Path) -> list[str]:
    """The command as the ``postgres`` user when we are root (``runuser``), as is otherwise."""
    words = [str(word) for word in command]
    return ["runuser", "-u", OWNER, "--", *words] if os.geteuid() == 0 else words


def run(*command: str | Path) -> None:
    done = subprocess.run(as_owner(*command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}{done.stderr}")


def start(server: Server) -> None:
    run(BIN / "pg_ctl", "-D", server.data, "-l", server.log, "-w", "-t", "60", "start")


def stop(server: Server) -> None:
    if (server.data / "postmaster.pid").exists():
        subprocess.run(as_owner(BIN / "pg_ctl", "-D", server.data, "-m", "immediate", "-w", "stop"),
                       capture_output=True, check=False)


@contextmanager
def clusters(*, primary_port: int, replica_port: int, keep_logs: Path) -> Iterator[tuple[Server, Server]]:
    """A primary with database ``cluster``, and its replica streaming from it; both gone on the way out."""
    base = Path(tempfile.mkdtemp(prefix="cluster-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(OWNER)
        os.chown(base, owner.pw_uid, owner.pw_gid)
    primary = Server("primary", primary_port, base / "primary", base / "primary.log")
    replica = Server("replica", replica_port, base / "replica", base / "replica.log")
    try:
        run(BIN / "initdb", "-D", primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale",
            "--no-sync")
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write(CONFIG.format(port=primary.port, sockets=base))
        start(primary)
        with primary.connect("postgres") as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        # -R writes primary_conninfo and standby.signal: the copy starts as a streaming standby.
        run(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", replica.data, "-R", "-X", "stream", "-c", "fast", "--no-sync")
        with (replica.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica.port}\n")
        start(replica)
        yield primary, replica
    finally:
        for server in (replica, primary):
            stop(server)
        keep_logs.mkdir(parents=True, exist_ok=True)
        for server in (primary, replica):
            with suppress(OSError):
                shutil.copyfile(server.log, keep_logs / f"postgres-{server.name}.log")
        shutil.rmtree(base, ignore_errors=True)


def streaming(primary: Server) -> list[tuple]:
    """The primary's walsenders: (application name, state, replay lag in seconds)."""
    with primary.connect() as connection:
        return [tuple(row) for row in connection.execute(
            "SELECT application_name, state, EXTRACT(EPOCH FROM COALESCE(replay_lag, interval '0'))"
            " FROM pg_stat_replication").fetchall()]


def caught_up(primary: Server, replica: Server, *, seconds: float = 30) -> float:
    """Seconds until the replica has replayed everything the primary had written when asked."""
    started = time.monotonic()
    (target,) = primary.one("SELECT pg_current_wal_lsn()::text")
    while time.monotonic() - started < seconds:
        (behind,) = replica.one("SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", (target,))
        if behind is not None and behind <= 0:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"the replica has not replayed {target} within {seconds} s")


def table_scans(server: Server, table: str) -> int:
    """Sequential plus index scans of ``table`` counted by this server (a standby counts its own reads)."""
    with server.connect() as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        row = connection.execute(
            "SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = %s",
            (table,)).fetchone()
    return int(row[0]) if row else 0
