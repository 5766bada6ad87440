"""Longer database limits for background workers and the scheduler than for web requests.

The connection options (settings' DATABASES) give every connection the web request's limits: a lock waited
for at most DB_LOCK_TIMEOUT_MS, a statement cut at DB_STATEMENT_TIMEOUT_MS. A worker building a city-wide
export may rightly run a statement for minutes, so ``use_worker_timeouts()`` (called once by the worker and
the scheduler commands) raises them on every connection the process opens from then on, and on the ones it
already has.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

_applied = False


def _set_limits(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
                       [str(settings.WORKER_LOCK_TIMEOUT_MS), str(settings.WORKER_STATEMENT_TIMEOUT_MS)])


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    _set_limits(connection)


def use_worker_timeouts() -> None:
    """From now on this process's connections have the workers' limits (idempotent)."""
    global _applied
    if _applied:
        return
    _applied = True
    connection_created.connect(_on_connection_created, dispatch_uid="training_site.ops.timeouts")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _set_limits(connection)


def worker_timeouts_reset() -> None:
    """Back to the web request's limits in this process (for the test suite, where worker code runs in the
    test process and must not leave its limits to the tests after it). RESET returns each setting to the
    value the connection started with: the connection options'."""
    global _applied
    if not _applied:
        return
    _applied = False
    connection_created.disconnect(dispatch_uid="training_site.ops.timeouts")
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout; RESET statement_timeout")
