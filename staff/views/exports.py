"""An official's own personnel training record, downloaded from "My training" (PDF or XLSX).

Only the signed-in official's own record: there is no identifier in the URL to probe. Each download
is logged like any export (Law 91/2025: who took which personal data out, and when).
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.utils import translation
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from staff.access import AuthenticatedHttpRequest, own_official_or_404
from staff.exports.base import content_type, write_xlsx
from staff.exports.records import PersonnelRecordExporter
from staff.models import AuditAction
from staff.pdf.records import personnel_record_pdf
from staff.services.audit import audit_record, audit_summary


def _download(request: AuthenticatedHttpRequest, fmt: str) -> FileResponse:
    official = own_official_or_404(request, "unit", "rank")
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
                 summary=audit_summary(gettext_noop("Own personnel training record downloaded: %(code)s"),
                                       code=official.employee_code),
                 kind=exporter.name,
                 filters=exporter.filters(), format=fmt, rows=rows)
    mime = "application/pdf" if fmt == "pdf" else content_type("xlsx")
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=exporter.filename(fmt), content_type=mime)


@login_required
@require_GET
def my_record_pdf(request: AuthenticatedHttpRequest) -> FileResponse:
    return _download(request, "pdf")


@login_required
@require_GET
def my_record_xlsx(request: AuthenticatedHttpRequest) -> FileResponse:
    return _download(request, "xlsx")
