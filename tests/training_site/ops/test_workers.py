"""Work that survives a crash: a worker keeps a heartbeat; a task RUNNING under a worker that stopped beating
is queued again, once, whoever reaps it; after TASK_MAX_ATTEMPTS starts it is FAILED and its export job too;
and with real processes, a worker killed mid-export leaves the export to another worker, done once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection, connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from staff.exports.records import TrainingRecordsExporter
from staff.models import AuditAction, AuditEntry, ExportJob, ExportStatus
from staff.services.exports import export_job_claim, export_job_start
from tests.figures import figure
from tests.processes import ROOT, running
from tests.staff.accounts.test_lockout_processes import database_url
from tests.training_site.ops import worker_tasks
from training_site.management.commands.db_worker import Command as WorkerCommand
from training_site.models import WorkerHeartbeat
from training_site.ops import workers
from training_site.ops.workers import (
    Worker,
    orphaned_task_results,
    task_result_requeue,
    tasks_requeue_orphaned,
)

LEASE = 60
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NAP = "tests.training_site.ops.worker_tasks.nap"
EXPORT_TASK = "staff.exports.tasks.run_export_job"


@pytest.fixture(autouse=True)
def queued_in_the_database(settings):
    """Tasks go to the database, as in production; the lease and attempts as configured by default."""
    settings.TASKS = DATABASE_BACKEND
    settings.TASK_LEASE_SECONDS = LEASE
    settings.TASK_MAX_ATTEMPTS = 3
    settings.WORKER_HEARTBEAT_SECONDS = 10


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def beat(worker_id: str, *, seconds_ago: float) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(worker_id=worker_id, host="host-a", pid=4242, started_at=ago(3600),
                                          beat_at=ago(seconds_ago))


def running_task(*worker_ids: str, started_ago: float = 2 * LEASE, path: str = NAP,
                 kwargs: dict[str, Any] | None = None) -> DBTaskResult:
    """A task as django-tasks-db leaves it once claimed: RUNNING, its workers' ids in order of their claims."""
    return DBTaskResult.objects.create(
        task_path=path, args_kwargs={"args": [], "kwargs": kwargs if kwargs is not None else {"seconds": 0}},
        backend_name="default", status=TaskResultStatus.RUNNING, started_at=ago(started_ago),
        worker_ids=list(worker_ids), run_after=get_date_max())


def worker(worker_id: str, **options: Any) -> Worker:
    defaults: dict[str, Any] = {"queue_names": ["default"], "interval": 0, "batch": True,
                                "backend_name": "default", "startup_delay": False, "max_tasks": None,
                                "excluded_queue_names": []}
    return Worker(worker_id=worker_id, **{**defaults, **options})


# --- The reaper -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_orphaned_task_is_queued_again_once(caplog):
    beat("dead", seconds_ago=2 * LEASE)
    task = running_task("dead")
    with caplog.at_level(logging.WARNING, logger="training_site.ops.workers"):
        outcome = tasks_requeue_orphaned()
    assert outcome.requeued == [str(task.pk)] and outcome.failed == []
    task.refresh_from_db()
    # Back in the queue, its history kept: the next claim appends the new worker's id.
    assert (task.status, task.worker_ids) == (TaskResultStatus.READY, ["dead"])
    assert [record.getMessage() for record in caplog.records if record.name == "training_site.ops.workers"] == [
        f"Task {task.pk} ({NAP}) requeued: its worker dead is gone (started 1 times)"]
    assert tasks_requeue_orphaned().requeued == []


@pytest.mark.django_db
def test_a_live_workers_task_is_not_touched():
    beat("alive", seconds_ago=5)
    long_running = running_task("alive", started_ago=10 * LEASE)  # a long task, its worker beating on
    # Just claimed by a worker whose first beat is not written yet: not an orphan before a lease has passed.
    just_claimed = running_task("starting", started_ago=1)
    assert tasks_requeue_orphaned().requeued == []
    for task in (long_running, just_claimed):
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_whose_worker_left_no_heartbeat_at_all_is_an_orphan():
    # Its row pruned long after it died, or a worker without heartbeats (django-tasks-db's own command).
    task = running_task("gone")
    assert tasks_requeue_orphaned().requeued == [str(task.pk)]


