"""The operations' own tables: which background workers are alive, and which periodic runs were claimed."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running ``db_worker`` process, its ``beat_at`` renewed every few seconds by the worker.

    A task RUNNING under a worker whose beat is older than the lease (``TASK_LEASE_SECONDS``) belonged to a
    worker that died: it is queued again (training_site/ops/workers.py).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"


class ScheduledRun(models.Model):
    """One periodic job's run for one period, claimed by inserting this row: the unique key makes it once.

    The scheduler on every host tries to insert (job, period_start) when a period begins; the one insert
    that succeeds runs the job, the others find the row and skip (training_site/ops/scheduler.py).
    """

    job = models.CharField(max_length=64)
    period_start = models.DateTimeField()
    host = models.CharField(max_length=255)
    claimed_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    output = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="scheduled_run_once")]
        ordering = ("-period_start", "job")

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"
