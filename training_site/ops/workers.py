"""Background workers that survive one another's death: a heartbeat per worker, and orphaned tasks queued again.

django-tasks-db claims a task by setting it RUNNING with the worker's id appended to ``worker_ids``, and
nothing ever looks at it again: a worker killed mid-task (OOM, a host lost, ``kill -9``, a deploy that did
not wait) leaves the task RUNNING for ever. So every worker of ours (``manage.py db_worker``, which is
training_site/management/commands/db_worker.py):

- keeps a ``WorkerHeartbeat`` row, written at start, renewed every WORKER_HEARTBEAT_SECONDS by a daemon
  thread with its own connection (so it beats on while a long task runs), deleted on a graceful exit;
- before it looks for work (at most once per heartbeat period), queues again each task RUNNING under a
  worker with no beat for TASK_LEASE_SECONDS. Each requeue is one conditional UPDATE on the id, the
  status and the ``worker_ids`` seen, and its count is checked: of two workers reaping at once, one
  requeues and the other finds nothing. A task already started TASK_MAX_ATTEMPTS times is not queued
  again but FAILED ("worker died N times"), and ``task_finished`` is sent for it, so that its failure
  hooks run (an export job then says "failed", staff/exports/tasks.py);
- prunes heartbeat rows that have not beaten for a day (a worker killed long ago).

A requeued task runs again from the start, on whichever worker claims it: tasks must be idempotent
(DESIGN.md section 4). The lease must be well above the heartbeat period (a missed beat or two, a slow
database) and is the longest a dead worker's task waits before it is taken up again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, close_old_connections, connections
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from training_site.models import WorkerHeartbeat
from training_site.ops.timeouts import use_worker_timeouts

logger = logging.getLogger("training_site.ops.workers")

# A heartbeat row this old is a worker that died long ago (its tasks were requeued within the lease).
HEARTBEAT_KEPT = dt.timedelta(days=1)


class WorkerDiedError(Exception):
    """The worker running a task stopped (killed, out of memory, host lost) once too often while running it."""


def host_name() -> str:
    return settings.OPS_HOST_NAME or socket.gethostname()


# --- Heartbeats -------------------------------------------------------------------------------------------


def heartbeat_record(*, worker_id: str, started_at: dt.datetime) -> WorkerHeartbeat:
    """This worker is alive, on this host with this pid (a worker id reused after a restart is taken over)."""
    heartbeat, _created = WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={
        "host": host_name()[:255], "pid": os.getpid(), "started_at": started_at, "beat_at": timezone.now()})
    return heartbeat


def heartbeat_renew(*, worker_id: str, started_at: dt.datetime) -> None:
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now()):
        # The row went (pruned while this worker could not reach the database for a day): alive again.
        heartbeat_record(worker_id=worker_id, started_at=started_at)


def heartbeat_remove(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def heartbeats_prune(*, now: dt.datetime | None = None) -> int:
    deleted, _per_model = WorkerHeartbeat.objects.filter(
        beat_at__lt=(now or timezone.now()) - HEARTBEAT_KEPT).delete()
    return deleted


class Heartbeat(threading.Thread):
    """Renews one worker's beat every ``every`` seconds until stopped, whatever the worker's thread is doing.

    A daemon thread with its own database connection (Django's are per thread), closed when it stops; a
    database error is logged and the next beat tried: the lease is there to forgive a missed beat or two.
    """

    def __init__(self, *, worker_id: str, started_at: dt.datetime, every: float) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id, self.started_at, self.every = worker_id, started_at, every
        self.stopped = threading.Event()
        # Since when (monotonic) every beat has succeeded; None while they fail (the database is out of reach).
        self.healthy_since: float | None = time.monotonic()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    heartbeat_renew(worker_id=self.worker_id, started_at=self.started_at)
                except Exception:  # noqa: BLE001 - any failure: a dead beat thread would get every task reaped
                    self.healthy_since = None
                    logger.exception("Worker %s could not renew its heartbeat", self.worker_id)
                    connections.close_all()  # a broken connection is opened afresh at the next beat
                else:
                    if self.healthy_since is None:
                        self.healthy_since = time.monotonic()
        finally:
            connections.close_all()  # this thread's own connection

    def beating_for(self) -> float:
        """Seconds this worker's beats have all succeeded (0 while they fail)."""
        return 0.0 if self.healthy_since is None else time.monotonic() - self.healthy_since

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=max(self.every, 5))


