"""Files handed to users to fill in: the roster template and a class's pre-filled attendance sheet."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from courses.models import CourseSession
from staff.imports import fields as f
from staff.models import Attendance, EnrollmentStatus, Result
from staff.selectors.enrollment import class_participants_of
from training_site.spreadsheets import xlsx_cell

INSTRUCTIONS_SHEET = "Hướng dẫn"  # the sheet's name is part of the format, like the headers
ROSTER_SHEET = "Danh sách cán bộ"
ATTENDANCE_SHEET = "Điểm danh"
ATTENDANCE_CODE, ATTENDANCE_NAME, ATTENDANCE_UNIT, ATTENDANCE_RESULT = "Mã cán bộ", "Họ và tên", "Đơn vị", "Kết quả"
RESULT_VALUES = {Result.PASSED: ("Đạt", "passed"), Result.FAILED: ("Không đạt", "failed")}
PRESENT_MARK = "x"
TEXT_COLUMNS = ("employee_code", "personal_id", "rank", "unit", "phone")


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_template(*, example_unit: str = "P-KHUONGMAI") -> bytes:
    """The roster template: Vietnamese headers, one synthetic example row, and the instructions sheet."""

    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # never: a new workbook opens on its one worksheet
        raise TypeError("A new workbook has no active worksheet.")
    sheet.title = ROSTER_SHEET
    sheet.append([column.header for column in f.COLUMNS])
    example = {"employee_code": "CB-000123", "full_name": "Nguyễn Thị Mẫu",
               "personal_id": "001188000123", "date_of_birth": dt.date(1988, 3, 15),
               "gender": "Nữ", "ethnicity": "Kinh", "category": "Công chức", "rank": "01.003",
               "job_position": "Chuyên viên một cửa", "leadership_position": "", "unit": example_unit,
               "email": "nguyen.thi.mau@example.invalid", "phone": "0900000000", "status": "Đang công tác"}
    sheet.append([example[column.key] for column in f.COLUMNS])
    for index, column in enumerate(f.COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 4)
        if column.key in TEXT_COLUMNS:
            # Typed as text, so that codes such as 01.003 keep their leading zero in Excel.
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.key == "date_of_birth":
            sheet.cell(row=2, column=index).number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(INSTRUCTIONS_SHEET)
    guide.append([_("Column"), _("Required"), _("What to write"), _("Other accepted headers")])
    for column in f.COLUMNS:
        required = _("Yes") if column.required else (_("For a new official") if column.key in ("gender", "category")
                                                      else "")
        guide.append([column.header, required, _column_help(column.key), ", ".join(column.aliases)])
    guide.append([])
    for line in (
        _("Dates: an Excel date cell, or text written as dd/mm/yyyy (for example 15/03/1988)."),
        _("Each employee code appears once. A code already on the roster updates that official; a new code "
          "creates one."),
        _("An empty cell keeps the current value, except job position, leadership position, e-mail and phone, "
          "which are cleared."),
        _("A former unit code (before a merger) is accepted and mapped to the unit that succeeded it."),
        _("The file is imported only if every row is valid: fix the rows listed and import it again."),
        _("Save as .xlsx (not .xlsm) or as CSV UTF-8; columns may be separated by “,” or “;”."),
    ):
        guide.append([line])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 22), ("B", 18), ("C", 80), ("D", 40)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        row[min(2, len(row) - 1)].alignment = Alignment(wrap_text=True, vertical="top")
    return _save(workbook)


def _labels(values: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{names[0]} ({code})" for code, names in values.items())


def _column_help(key: str) -> str:
    return {
        "employee_code": _("The official's code; the key that links a row to the roster."),
        "full_name": _("Full name with diacritics."),
        "personal_id": _("The 12-digit personal identification number (as on the chip-based identity card). "
                         "Optional; when given it must match the gender and the year of birth."),
        "date_of_birth": _("dd/mm/yyyy or an Excel date."),
        "gender": _("One of: %(values)s.") % {"values": _labels(f.GENDER_VALUES)},
        "ethnicity": _("For example Kinh, Tày, Mường. Empty for a new official means Kinh."),
        "category": _("One of (label or code): %(values)s.") % {"values": _labels(f.CATEGORY_VALUES)},
        "rank": _("A rank code on record, for example 01.003 (specialist)."),
        "job_position": _("Job position (vị trí việc làm)."),
        "leadership_position": _("Leadership position, if any; leave empty otherwise."),
        "unit": _("Code of the unit the official works in. A former unit code is mapped to its successor."),
        "email": _("Work e-mail address."),
        "phone": _("Phone number."),
        "status": _("One of (label or code): %(values)s. Empty for a new official means active.")
        % {"values": _labels(f.STATUS_VALUES)},
    }[key]


def attendance_sheet(session: CourseSession) -> bytes:
    """The class's confirmed participants with one column per day, pre-filled with what is recorded."""

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ATTENDANCE_SHEET)
    days = session.day_list
    people = list(class_participants_of(session).filter(status=EnrollmentStatus.CONFIRMED))
    present = set(Attendance.objects.filter(enrollment__in=[e.pk for e in people], present=True)
                  .values_list("enrollment_id", "day"))
    sheet.append([ATTENDANCE_CODE, ATTENDANCE_NAME, ATTENDANCE_UNIT, *(d.strftime("%d/%m/%Y") for d in days),
                  ATTENDANCE_RESULT])
    results = {code: names[0] for code, names in RESULT_VALUES.items()}
    for enrollment in people:
        official = enrollment.official
        marks = [PRESENT_MARK if (enrollment.pk, day) in present else "" for day in days]
        values = [official.employee_code, official.full_name, official.unit_name, *marks,
                  results.get(enrollment.result, "")]
        sheet.append([xlsx_cell(sheet, value) for value in values])
    return _save(workbook)
