"""The yearly reform report as an XLSX workbook of print-ready sheets."""

from __future__ import annotations

from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from courses.models import CredentialType, ProgrammeType
from staff.exports.base import choice_labels
from staff.models import AdoptionStatus, Category
from staff.selectors.reporting import CATEGORIES, CREDENTIALS, Counts, ReformReport
from training_site.formats.numbers import PERCENT_FORMAT, percent
from training_site.spreadsheets import DATE_FORMAT, set_text

THIN = Side(style="thin", color="888888")


BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Style objects made once and shared by every cell that wears them: openpyxl keeps one copy per distinct
# style anyway, and a new Font per cell was the workbook's own cost at city scale (issue 12).
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")


HEADER_ROW = 4  # rows 1–3: title, scope, blank


def report_title(report: ReformReport) -> str:
    return _("Report on training results, %(year)s") % {"year": report.year}


def report_subtitle(report: ReformReport) -> str:
    where = report.unit.name if report.unit else _("Whole city")
    mode = _("mapped onto today's units") if report.mapped else _("as it was (unit at enrollment)")
    return f"{where} · {mode}"


def report_filename(report: ReformReport, fmt: str) -> str:
    where = report.unit.code if report.unit else "thanh-pho"
    return f"bao-cao-boi-duong-{where}-{report.year}{'-quy-doi' if report.mapped else ''}.{fmt}"


def share_text(share: float | None) -> str:
    """A share as the PDF and the screen write it: "9,0%" in Vietnamese."""
    return percent(share)


def _put_share(sheet: Worksheet, row: int, column: int, share: float | None, **options: Any) -> Cell:
    """A share as a number cell shown as a percentage, so that it can be sorted, summed and charted; an
    unknown share (no officials) an empty cell, not the text "–"."""
    cell = _put(sheet, row, column, share, **options)
    cell.number_format = PERCENT_FORMAT
    return cell


def _put(sheet: Worksheet, row: int, column: int, value: Any, *, bold: bool = False, border: bool = True) -> Cell:
    cell = set_text(sheet.cell(row=row, column=column), value)  # user text (names) stays text
    if bold:
        cell.font = BOLD
    if border:
        cell.border = BOX
    return cell


def _sheet(workbook: Workbook, title: str, report: ReformReport, header: list[str], widths: list[int]) -> Worksheet:
    sheet = workbook.create_sheet(title=title[:31])
    _put(sheet, 1, 1, report_title(report), bold=True, border=False).font = TITLE_FONT
    _put(sheet, 2, 1, report_subtitle(report), border=False)
    for column, text in enumerate(header, start=1):
        cell = _put(sheet, HEADER_ROW, column, text, bold=True)
        cell.alignment = HEADER_ALIGNMENT
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3 if len(header) > 4 else 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet


def _count_cells(counts: Counts) -> list[Any]:
    return [counts.participants, *(counts.by_category.get(code, 0) for code in CATEGORIES), counts.female,
            counts.minority, counts.leaders, counts.periods]


def summary_header() -> list[str]:
    categories, credentials = choice_labels(Category.choices), choice_labels(CredentialType.choices)
    return [_("Content group"), _("Programme type"), _("Number of classes"), _("Number of participants"),
            *(categories[code] for code in CATEGORIES), _("Of which: female"), _("Of which: ethnic minority"),
            _("Of which: leaders"), _("Number of periods"), *(credentials[code] for code in CREDENTIALS)]


def write_reform_xlsx(report: ReformReport, stream: BinaryIO) -> None:
    workbook = Workbook()
    default = workbook.active
    if default is not None:  # a new workbook always has its one empty sheet; the report adds its own
        workbook.remove(default)
    _summary_sheet(workbook, report)
    _unit_sheet(workbook, report)
    _plan_sheet(workbook, report)
    _exchange_sessions_sheet(workbook, report)
    _replication_sheet(workbook, report)
    workbook.save(stream)