@pytest.mark.django_db
def test_a_reaper_never_requeues_the_task_of_its_own_worker():
    # Its own beat may be late (a slow database), but a worker that is reaping is alive.
    beat("me", seconds_ago=2 * LEASE)
    task = running_task("me")
    assert tasks_requeue_orphaned(alive=("me",)).requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_two_reapers_that_saw_the_same_orphan_requeue_it_once():
    task = running_task("dead")
    first, second = orphaned_task_results(), orphaned_task_results()  # both read before either writes
    assert task_result_requeue(task=first[0]) is True
    assert task_result_requeue(task=second[0]) is False
    # Claimed meanwhile by a new worker: a reaper still holding the old row changes nothing either.
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.RUNNING, worker_ids=["dead", "new"])
    assert task_result_requeue(task=first[0]) is False
    task.refresh_from_db()
    assert (task.status, task.worker_ids) == (TaskResultStatus.RUNNING, ["dead", "new"])


@pytest.mark.django_db(transaction=True)
def test_two_reapers_at_once_requeue_an_orphan_once():
    tasks = [running_task("dead") for _ in range(5)]
    start = threading.Barrier(2)
    outcomes: list[list[str]] = []

    def reap() -> None:
        try:
            start.wait()
            outcomes.append(tasks_requeue_orphaned().requeued)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    requeued = [task_id for outcome in outcomes for task_id in outcome]
    assert len(outcomes) == 2
    assert sorted(requeued) == sorted(str(task.pk) for task in tasks)  # each once, between the two
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 5


@pytest.mark.django_db
def test_after_max_attempts_the_task_fails_and_its_export_job_too(hr_a):
    job = ExportJob.objects.create(user=hr_a, kind=TrainingRecordsExporter.name, params={"year": 2026})
    task = running_task("w1", "w2", "w3", path=EXPORT_TASK, kwargs={"job_id": job.pk})
    assert export_job_claim(job_id=job.pk, task_id=str(task.pk))  # the third run had claimed it

    outcome = tasks_requeue_orphaned()
    assert (outcome.requeued, outcome.failed) == ([], [str(task.pk)])
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.finished_at is not None
    assert task.exception_class_path == "training_site.ops.workers.WorkerDiedError"
    assert "worker died 3 times" in task.traceback and "w1, w2, w3" in task.traceback
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file and job.finished_at is not None
    assert "3 lần" in job.error  # in Vietnamese, as My exports shows it
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).detail["status"] == ExportStatus.FAILED
    # A second pass, or a second reaper, finds nothing more to give up.
    assert tasks_requeue_orphaned().failed == []
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


@pytest.mark.django_db
def test_a_task_two_workers_died_on_is_still_queued_again():
    task = running_task("w1", "w2")
    assert tasks_requeue_orphaned().requeued == [str(task.pk)]


@pytest.mark.django_db
def test_heartbeats_older_than_a_day_are_pruned():
    beat("long-gone", seconds_ago=25 * 3600)
    beat("recent", seconds_ago=2 * LEASE)
    tasks_requeue_orphaned()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


# --- The worker -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_a_long_task_runs_and_removes_its_row_on_exit(settings, monkeypatch):
    settings.WORKER_HEARTBEAT_SECONDS = 0.2
    timeouts: list[bool] = []
    monkeypatch.setattr(workers, "use_worker_timeouts", lambda: timeouts.append(True))
    result = worker_tasks.watch_heartbeat.enqueue(seconds=1.0)

    worker("beating").run()

    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
    # While the task slept, its worker's row was there and its beat moved on.
    assert task.return_value == {"workers": ["beating"], "renewed": ["beating"]}
    assert timeouts == [True]
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_requeues_an_orphan_before_it_looks_for_work_and_runs_it(monkeypatch):
    monkeypatch.setattr(workers.Heartbeat, "beating_for", lambda self: LEASE)  # beating for a whole lease
    beat("dead", seconds_ago=2 * LEASE)
    task = running_task("dead")
    worker("rescuer").run()
    task.refresh_from_db()
    assert (task.status, task.worker_ids, task.return_value) == (TaskResultStatus.SUCCESSFUL,
                                                                 ["dead", "rescuer"], "rested")


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_own_beats_are_younger_than_a_lease_judges_nobody(monkeypatch):
    """After the database was out of reach for everyone, every beat is old: a worker must first have beaten
    for a whole lease itself (and so given the others the time to beat again) before it reaps their tasks."""
    monkeypatch.setattr(workers.Heartbeat, "beating_for", lambda self: LEASE - 1)
    beat("others", seconds_ago=2 * LEASE)
    task = running_task("others")
    worker("just-back").run()
    task.refresh_from_db()
    assert (task.status, task.worker_ids) == (TaskResultStatus.RUNNING, ["others"])


