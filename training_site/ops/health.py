"""Probes for the load balancer and for monitoring: ``/healthz`` (the process answers) and ``/readyz``.

``/healthz`` touches nothing: the load balancer may call it every second on every app server.

``/readyz`` answers 200 when this app server can serve a request (the database answers, the cache answers,
every migration is applied) and 503 otherwise, so that HAProxy (``option httpchk GET /readyz``) takes it out
of rotation. It also reports what monitoring watches but what must not take an app server out: the replica,
the age of the newest worker heartbeat and of the oldest task waiting in the queue. A dead worker, a lagging
queue or a replica down is the same on every app server; taking them all out would close the site for want
of a background job. Those show as "warn" in their entry and in the top-level "warnings" list.

Each check has its own short limit (``CHECK_TIMEOUT_MS``, a statement_timeout on PostgreSQL), and its error
is a short phrase (the exception's class, never its text, which may name hosts and users); the whole error
goes to the log. Nothing here opens a session, sets a cookie, needs a login or may be cached.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.utils import CursorWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Case, Count, F, Max, Min, When
from django.db.models.functions import Greatest
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A hung database must not hang the probe: HAProxy's check times out after a few seconds anyway, and a
# probe still waiting holds a web worker.
CHECK_TIMEOUT_MS = 2000
PROBE_SQL = "SELECT 1"
OK, WARN, FAIL = "ok", "warn", "fail"
# The checks whose failure makes this app server unready; the others only warn.
REQUIRED = ("database", "cache", "migrations")

Check = dict[str, Any]

# Aliases whose migrations were all found applied by this process: they stay applied until the next deploy,
# which restarts the process, and loading the migration graph costs far more than the rest of the probe.
_migrated: set[str] = set()


@require_safe
@csrf_exempt
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. No database, no cache."""
    return JsonResponse({"status": OK})


@require_safe
@csrf_exempt
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = ready_checks()
    failed = [name for name in REQUIRED if checks[name]["status"] == FAIL]
    errors = [f"{name}: {checks[name]['error']}" for name in failed]
    warnings = [f"{name}: {check.get('error') or check.get('warning')}" for name, check in checks.items()
                if check["status"] == WARN]
    body = {
        "status": FAIL if failed else OK,
        "host": getattr(settings, "OPS_HOST_NAME", "") or socket.gethostname(),
        "checks": checks,
        "errors": errors,
        "warnings": warnings,
    }
    return JsonResponse(body, status=503 if failed else 200, json_dumps_params={"ensure_ascii": False})


def ready_checks() -> dict[str, Check]:
    checks = {"database": _run("database", lambda: database_check("default"))}
    if "replica" in settings.DATABASES:
        checks["replica"] = _warn_only(_run("replica", lambda: database_check("replica")))
    checks["cache"] = _run("cache", cache_check)
    if checks["database"]["status"] == FAIL:
        # The other checks read the same database: asking again would only wait as long again.
        not_checked = {"status": FAIL, "error": "not checked: the database failed"}
        checks.update(migrations=not_checked, worker_heartbeat={**not_checked, "status": WARN},
                      queue={**not_checked, "status": WARN})
        return checks
    checks["migrations"] = _run("migrations", migrations_check)
    checks["worker_heartbeat"] = _warn_only(_run("worker_heartbeat", worker_heartbeat_check))
    checks["queue"] = _warn_only(_run("queue", queue_check))
    return checks


def _run(name: str, check: Callable[[], Check]) -> Check:
    started = time.perf_counter()
    try:
        return check()
    except Exception as error:
        logger.warning("readyz: the %s check failed after %.0f ms: %r", name,
                       (time.perf_counter() - started) * 1000, error)
        return {"status": FAIL, "error": _short(error)}


def _warn_only(check: Check) -> Check:
    return {**check, "status": WARN} if check["status"] == FAIL else check


def _short(error: BaseException) -> str:
    """The class of the error, and the database's cancellation said as such: no message text, which may hold
    a host, a user or a query."""
    cause = error.__cause__
    if cause is not None and type(cause).__name__ == "QueryCanceled":
        return f"{type(error).__name__}: no answer within {CHECK_TIMEOUT_MS} ms"
    return type(error).__name__


@contextmanager
def _bounded_cursor(alias: str) -> Iterator[CursorWrapper]:
    """A cursor on ``alias`` whose statements are cancelled after CHECK_TIMEOUT_MS (PostgreSQL)."""
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL statement_timeout = {int(CHECK_TIMEOUT_MS)}")
        yield cursor
        # The checks only read. Rolled back rather than committed, the limit goes with the transaction even
        # inside an outer one (a savepoint released would keep it), and the connection has its own limits back.
        transaction.set_rollback(True, using=alias)


def database_check(alias: str) -> Check:
    with _bounded_cursor(alias) as cursor:
        started = time.perf_counter()
        cursor.execute(PROBE_SQL)
        cursor.fetchone()
        latency_ms = (time.perf_counter() - started) * 1000
    return {"status": OK, "latency_ms": round(latency_ms, 2)}


def cache_check() -> Check:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    started = time.perf_counter()
    cache.set(key, value, timeout=30)
    read_back = cache.get(key)
    latency_ms = (time.perf_counter() - started) * 1000
    cache.delete(key)
    if read_back != value:
        return {"status": FAIL, "error": "the value written was not read back"}
    return {"status": OK, "latency_ms": round(latency_ms, 2)}


def migrations_check(alias: str = "default") -> Check:
    if alias in _migrated:
        return {"status": OK}
    with _bounded_cursor(alias):
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        return {"status": FAIL, "error": f"{len(names)} unapplied: {shown}", "unapplied": len(names)}
    _migrated.add(alias)
    return {"status": OK}


def _age_seconds(moment: Any) -> float | None:
    if moment is None:
        return None
    return round(max((timezone.now() - moment).total_seconds(), 0.0), 1)


def worker_heartbeat_check() -> Check:
    from training_site.models import WorkerHeartbeat

    with _bounded_cursor("default"):
        newest = WorkerHeartbeat.objects.using("default").aggregate(newest=Max("beat_at"))["newest"]
    age = _age_seconds(newest)
    limit = settings.READYZ_MAX_HEARTBEAT_AGE_SECONDS
    if age is None:
        # No worker ever beat: normal with the in-process backend (dev, tests), not with the database queue.
        if _tasks_queued_in_database():
            return {"status": WARN, "age_seconds": None, "warning": "no worker has reported"}
        return {"status": OK, "age_seconds": None}
    if age > limit:
        return {"status": WARN, "age_seconds": age, "warning": f"newest heartbeat {age:.0f} s old (limit {limit} s)"}
    return {"status": OK, "age_seconds": age}


def _tasks_queued_in_database() -> bool:
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def queue_check() -> Check:
    """The oldest task that could run now and has not started, aged from the moment it became due."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    # run_after is a far-future sentinel for "as soon as possible" (django-tasks-db's pre_save).
    due_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")),
                     default=Greatest("run_after", "enqueued_at"))
    with _bounded_cursor("default"):
        found = DBTaskResult.objects.using("default").ready().aggregate(oldest=Min(due_since), queued=Count("pk"))
    age = _age_seconds(found["oldest"])
    limit = settings.READYZ_MAX_QUEUE_AGE_SECONDS
    check: Check = {"status": OK, "oldest_age_seconds": age, "queued": found["queued"]}
    if age is not None and age > limit:
        check.update(status=WARN, warning=f"oldest queued task waiting {age:.0f} s (limit {limit} s)")
    return check
