"""Exports too big for a request, run by a django-tasks task with progress and an owner-only download.

``export_job_start`` records an ``ExportJob`` and enqueues ``run_export_job`` once the transaction
commits (a rolled-back request never starts a job). The task claims the job with a conditional UPDATE
from QUEUED to RUNNING and checks the count, so a second run (a retry, a second worker) does nothing.

The workbook is built in a local temporary file (a zip cannot be appended to an object store piece by
piece), with ``rows_done`` updated after every chunk. Only when the whole file is written is it saved
through Django's default storage, under a name with a random part, and only then are ``file``,
``status=DONE`` and ``finished_at`` recorded together: a failed export has status FAILED, an error and
no file, and never looks finished. A file saved just before a failure is deleted again.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from ..models import AuditAction, ExportJob, ExportStatus, Unit
from ..services.audit import audit_record
from .base import Exporter, write_export
from .records import TrainingRecordsExporter

logger = logging.getLogger(__name__)

ERROR_LENGTH = 2000


def _training_records(params: dict[str, Any]) -> Exporter:
    unit = Unit.objects.get(code=params["unit"]) if params.get("unit") else None
    return TrainingRecordsExporter(year=int(params["year"]), unit=unit, mapped=bool(params.get("mapped")))


# Job kinds and how to rebuild their exporter from the stored (JSON) filters.
EXPORTERS = {TrainingRecordsExporter.name: _training_records}


def build_exporter(kind: str, params: dict[str, Any]) -> Exporter:
    return EXPORTERS[kind](params)


def export_job_start(*, user, kind: str, params: dict[str, Any], rows_total: int | None = None) -> ExportJob:
    """Record the job and enqueue it after commit; ``params`` holds the filters and ``format``."""
    if kind not in EXPORTERS:
        raise ValueError(kind)
    job = ExportJob.objects.create(user=user, kind=kind, params=params, rows_total=rows_total)
    job_id = job.pk
    transaction.on_commit(lambda: run_export_job.enqueue(job_id=job_id))
    return job


@task()
def run_export_job(*, job_id: int) -> str:
    # Claim: only one run moves the job out of QUEUED; any other run (or a finished job) stops here.
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING):
        return "skipped"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    fmt = job.params.get("format", "xlsx")
    stored_name = ""
    try:
        with translation.override(job.params.get("language", "vi")):
            exporter = build_exporter(job.kind, job.params)
            total = exporter.count()
            ExportJob.objects.filter(pk=job_id).update(rows_total=total)
            with tempfile.TemporaryFile() as scratch:
                written = write_export(exporter, scratch, fmt, on_progress=lambda done: ExportJob.objects.filter(
                    pk=job_id).update(rows_done=done))
                scratch.seek(0)
                filename = exporter.filename(fmt)
                stored_name = default_storage.save(
                    f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{filename}", File(scratch))
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE, file=stored_name, filename=filename, rows_done=written,
            rows_total=written, finished_at=timezone.now(), error="")
    except Exception as exc:  # any failure of the export is recorded on the job, never half-finished
        logger.exception("Export job %s failed", job_id)
        if stored_name:
            default_storage.delete(stored_name)
        ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.FAILED, file="", error=str(exc)[:ERROR_LENGTH],
                                                   finished_at=timezone.now())
        audit_record(user=job.user, action=AuditAction.EXPORT, obj=job, summary=f"{job.kind} failed",
                     kind=job.kind, filters=job.params, status=ExportStatus.FAILED)
        return ExportStatus.FAILED
    audit_record(user=job.user, action=AuditAction.EXPORT, obj=job, summary=f"{job.kind}: {written} rows",
                 kind=job.kind, filters=job.params, rows=written, status=ExportStatus.DONE)
    return ExportStatus.DONE
