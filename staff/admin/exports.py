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

from staff.access import AuthenticatedHttpRequest, get_in_scope_or_404, officials_managed_by, require_reporter
from staff.admin.base import download_response
from staff.admin.reporting import ReportFilterForm
from staff.exports.base import EXPORT_LANGUAGE, content_type, write_export, write_xlsx
from staff.exports.records import PersonnelRecordExporter, TrainingRecordsExporter
from staff.exports.tasks import export_job_start
from staff.models import AuditAction, ExportJob, ExportStatus
from staff.pdf.records import personnel_record_pdf
from staff.services.audit import audit_record, audit_summary


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


def export_jobs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's own export jobs, newest first, with progress."""
    jobs = ExportJob.objects.filter(user=request.user).order_by("-created_at", "-pk")[:50]
    return render(request, "staff/admin/exports/export_jobs.html", {
        "jobs": jobs, "page_title": _("My exports"), "header_icon": "download", "done": ExportStatus.DONE})


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