def _summary_sheet(workbook: Workbook, report: ReformReport) -> None:
    """One line per content group and programme type, the total, then the share meeting the requirement."""
    programmes = choice_labels(ProgrammeType.choices)
    header = summary_header()
    sheet = _sheet(workbook, _("Summary"), report, header, [34, 26] + [12] * (len(header) - 2))
    row = HEADER_ROW
    for line in report.lines:
        row += 1
        values = [line.group or _("No content group"), programmes.get(line.programme_type, line.programme_type),
                  line.classes, *_count_cells(line), *(line.certificates.get(code, 0) for code in CREDENTIALS)]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
    row += 1
    total = report.total
    for column, value in enumerate([_("Total"), "", total.classes, *_count_cells(total),
                                    *(total.certificates.get(code, 0) for code in CREDENTIALS)], start=1):
        _put(sheet, row, column, value, bold=True)
    row += 2
    _put(sheet, row, 1, _("Share meeting the yearly requirement"), bold=True)
    _put_share(sheet, row, 2, report.share)
    _put(sheet, row + 1, 1, _("Meeting the requirement"), bold=True)
    _put(sheet, row + 1, 2, report.meeting)
    _put(sheet, row + 2, 1, _("Officials"), bold=True)
    _put(sheet, row + 2, 2, report.officials)
    _put(sheet, row + 3, 1, _("Best-practice sessions held"), bold=True)
    _put(sheet, row + 3, 2, report.exchange_sessions)


def _unit_sheet(workbook: Workbook, report: ReformReport) -> None:
    header = [_("Unit code"), _("Unit"), _("Number of participants"),
              *(choice_labels(Category.choices)[code] for code in CATEGORIES), _("Of which: female"),
              _("Of which: ethnic minority"), _("Of which: leaders"), _("Number of periods"),
              _("Officials"), _("Meeting the requirement"), _("Share meeting the yearly requirement")]
    sheet = _sheet(workbook, _("By unit"), report, header, [18, 40] + [12] * (len(header) - 2))
    for row, line in enumerate(report.units, start=HEADER_ROW + 1):
        values = [line.code, line.name, *_count_cells(line), line.officials, line.meeting]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
        _put_share(sheet, row, len(values) + 1, line.share)


def _plan_sheet(workbook: Workbook, report: ReformReport) -> None:
    """The summary's lines that have a plan: planned against held."""
    programmes = choice_labels(ProgrammeType.choices)
    header = [_("Content group"), _("Programme type"), _("Planned classes"), _("Classes held"),
              _("Planned participants"), _("Participants")]
    sheet = _sheet(workbook, _("Plan vs actual"), report, header, [34, 26, 14, 14, 14, 14])
    row = HEADER_ROW
    for line in report.lines:
        if line.planned_classes is None:
            continue
        row += 1
        values = [line.group or _("No content group"), programmes.get(line.programme_type, line.programme_type),
                  line.planned_classes, line.classes, line.planned_participants, line.participants]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
    if not report.has_plan:
        _put(sheet, HEADER_ROW + 1, 1, _("No training plan was entered for this year."), border=False)


def _exchange_sessions_sheet(workbook: Workbook, report: ReformReport) -> None:
    """The sessions of best-practice sharing (programme type "exchange") held in the year."""
    header = [_("Class code"), _("Course"), _("Organizer unit"), _("Start date"), _("End date"),
              _("Number of participants")]
    sheet = _sheet(workbook, _("Best-practice sharing"), report, header, [14, 50, 34, 12, 12, 14])
    for row, item in enumerate(report.exchanges, start=HEADER_ROW + 1):
        values = [item["session__code"], item["session__course__title"],
                  item["session__course__organizer__name"] or "", item["session__start_date"],
                  item["session__end_date"], item["participants"]]
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, row, column, value)
            if column in (4, 5):
                cell.number_format = DATE_FORMAT


def adoption_labels() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in AdoptionStatus.choices]


def _replication_sheet(workbook: Workbook, report: ReformReport) -> None:
    """Exchanges (sessions of exchange pages) held in the year, then adoptions recorded in the year."""
    section = report.replication
    header = [_("Class code"), _("Exchange"), _("Host unit"), _("Start date"), _("End date"),
              _("Number of participants")]
    sheet = _sheet(workbook, _("Exchanges and replication"), report, header, [14, 50, 34, 12, 12, 14])
    row = HEADER_ROW
    for item in section.sessions:
        row += 1
        values = [item["session__code"], item["session__course__title"],
                  item["session__course__exchangepage__host_unit__name"] or "", item["session__start_date"],
                  item["session__end_date"], item["participants"]]
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, row, column, value)
            if column in (4, 5):
                cell.number_format = DATE_FORMAT
    row += 1
    _put(sheet, row, 1, _("Total"), bold=True)
    _put(sheet, row, 2, _("%(n)s exchanges") % {"n": len(section.sessions)}, bold=True)
    _put(sheet, row, 6, section.participants, bold=True)
    row += 2
    _put(sheet, row, 1, _("Adoptions recorded in the year"), bold=True, border=False)
    for value, label in adoption_labels():
        row += 1
        _put(sheet, row, 1, label)
        _put(sheet, row, 2, section.adoptions.get(value, 0))
