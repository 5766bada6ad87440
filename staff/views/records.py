"""An official's own personnel training record, downloaded from "My training" (PDF or XLSX).

Only the signed-in official's own record: there is no identifier in the URL to probe. Each download
is logged like any export (Law 91/2025: who took which personal data out, and when).
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_GET

from ..exports.base import content_type, write_xlsx
from ..exports.records import PersonnelRecordExporter, personnel_record_pdf
from ..models import AuditAction, Official
from ..services.audit import audit_record


def _own_official(request: HttpRequest) -> Official:
    official = Official.objects.select_related("unit", "rank").filter(user=request.user).first()
    if official is None:
        raise Http404
    return official


def _download(request: HttpRequest, fmt: str) -> FileResponse:
    official = _own_official(request)
    exporter = PersonnelRecordExporter(official)
    # The official's own language, as on the rest of their pages.
    with translation.override(official.preferred_language or "vi"):
        if fmt == "pdf":
            data, rows = personnel_record_pdf(official), exporter.count()
        else:
            buffer = io.BytesIO()
            rows = write_xlsx(exporter, buffer)
            data = buffer.getvalue()
    audit_record(user=request.user, action=AuditAction.EXPORT, obj=official,
                 summary=f"{exporter.name}: {official.employee_code} (own record)", kind=exporter.name,
                 filters=exporter.filters(), format=fmt, rows=rows)
    mime = "application/pdf" if fmt == "pdf" else content_type("xlsx")
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=exporter.filename(fmt), content_type=mime)


@login_required
@require_GET
def my_record_pdf(request: HttpRequest) -> FileResponse:
    return _download(request, "pdf")


@login_required
@require_GET
def my_record_xlsx(request: HttpRequest) -> FileResponse:
    return _download(request, "xlsx")


urlpatterns = [
    path("ho-so-boi-duong.pdf", my_record_pdf, name="my_record_pdf"),
    path("ho-so-boi-duong.xlsx", my_record_xlsx, name="my_record_xlsx"),
]
