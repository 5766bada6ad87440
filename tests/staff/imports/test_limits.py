"""Upload limits are checked before any row is parsed, and the start-up check for defusedxml."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from staff.imports import reader
from staff.imports.limits import ImportRefusedError, UploadLimits, check_upload
from staff.imports.people import roster_import
from staff.models import Official
from tests.staff.import_files import MINIMAL_PARTS, as_lists, roster_row, write_csv, write_xlsx, write_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if a workbook is opened: the limits must refuse the file first."""
    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed before the limits refused it")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(reader, "_csv_rows", refuse)


def refusal(path, **limits) -> str:
    with open(path, "rb") as stream, pytest.raises(ImportRefusedError) as refused:
        check_upload(stream, path.name, limits=UploadLimits(**limits))
    return str(refused.value)


def import_errors(path, settings_limits=None) -> list[str]:
    with open(path, "rb") as stream:
        report = roster_import(stream, path.name, dry_run=False)
    assert not report.applied
    return [str(error) for error in report.errors]


def test_an_oversized_file_is_refused(tmp_path, no_parsing, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)

    [message] = import_errors(path)
    assert "MB" in message
    assert refusal(path, max_bytes=1024)


def test_too_many_rows_are_refused_while_reading(tmp_path, ward_a, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [roster_row(f"R{n}", f"Người {n}", "P-A") for n in range(6)]
    path = write_xlsx(tmp_path / "rows.xlsx", as_lists(rows))

    [message] = import_errors(path)
    assert "5" in message
    assert not Official.objects.exists()


def test_too_many_columns_are_refused(tmp_path, settings, db):
    settings.IMPORT_MAX_COLUMNS = 5
    path = write_csv(tmp_path / "wide.csv", [], headers=[f"Cột {n}" for n in range(6)])

    [message] = import_errors(path)
    assert "5" in message


def test_a_zip_bomb_is_refused_from_the_table_of_contents(tmp_path, no_parsing):
    # 20 MB of one repeated byte deflates to about 20 KB: a ratio near 1000:1.
    path = write_zip(tmp_path / "bomb.xlsx", {**MINIMAL_PARTS, "xl/worksheets/sheet1.xml": b" " * (20 * 1024 * 1024)})

    message = refusal(path)
    assert "zip" in message.lower()
    [message] = import_errors(path)
    assert "zip" in message.lower()


def test_a_workbook_that_unpacks_too_large_is_refused(tmp_path, no_parsing):
    path = write_zip(tmp_path / "large.xlsx", {**MINIMAL_PARTS, "xl/worksheets/sheet1.xml": b"<a/>" * 1000})
    assert "MB" in refusal(path, max_uncompressed_bytes=1000)


def test_a_workbook_with_too_many_parts_is_refused(tmp_path, no_parsing):
    parts = {**MINIMAL_PARTS, **{f"xl/media/p{n}.xml": b"<a/>" for n in range(10)}}
    assert "12" in refusal(write_zip(tmp_path / "parts.xlsx", parts), max_zip_entries=5)


@pytest.mark.parametrize("name", ["roster.xlsm", "roster.xls", "roster.xlsb"])
def test_macro_enabled_or_old_formats_are_refused_by_name(tmp_path, no_parsing, name):
    path = write_zip(tmp_path / name, MINIMAL_PARTS)
    assert "." + name.rsplit(".", 1)[1] in refusal(path)


def test_a_vba_project_inside_an_xlsx_is_refused(tmp_path, no_parsing):
    path = write_zip(tmp_path / "innocent.xlsx", {**MINIMAL_PARTS, "xl/vbaProject.bin": b"\x00" * 100})
    assert "macro" in refusal(path).lower()


def test_a_macro_enabled_content_type_is_refused(tmp_path, no_parsing):
    types = (b'<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
             b'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>')
    path = write_zip(tmp_path / "typed.xlsx", {**MINIMAL_PARTS, "[Content_Types].xml": types})
    assert "macro" in refusal(path).lower()


def test_a_non_zip_file_renamed_xlsx_is_refused(tmp_path, no_parsing):
    path = tmp_path / "fake.xlsx"
    path.write_bytes("Mã cán bộ,Họ và tên\nA,B\n".encode())
    assert ".xlsx" in refusal(path)


def test_other_extensions_and_empty_files_are_refused(tmp_path, no_parsing):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert refusal(tmp_path / "a.pdf")
    assert refusal(tmp_path / "empty.csv")


def test_a_binary_file_named_csv_is_refused(tmp_path, no_parsing):
    path = write_zip(tmp_path / "zip.csv", MINIMAL_PARTS)
    assert refusal(path)


# UTF-16 with its byte-order mark (Excel's "Unicode Text") is read: tests/staff/imports/test_one_pass.py.
@pytest.mark.parametrize("encoding", ["latin-1", "utf-16-le"])
def test_a_csv_not_in_utf8_is_refused(tmp_path, db, encoding):
    path = tmp_path / "legacy.csv"
    path.write_bytes("Mã cán;Tên\n1;Hà\n".encode(encoding))
    [message] = import_errors(path)
    assert "UTF-8" in message


def test_a_normal_roster_passes_the_limits(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", as_lists([roster_row("A", "B", "P-A")]))
    with open(path, "rb") as stream:
        assert check_upload(stream, path.name) == "xlsx"
        assert stream.tell() == 0


def test_start_up_refuses_openpyxl_without_defusedxml(monkeypatch):
    import openpyxl.xml

    apps.get_app_config("staff").ready()  # fine as installed here
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(ImproperlyConfigured, match="defusedxml"):
        apps.get_app_config("staff").ready()


def test_limits_come_from_settings(settings):
    settings.IMPORT_MAX_ROWS = 7
    settings.IMPORT_MAX_FILE_BYTES = 99
    limits = UploadLimits.from_settings()
    assert (limits.max_rows, limits.max_bytes) == (7, 99)


def test_check_upload_takes_an_in_memory_stream():
    stream = io.BytesIO("Mã cán bộ;Họ và tên\n".encode())
    assert check_upload(stream, "x.csv") == "csv"
