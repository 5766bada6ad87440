"""The row limit is checked before any row is parsed: the worksheet's row tags counted in its XML (its
``<dimension>`` may lie), a CSV file's lines counted; the message names the rows and the limit."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from staff.imports import limits, reader
from staff.imports.limits import ImportRefusedError, UploadLimits, check_upload, xlsx_row_count
from staff.imports.people import roster_import
from staff.models import Official
from tests.staff.import_files import as_lists, roster_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed before the limits refused it")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(reader, "_csv_rows", refuse)


def rows(n: int) -> list[list[str]]:
    return as_lists([roster_row(f"R{i}", f"Người {i}", "P-A") for i in range(n)])


def refusal(path, **limits) -> str:
    with open(path, "rb") as stream, pytest.raises(ImportRefusedError) as refused:
        check_upload(stream, path.name, limits=UploadLimits(**limits))
    return str(refused.value)


def with_dimension(path, ref: str):
    """The same workbook with its worksheet declaring ``ref`` as its dimension (what Excel writes)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    parts[name] = re.sub(rb"(<worksheet[^>]*>)", rb'\1<dimension ref="' + ref.encode() + b'"/>', parts[name], count=1)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return path


def test_the_default_limits_are_the_settings(settings):
    defaults = UploadLimits()
    assert defaults.max_rows == settings.IMPORT_MAX_ROWS == 200_000
    assert defaults.max_bytes == settings.IMPORT_MAX_FILE_BYTES
    assert UploadLimits.from_settings() == defaults


def test_too_many_rows_are_refused_before_a_row_is_parsed(tmp_path, no_parsing):
    path = write_xlsx(tmp_path / "rows.xlsx", rows(6))

    with translation.override("vi"):
        message = refusal(path, max_rows=5)
    assert "6 dòng" in message and "5 dòng" in message, message
    assert refusal(path, max_rows=5) and not Official.objects.exists()


def test_a_dimension_that_lies_does_not_hide_the_rows(tmp_path, no_parsing):
    path = with_dimension(write_xlsx(tmp_path / "lies.xlsx", rows(6)), "A1:N2")

    assert "6" in refusal(path, max_rows=5)


@pytest.mark.parametrize("chunk", [7, 300, 1024 * 1024])
def test_rows_are_counted_whatever_the_prefix_and_never_as_row_breaks(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(limits, "SCAN_CHUNK", chunk)  # tags cut by chunk boundaries anywhere
    path = write_xlsx(tmp_path / "counted.xlsx", rows(3))
    with open(path, "rb") as stream:
        assert xlsx_row_count(stream) == 4  # the header and three rows
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    parts[name] = (parts[name].replace(b"<row", b"<x:row").replace(b"</row", b"</x:row")
                   .replace(b"</worksheet>", b'<rowBreaks count="1"><brk id="2"/></rowBreaks></worksheet>'))
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(prefixed, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    with open(prefixed, "rb") as stream:
        assert xlsx_row_count(stream) == 4


def test_a_row_number_far_down_counts_as_that_many_rows(tmp_path, no_parsing):
    # openpyxl yields the rows a sheet skips as empty ones: a lone row 1,000,000 is a million rows to read.
    path = write_xlsx(tmp_path / "far.xlsx", rows(2))
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    parts[name] = re.sub(rb'<row r="3"', b'<row r="1000000"', parts[name])
    with zipfile.ZipFile(path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)

    assert "999" in refusal(path, max_rows=5)


def test_csv_lines_are_counted_before_parsing(tmp_path, no_parsing):
    path = write_csv(tmp_path / "rows.csv", rows(6))
    assert "6" in refusal(path, max_rows=5)


def test_line_breaks_inside_quoted_cells_are_not_rows(tmp_path, ward_a, settings):
    settings.IMPORT_MAX_ROWS = 2
    data = rows(2)
    data[0][1] = "Người\nmột\nhai\nba"  # four lines in one cell: still two rows
    path = write_csv(tmp_path / "quoted.csv", data)

    with open(path, "rb") as stream:
        assert check_upload(stream, path.name) == "csv"


def test_a_city_sized_roster_is_accepted_by_default(tmp_path):
    # The sheet XML of 140,000 rows is streamed, never parsed: a sheet with only row tags is enough.
    body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
                    for n in range(1, 140_002))
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<sheetData>" + body + b"</sheetData></worksheet>")
    path = write_xlsx(tmp_path / "city.xlsx", [])
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    parts[name] = sheet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)

    assert xlsx_row_count(io.BytesIO(buffer.getvalue())) == 140_001
    assert check_upload(io.BytesIO(buffer.getvalue()), "city.xlsx", limits=UploadLimits.from_settings()) == "xlsx"
    with pytest.raises(ImportRefusedError):
        check_upload(io.BytesIO(buffer.getvalue()), "city.xlsx", limits=UploadLimits(max_rows=139_999))
    assert settings.IMPORT_MAX_ROWS >= 140_000


def test_the_import_says_the_limit_and_writes_nothing(tmp_path, ward_a, settings, no_parsing):
    settings.IMPORT_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "rows.xlsx", rows(7))
    with open(path, "rb") as stream, translation.override("vi"):
        report = roster_import(stream, path.name, dry_run=False)

    [error] = report.errors
    assert not report.applied and "7 dòng" in str(error) and "5 dòng" in str(error)
    assert not Official.objects.exists()
