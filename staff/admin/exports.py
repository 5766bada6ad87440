"""Admin for exports: personnel records, unit training records, My exports."""

from __future__ import annotations

import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from staff.access import (
    AuthenticatedHttpRequest,
    get_in_scope_or_404,
    hr_units,
    is_city_hr,
    officials_managed_by,
    organized_session_or_404,
    require_reporter,
)
from staff.admin.base import download_response
from staff.admin.reporting import ReportFilterForm
from staff.exports.base import EXPORT_LANGUAGE, content_type, write_export, write_xlsx
from staff.exports.records import PersonnelRecordExporter, TrainingRecordsExporter
from staff.exports.tasks import EXPORTERS, export_job_retry, export_job_start
from staff.models import AuditAction, ExportJob, ExportStatus
from staff.pdf.records import personnel_record_pdf
from staff.services.audit import audit_record, audit_summary
from staff.services.printing import PRINT_KIND


class RecordsFilterForm(ReportFilterForm):
    formats = (("xlsx", "XLSX"), ("csv", "CSV"))


def official_record(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> FileResponse:
    # A personnel record (with the date of birth) is HR's: an organizer's reach over their own unit does not
    # extend to it (staff/sensitive.py).
    require_reporter(request.user)
    official = get_in_scope_or_404(officials_managed_by(request.user).select_related("unit", "rank"), pk=pk)
    exporter = PersonnelRecordExporter(official)
    with translation.override(EXPORT_LANGUAGE):
        if fmt == "pdf":
            data, rows = personnel_record_pdf(official), exporter.count()
        else:
            buffer = io.BytesIO()  # one official's record: a few dozen rows
            rows = write_xlsx(exporter, buffer)
            data = buffer.getvalue()
    person = f"{official.full_name} ({official.employee_code})"
    audit_record(user=request.user, action=AuditAction.RECORD_VIEW, obj=official,
                 summary=audit_summary(gettext_noop("Personnel training record opened: %(person)s"), person=person))
    audit_record(user=request.user, action=AuditAction.EXPORT, obj=official,
                 summary=audit_summary(gettext_noop("Personnel training record exported (%(format)s): %(person)s"),
                                       format=fmt.upper(), person=person),
                 kind=exporter.name, filters=exporter.filters(), format=fmt, rows=rows)
    mime = "application/pdf" if fmt == "pdf" else content_type("xlsx")
    return download_response(data, exporter.filename(fmt), mime)


def training_records(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    require_reporter(request.user)
    form = RecordsFilterForm(request.GET if "year" in request.GET else None, user=request.user)
    if not form.is_bound or not form.is_valid():
        return render(request, "staff/admin/exports/export_form.html", {
            "form": form, "page_title": _("Export training records"), "header_icon": "download"})
    filters = form.filters()
    exporter = TrainingRecordsExporter(year=filters["year"], unit=form.cleaned_data["unit"], mapped=form.mapped)
    total = exporter.count()
    if total > settings.EXPORT_BACKGROUND_THRESHOLD_ROWS:
        export_job_start(user=request.user, kind=exporter.name, params={**filters, "language": EXPORT_LANGUAGE},
                         rows_total=total)
        messages.success(request, _("The export runs in the background; download it from My exports when ready."))
        return redirect("staff_export_jobs")
    scratch = tempfile.TemporaryFile()  # closed by FileResponse once sent
    with translation.override(EXPORT_LANGUAGE):
        rows = write_export(exporter, scratch, filters["format"])
    scratch.seek(0)
    audit_record(user=request.user, action=AuditAction.EXPORT,
                 summary=audit_summary(gettext_noop("Training records exported: %(rows)s rows"),
                                       rows=rows),
                 kind=exporter.name, filters=filters, rows=rows)
    return download_response(scratch, exporter.filename(filters["format"]), content_type(filters["format"]))


def export_jobs(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The signed-in user's own export jobs, newest first, with progress; a POST retries a failed one."""
    if request.method == "POST":
        return _export_job_retry(request)
    jobs = ExportJob.objects.filter(user=request.user).order_by("-created_at", "-pk")[:50]
    return render(request, "staff/admin/exports/export_jobs.html", {
        "jobs": jobs, "page_title": _("My exports"), "header_icon": "download", "done": ExportStatus.DONE,
        "failed": ExportStatus.FAILED})


def _export_job_retry(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Only the requester's own failed job; anything else (another user's, a guessed id) is a 404.
    pk = request.POST.get("retry", "")
    job = ExportJob.objects.filter(pk=int(pk), user=request.user, status=ExportStatus.FAILED).first() \
        if pk.isdigit() else None
    if job is None:
        raise Http404
    _may_start_again(request, job)
    export_job_retry(job=job, by=request.user)
    messages.success(request, _("The export was started again; it appears at the top of the list."))
    return redirect("staff_export_jobs")


def _may_start_again(request: AuthenticatedHttpRequest, job: ExportJob) -> None:
    """A retry is a new start: the scope is checked again as at the start (a role taken away since, a unit
    out of reach now, is a 404, as it would be on the export's own form)."""
    if job.kind == PRINT_KIND:
        organized_session_or_404(request.user, job.params.get("session"))
        return
    if job.kind not in EXPORTERS:
        raise Http404
    require_reporter(request.user)
    unit = job.params.get("unit")
    if unit and not hr_units(request.user).filter(code=unit).exists():
        raise Http404
    if not unit and not is_city_hr(request.user):  # the whole city is the city HR's only
        raise Http404


def export_job_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    # Only the requester, and only a finished job with its file: anything else is a 404.
    job = ExportJob.objects.filter(pk=pk, user=request.user, status=ExportStatus.DONE).exclude(file="").first()
    if job is None:
        raise Http404
    # ``file.name`` is typed optional; "" makes FileResponse fall back on the file's own name, as None did.
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or job.file.name or "",
                        content_type=content_type(job.params.get("format", "xlsx")))


def official_record_download(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> FileResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    return official_record(request, pk, fmt)
