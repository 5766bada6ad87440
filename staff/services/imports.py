"""Roster imports too big for a request: each step of an ``ImportJob``'s life, and the task that runs it.

The view stores the upload and its dry run decides; on confirmation ``roster_import_job_start`` records
the job and enqueues ``run_roster_import_job`` once the request commits. The task claims the job
(QUEUED → RUNNING, a conditional UPDATE whose count is checked: a retry or a second worker finds nothing
to claim, so a file is imported once), re-reads the stored upload and runs the same ``roster_import`` as
the synchronous path, all or nothing. DONE is recorded with the report's counts; a failure is FAILED with
its reason in the uploader's language and nothing written. Either way the stored upload is deleted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from staff.imports.people import roster_import
from staff.imports.report import ImportReport, RowError
from staff.models import ImportJob, ImportStage, ImportStatus

logger = logging.getLogger(__name__)

ERROR_LENGTH = 2000
PROBLEMS_KEPT = 1000  # as many as the synchronous report shows (staff.imports.report.SHOWN_ERRORS)
# At most this many progress updates per second: enough for the bar to move, few enough to cost nothing.
PROGRESS_PER_SECOND = 3


def roster_import_job_start(*, user: User, stored_name: str, filename: str, rows_total: int | None) -> ImportJob:
    """Record the job and enqueue it after commit (a rolled-back request never starts a job). The same upload
    confirmed again (a double click, Back and Confirm) leads to the job already made for it, not to a second."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(user=user, stored_name=stored_name, filename=filename[:200],
                                           rows_total=rows_total, language=translation.get_language() or "")
    except IntegrityError:
        return ImportJob.objects.get(stored_name=stored_name)
    job_id = job.pk
    transaction.on_commit(lambda: run_roster_import_job.enqueue(job_id=job_id))
    return job


def import_job_claim(*, job_id: int) -> bool:
    """Move the job from QUEUED to RUNNING; False if another run has it (or it is finished)."""
    return bool(ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(status=ImportStatus.RUNNING))


def import_job_progress(*, job_id: int, stage: str, rows_done: int) -> None:
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(stage=stage, rows_done=rows_done)


class _Throttled:
    """The importer's progress, recorded at most PROGRESS_PER_SECOND times a second (a change of stage always)."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.last, self.stage = job_id, 0.0, ""

    def __call__(self, stage: str, rows: int) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < 1 / PROGRESS_PER_SECOND:
            return
        self.last, self.stage = now, stage
        import_job_progress(job_id=self.job_id, stage=stage, rows_done=rows)


def import_job_finish(*, job: ImportJob, report: ImportReport) -> None:
    rows = len(report.rows)
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, rows_done=rows, rows_total=rows, created=report.created, updated=report.updated,
        unchanged=report.unchanged, accounts_created=report.accounts_created,
        accounts_closed=report.accounts_closed, audit_entry_id=report.audit_entry_id,
        summary=report.summary(), error="", problems=[], stored_name="", finished_at=timezone.now())


def import_job_fail(*, job: ImportJob, error: str, problems: Sequence[RowError] = ()) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=error[:ERROR_LENGTH], stored_name="", finished_at=timezone.now(),
        problems=[[problem.row, problem.column, problem.message] for problem in problems[:PROBLEMS_KEPT]])


@task()
def run_roster_import_job(*, job_id: int) -> str:
    if not import_job_claim(job_id=job_id):
        return "skipped"
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    import_job_progress(job_id=job_id, stage=ImportStage.READING, rows_done=0)
    # The job speaks the language its uploader used when confirming (Vietnamese unless they chose otherwise).
    with translation.override(job.language or None):
        try:
            try:
                stream = default_storage.open(job.stored_name, "rb")
            except (FileNotFoundError, OSError):
                import_job_fail(job=job, error=_("The uploaded file is no longer there; nothing was imported. "
                                                 "Please upload it again."))
                return ImportStatus.FAILED
            with stream:
                report = roster_import(stream, job.filename, user=job.user, dry_run=False,
                                       on_progress=_Throttled(job_id))
        except Exception:  # any failure is recorded on the job, which then never looks finished
            logger.exception("Roster import job %s failed", job_id)
            import_job_fail(job=job, error=_("The import stopped on an unexpected error; nothing was written. "
                                             "Please upload the file again; if it happens again, tell the "
                                             "system administrator."))
            return ImportStatus.FAILED
        finally:
            if job.stored_name:
                default_storage.delete(job.stored_name)
        if not report.applied:
            import_job_fail(job=job, error=report.summary(), problems=report.errors)
            return ImportStatus.FAILED
        import_job_finish(job=job, report=report)
    return ImportStatus.DONE
