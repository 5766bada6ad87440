"""Import a class's attendance and results from a sheet: one row per participant, one column per day.

Columns: Mã cán bộ, one column per class day headed dd/mm/yyyy (x, có or 1 = present; empty = absent),
and optionally Kết quả (Đạt / Không đạt). Other columns (name, unit, STT) are ignored. Only confirmed
participants of the class may appear; the file is applied whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any, TypeAlias

from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from courses.models import CourseSession
from courses.text import fold
from staff.imports import fields as f
from staff.imports.limits import ImportRefusedError, UploadLimits, check_upload
from staff.imports.reader import Row, Sheet, alias_resolver, read_sheet
from staff.imports.report import UNCHANGED, UPDATED, ImportReport, RowError, RowOutcome, file_sha256
from staff.imports.sheets import ATTENDANCE_CODE, ATTENDANCE_NAME, ATTENDANCE_RESULT, ATTENDANCE_UNIT, RESULT_VALUES
from staff.models import Attendance, AuditAction, Enrollment, EnrollmentStatus
from staff.selectors.enrollment import class_participants_of
from staff.services.attendance import (
    attendance_bulk_import,
    attendance_day_refusal,
    class_closed_on,
    enrollment_set_result,
)
from staff.services.audit import audit_record, audit_summary

# Presence by (enrollment id, day).
Marks: TypeAlias = dict[tuple[int, dt.date], bool]

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
            day = f.parse_date(value)
        except f.CellError:
            return None
        return DAY_PREFIX + day.isoformat() if day is not None else None
    return None


def attendance_import(stream: IO[bytes], filename: str, *, session: CourseSession, user: User | None = None,
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
                             summary=audit_summary(gettext_noop("Attendance import: %(file)s"), file=filename),
                             file_sha256=report.sha256,
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


def _plan(stream: IO[bytes], kind: str, session: CourseSession, report: ImportReport,
          limits: UploadLimits | None) -> tuple[Marks, list[tuple[Enrollment, str]]]:
    """Check the whole sheet: the presence marks and the changed results it holds, a report row per
    participant, and the errors on ``report`` (then no rows)."""
    sheet = read_sheet(stream, kind, resolve=_resolve, limits=limits)
    days = _day_columns(sheet, session, report)
    people = _confirmed_participants(session)
    recorded = _recorded_marks(people.values())
    marks: Marks = {}
    results: list[tuple[Enrollment, str]] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        enrollment = _participant_of_row(row, sheet, people, seen, report)
        if enrollment is None:
            continue
        changes = _plan_marks(row, sheet, enrollment, days, recorded, marks, report)
        changes += _plan_result(row, sheet, enrollment, results, report)
        report.rows.append(
            RowOutcome(
                row.number, enrollment.official.employee_code, enrollment.official.full_name,
                UPDATED if changes else UNCHANGED, changes=tuple(changes),
            )
        )
    if not report.ok:
        report.rows = []
    return marks, results


def _day_columns(sheet: Sheet, session: CourseSession, report: ImportReport) -> dict[str, dt.date]:
    """The day columns by their key; a day the session does not have is an error on the header row."""
    if "employee_code" not in sheet.headers:
        raise ImportRefusedError(_("Required columns are missing: %(columns)s.") % {"columns": ATTENDANCE_CODE})
    days: dict[str, dt.date] = {}
    today = timezone.localdate()
    for key, header in sheet.headers.items():
        if key.startswith(DAY_PREFIX):
            day = dt.date.fromisoformat(key.removeprefix(DAY_PREFIX))
            # The marking rules' own words (not a class day, or one that has not begun), so that the file
            # is refused here with the day named, not later by the service mid-transaction.
            refusal = attendance_day_refusal(session, day, today)
            if refusal:
                report.errors.append(RowError(1, header, refusal))
            days[key] = day
    closed_on = class_closed_on(session) if days else None
    if closed_on is not None:
        # As attendance_bulk_import refuses it: a sheet carries no reason, and a closed class is corrected by hand.
        raise ImportRefusedError(_("This class was closed on %(day)s: a sheet cannot change its attendance. "
                                   "Correct the attendance on the day's page, with a reason.")
                                 % {"day": closed_on.strftime("%d/%m/%Y")})
    if not days and "result" not in sheet.headers:
        raise ImportRefusedError(_("The sheet has no day columns (headed dd/mm/yyyy) and no “%(result)s” column.")
                            % {"result": ATTENDANCE_RESULT})
    return days


def _confirmed_participants(session: CourseSession) -> dict[str, Enrollment]:
    return {
        e.official.employee_code: e for e in class_participants_of(session).filter(status=EnrollmentStatus.CONFIRMED)
    }


def _recorded_marks(enrollments: Iterable[Enrollment]) -> Marks:
    """Presence already on record for these enrollments, to tell a change from a repeat."""
    return dict(
        ((pk, day), present)
        for pk, day, present in Attendance.objects.filter(enrollment__in=[e.pk for e in enrollments]).values_list(
            "enrollment_id", "day", "present"
        )
    )


def _error(report: ImportReport, sheet: Sheet, row: int, key: str, message: str) -> None:
    report.errors.append(RowError(row, sheet.headers[key], message))


def _participant_of_row(row: Row, sheet: Sheet, people: dict[str, Enrollment], seen: dict[str, int],
                        report: ImportReport) -> Enrollment | None:
    """The confirmed participant the row is about, or None (with the error) for an empty, repeated or
    unknown employee code."""
    code = f.text(row.values["employee_code"])
    if not code:
        _error(report, sheet, row.number, "employee_code", _("This cell must be filled in."))
        return None
    if code in seen:
        _error(
            report,
            sheet,
            row.number,
            "employee_code",
            _("Employee code %(code)s also appears on row %(row)s.") % {"code": code, "row": seen[code]},
        )
        return None
    seen[code] = row.number
    enrollment = people.get(code)
    if enrollment is None:
        _error(
            report,
            sheet,
            row.number,
            "employee_code",
            _("Employee code %(code)s is not a confirmed participant of this class.") % {"code": code},
        )
    return enrollment


def _plan_marks(row: Row, sheet: Sheet, enrollment: Enrollment, days: dict[str, dt.date], recorded: Marks,
                marks: Marks, report: ImportReport) -> list[str]:
    """Add the row's presence marks to ``marks``; return the days that change what is on record."""
    changes = []
    for key, day in days.items():
        value = fold(f.text(row.values[key]))
        if value not in PRESENT and value not in ABSENT:
            _error(report, sheet, row.number, key, _("Write x, có or 1 for present; leave the cell empty for absent."))
            continue
        present = value in PRESENT
        marks[(enrollment.pk, day)] = present
        if recorded.get((enrollment.pk, day)) != present:
            changes.append(f"{day:%d/%m}: {_('present') if present else _('absent')}")
    return changes


def _plan_result(row: Row, sheet: Sheet, enrollment: Enrollment, results: list[tuple[Enrollment, str]],
                 report: ImportReport) -> list[str]:
    """Add the row's result to ``results`` if it changes the enrollment's; return that change."""
    result_text = f.text(row.values.get("result"))
    if not result_text:
        return []
    result = _RESULTS.get(fold(result_text))
    if result is None:
        _error(
            report,
            sheet,
            row.number,
            "result",
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": result_text, "allowed": ", ".join(v[0] for v in RESULT_VALUES.values())},
        )
        return []
    if result == enrollment.result:
        return []
    results.append((enrollment, result))
    return [f"{sheet.headers['result']}: {result_text}"]
