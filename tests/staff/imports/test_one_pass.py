"""One dry run lists every problem of a file: scope errors with format errors, each with its row and
column; a problem with the whole file says so; Excel's "Unicode Text" (UTF-16, tab-separated) is read;
names typed decomposed (NFD) are stored composed (NFC)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata

import pytest
from django.utils import translation

from staff.imports.attendance import attendance_import
from staff.imports.people import roster_import
from staff.models import Category, Official, Rank
from tests import factories
from tests.staff.import_files import HEADERS, as_lists, roster_row, write_xlsx

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def ranks(db):
    return Rank.objects.create(code="01.003", name="Chuyên viên", tier=3, category=Category.CIVIL_SERVANT)


def run(path, *, user=None, dry_run=True):
    with open(path, "rb") as stream:
        return roster_import(stream, path.name, user=user, dry_run=dry_run, today=TODAY)


def cells(report):
    return sorted((e.row, e.column) for e in report.errors)


def test_a_unit_outside_the_scope_is_reported_with_the_rows_format_errors(tmp_path, ward_a, ward_b, ranks, hr_a):
    rows = [roster_row("S1", "Sai Giới", "P-B", gender="?"),  # row 2: a bad cell and a unit of ward B
            roster_row("S2", "Sai Ngày", "P-A", date_of_birth="31/02/1990"),  # row 3: a bad cell only
            roster_row("S3", "Ngoài Phạm Vi", "P-B")]  # row 4: ward B only
    report = run(write_xlsx(tmp_path / "scope.xlsx", as_lists(rows)), user=hr_a)

    assert cells(report) == [(2, "Giới tính"), (2, "Mã đơn vị"), (3, "Ngày sinh"), (4, "Mã đơn vị")]
    assert not report.rows and not Official.objects.exists()


def test_an_official_of_another_unit_is_reported_with_the_rows_format_errors(tmp_path, ward_a, ranks, hr_a,
                                                                             official_b):
    rows = [roster_row("CB-B-1", "Tên Khác", "P-A", gender="?")]
    report = run(write_xlsx(tmp_path / "steal.xlsx", as_lists(rows)), user=hr_a)

    assert cells(report) == [(2, "Giới tính"), (2, "Mã cán bộ")]


def test_an_empty_required_cell_and_a_bad_cell_are_both_reported(tmp_path, ward_a, ranks):
    rows = [roster_row("E1", "", "P-A", gender="?")]
    report = run(write_xlsx(tmp_path / "two.xlsx", as_lists(rows)))

    assert cells(report) == [(2, "Giới tính"), (2, "Họ và tên")]


def test_a_refused_file_is_worded_as_a_problem_of_the_file(tmp_path, db):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with translation.override("en"):
        report = run(path)
        summary, first = report.summary(), str(report.errors[0])

    assert [error.row for error in report.errors] == [None]
    assert first == "The file: The file is empty."
    assert summary == "empty.csv: nothing was imported. The file: The file is empty."
    assert "0 rows" not in summary


def test_a_file_without_the_required_columns_is_worded_as_a_problem_of_the_file(tmp_path, db):
    path = write_xlsx(tmp_path / "other.xlsx", [["1", "x"]], headers=["STT", "Ghi chú"])
    with translation.override("vi"):
        summary = run(path).summary()

    assert summary.startswith("other.xlsx: ") and "Tệp:" in summary and "0 dòng" not in summary


def test_row_errors_are_counted_by_row(tmp_path, ward_a, ranks):
    rows = [roster_row("E1", "", "P-A", gender="?"), roster_row("E2", "Đúng Tên", "P-A")]
    with translation.override("en"):
        summary = run(write_xlsx(tmp_path / "bad.xlsx", as_lists(rows))).summary()

    assert summary == "bad.xlsx: nothing was imported. 2 problems in 1 row."


def unicode_text(path, rows, headers=HEADERS):
    """What Excel's "Save as Unicode Text" writes: UTF-16 little-endian with its byte-order mark, tabs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(codecs.BOM_UTF16_LE + buffer.getvalue().encode("utf-16-le"))
    return path


@pytest.mark.parametrize("name", ["roster.txt", "roster.csv"])
def test_excels_unicode_text_is_read_like_csv(tmp_path, ward_a, ranks, name):
    path = unicode_text(tmp_path / name, as_lists([roster_row("U1", "Đặng Thị Ngọc Ánh", "P-A")]))

    report = run(path, dry_run=False)

    assert report.ok, report.errors
    assert Official.objects.get(employee_code="U1").full_name == "Đặng Thị Ngọc Ánh"


def test_utf16_text_still_passes_the_size_limit_first(tmp_path, ward_a, ranks, settings):
    settings.IMPORT_MAX_FILE_BYTES = 100
    path = unicode_text(tmp_path / "big.txt", as_lists([roster_row("U1", "Đặng Thị Ngọc Ánh", "P-A")]))

    report = run(path)

    assert [error.row for error in report.errors] == [None] and "MB" in report.errors[0].message


def test_a_name_typed_decomposed_is_stored_composed(tmp_path, ward_a, ranks):
    typed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    assert typed != "Nguyễn Thị Hường"
    path = write_xlsx(tmp_path / "nfd.xlsx", as_lists([roster_row("N1", typed, "P-A",
                                                                  job_position=unicodedata.normalize(
                                                                      "NFD", "Chuyên viên một cửa"))]))

    report = run(path, dry_run=False)

    assert report.ok, report.errors
    official = Official.objects.get(employee_code="N1")
    assert official.full_name == "Nguyễn Thị Hường" and official.job_position == "Chuyên viên một cửa"
    assert Official.objects.filter(full_name="Nguyễn Thị Hường").count() == 1


def test_a_decomposed_name_updates_the_composed_one_without_a_change(tmp_path, official, ranks):
    row = roster_row("CB-A-1", unicodedata.normalize("NFD", official.full_name), "P-A",
                     job_position=official.job_position, date_of_birth=official.date_of_birth,
                     gender=official.get_gender_display(), category=official.get_category_display(),
                     rank=official.rank.code if official.rank else "")
    report = run(write_xlsx(tmp_path / "same.xlsx", as_lists([row])))

    assert report.ok, report.errors
    assert "full_name" not in str(report.rows[0].changes)


def test_an_attendance_sheet_file_error_is_worded_as_such(tmp_path, training_centre):
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre))
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with open(path, "rb") as stream, translation.override("en"):
        report = attendance_import(stream, path.name, session=session)
        assert report.summary() == "empty.csv: nothing was imported. The file: The file is empty."
