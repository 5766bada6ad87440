"""Exports too big for a request, run by a django-tasks task with progress and an owner-only download.

``export_job_start`` records an ``ExportJob`` and enqueues ``run_export_job`` once the transaction
commits; every change of the job's state is a service of ``staff.services.exports`` (claim, progress,
finish, fail), so that a second task for the same job does nothing, while the same task queued again
after its worker died (training_site/ops/workers.py) takes its job over and does it once. A task given
up (FAILED: its worker died too often, or something worse than an exception stopped it) leaves its job
FAILED with an error, never "running" for ever (``_fail_the_job_of_a_failed_task``); My exports then
offers to try again (``export_job_retry``).

The workbook is built in a local temporary file (a zip cannot be appended to an object store piece by
piece), with ``rows_done`` updated after every chunk. Only when the whole file is written is it saved
through Django's default storage, under a name with a random part, and only then are ``file``,
``status=DONE`` and ``finished_at`` recorded together: a failed export has status FAILED, an error and
no file, and never looks finished. A file saved just before a failure is deleted again.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import TaskContext, TaskResult, TaskResultStatus, task
from django_tasks.signals import task_finished

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
from staff.services.exports import export_job_retry as job_retry
from staff.services.exports import export_job_start as job_start

logger = logging.getLogger(__name__)

# The task that prints a class's certificates runs export jobs too (staff/services/printing.py); named, not
# imported, so that this module does not load the PDF renderer.
PRINT_TASK_PATH = "staff.services.printing.run_certificate_print_job"
# The error of a task whose workers died too often (training_site/ops/workers.py gives it up).
WORKER_DIED = "training_site.ops.workers.WorkerDiedError"


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


def export_job_retry(*, job: ExportJob, by: User) -> ExportJob:
    """Start again, as a new job, a FAILED job of ``by``'s, with its kind and filters."""
    return job_retry(job=job, by=by, enqueue=_enqueue_for(job.kind))


def _enqueue_for(kind: str) -> Callable[[int], object]:
    # Here, not at the top: printing loads the PDF renderer, which an export alone never needs.
    from staff.services.printing import PRINT_KIND, run_certificate_print_job

    if kind == PRINT_KIND:
        return lambda job_id: run_certificate_print_job.enqueue(job_id=job_id)
    if kind not in EXPORTERS:
        raise ValueError(kind)
    return lambda job_id: run_export_job.enqueue(job_id=job_id)


# ``context`` is None when the task is called directly (``run_export_job.call(job_id=...)``, as commands
# and tests do): then there is no task to take the job over, and only a QUEUED job is claimed.
@task(takes_context=True)
def run_export_job(context: TaskContext | None = None, *, job_id: int) -> str:
    if not export_job_claim(job_id=job_id, task_id=context.task_result.id if context is not None else None):
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
        if not export_job_finish(job=job, stored_name=stored_name, filename=filename, rows=written):
            # Another run of this task finished it first (this one's worker had been taken for dead).
            default_storage.delete(stored_name)
            return "skipped"
    except Exception as exc:  # any failure of the export is recorded on the job, never half-finished
        logger.exception("Export job %s failed", job_id)
        if stored_name:
            default_storage.delete(stored_name)
        export_job_fail(job=job, error=str(exc))
        return ExportStatus.FAILED
    return ExportStatus.DONE


@receiver(task_finished, dispatch_uid="staff.exports.tasks.fail_the_job_of_a_failed_task")
def _fail_the_job_of_a_failed_task(sender: object, task_result: TaskResult, **kwargs: Any) -> None:
    """A job's task that ends FAILED fails its job: the task catches the export's own errors, so this is a
    task given up by the worker reaper, or stopped by something no ``except Exception`` sees."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    if task_result.task.module_path not in (run_export_job.module_path, PRINT_TASK_PATH):
        return
    job_id = task_result.kwargs.get("job_id")
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first() if isinstance(job_id, int) else None
    if job is None:
        return
    last = task_result.errors[-1] if task_result.errors else None
    reason = last.traceback.strip().splitlines()[-1] if last is not None and last.traceback.strip() else "—"
    # The error is shown to the requester as it is stored: in the administration's language.
    with translation.override(settings.LANGUAGE_CODE):
        if last is not None and last.exception_class_path == WORKER_DIED:
            error = gettext("The worker making this export stopped %(count)s times before finishing it; the "
                            "export was given up. Try again.") % {"count": len(task_result.worker_ids)}
        else:
            error = gettext("The background task stopped before the export was finished (%(reason)s). "
                            "Try again.") % {"reason": reason}
    if export_job_fail(job=job, error=error, task_id=str(task_result.id)):
        logger.warning("Export job %s failed with its task %s: %s", job.pk, task_result.id, reason)