# --- Orphaned tasks ---------------------------------------------------------------------------------------


@dataclass
class ReapOutcome:
    """What one pass over the RUNNING tasks did: the ids queued again and the ids given up (FAILED)."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def orphaned_task_results(*, now: dt.datetime | None = None, backend_name: str | None = None,
                          alive: tuple[str, ...] = (), dead: tuple[str, ...] = ()) -> list[DBTaskResult]:
    """The RUNNING tasks whose last worker has not beaten for TASK_LEASE_SECONDS (or has no heartbeat).

    Only tasks started before the lease began: a task just claimed by a worker that has not yet written its
    first beat is not an orphan. ``alive`` names workers known to be alive whatever their row says (the
    reaper itself); ``dead`` workers known to be dead whatever their row says (a worker id given again to a
    new process: the tasks under it are its previous life's). Two queries: the live workers (a handful) and
    the RUNNING tasks (a few), compared here.
    """
    lease_start = (now or timezone.now()) - dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    beating = set(WorkerHeartbeat.objects.filter(beat_at__gte=lease_start).values_list("worker_id", flat=True))
    beating = (beating | set(alive)) - set(dead)
    running = DBTaskResult.objects.running().order_by("started_at")
    if backend_name is not None:
        running = running.filter(backend_name=backend_name)
    orphans = []
    for task in running:
        last = task.worker_ids[-1] if task.worker_ids else None
        if last in dead or (last not in beating and task.started_at is not None and task.started_at < lease_start):
            orphans.append(task)
    return orphans


def _still_as_seen(task: DBTaskResult) -> Any:
    """The task's row only if nobody changed it since it was read: still RUNNING under the same workers (a new
    claim appends a worker id, a requeue or a finish changes the status)."""
    return DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING, worker_ids=task.worker_ids)


def task_result_requeue(*, task: DBTaskResult) -> bool:
    """Put an orphaned task back in the queue (READY, first in line: its place is kept); False if another
    reaper did it first, or its worker finished it after all."""
    if not _still_as_seen(task).update(status=TaskResultStatus.READY):
        return False
    logger.warning("Task %s (%s) requeued: its worker %s is gone (started %s times)",
                   task.pk, task.task_path, task.worker_ids[-1] if task.worker_ids else "?", len(task.worker_ids))
    return True


def task_result_give_up(*, task: DBTaskResult) -> bool:
    """Mark as FAILED a task whose workers died TASK_MAX_ATTEMPTS times, and send ``task_finished`` for it once
    (its failure hooks run); False if another reaper did it first."""
    attempts = len(task.worker_ids)
    error = WorkerDiedError(f"worker died {attempts} times while running this task (workers "
                       f"{', '.join(task.worker_ids)}); given up after TASK_MAX_ATTEMPTS={settings.TASK_MAX_ATTEMPTS}")
    if not _still_as_seen(task).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
            exception_class_path=f"{WorkerDiedError.__module__}.{WorkerDiedError.__qualname__}",
            traceback="".join(format_exception(error))):
        return False
    logger.error("Task %s (%s) failed: %s", task.pk, task.task_path, error)
    task.refresh_from_db()
    try:
        sender, task_result = type(task.task.get_backend()), task.task_result
    except (ImportError, SuspiciousOperation):  # the task's code is gone: nothing to tell
        logger.exception("Task %s given up, but its task cannot be loaded", task.pk)
        return True
    # Sent from inside an ``except``, as django-tasks-db sends it for a task that raised: hooks that log the
    # failure with its exception (django-tasks' own) then log this one, not "NoneType: None".
    try:
        raise error
    except WorkerDiedError:
        answers = task_finished.send_robust(sender=sender, task_result=task_result)
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error("A task_finished hook (%r) failed for task %s", receiver, task.pk, exc_info=answer)
    return True


def tasks_requeue_orphaned(*, backend_name: str | None = None, alive: tuple[str, ...] = (),
                           dead: tuple[str, ...] = (), only_dead: bool = False) -> ReapOutcome:
    """One reaper pass: each orphaned task queued again, or given up after TASK_MAX_ATTEMPTS starts; old
    heartbeat rows pruned. Safe to run on every worker at once. ``only_dead``: only the tasks of the
    ``dead`` workers (a worker starting under its old id takes back its own, and judges nobody else yet)."""
    outcome = ReapOutcome()
    for task in orphaned_task_results(backend_name=backend_name, alive=alive, dead=dead):
        if only_dead and (task.worker_ids[-1] if task.worker_ids else None) not in dead:
            continue
        if len(task.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            if task_result_give_up(task=task):
                outcome.failed.append(str(task.pk))
        elif task_result_requeue(task=task):
            outcome.requeued.append(str(task.pk))
    heartbeats_prune()
    return outcome


# --- The worker -------------------------------------------------------------------------------------------


class Worker(DatabaseWorker):
    """django-tasks-db's worker with a heartbeat, and the orphan reaper before each look for work."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat: Heartbeat | None = None
        self._next_reap = 0.0

    def run(self) -> None:
        use_worker_timeouts()
        # A worker id may be given again to a new process (``--worker-id`` in a service unit): what still runs
        # under it was its previous life's, which no lease would ever free once this one beats under that id.
        tasks_requeue_orphaned(backend_name=self.backend_name, dead=(self.worker_id,), only_dead=True)
        started_at = timezone.now()
        heartbeat_record(worker_id=self.worker_id, started_at=started_at)
        self.heartbeat = Heartbeat(worker_id=self.worker_id, started_at=started_at,
                                   every=settings.WORKER_HEARTBEAT_SECONDS)
        self.heartbeat.start()
        logger.info("Worker %s on %s (pid %s): heartbeat every %s s, lease %s s, at most %s starts a task",
                    self.worker_id, host_name(), os.getpid(), settings.WORKER_HEARTBEAT_SECONDS,
                    settings.TASK_LEASE_SECONDS, settings.TASK_MAX_ATTEMPTS)
        try:
            self._work()
        finally:
            # Reached on a graceful exit (the signal handlers' sys.exit included); a killed worker leaves its
            # row to age, which is how the others learn of its death.
            self.heartbeat.stop()
            close_old_connections()
            try:
                heartbeat_remove(worker_id=self.worker_id)
            except DatabaseError:
                logger.exception("Worker %s could not remove its heartbeat", self.worker_id)

    def reap(self) -> ReapOutcome | None:
        """The reaper pass, at most once per heartbeat period (every worker runs it; one is enough)."""
        if time.monotonic() < self._next_reap:
            return None
        # Only a worker whose own beats have succeeded for a whole lease judges others: after the database was
        # out of reach (for everyone) every beat is old, and the workers still running their tasks must first
        # have had the time to beat again, or their tasks would be run twice.
        if self.heartbeat is not None and self.heartbeat.beating_for() < settings.TASK_LEASE_SECONDS:
            return None
        self._next_reap = time.monotonic() + settings.WORKER_HEARTBEAT_SECONDS
        try:
            return tasks_requeue_orphaned(backend_name=self.backend_name, alive=(self.worker_id,))
        except DatabaseError:  # a busy or lost database: the next pass tries again, the worker goes on
            logger.exception("Worker %s could not look for orphaned tasks", self.worker_id)
            return None

    def _work(self) -> None:
        # django-tasks-db 0.13's Worker.run, with the reaper pass before each look for work (the loop has no
        # hook for it).
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # workers started together do not all ask at once
        while self.running:
            close_old_connections()
            self.reap()
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    retrieved_task_result = True
                    if task_result is not None:
                        task_result.claim(self.worker_id)  # RUNNING, our id appended to worker_ids
                except OperationalError as error:
                    retrieved_task_result = False
                    if not is_locked_database_exception(error):
                        raise
                    task_result = None  # a locked SQLite database: try again
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved_task_result and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.", self._run_tasks,
                            self.worker_id)
                return
            close_old_connections()
            if self.running and not task_result:
                time.sleep(self.interval)
