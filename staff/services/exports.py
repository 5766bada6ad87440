"""Writes for export jobs: each step of a job's life, so that the task that runs it changes nothing itself.

QUEUED → RUNNING is a claim (a conditional UPDATE whose count is checked) that records the claiming
task's id: a second task for the same job finds nothing to claim, but the same task queued again after its
worker died (training_site/ops/workers.py) takes its RUNNING job over from the start. ``file``,
``status=DONE`` and ``finished_at`` are recorded together, only once the whole file is saved, and only by
one run; a failed job has status FAILED, an error and no file, and never looks finished. A FAILED job is
never run again: ``export_job_retry`` starts a new one with the same kind and filters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from staff.models import AuditAction, ExportJob, ExportStatus
from staff.services.audit import audit_record, audit_summary

ERROR_LENGTH = 2000


def export_job_start(*, user: User, kind: str, params: dict[str, Any], rows_total: int | None = None,
                     enqueue: Callable[[int], object]) -> ExportJob:
    """Record the job and ``enqueue(job_id)`` after commit (a rolled-back request never starts a job)."""
    job = ExportJob.objects.create(user=user, kind=kind, params=params, rows_total=rows_total)
    job_id = job.pk
    transaction.on_commit(lambda: enqueue(job_id))
    return job


def export_job_claim(*, job_id: int, task_id: str | None = None) -> bool:
    """Give the job to the run of task ``task_id``; False if another task has it or it is finished.

    A QUEUED job is claimed by whichever task comes first; a RUNNING one only by the task that claimed it
    before (its worker died, the task was queued again), which starts it over at row 0. Without a task id (a
    direct call) only a QUEUED job is claimed.
    """
    claimable = Q(status=ExportStatus.QUEUED)
    if task_id:
        claimable |= Q(status=ExportStatus.RUNNING, task_id=task_id)
    return bool(ExportJob.objects.filter(claimable, pk=job_id).update(
        status=ExportStatus.RUNNING, task_id=task_id or "", rows_done=0))


def export_job_progress(*, job_id: int, rows_done: int | None = None, rows_total: int | None = None) -> None:
    changes = {name: value for name, value in (("rows_done", rows_done), ("rows_total", rows_total))
               if value is not None}
    if changes:
        ExportJob.objects.filter(pk=job_id).update(**changes)


def export_job_file_save(*, content: Any, filename: str) -> str:
    """Store a finished job's file (an open binary file) under a month folder and a name nobody can guess."""
    return default_storage.save(f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{filename}", File(content))


def export_job_finish(*, job: ExportJob, stored_name: str, filename: str, rows: int) -> bool:
    """Record the saved file and DONE, audited; False (nothing recorded) if the job is no longer running,
    as when a run whose worker was thought dead finishes after its successor: then the caller's file is
    not the job's and is for the caller to delete."""
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE, file=stored_name, filename=filename, rows_done=rows, rows_total=rows,
        finished_at=timezone.now(), error="")
    if not finished:
        return False
    audit_record(user=job.user, action=AuditAction.EXPORT, obj=job,
                 summary=audit_summary(gettext_noop("Export %(kind)s: %(rows)s rows"),
                                       kind=job.kind, rows=rows),
                 kind=job.kind, filters=job.params, rows=rows, status=ExportStatus.DONE)
    return True


def export_job_fail(*, job: ExportJob, error: str, task_id: str | None = None) -> bool:
    """Record the job as FAILED with ``error``, audited; False if it had already finished (a DONE job stays
    done). With ``task_id`` (a task given up, training_site/ops/workers.py), only a job that this task had
    claimed, or that no task has claimed yet: another task's run is not this task's to fail."""
    unfinished = ExportJob.objects.filter(pk=job.pk, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))
    if task_id is not None:
        unfinished = unfinished.filter(Q(status=ExportStatus.QUEUED) | Q(task_id__in=(task_id, "")))
    if not unfinished.update(status=ExportStatus.FAILED, file="", error=error[:ERROR_LENGTH],
                             finished_at=timezone.now()):
        return False
    audit_record(user=job.user, action=AuditAction.EXPORT, obj=job,
                 summary=audit_summary(gettext_noop("Export %(kind)s failed"),
                                       kind=job.kind),
                 kind=job.kind, filters=job.params, status=ExportStatus.FAILED)
    return True


def export_job_retry(*, job: ExportJob, by: User, enqueue: Callable[[int], object]) -> ExportJob:
    """Start a new job with the failed job's kind and filters, audited as the retry of that job; the failed
    job stays as it is (its error is the record of what went wrong). Only its requester may retry it."""
    if job.status != ExportStatus.FAILED:
        raise ValueError(f"export job {job.pk} has not failed")
    if job.user_id != by.pk:
        raise PermissionError(f"export job {job.pk} is not {by}'s")
    again = export_job_start(user=by, kind=job.kind, params=job.params, rows_total=job.rows_total, enqueue=enqueue)
    audit_record(user=by, action=AuditAction.EXPORT, obj=again,
                 summary=audit_summary(gettext_noop("Export %(kind)s started again after job %(job)s failed"),
                                       kind=job.kind, job=job.pk),
                 kind=job.kind, filters=job.params, retry_of=job.pk, status=ExportStatus.QUEUED)
    return again
