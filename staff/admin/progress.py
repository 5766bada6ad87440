"""The state of a long job as JSON, for the progress component (templates/staff/admin/includes/progress.html
and static/js/progress.js): export jobs (and the class certificate prints, which are export jobs),
invitation batches and roster import jobs. Each view looks the job up as its own page does, so a guessed id is a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from staff.access import AuthenticatedHttpRequest, is_city_hr, require_hr
from staff.models import BatchStatus, ExportJob, ExportStatus, ImportJob, ImportStage, ImportStatus, InvitationBatch
from staff.services.printing import PRINT_KIND

FINISHED = (ExportStatus.DONE, ExportStatus.FAILED)  # the same values for BatchStatus


def _percent(done: int, total: int | None) -> int | None:
    return min(100, done * 100 // total) if total else None


def export_job_download_url(job: ExportJob) -> str:
    if job.status != ExportStatus.DONE or not job.file:
        return ""
    if job.kind == PRINT_KIND:
        return reverse("staff_export_job_pdf", args=[job.pk])
    return reverse("staff_export_job_download", args=[job.pk])


def export_job_state(job: ExportJob) -> dict[str, Any]:
    done, total = job.rows_done, job.rows_total
    if job.status == ExportStatus.QUEUED:
        text = _("Waiting to start.")
    elif job.status == ExportStatus.RUNNING:
        text = (_("%(done)s of %(total)s done.") % {"done": done, "total": total} if total
                else _("%(done)s done.") % {"done": done})
    elif job.status == ExportStatus.DONE:
        text = _("Finished: %(done)s of %(total)s.") % {"done": done, "total": total if total is not None else done}
    else:
        text = _("Failed: %(error)s") % {"error": job.error or _("the job stopped without saying why.")}
    label = pgettext("job", "Failed") if job.status == ExportStatus.FAILED else str(job.get_status_display())
    return {"state": job.status, "label": label, "done": done, "total": total,
            "percent": 100 if job.status == ExportStatus.DONE else _percent(done, total), "text": text,
            "error": job.error if job.status == ExportStatus.FAILED else "", "finished": job.status in FINISHED,
            "download_url": export_job_download_url(job)}


def batch_state(batch: InvitationBatch) -> dict[str, Any]:
    text = _("%(sent)s of %(total)s sent, %(failed)s failed, %(skipped)s skipped.") % {
        "sent": batch.sent, "total": batch.total, "failed": batch.failed, "skipped": batch.skipped}
    error = _("Sending stopped before the end.") if batch.status == BatchStatus.FAILED else ""
    label = pgettext("job", "Failed") if batch.status == BatchStatus.FAILED else str(batch.get_status_display())
    return {"state": batch.status, "label": label, "done": batch.done,
            "total": batch.total, "percent": 100 if batch.status == BatchStatus.DONE else _percent(batch.done,
                                                                                                  batch.total),
            "text": f"{error} {text}".strip(), "error": error, "finished": batch.status in FINISHED,
            "download_url": ""}


def import_job_state(job: ImportJob) -> dict[str, Any]:
    """A roster import job: rows read, then an indeterminate bar while it checks and writes them in one
    transaction (which nobody else can watch until it commits), then the report's summary or the failure."""
    done, total = job.rows_done, job.rows_total
    if job.status == ImportStatus.QUEUED:
        text = _("Waiting to start.")
    elif job.status == ImportStatus.RUNNING and job.stage == ImportStage.WRITING:
        text = _("All %(done)s rows read; checking and writing them (all or nothing)…") % {"done": done}
        total = None
    elif job.status == ImportStatus.RUNNING:
        text = (_("Reading the file: %(done)s of %(total)s rows.") % {"done": done, "total": total} if total
                else _("Reading the file: %(done)s rows.") % {"done": done})
    elif job.status == ImportStatus.DONE:
        text = job.summary
    else:
        text = _("Nothing was imported.")  # why is the component's error line
    label = pgettext("job", "Failed") if job.status == ImportStatus.FAILED else str(job.get_status_display())
    return {"state": job.status, "label": label, "done": done, "total": total,
            "percent": 100 if job.status == ImportStatus.DONE else _percent(done, total), "text": text,
            "error": job.error if job.status == ImportStatus.FAILED else "", "finished": job.finished,
            "download_url": ""}


def _json(state: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(state)
    response["Cache-Control"] = "no-store"
    return response


def export_job_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    job = ExportJob.objects.filter(pk=pk, user=request.user).first()  # only the requester, as its download
    if job is None:
        raise Http404
    return _json(export_job_state(job))


def invitation_batch_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    # The same scope as the batch's page (staff.admin.accounts): its sender, or the city's HR.
    require_hr(request.user)
    batches = InvitationBatch.objects.all()
    if not is_city_hr(request.user):
        batches = batches.filter(created_by=request.user)
    return _json(batch_state(get_object_or_404(batches, pk=pk)))


def import_job_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    # The same scope as the job's page (staff.admin.imports): its uploader's own.
    require_hr(request.user)
    return _json(import_job_state(get_object_or_404(ImportJob, pk=pk, user=request.user)))
