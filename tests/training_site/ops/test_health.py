"""The probes: /healthz answers without the database or the cache; /readyz says whether this app server can
serve (database, cache, migrations) and warns, without going unready, of a dead worker or a stuck queue."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError, connection
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from training_site.models import WorkerHeartbeat
from training_site.ops import health

SITE_HOST = "daotao.example.gov.vn"
# What a database driver's message can hold and a public probe must not show.
LEAKY_MESSAGE = ('connection to server at "10.20.30.40", port 5432 failed: '
                 'password authentication failed for user "dbadmin"')


@pytest.fixture(autouse=True)
def migrations_not_yet_seen(monkeypatch):
    """Each test starts as a fresh process would: the migrations' answer not cached yet."""
    monkeypatch.setattr(health, "_migrated", set())


def ready(client, **headers: Any) -> tuple[int, dict[str, Any]]:
    response = client.get("/readyz", **headers)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


class RecordingCache(LocMemCache):
    """The default cache, remembering which keys were asked for."""

    touched: list[str] = []

    def get_many(self, keys: Any, version: Any = None) -> dict[str, Any]:
        self.touched.extend(keys)
        return super().get_many(keys, version)

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        self.touched.append(key)
        return super().get(key, default, version)

    def set(self, key: str, value: Any, timeout: Any = 300, version: Any = None) -> None:
        self.touched.append(key)
        super().set(key, value, timeout, version)

    def add(self, key: str, value: Any, timeout: Any = 300, version: Any = None) -> bool:
        self.touched.append(key)
        return super().add(key, value, timeout, version)


# --- /healthz ------------------------------------------------------------------------------------------------

def test_healthz_answers_ok_without_a_single_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_with_the_database_out_of_reach(client):
    # No `db` fixture: any query on the way (a middleware, the view) would raise.
    assert client.get("/healthz").status_code == 200


def test_healthz_is_never_cached_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_healthz_answers_a_signed_in_staff_member_without_a_second_factor(client, admin_user, settings,
                                                                         django_assert_num_queries):
    # The two-factor middleware only guards /admin/: a probe run with someone's cookie is not redirected.
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    client.force_login(admin_user)
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200


def test_the_probes_leave_the_public_page_cache_alone(client, db, settings):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.RecordingCache", "LOCATION": "health-probe"}}
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    RecordingCache.touched = []
    assert client.get("/healthz").status_code == 200
    assert RecordingCache.touched == []
    assert client.get("/readyz").status_code == 200
    (own_key,) = set(RecordingCache.touched)  # its set and get, nothing else
    assert own_key.startswith("readyz:")


def test_probes_pass_the_ssl_redirect_with_the_exemption_production_needs(client, db, settings):
    # HAProxy checks app servers over plain HTTP; a 301 to https would count as a healthy answer.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    assert client.get("/accounts-that-do-not-exist/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_probes_need_the_sites_host_name_in_the_host_header(client, settings):
    # HAProxy's check must send the site's name (http-check send ... hdr Host), or Django answers 400.
    settings.ALLOWED_HOSTS = [SITE_HOST]
    assert client.get("/healthz", HTTP_HOST="10.0.0.11:8000").status_code == 400
    assert client.get("/healthz", HTTP_HOST=SITE_HOST).status_code == 200


# --- /readyz: ready -------------------------------------------------------------------------------------------

