"""Admin for imports: the officials' roster and a class's attendance, dry run then confirm."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.access import AuthenticatedHttpRequest, hr_units, organized_session_or_404, require_hr
from staff.admin.progress import import_job_state
from staff.imports.attendance import attendance_import
from staff.imports.limits import ImportRefusedError, check_upload
from staff.imports.people import roster_import
from staff.imports.report import ImportReport, RowError
from staff.imports.sheets import attendance_sheet, roster_template
from staff.models import ImportJob, ImportStatus
from staff.services.imports import roster_import_job_start

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


SIGNING_SALT = "staff.admin_imports.upload"


UPLOAD_MAX_AGE = 6 * 3600  # a dry run left open longer than this must be uploaded again


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (XLSX or CSV)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt,.tsv"}))



def _upload_prefix(purpose: str, request: AuthenticatedHttpRequest) -> str:
    return f"imports/{purpose}/u{request.user.pk}-"


def _sign(request: AuthenticatedHttpRequest, name: str, filename: str, rows: int | None = None) -> str:
    """A signed token naming the stored upload, its original name and (after its dry run) its row count."""
    return signing.dumps({"name": name, "filename": filename[:150], "user": request.user.pk, "rows": rows},
                         salt=SIGNING_SALT)


def _store(request: AuthenticatedHttpRequest, purpose: str, uploaded, kind: str) -> str:
    """Save the upload under a random name and return a signed token naming it (and the original name)."""
    name = default_storage.save(f"{_upload_prefix(purpose, request)}{uuid.uuid4().hex}.{kind}", uploaded)
    return _sign(request, name, uploaded.name)


def _stored_rows(token: str) -> int:
    """The row count its dry run signed into the token (0 for a token signed before it did)."""
    try:
        return int(signing.loads(token, salt=SIGNING_SALT, max_age=UPLOAD_MAX_AGE).get("rows") or 0)
    except (signing.BadSignature, TypeError, ValueError):
        return 0


def _stored(request: AuthenticatedHttpRequest, purpose: str, token: str) -> tuple[str, str]:
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.BadSignature as exc:
        raise ImportRefusedError(_("The uploaded file has expired; please upload it again.")) from exc
    name = str(data.get("name", ""))
    if data.get("user") != request.user.pk or not name.startswith(_upload_prefix(purpose, request)) \
            or ".." in name or not default_storage.exists(name):
        raise ImportRefusedError(_("The uploaded file has expired; please upload it again."))
    return name, str(data.get("filename", ""))


Runner = Callable[..., ImportReport]
# Given the stored upload, its name and row count, start a background import and return its page's URL.
Background = Callable[[AuthenticatedHttpRequest, str, str, int], str]


def _two_step(request: AuthenticatedHttpRequest, *, purpose: str, run: Runner, template: str, context: dict,
              done_url: str | Callable[[ImportReport], str], background: Background | None = None) -> HttpResponse:
    """Upload → dry run (the table of what would happen, or the errors) → confirm (validated again).

    With ``background``, a confirmed file of more rows than IMPORT_BACKGROUND_THRESHOLD_ROWS is imported
    by a background job (which deletes the upload when done) instead of in the request."""
    form = UploadForm()
    report: ImportReport | None = None
    token = ""
    if request.method == "POST" and "token" in request.POST:
        try:
            name, filename = _stored(request, purpose, request.POST["token"])
        except ImportRefusedError as exc:
            report = ImportReport(filename="", errors=[RowError(None, "", str(exc))])
        else:
            rows = _stored_rows(request.POST["token"])
            if background is not None and rows > settings.IMPORT_BACKGROUND_THRESHOLD_ROWS:
                return redirect(background(request, name, filename, rows))
            with default_storage.open(name, "rb") as stream:
                report = run(stream, filename, user=request.user, dry_run=False)
            default_storage.delete(name)
            if report.ok:
                messages.success(request, report.summary())
                return redirect(done_url(report) if callable(done_url) else done_url)
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                # The limits are checked on the upload itself, before it is stored or parsed.
                kind = check_upload(uploaded, uploaded.name)
            except ImportRefusedError as exc:
                report = ImportReport(filename=uploaded.name, errors=[RowError(None, "", str(exc))])
            else:
                token = _store(request, purpose, uploaded, kind)
                name, filename = _stored(request, purpose, token)
                with default_storage.open(name, "rb") as stream:
                    report = run(stream, filename, user=request.user, dry_run=True)
                if not report.ok:
                    default_storage.delete(name)
                    token = ""
                else:
                    token = _sign(request, name, filename, rows=len(report.rows))
    return render(request, template, {**context, "form": form, "report": report, "token": token})


def officials_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_hr(request.user)
    return _two_step(request, purpose="roster", run=roster_import, template="staff/admin/imports/import_officials.html",
                     context={"page_title": _("Import officials")}, done_url=_after_roster_import,
                     background=_roster_in_background)


def _after_roster_import(report: ImportReport) -> str:
    """New officials have accounts nobody can use yet: the next step is to invite them."""
    return _invite_url(report.created, report.audit_entry_id) or reverse("staff_officials_import")


def _invite_url(created: int, audit_entry_id: int | None) -> str:
    """"Invite the officials this import created", or "" when it created none."""
    if created and audit_entry_id:
        return f"{reverse('staff_invitations_new')}?import={audit_entry_id}"
    return ""


def _roster_in_background(request: AuthenticatedHttpRequest, name: str, filename: str, rows: int) -> str:
    job = roster_import_job_start(user=request.user, stored_name=name, filename=filename, rows_total=rows)
    return reverse("staff_officials_import_job", args=[job.pk])


def officials_import_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A background roster import: its progress (kept up to date by static/js/progress.js), then the
    report, or why it failed and the way back to upload again. Only its uploader's own (404 otherwise)."""
    require_hr(request.user)
    job = get_object_or_404(ImportJob, pk=pk, user=request.user)
    return render(request, "staff/admin/imports/import_job.html", {
        "page_title": _("Import officials"), "job": job, "progress": import_job_state(job),
        "status_url": reverse("staff_officials_import_job_status", args=[job.pk]),
        "invite_url": _invite_url(job.created, job.audit_entry_id) if job.status == ImportStatus.DONE else "",
        # The whole file's problems are the job's error already; the table lists the rows'.
        "problems": [RowError(*problem) for problem in job.problems if problem[0] is not None],
    })


def officials_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_hr(request.user)
    example = hr_units(request.user).filter(valid_to__isnull=True).order_by("path").first()
    data = roster_template(example_unit=example.code) if example else roster_template()
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-can-bo.xlsx"'
    return response


def class_attendance_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = organized_session_or_404(request.user, pk)

    def run(stream, filename, *, user, dry_run):
        return attendance_import(stream, filename, session=session, user=user, dry_run=dry_run)

    return _two_step(request, purpose=f"attendance-{session.pk}", run=run,
                     template="staff/admin/imports/import_attendance.html",
                     context={"page_title": _("Import attendance"), "session": session},
                     done_url=reverse("staff_class_participants", args=[session.pk]))


def class_attendance_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = organized_session_or_404(request.user, pk)
    response = HttpResponse(attendance_sheet(session), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="diem-danh-lop-{session.pk}.xlsx"'
    return response
