"""Big uploads are refused before a worker reads them: a body declaring more than UPLOAD_MAX_BODY_BYTES gets
413 from its Content-Length alone (the body is never read), a chunked one 411; and a 1,000,000-row sheet is
refused from the <dimension> it declares, in Vietnamese, naming the sheet and its range, before a row is
parsed (a sheet without one by its row tags, counted only until past the limit)."""

from __future__ import annotations

import io
import os
import re
import socket
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.test import Client
from django.test.client import FakePayload
from django.urls import reverse
from django.utils import translation

from staff.imports import reader
from staff.imports.limits import ImportRefusedError, UploadLimits, check_upload
from staff.models import Official
from tests.figures import figure
from tests.processes import app_server
from tests.staff.accounts.test_lockout_processes import database_url
from tests.staff.import_files import HEADERS, write_xlsx

MILLION = 1_000_000


# --- The body's size, from its headers ------------------------------------------------------------------


def test_a_body_declaring_more_than_the_limit_is_refused_before_it_is_read(settings):
    settings.UPLOAD_MAX_BODY_BYTES = 2 * 1024 * 1024
    # Ten real bytes behind a Content-Length of 3 MB: FakePayload fails the test if anything reads past them,
    # so the 413 can only come from the header.
    response = Client().generic("POST", reverse("login"), data=b"x" * 10, content_type="multipart/form-data",
                                CONTENT_LENGTH=str(3 * 1024 * 1024))

    assert response.status_code == 413
    page = response.content.decode()
    assert page.index("Yêu cầu quá lớn") < page.index("The request is too large")
    assert "lớn hơn 2 MB" in page and "larger than 2 MB" in page


def test_a_body_over_the_limit_is_refused_whatever_the_view(settings):
    settings.UPLOAD_MAX_BODY_BYTES = 1000

    response = Client().post(reverse("login"), {"username": "x" * 2000, "password": "y"})

    assert response.status_code == 413


@pytest.mark.django_db
def test_a_body_within_the_limit_goes_on_to_the_view(settings):
    settings.UPLOAD_MAX_BODY_BYTES = 1000

    response = Client().post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code != 413


def test_the_default_limit_takes_the_largest_import_with_its_form(settings):
    assert settings.UPLOAD_MAX_BODY_BYTES > settings.IMPORT_MAX_FILE_BYTES


