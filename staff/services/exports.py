"""Writes for export jobs: each step of a job's life, so that the task that runs it changes nothing itself.

QUEUED → RUNNING is a claim (a conditional UPDATE whose count is checked): a second run of the same job,
a retry or a second worker, finds nothing to claim. ``file``, ``status=DONE`` and ``finished_at`` are
recorded together, only once the whole file is saved; a failed job has status FAILED, an error and no
file, and never looks finished.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
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


def export_job_claim(*, job_id: int) -> bool:
    """Move the job from QUEUED to RUNNING; False if another run has it (or it is finished)."""
    return bool(ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING))


def export_job_progress(*, job_id: int, rows_done: int | None = None, rows_total: int | None = None) -> None:
    changes = {name: value for name, value in (("rows_done", rows_done), ("rows_total", rows_total))
               if value is not None}
    if changes:
        ExportJob.objects.filter(pk=job_id).update(**changes)


def export_job_file_save(*, content: Any, filename: str) -> str:
    """Store a finished job's file (an open binary file) under a month folder and a name nobody can guess."""
    return default_storage.save(f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{filename}", File(content))


def export_job_finish(*, job: ExportJob, stored_name: str, filename: str, rows: int) -> None:
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE, file=stored_name, filename=filename, rows_done=rows, rows_total=rows,
        finished_at=timezone.now(), error="")
    audit_record(user=job.user, action=AuditAction.EXPORT, obj=job,
                 summary=audit_summary(gettext_noop("Export %(kind)s: %(rows)s rows"),
                                       kind=job.kind, rows=rows),
                 kind=job.kind, filters=job.params, rows=rows, status=ExportStatus.DONE)


def export_job_fail(*, job: ExportJob, error: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, file="", error=error[:ERROR_LENGTH],
                                               finished_at=timezone.now())
    audit_record(user=job.user, action=AuditAction.EXPORT, obj=job,
                 summary=audit_summary(gettext_noop("Export %(kind)s failed"),
                                       kind=job.kind),
                 kind=job.kind, filters=job.params, status=ExportStatus.FAILED)