def test_a_heartbeat_that_fails_is_not_healthy_until_it_succeeds_again(monkeypatch):
    beats = iter([RuntimeError("not a DatabaseError either"), None])

    def renew(**kwargs: Any) -> None:
        answer = next(beats, None)
        if answer is not None:
            raise answer

    monkeypatch.setattr(workers, "heartbeat_renew", renew)
    heart = workers.Heartbeat(worker_id="w", started_at=timezone.now(), every=0.05)
    heart.healthy_since = None  # as after a failed beat
    heart.start()
    time.sleep(0.3)
    heart.stop()
    assert not heart.is_alive()
    assert heart.healthy_since is not None, "the second beat succeeded: healthy again"


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_again_under_the_same_id_requeues_what_its_previous_life_left_running():
    beat("host-a-worker-1", seconds_ago=1)  # the previous process's row, not yet aged
    task = running_task("host-a-worker-1", started_ago=5)
    worker("host-a-worker-1").run()
    task.refresh_from_db()
    assert (task.status, task.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["host-a-worker-1", "host-a-worker-1"])


@pytest.mark.django_db
def test_a_task_stopped_by_something_worse_than_an_exception_fails_its_export_job(hr_a, monkeypatch):
    def stopping(params: dict[str, Any]) -> Any:
        raise worker_tasks.Stopped("the worker was told to stop at once")

    monkeypatch.setitem(worker_tasks.EXPORTERS, TrainingRecordsExporter.name, stopping)
    job = ExportJob.objects.create(user=hr_a, kind=TrainingRecordsExporter.name, params={"year": 2026})
    task = DBTaskResult.objects.create(task_path=EXPORT_TASK, args_kwargs={"args": [], "kwargs": {"job_id": job.pk}},
                                       backend_name="default", run_after=get_date_max())
    task.claim("one")
    worker("one").run_task(task)  # what django-tasks-db's loop does with a claimed task
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "the worker was told to stop at once" in job.error


def test_db_worker_is_ours():
    assert get_commands()["db_worker"] == "training_site"
    assert isinstance(load_command_class("training_site", "db_worker"), WorkerCommand)


# --- Real processes ---------------------------------------------------------------------------------------


def _worker_environment(media: Path) -> dict[str, str]:
    return {
        **os.environ,
        # The development settings read TASKS_BACKEND (the test settings run tasks in-process).
        "DJANGO_SETTINGS_MODULE": "training_site.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "TASK_LEASE_SECONDS": "5",  # five beats: a survivor slowed by a loaded machine is not taken for dead
        "MEDIA_ROOT": str(media),
        "EXPORT_CHUNK_ROWS": "5",
        "LOG_LEVEL": "INFO",
    }