def test_a_chunked_body_without_a_length_is_refused_with_411():
    request = {"REQUEST_METHOD": "POST", "PATH_INFO": reverse("login"), "HTTP_TRANSFER_ENCODING": "chunked",
               "wsgi.input": FakePayload(b"")}
    response = Client().request(**request)

    assert response.status_code == 411
    assert "Yêu cầu không cho biết kích thước" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_a_gigabyte_declared_is_answered_413_without_waiting_for_the_body(tmp_path, settings):
    """A real app server (gunicorn.conf.py, production-like settings): the headers of a 1 GB upload arrive,
    the body never does, and the 413 comes back at once: nothing waited to read the body."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "training_site.settings.test",
                   "DATABASE_URL": database_url(), "DEBUG": "false"}
    with app_server(environment, log=tmp_path / "gunicorn.log") as server:
        address = urlsplit(server.url)
        with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
            started = time.monotonic()
            connection.sendall(b"POST /dang-nhap/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               b"Content-Type: multipart/form-data; boundary=x\r\n"
                               b"Content-Length: %d\r\n\r\n" % (1024 ** 3))
            answer = b""
            while b"\r\n\r\n" not in answer:
                received = connection.recv(65536)
                if not received:
                    break
                answer += received
            took = time.monotonic() - started

    status_line = answer.split(b"\r\n", 1)[0].decode()
    figure(f"1 GB declared, no body sent: {status_line} in {took:.3f} s")
    assert answer.startswith(b"HTTP/1.1 413"), server.output()
    assert took < 5  # well within the 10 s socket timeout: nobody waited for the missing gigabyte


# --- A million rows ------------------------------------------------------------------------------------


def _sheet_rows(count: int):
    yield from (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>CB-%d</t></is></c>'
                b'<c r="B%d" t="inlineStr"><is><t>Ng&#432;&#7901;i %d</t></is></c></row>' % (n, n, n, n, n)
                for n in range(2, count + 1))


def million_row_workbook(path: Path, *, dimension: bool) -> Path:
    """A 1,000,000-row workbook made cheaply: openpyxl writes a one-row workbook, the sheet's XML is then
    streamed into the zip by hand (header row, 999,999 rows of two cells)."""
    template = write_xlsx(path.with_suffix(".template.xlsx"), [])
    with zipfile.ZipFile(template) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(part for part in parts if part.startswith("xl/worksheets/sheet"))
    header = b"".join(b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (column.encode(), text.encode())
                      for column, text in zip("AB", HEADERS[:2], strict=True))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for part, data in parts.items():
            if part != name:
                archive.writestr(part, data)
                continue
            with archive.open(part, "w") as xml:
                xml.write(b'<?xml version="1.0" encoding="UTF-8"?>'
                          b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                if dimension:
                    xml.write(b'<dimension ref="A1:B%d"/>' % MILLION)
                xml.write(b'<sheetData><row r="1">' + header + b"</row>")
                batch: list[bytes] = []
                for row in _sheet_rows(MILLION):
                    batch.append(row)
                    if len(batch) == 50_000:
                        xml.write(b"".join(batch))
                        batch.clear()
                xml.write(b"".join(batch) + b"</sheetData></worksheet>")
    return path


@pytest.fixture(scope="session")  # session, not module: pytest-django reorders database tests across modules
def million_rows(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("million")
    started = time.monotonic()
    files = {"declared": million_row_workbook(folder / "declared.xlsx", dimension=True),
             "undeclared": million_row_workbook(folder / "undeclared.xlsx", dimension=False)}
    csv_path = folder / "million.csv"
    with csv_path.open("wb") as stream:
        stream.write("Mã cán bộ;Họ và tên\n".encode())
        for start in range(2, MILLION + 1, 50_000):
            stream.write(b"".join(b"CB-%d;Nguoi %d\n" % (n, n) for n in range(start, min(start + 50_000, MILLION + 1))))
    files["csv"] = csv_path
    figure(f"1,000,000-row files made in {time.monotonic() - started:.1f} s: "
          + ", ".join(f"{kind} {path.stat().st_size / 1e6:.1f} MB" for kind, path in files.items()))
    return files


@pytest.fixture
def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed before the limits refused it")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(reader, "open_workbook", refuse)
    monkeypatch.setattr(reader, "_csv_rows", refuse)


def timed_refusal(path: Path, what: str) -> str:
    with translation.override("vi"), path.open("rb") as stream:
        started = time.monotonic()
        with pytest.raises(ImportRefusedError) as refused:
            check_upload(stream, path.name, limits=UploadLimits.from_settings())
        took = time.monotonic() - started
    figure(f"{what}: refused in {took:.3f} s: {refused.value}")
    return str(refused.value)


def test_a_million_row_sheet_is_refused_from_its_declared_range(million_rows, no_parsing):
    message = timed_refusal(million_rows["declared"], "1,000,000 rows, <dimension> declared")

    assert "Trang tính “Danh sách”" in message  # where: the sheet's tab, as tests/staff/import_files.py names it
    assert "A1:B1000000" in message and "999.999 dòng" in message and "200.000 dòng" in message


def test_a_million_row_sheet_that_declares_nothing_is_refused_by_counting_only_past_the_limit(
        million_rows, no_parsing):
    message = timed_refusal(million_rows["undeclared"], "1,000,000 rows, no <dimension>")

    assert message == "Tệp có nhiều hơn 200.000 dòng; hãy chia thành nhiều tệp."


def test_a_million_line_csv_is_refused_from_its_line_count(million_rows, no_parsing):
    message = timed_refusal(million_rows["csv"], "1,000,000-line CSV")

    assert "999.999 dòng" in message


def test_a_declared_range_within_the_limit_proves_nothing_the_rows_are_counted(tmp_path, no_parsing):
    path = write_xlsx(tmp_path / "small.xlsx", [["CB-1", "Một"], ["CB-2", "Hai"], ["CB-3", "Ba"]])
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(part for part in parts if part.startswith("xl/worksheets/sheet"))
    parts[name] = re.sub(rb"(<worksheet[^>]*>)", rb'\1<dimension ref="A1:B2"/>', parts[name], count=1)
    with zipfile.ZipFile(path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)

    with path.open("rb") as stream, pytest.raises(ImportRefusedError) as refused:
        check_upload(stream, path.name, limits=UploadLimits(max_rows=2))
    assert "3" in str(refused.value)  # the three rows, counted, not the one the range declares


def test_a_quoted_csv_over_the_limit_is_refused_after_reading_only_past_the_limit(tmp_path, no_parsing):
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'"Ma";"Ten"\n' + b"".join(b'"CB-%d";"Nguoi %d"\n' % (n, n) for n in range(50)))

    with translation.override("vi"), path.open("rb") as stream, pytest.raises(ImportRefusedError) as refused:
        check_upload(stream, path.name, limits=UploadLimits(max_rows=10))
    assert str(refused.value) == "Tệp có nhiều hơn 10 dòng; hãy chia thành nhiều tệp."


@pytest.mark.django_db
def test_the_import_page_answers_a_million_row_upload_with_the_refusal(client, hr_a, million_rows):
    client.force_login(hr_a)

    with million_rows["declared"].open("rb") as stream:
        started = time.monotonic()
        response = client.post(reverse("staff_officials_import"), {"file": stream})
        took = time.monotonic() - started

    figure(f"the import page with a 1,000,000-row upload answered in {took:.2f} s (the upload itself included)")
    assert response.status_code == 200
    assert "A1:B1000000" in response.content.decode()
    assert not Official.objects.filter(employee_code="CB-2").exists()


def test_the_million_row_workbook_is_what_it_says(million_rows):
    # The generated file is a real workbook with a million rows (openpyxl reads its first rows).
    with zipfile.ZipFile(million_rows["declared"]) as archive:
        assert "xl/workbook.xml" in archive.namelist()
    workbook = openpyxl.load_workbook(io.BytesIO(million_rows["declared"].read_bytes()), read_only=True)
    sheet = workbook.worksheets[0]
    first = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    assert first[0][:2] == tuple(HEADERS[:2]) and first[1][:2] == ("CB-2", "Người 2")
    workbook.close()
