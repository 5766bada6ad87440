"""Wagtail admin for exports: personnel records, training records, the yearly reform report, export jobs.

Every view starts from the user's scope (staff/scoping.py) and answers 404 outside it: an official not in
scope, a unit not in scope, an export job of someone else (other HR included). Every download writes an
audit line with who, which filters and how many rows; opening an official's record is also a RECORD_VIEW.

Training records run in the request when they are small and as a background task (staff/exports/tasks.py)
when the count exceeds ``settings.EXPORT_BACKGROUND_THRESHOLD_ROWS`` (0: always in the background).
"""

from __future__ import annotations

import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from .admin_sessions import RoleMenuItem
from .exports.base import content_type, write_export, write_xlsx
from .exports.forms import RecordsFilterForm, ReportFilterForm, may_report
from .exports.records import PersonnelRecordExporter, TrainingRecordsExporter, personnel_record_pdf
from .exports.tasks import export_job_start
from .models import AuditAction, ExportJob, ExportStatus
from .reports.reform import build_reform_report
from .reports.reform_files import reform_report_pdf, report_filename, write_reform_xlsx
from .scoping import HR_ROLES, get_in_scope_or_404, officials_in_scope
from .services.audit import audit_record

EXPORT_LANGUAGE = "vi"


def _require_reporter(request: HttpRequest) -> None:
    if not may_report(request.user):
        raise Http404


def _file(data: bytes | io.IOBase, filename: str, mime: str) -> FileResponse:
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=mime)


def official_record(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    official = get_in_scope_or_404(officials_in_scope(request.user).select_related("unit", "rank"), pk=pk)
    exporter = PersonnelRecordExporter(official)
    with translation.override(EXPORT_LANGUAGE):
        if fmt == "pdf":
            data, rows = personnel_record_pdf(official), exporter.count()
        else:
            buffer = io.BytesIO()  # one official's record: a few dozen rows
            rows = write_xlsx(exporter, buffer)
            data = buffer.getvalue()
    summary = f"{official.full_name} ({official.employee_code})"
    audit_record(user=request.user, action=AuditAction.RECORD_VIEW, obj=official, summary=summary)
    audit_record(user=request.user, action=AuditAction.EXPORT, obj=official, summary=f"{exporter.name}: {summary}",
                 kind=exporter.name, filters=exporter.filters(), format=fmt, rows=rows)
    mime = "application/pdf" if fmt == "pdf" else content_type("xlsx")
    return _file(data, exporter.filename(fmt), mime)


def training_records(request: HttpRequest) -> HttpResponse:
    _require_reporter(request)
    form = RecordsFilterForm(request.GET if "year" in request.GET else None, user=request.user)
    if not form.is_bound or not form.is_valid():
        return render(request, "staff/admin/export_form.html", {
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
    audit_record(user=request.user, action=AuditAction.EXPORT, summary=f"{exporter.name}: {rows} rows",
                 kind=exporter.name, filters=filters, rows=rows)
    return _file(scratch, exporter.filename(filters["format"]), content_type(filters["format"]))


def reform_report(request: HttpRequest) -> HttpResponse:
    _require_reporter(request)
    form = ReportFilterForm(request.GET if "year" in request.GET else None, user=request.user)
    if not form.is_bound or not form.is_valid():
        return render(request, "staff/admin/report_form.html", {
            "form": form, "page_title": _("Yearly training report"), "header_icon": "table"})
    filters = form.filters()
    with translation.override(EXPORT_LANGUAGE):
        report = build_reform_report(year=filters["year"], unit=form.cleaned_data["unit"], mapped=form.mapped)
        if filters["format"] == "pdf":
            data, mime = reform_report_pdf(report), "application/pdf"
        else:
            buffer = io.BytesIO()
            write_reform_xlsx(report, buffer)
            data, mime = buffer.getvalue(), content_type("xlsx")
    audit_record(user=request.user, action=AuditAction.EXPORT, summary=f"reform_report {filters['year']}",
                 kind="reform_report", filters=filters, rows=len(report.lines),
                 participants=report.total.participants)
    return _file(data, report_filename(report, filters["format"]), mime)


def export_jobs(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own export jobs, newest first, with progress."""
    jobs = ExportJob.objects.filter(user=request.user).order_by("-created_at", "-pk")[:50]
    return render(request, "staff/admin/export_jobs.html", {
        "jobs": jobs, "page_title": _("My exports"), "header_icon": "download", "done": ExportStatus.DONE})


def export_job_download(request: HttpRequest, pk: int) -> FileResponse:
    # Only the requester, and only a finished job with its file: anything else is a 404.
    job = ExportJob.objects.filter(pk=pk, user=request.user, status=ExportStatus.DONE).exclude(file="").first()
    if job is None:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or job.file.name,
                        content_type=content_type(job.params.get("format", "xlsx")))


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("officials/<int:pk>/record.<str:fmt>", _record_view, name="staff_official_record"),
        path("exports/training-records/", training_records, name="staff_export_training_records"),
        path("exports/reform-report/", reform_report, name="staff_reform_report"),
        path("exports/mine/", export_jobs, name="staff_export_jobs"),
        path("exports/mine/<int:pk>/download/", export_job_download, name="staff_export_job_download"),
    ]


def _record_view(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    return official_record(request, pk, fmt)


@hooks.register("register_admin_menu_item")
def reports_menu_item():
    return RoleMenuItem(gettext_lazy("Yearly training report"), reverse("staff_reform_report"), icon_name="table",
                        order=220, roles=HR_ROLES)


@hooks.register("register_admin_menu_item")
def records_menu_item():
    return RoleMenuItem(gettext_lazy("Export training records"), reverse("staff_export_training_records"),
                        icon_name="download", order=221, roles=HR_ROLES)


@hooks.register("register_admin_menu_item")
def export_jobs_menu_item():
    return RoleMenuItem(gettext_lazy("My exports"), reverse("staff_export_jobs"), icon_name="download",
                        order=222, roles=HR_ROLES)

