"""Exports too big for a request, run by a django-tasks task with progress and an owner-only download.

``export_job_start`` records an ``ExportJob`` and enqueues ``run_export_job`` once the transaction
commits; every change of the job's state is a service of ``staff.services.exports`` (claim, progress,
finish, fail), so that a second run (a retry, a second worker) does nothing.

The workbook is built in a local temporary file (a zip cannot be appended to an object store piece by
piece), with ``rows_done`` updated after every chunk. Only when the whole file is written is it saved
through Django's default storage, under a name with a random part, and only then are ``file``,
``status=DONE`` and ``finished_at`` recorded together: a failed export has status FAILED, an error and
no file, and never looks finished. A file saved just before a failure is deleted again.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.utils import translation
from django_tasks import task

from staff.exports.base import EXPORT_LANGUAGE, Exporter, write_export
from staff.exports.records import TrainingRecordsExporter
from staff.models import ExportJob, ExportStatus, Unit
from staff.services.exports import (
    export_job_claim,
    export_job_fail,
    export_job_file_save,
    export_job_finish,
    export_job_progress,
)
from staff.services.exports import export_job_start as job_start

logger = logging.getLogger(__name__)

def _training_records(params: dict[str, Any]) -> Exporter:
    unit = Unit.objects.get(code=params["unit"]) if params.get("unit") else None
    return TrainingRecordsExporter(year=int(params["year"]), unit=unit, mapped=bool(params.get("mapped")))


# Job kinds and how to rebuild their exporter from the stored (JSON) filters.
EXPORTERS = {TrainingRecordsExporter.name: _training_records}


def build_exporter(kind: str, params: dict[str, Any]) -> Exporter:
    return EXPORTERS[kind](params)


def export_job_start(*, user: User, kind: str, params: dict[str, Any], rows_total: int | None = None) -> ExportJob:
    """Record the job and run it in the background; ``params`` holds the filters and ``format``."""
    if kind not in EXPORTERS:
        raise ValueError(kind)
    return job_start(user=user, kind=kind, params=params, rows_total=rows_total,
                     enqueue=lambda job_id: run_export_job.enqueue(job_id=job_id))


@task()
def run_export_job(*, job_id: int) -> str:
    if not export_job_claim(job_id=job_id):
        return "skipped"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    fmt = job.params.get("format", "xlsx")
    stored_name = ""
    try:
        with translation.override(job.params.get("language", EXPORT_LANGUAGE)):
            exporter = build_exporter(job.kind, job.params)
            export_job_progress(job_id=job_id, rows_total=exporter.count())
            with tempfile.TemporaryFile() as scratch:
                written = write_export(exporter, scratch, fmt,
                                       on_progress=lambda done: export_job_progress(job_id=job_id, rows_done=done))
                scratch.seek(0)
                filename = exporter.filename(fmt)
                stored_name = export_job_file_save(content=scratch, filename=filename)
        export_job_finish(job=job, stored_name=stored_name, filename=filename, rows=written)
    except Exception as exc:  # any failure of the export is recorded on the job, never half-finished
        logger.exception("Export job %s failed", job_id)
        if stored_name:
            default_storage.delete(stored_name)
        export_job_fail(job=job, error=str(exc))
        return ExportStatus.FAILED
    return ExportStatus.DONE
