"""``xlsx_rows``, the fast path of the exporters' XLSX rows (issue 12), keeps every rule of ``xlsx_cell``: read
back, each value is the cell the careful path wrote, with the same type and the same number format."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from tests.staff.export_data import HOSTILE
from training_site.spreadsheets import DATE_FORMAT, DATETIME_FORMAT, xlsx_cell, xlsx_rows

AT = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hà Nội
VALUES = [*HOSTILE, "#N/A", "#REF!", "=", "Nguyễn Thị Hồng Hải", "hai\ndòng", "bell\x07", "", None, 0, 16, -1.5,
          Decimal("2.5"), True, dt.date(2026, 3, 2), AT, gettext_lazy("Unit")]


def _read_back(rows_of) -> list:
    """The last of two rows of VALUES written by ``rows_of(sheet)`` (a function from values to a row): the
    second time, the fast path's dates reuse the first ones' style."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    make_row = rows_of(sheet)
    sheet.append(make_row(VALUES))
    sheet.append(make_row(VALUES))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return list(list(load_workbook(buffer).worksheets[0].iter_rows())[-1])


def _careful(sheet):
    return lambda values: [xlsx_cell(sheet, value) for value in values]


def _plain(_sheet):
    # What a naive writer appends (minus what openpyxl refuses outright: a control character, an aware time,
    # a lazy translation).
    return lambda values: [value for value in values if not (isinstance(value, str) and "\x07" in value)
                           and not isinstance(value, (dt.datetime, type(gettext_lazy(""))))]


def test_xlsx_row_writes_what_xlsx_cell_writes():
    fast, careful = _read_back(xlsx_rows), _read_back(_careful)
    assert [(c.value, c.data_type, c.number_format) for c in fast] == [
        (c.value, c.data_type, c.number_format) for c in careful]


def test_xlsx_row_keeps_text_as_text_and_dates_day_first():
    cells = dict(zip(map(repr, VALUES), _read_back(xlsx_rows), strict=False))
    for text in [*HOSTILE, "#N/A", "#REF!"]:
        assert cells[repr(text)].data_type == "s" and cells[repr(text)].value == text, text
    assert cells[repr("bell\x07")].value == "bell"  # a character XML cannot carry is dropped, not an error
    assert cells[repr("hai\ndòng")].value == "hai\ndòng"
    assert cells[repr(dt.date(2026, 3, 2))].number_format == DATE_FORMAT
    at = cells[repr(AT)]
    assert at.number_format == DATETIME_FORMAT and at.value == dt.datetime(2026, 3, 2, 8, 30)
    assert cells[repr(16)].data_type == "n" and cells[repr(16)].value == 16


def test_a_plain_append_would_not_have_kept_them_as_text():
    # The checks above can fail: the same values appended as they are give formulas and error cells.
    assert {"f", "e"} <= {cell.data_type for cell in _read_back(_plain)}
