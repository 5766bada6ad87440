"""Numbers the Vietnamese way in PDFs ("9,0%", "2.236"), and typed cells in every XLSX the platform
writes: rates are numbers shown as percentages, dates are date cells, counts are numbers."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from staff.exports.base import write_xlsx
from staff.exports.records import PersonnelRecordExporter, TrainingRecordsExporter
from staff.exports.reporting import HEADER_ROW, write_reform_xlsx
from staff.imports.sheets import roster_template
from staff.pdf.records import personnel_record_pdf
from staff.pdf.reporting import reform_report_pdf
from staff.selectors.reporting import build_reform_report
from tests import factories
from tests.pdf_text import pdf_text
from tests.staff.export_data import YEAR, report_world
from training_site.formats.numbers import number, percent

pytestmark = pytest.mark.django_db

RATE_TEXT = re.compile(r"\d+([.,]\d+)?\s*%")
DATE_TEXT = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
RATE_HEADERS = {"Share meeting the yearly requirement"}
DATE_HEADERS = {"Start date", "End date", "Date of birth", "Ngày sinh"}
COUNT_HEADERS = {"Number of classes", "Number of participants", "Number of periods", "Officials",
                 "Meeting the requirement", "Periods", "Of which: female", "Of which: ethnic minority",
                 "Of which: leaders", "Planned classes", "Classes held", "Planned participants", "Participants"}


@pytest.fixture
def world(city, ward_a, ward_b, training_centre):
    return report_world(city=city, ward_a=ward_a, ward_b=ward_b, training_centre=training_centre)


def test_numbers_and_rates_are_written_the_readers_way():
    with translation.override("vi"):
        assert (number(2236), percent(0.09), percent(0.5), percent(None)) == ("2.236", "9,0%", "50,0%", "–")
        assert number(1234.5, 1) == "1.234,5"
    with translation.override("en"):
        assert (number(2236), percent(0.09)) == ("2,236", "9.0%")


def test_the_reform_report_pdf_writes_rates_and_counts_the_vietnamese_way(world, tmp_path):
    report = build_reform_report(year=YEAR)
    report.total.periods = 2236  # a count past a thousand, to see its grouping
    with translation.override("vi"):
        text = pdf_text(reform_report_pdf(report), tmp_path)

    assert "50,0%" in text and "50.0%" not in text  # 4 of the city's 8 officials meet the requirement
    assert "100,0%" in text  # ward A, on the by-unit page
    assert "2.236" in text and "2236" not in text


def test_the_personnel_record_pdf_groups_its_totals(official, training_centre, tmp_path):
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre),
                                start=dt.date(YEAR, 3, 2))
    factories.completed_enrollment(official=official, session=session, periods_earned=1200)
    with translation.override("vi"):
        text = pdf_text(personnel_record_pdf(official), tmp_path)

    assert "1.200" in text


def _columns(sheet, header_row: int) -> dict[str, int]:
    return {str(cell.value): cell.column for cell in sheet[header_row] if cell.value is not None}


def _assert_typed(data: bytes, *, header_row: int, skip_rows: int = 0) -> int:
    """Every rate cell, date cell and count cell below the header of every sheet is typed; no cell anywhere
    holds a rate or a date as text. Returns how many typed cells were checked (so a test can see some)."""
    checked = 0
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        columns = _columns(sheet, header_row)
        for row in sheet.iter_rows(min_row=header_row + 1 + skip_rows):
            for cell in row:
                assert not (isinstance(cell.value, str) and RATE_TEXT.fullmatch(cell.value)), (sheet.title, cell)
                assert not (isinstance(cell.value, str) and DATE_TEXT.match(cell.value)), (sheet.title, cell)
        for header, column in columns.items():
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=column, max_col=column):
                if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                    continue
                if header in RATE_HEADERS:
                    assert cell.data_type == "n" and "%" in cell.number_format, (sheet.title, cell.coordinate)
                elif header in DATE_HEADERS:
                    assert cell.is_date and "dd/mm/yyyy" in cell.number_format.lower(), (sheet.title, cell)
                elif header in COUNT_HEADERS and not _is_label(cell):
                    assert cell.data_type == "n", (sheet.title, cell.coordinate, cell.value)
                else:
                    continue
                checked += 1
    return checked


def _is_label(cell: Cell) -> bool:
    """The summary's closing lines put a label in the first columns ("Total", "%(n)s exchanges")."""
    return isinstance(cell.value, str) and not cell.value.isdigit()


def test_the_reform_report_xlsx_has_typed_rates_dates_and_counts(world, ward_a):
    with translation.override("en"):
        report = build_reform_report(year=YEAR)
        buffer = io.BytesIO()
        write_reform_xlsx(report, buffer)

    assert _assert_typed(buffer.getvalue(), header_row=HEADER_ROW) > 20
    summary = load_workbook(io.BytesIO(buffer.getvalue()))["Summary"]
    share = next(row[1] for row in summary.iter_rows() if row[0].value == "Share meeting the yearly requirement")
    assert share.value == pytest.approx(0.5) and share.number_format == "0.0%"
    by_unit = load_workbook(io.BytesIO(buffer.getvalue()))["By unit"]
    column = _columns(by_unit, HEADER_ROW)["Share meeting the yearly requirement"]
    rates = [row[column - 1].value for row in by_unit.iter_rows(min_row=HEADER_ROW + 1)]
    assert 1.0 in rates  # ward A: a number the sheet can sort and average, not "100.0%"


def test_the_training_records_xlsx_has_date_cells(world):
    with translation.override("en"):
        buffer = io.BytesIO()
        write_xlsx(TrainingRecordsExporter(year=YEAR), buffer)

    assert _assert_typed(buffer.getvalue(), header_row=1) > 10


def test_the_personnel_record_xlsx_has_a_date_of_birth_date_cell(official, training_centre):
    official.date_of_birth = dt.date(1988, 3, 15)
    official.save(update_fields=["date_of_birth"])
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre),
                                start=dt.date(YEAR, 3, 2))
    factories.completed_enrollment(official=official, session=session)
    with translation.override("en"):
        buffer = io.BytesIO()
        exporter = PersonnelRecordExporter(official)
        write_xlsx(exporter, buffer)

    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    birth = next(row[1] for row in sheet.iter_rows() if row[0].value == "Date of birth")
    assert birth.is_date and birth.value.date() == dt.date(1988, 3, 15)
    assert birth.number_format.lower() == "dd/mm/yyyy"
    header_row = len(exporter.preamble()) + 1
    assert _assert_typed(buffer.getvalue(), header_row=header_row) >= 2  # the start and end dates


def test_the_roster_template_example_has_a_date_cell(db):
    sheet = load_workbook(io.BytesIO(roster_template())).worksheets[0]
    column = _columns(sheet, 1)["Ngày sinh"]
    example = sheet.cell(row=2, column=column)
    assert example.is_date and example.number_format.lower() == "dd/mm/yyyy"