def _worker_command(worker_id: str) -> list[str]:
    return [sys.executable, "manage.py", "db_worker", "--worker-id", worker_id, "--interval", "0.2",
            "--no-startup-delay", "--no-reload"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_export_leaves_it_to_another_which_does_it_once(hr_a, settings):
    media = Path(tempfile.mkdtemp(prefix="worker-media-"))
    settings.MEDIA_ROOT = media
    environment = _worker_environment(media)

    with tempfile.TemporaryDirectory(prefix="workers-") as logs, \
            running(_worker_command("one"), log=Path(logs) / "one.log", env=environment) as one, \
            running(_worker_command("two"), log=Path(logs) / "two.log", env=environment) as two:
        # Two workers, as on two hosts, both up before the export is queued: whichever claims it is killed.
        processes = {"one": one, "two": two}
        one.wait_until(lambda: WorkerHeartbeat.objects.count() == 2, seconds=120, what="both workers' first beat")
        job = export_job_start(user=hr_a, kind=worker_tasks.SLOW_KIND,
                               params={"rows": 40, "seconds": 6, "format": "csv"},
                               enqueue=lambda job_id: worker_tasks.run_slow_export_job.enqueue(job_id=job_id))
        # (Wagtail's reference index tasks, queued by the fixtures' pages, may be in the queue too.)
        task = DBTaskResult.objects.get(task_path=worker_tasks.run_slow_export_job.module_path)
        one.wait_until(lambda: ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING,
                                                        rows_done__gte=5).exists(),
                       seconds=60, what="the export under way")
        task.refresh_from_db()
        [doomed] = task.worker_ids
        survivor = "two" if doomed == "one" else "one"
        processes[doomed].process.send_signal(signal.SIGKILL)
        processes[doomed].process.wait()
        killed_at = time.monotonic()
        last_beat = WorkerHeartbeat.objects.get(worker_id=doomed).beat_at  # its row left to age
        assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING  # as the dead worker left it
        other = processes[survivor]
        other.wait_until(lambda: DBTaskResult.objects.filter(pk=task.pk, worker_ids=[doomed, survivor]).exists(),
                         seconds=60, what="the task taken up by the other worker")
        taken_up = time.monotonic() - killed_at
        other.wait_until(lambda: DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.SUCCESSFUL)
                         .exists(), seconds=60, what="the task finished by the other worker")
        finished = time.monotonic() - killed_at
        log = other.output(20_000)

    task.refresh_from_db()
    job.refresh_from_db()
    assert (task.status, task.worker_ids, task.return_value) == (TaskResultStatus.SUCCESSFUL,
                                                                 [doomed, survivor], ExportStatus.DONE)
    assert (job.status, job.rows_done, job.rows_total, job.task_id) == (ExportStatus.DONE, 40, 40, str(task.pk))
    assert [path.name for path in media.rglob("*") if path.is_file()] == [Path(job.file.name or "").name]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(job.pk)).count() == 1
    assert f"requeued: its worker {doomed} is gone" in log, log
    assert task.started_at is not None
    figure(f"worker killed mid-export ({connection.vendor}; heartbeat 1 s, lease 5 s): the task taken up by the "
          f"other worker {taken_up:.1f} s after the kill ({(task.started_at - last_beat).total_seconds():.1f} s "
          f"after the dead worker's last beat), the export finished {finished:.1f} s after the kill (6 s of "
          f"work, from row 0), once: 1 file, 1 audit entry, worker_ids {task.worker_ids}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_told_to_stop_finishes_its_task_and_removes_its_heartbeat(settings):
    result = worker_tasks.nap.enqueue(seconds=3)
    with tempfile.TemporaryDirectory(prefix="workers-") as logs, \
            running(_worker_command("leaving"), log=Path(logs) / "leaving.log",
                    env=_worker_environment(Path(logs))) as leaving:
        leaving.wait_until(lambda: DBTaskResult.objects.filter(pk=result.id, status=TaskResultStatus.RUNNING)
                           .exists(), seconds=120, what="the task under way")
        assert WorkerHeartbeat.objects.filter(worker_id="leaving").exists()
        leaving.process.send_signal(signal.SIGTERM)  # what systemd and docker stop send
        assert leaving.process.wait(timeout=60) == 0, leaving.output()
    task = DBTaskResult.objects.get(pk=result.id)
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, "rested")
    assert not WorkerHeartbeat.objects.exists()


def test_manage_py_help_db_worker_is_ours():
    import subprocess

    answer = subprocess.run([sys.executable, "manage.py", "help", "db_worker"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ})
    assert answer.returncode == 0, answer.stderr
    assert "keeps a heartbeat" in " ".join(answer.stdout.split())

