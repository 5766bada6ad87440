"""The reader opens workbooks its own way (no look for stored dimensions, a shortcut for plain inline
strings: staff/imports/reader.py says why); what it reads must be exactly what openpyxl's read-only mode
reads, whatever the workbook holds."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference

from staff.imports.limits import UploadLimits
from staff.imports.reader import _xlsx_rows

LIMITS = UploadLimits()


def openpyxl_rows(data: bytes) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    rows = [list(row) for row in sheet.iter_rows(max_col=LIMITS.max_columns + 1, values_only=True)]
    workbook.close()
    return rows


def our_rows(data: bytes) -> list[list[object]]:
    return [list(values) for _number, values in _xlsx_rows(io.BytesIO(data), LIMITS)]


def saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def shared_strings_workbook() -> bytes:
    """As Excel saves: shared strings, a date, numbers, a boolean, gaps, rich text, a formula."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Mã cán bộ", "Họ và tên", "Ngày sinh", "Số", "Có"])
    sheet.append(["A1", "  Nguyễn Văn A  ", dt.datetime(1990, 1, 2), 12.0, True])
    sheet["B5"], sheet["H5"], sheet["BZ6"] = "after skipped rows", 3, "past the columns read"
    sheet["A7"] = CellRichText(["thường ", TextBlock(InlineFont(b=True), "đậm")])
    sheet["A8"] = "=1+1"
    return saved(workbook)


def write_only_workbook() -> bytes:
    """As openpyxl's write-only mode saves (our exports): inline strings, no stored dimensions."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Mã cán bộ", "Họ và tên", "Ngày sinh"])
    sheet.append(["", None, "x"])
    sheet.append([])
    sheet.append([" có khoảng trắng ", 1, dt.date(2000, 1, 1)])
    sheet.append([CellRichText(["a", TextBlock(InlineFont(i=True), "b")]), "é", None])
    return saved(workbook)


def chart_sheet_first_workbook() -> bytes:
    """A chart sheet before the worksheet: the worksheet is still the first of ``worksheets``."""
    workbook = openpyxl.Workbook()
    sheet = workbook["Sheet"]
    sheet.append(["Mã cán bộ", "Họ và tên", "Số"])
    sheet.append(["B2", "Lê Thị B", 2])
    sheet.append(["B3", "Lê Thị C", 3])
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=3))
    workbook.create_chartsheet("Biểu đồ", 0).add_chart(chart)
    return saved(workbook)


@pytest.mark.parametrize("make", [shared_strings_workbook, write_only_workbook, chart_sheet_first_workbook])
def test_the_reader_reads_what_openpyxl_reads(make):
    data = make()
    assert our_rows(data) == openpyxl_rows(data)
    assert len(openpyxl_rows(data)) > 2


def test_a_plain_inline_string_keeps_its_spaces_and_an_empty_row_is_read_as_empty():
    rows = our_rows(write_only_workbook())
    assert rows[2] == [None] * (LIMITS.max_columns + 1)
    assert rows[3][0] == " có khoảng trắng "  # the reader's rows strip it, not the workbook's reading
