"""Import a class's attendance and results from a sheet: one row per participant, one column per day.

Columns: Mã cán bộ, one column per class day headed dd/mm/yyyy (x, có or 1 = present; empty = absent),
and optionally Kết quả (Đạt / Không đạt). Other columns (name, unit, STT) are ignored. Only confirmed
participants of the class may appear; the file is applied whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from courses.models import CourseSession
from courses.text import fold
from staff.imports import fields as f
from staff.imports.limits import ImportRefusedError, UploadLimits, check_upload
from staff.imports.reader import alias_resolver, read_sheet
from staff.imports.report import UNCHANGED, UPDATED, ImportReport, RowError, RowOutcome, file_sha256
from staff.imports.sheets import ATTENDANCE_CODE, ATTENDANCE_NAME, ATTENDANCE_RESULT, ATTENDANCE_UNIT, RESULT_VALUES
from staff.models import Attendance, AuditAction, EnrollmentStatus
from staff.selectors.enrollment import class_participants_of
from staff.services.attendance import attendance_bulk_import, enrollment_set_result
from staff.services.audit import audit_record

DAY_PREFIX = "day:"
PRESENT = {"x", "co", "1", "true", "v", "✓", "✔"}
ABSENT = {"", "0", "khong", "vang", "false", "-"}
_RESULTS = {fold(alias): code for code, aliases in RESULT_VALUES.items() for alias in (code, *aliases)}
_named = alias_resolver({
    "employee_code": (ATTENDANCE_CODE, "Mã CBCC", "Mã số cán bộ"),
    "name": (ATTENDANCE_NAME, "Họ tên"),
    "unit_name": (ATTENDANCE_UNIT,),
    "result": (ATTENDANCE_RESULT,),
})


def _resolve(value: Any) -> str | None:
    key = _named(value)
    if key is not None:
        return key
    if isinstance(value, dt.datetime | dt.date) or f.DATE_TEXT.match(str(value).strip()):
        try:
            return DAY_PREFIX + f.parse_date(value).isoformat()
        except f.CellError:
            return None
    return None


def attendance_import(stream: IO[bytes], filename: str, *, session: CourseSession, user=None,
                      dry_run: bool = True, limits: UploadLimits | None = None) -> ImportReport:
    """Check (``dry_run``) or import a class's attendance sheet; nothing is written unless all rows are valid."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        kind = check_upload(stream, filename, limits=limits)
        report.sha256 = file_sha256(stream)
        with transaction.atomic():
            marks, results = _plan(stream, kind, session, report, limits)
            if report.ok and not dry_run:
                present = attendance_bulk_import(session=session, marks=marks, by=user)
                for enrollment, result in results:
                    enrollment_set_result(enrollment=enrollment, result=result, by=user)
                audit_record(user=user, action=AuditAction.IMPORT, obj=session,
                             summary=f"Attendance import: {filename}"[:300], file_sha256=report.sha256,
                             rows=len(report.rows), updated=report.updated, unchanged=report.unchanged,
                             present_marks=present, results=len(results), filename=filename)
                report.applied = True
    except ImportRefusedError as exc:
        report.rows, report.errors = [], [RowError(None, "", str(exc))]
    except (DatabaseError, ValueError) as exc:
        report.rows, report.applied = [], False
        report.errors = [RowError(None, "", _("The class changed while the file was being imported; nothing "
                                              "was written. Please import the file again. (%(error)s)")
                                  % {"error": exc})]
    return report


def _plan(stream, kind, session, report: ImportReport, limits):
    sheet = read_sheet(stream, kind, resolve=_resolve, limits=limits)
    if "employee_code" not in sheet.headers:
        raise ImportRefusedError(_("Required columns are missing: %(columns)s.") % {"columns": ATTENDANCE_CODE})
    session_days = set(session.day_list)
    days: dict[str, dt.date] = {}
    for key, header in sheet.headers.items():
        if key.startswith(DAY_PREFIX):
            day = dt.date.fromisoformat(key.removeprefix(DAY_PREFIX))
            if day not in session_days:
                report.errors.append(RowError(1, header, _("%(day)s is not a day of this session.")
                                              % {"day": day.strftime("%d/%m/%Y")}))
            days[key] = day
    if not days and "result" not in sheet.headers:
        raise ImportRefusedError(_("The sheet has no day columns (headed dd/mm/yyyy) and no “%(result)s” column.")
                            % {"result": ATTENDANCE_RESULT})
    people = {
        e.official.employee_code: e for e in class_participants_of(session).filter(status=EnrollmentStatus.CONFIRMED)
    }
    recorded = dict(
        ((pk, day), present)
        for pk, day, present in Attendance.objects.filter(enrollment__in=[e.pk for e in people.values()]).values_list(
            "enrollment_id", "day", "present"
        )
    )
    marks: dict[tuple[int, dt.date], bool] = {}
    results = []
    seen: dict[str, int] = {}

    def error(row: int, key: str, message: str) -> None:
        report.errors.append(RowError(row, sheet.headers[key], message))

    for row in sheet.rows:
        code = f.text(row.values["employee_code"])
        if not code:
            error(row.number, "employee_code", _("This cell must be filled in."))
            continue
        if code in seen:
            error(
                row.number,
                "employee_code",
                _("Employee code %(code)s also appears on row %(row)s.") % {"code": code, "row": seen[code]},
            )
            continue
        seen[code] = row.number
        enrollment = people.get(code)
        if enrollment is None:
            error(
                row.number,
                "employee_code",
                _("Employee code %(code)s is not a confirmed participant of this class.") % {"code": code},
            )
            continue
        changes = []
        for key, day in days.items():
            value = fold(f.text(row.values[key]))
            if value not in PRESENT and value not in ABSENT:
                error(row.number, key, _("Write x, có or 1 for present; leave the cell empty for absent."))
                continue
            present = value in PRESENT
            marks[(enrollment.pk, day)] = present
            if recorded.get((enrollment.pk, day)) != present:
                changes.append(f"{day:%d/%m}: {_('present') if present else _('absent')}")
        result_text = f.text(row.values.get("result"))
        if result_text:
            result = _RESULTS.get(fold(result_text))
            if result is None:
                error(
                    row.number,
                    "result",
                    _("“%(value)s” is not one of: %(allowed)s.")
                    % {"value": result_text, "allowed": ", ".join(v[0] for v in RESULT_VALUES.values())},
                )
            elif result != enrollment.result:
                results.append((enrollment, result))
                changes.append(f"{sheet.headers['result']}: {result_text}")
        report.rows.append(
            RowOutcome(
                row.number, code, enrollment.official.full_name, UPDATED if changes else UNCHANGED, changes=changes
            )
        )
    if not report.ok:
        report.rows = []
    return marks, results