def test_readyz_is_ok_when_the_database_the_cache_and_the_migrations_are(client, db):
    status, body = ready(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["errors"] == [] and body["warnings"] == []
    checks = body["checks"]
    assert checks["database"]["status"] == "ok"
    assert 0 <= checks["database"]["latency_ms"] < 1000
    assert checks["cache"]["status"] == "ok"
    assert checks["migrations"] == {"status": "ok"}
    # The test settings run tasks in-process: no worker is expected, none is missing.
    assert checks["worker_heartbeat"] == {"status": "ok", "age_seconds": None}
    assert checks["queue"] == {"status": "ok", "oldest_age_seconds": None, "queued": 0}
    assert "replica" not in checks


def test_readyz_is_never_cached_and_sets_no_cookie(client, db):
    response = client.get("/readyz")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_the_migrations_are_checked_once_then_remembered_for_the_process(client, db, monkeypatch,
                                                                       django_assert_num_queries):
    assert ready(client)[0] == 200
    monkeypatch.setattr(MigrationExecutor, "__init__", lambda *args, **kwargs: pytest.fail("loaded again"))
    # What is left: the database, the heartbeat and the queue, each a SELECT in its own savepoint here (the
    # test's transaction is around it): SAVEPOINT, SET LOCAL statement_timeout (PostgreSQL), the SELECT,
    # ROLLBACK TO and RELEASE.
    per_check = 5 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(3 * per_check):
        assert ready(client)[0] == 200


# --- /readyz: not ready ---------------------------------------------------------------------------------------

def test_readyz_is_503_when_the_database_fails_and_says_so_without_its_message(client, db, monkeypatch):
    @contextmanager
    def failing_cursor(alias: str) -> Iterator[Any]:
        raise OperationalError(LEAKY_MESSAGE)
        yield

    monkeypatch.setattr(health, "_bounded_cursor", failing_cursor)
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
    assert "database: OperationalError" in body["errors"]
    # The checks reading the same database are not tried: a hung one would make the probe wait four times.
    assert body["checks"]["migrations"] == {"status": "fail", "error": "not checked: the database failed"}
    assert body["checks"]["queue"]["status"] == "warn"
    assert "10.20.30.40" not in response.content.decode() and "dbadmin" not in response.content.decode()


def test_readyz_is_503_when_a_migration_is_not_applied(client, db, monkeypatch):
    pending = Migration("0099_not_yet_run", "staff")
    real_plan = MigrationExecutor.migration_plan
    monkeypatch.setattr(MigrationExecutor, "migration_plan",
                        lambda self, targets, clean_start=False: [(pending, False)])
    status, body = ready(client)
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["migrations"]["status"] == "fail"
    assert body["checks"]["migrations"]["unapplied"] == 1
    assert body["errors"] == ["migrations: 1 unapplied: staff.0099_not_yet_run"]
    # Not remembered as applied: the next probe, after `migrate`, looks again.
    monkeypatch.setattr(MigrationExecutor, "migration_plan", real_plan)
    assert ready(client)[0] == 200


def test_readyz_is_503_when_the_cache_does_not_give_back_what_was_written(client, db, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda *args, **kwargs: None)
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["cache"] == {"status": "fail", "error": "the value written was not read back"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_database_that_does_not_answer_fails_the_probe_within_its_limit(client, db, monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT_MS", 300)
    monkeypatch.setattr(health, "PROBE_SQL", "SELECT pg_sleep(10)")
    started = time.monotonic()
    status, body = ready(client)
    elapsed = time.monotonic() - started
    assert status == 503
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError: no answer within 300 ms"}
    assert elapsed < 3
    # The limit was the probe's own: the request's connection is back to the settings' limit.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "300ms"


# --- /readyz: warnings that leave the app server ready ---------------------------------------------------------

def beat(seconds_ago: float, worker_id: str = "w-1") -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(worker_id=worker_id, host="worker-1", pid=4242,
                                          started_at=now - dt.timedelta(hours=1),
                                          beat_at=now - dt.timedelta(seconds=seconds_ago))


def queued_task(*, waiting_seconds: float, status: str = "READY", run_after: dt.datetime | None = None) -> DBTaskResult:
    # run_after None is "as soon as possible" (django-tasks-db stores its far-future sentinel).
    task = DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="staff.tasks.example",
                                       backend_name="default", status=status,
                                       run_after=run_after)  # type: ignore[misc]
    # enqueued_at is set on insert (auto_now_add): moved back by an update.
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - dt.timedelta(seconds=waiting_seconds))
    return task


def test_a_fresh_heartbeat_is_ok_and_its_age_reported(client, db):
    beat(300, "w-old")
    beat(4, "w-new")
    status, body = ready(client)
    assert status == 200
    heartbeat = body["checks"]["worker_heartbeat"]
    assert heartbeat["status"] == "ok"
    assert 4 <= heartbeat["age_seconds"] < 10


def test_an_old_heartbeat_warns_but_the_app_server_stays_ready(client, db, settings):
    settings.READYZ_MAX_HEARTBEAT_AGE_SECONDS = 120
    beat(150)
    status, body = ready(client)
    assert status == 200
    assert body["status"] == "ok"
    heartbeat = body["checks"]["worker_heartbeat"]
    assert heartbeat["status"] == "warn"
    assert 150 <= heartbeat["age_seconds"] < 160
    assert len(body["warnings"]) == 1
    assert body["warnings"][0].startswith("worker_heartbeat: newest heartbeat 15")


def test_no_worker_at_all_warns_when_tasks_go_through_the_database(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    status, body = ready(client)
    assert status == 200
    assert body["checks"]["worker_heartbeat"] == {"status": "warn", "age_seconds": None,
                                                  "warning": "no worker has reported"}


def test_an_old_queued_task_warns_but_the_app_server_stays_ready(client, db, settings):
    settings.READYZ_MAX_QUEUE_AGE_SECONDS = 600
    queued_task(waiting_seconds=700)
    queued_task(waiting_seconds=30)
    # Neither counts: one is done, the other is not due yet.
    queued_task(waiting_seconds=9000, status="SUCCESSFUL")
    queued_task(waiting_seconds=9000, run_after=timezone.now() + dt.timedelta(hours=1))
    status, body = ready(client)
    assert status == 200
    assert body["status"] == "ok"
    queue = body["checks"]["queue"]
    assert queue["status"] == "warn"
    assert queue["queued"] == 2
    assert 700 <= queue["oldest_age_seconds"] < 710
    assert body["warnings"] == [f"queue: oldest queued task waiting {queue['oldest_age_seconds']:.0f} s (limit 600 s)"]


def test_a_task_run_later_is_aged_from_when_it_became_due(client, db):
    queued_task(waiting_seconds=7200, run_after=timezone.now() - dt.timedelta(seconds=100))
    status, body = ready(client)
    queue = body["checks"]["queue"]
    assert queue["status"] == "ok"
    assert queue["queued"] == 1
    assert 100 <= queue["oldest_age_seconds"] < 110


def test_a_replica_down_warns_but_the_app_server_stays_ready(client, db, settings, monkeypatch):
    monkeypatch.setitem(settings.DATABASES, "replica", dict(settings.DATABASES["default"]))
    checked: list[str] = []
    real_check = health.database_check

    def database_check(alias: str) -> dict[str, Any]:
        checked.append(alias)
        if alias == "replica":
            raise OperationalError(LEAKY_MESSAGE)
        return real_check(alias)

    monkeypatch.setattr(health, "database_check", database_check)
    status, body = ready(client)
    assert checked == ["default", "replica"]
    assert status == 200
    assert body["checks"]["replica"] == {"status": "warn", "error": "OperationalError"}
    assert body["warnings"] == ["replica: OperationalError"]
