"""A class's attendance and results imported from a sheet: confirmed participants only, all or nothing,
written as imported marks; the page is the organizer's alone."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from staff.imports.attendance import attendance_import
from staff.models import Attendance, AttendanceMethod, AuditEntry, EnrollmentStatus, Result, Role
from tests import factories
from tests.staff.import_files import write_csv, write_xlsx

pytestmark = pytest.mark.django_db
MON, TUE, WED = dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)
HEAD = ["Mã cán bộ", "Họ và tên", "16/11/2026", "17/11/2026", "18/11/2026", "Kết quả"]


@pytest.fixture
def klass(training_centre, official, official_b, ward_a):
    course = factories.course(title="Kỹ năng số cho công chức", organizer=training_centre)
    session = factories.session(course=course, start=MON, days=3)
    pending = factories.official(unit=ward_a, name="Chờ Duyệt", employee_code="CB-A-2")
    factories.enrollment(official=official, session=session)
    factories.enrollment(official=official_b, session=session)
    factories.enrollment(official=pending, session=session, status=EnrollmentStatus.PENDING)
    return session


def run(path, session, *, user=None, dry_run=False):
    with open(path, "rb") as stream:
        return attendance_import(stream, path.name, session=session, user=user, dry_run=dry_run)


def marks(session):
    return sorted(Attendance.objects.filter(enrollment__session=session)
                  .values_list("enrollment__official__employee_code", "day", "present", "method"))


def test_attendance_and_results_are_imported_as_imported_marks(tmp_path, klass, organizer):
    rows = [["CB-A-1", "Nguyễn Thị Hồng Hải", "x", "có", "", "Đạt"],
            ["CB-B-1", "Trần Văn Bình", 1, "", "X", "Không đạt"]]
    report = run(write_xlsx(tmp_path / "dd.xlsx", rows, HEAD), klass, user=organizer)

    assert report.ok, report.errors
    imported = AttendanceMethod.IMPORT
    assert marks(klass) == [("CB-A-1", MON, True, imported), ("CB-A-1", TUE, True, imported),
                            ("CB-A-1", WED, False, imported), ("CB-B-1", MON, True, imported),
                            ("CB-B-1", TUE, False, imported), ("CB-B-1", WED, True, imported)]
    results = dict(klass.enrollments.values_list("official__employee_code", "result"))
    assert results == {"CB-A-1": Result.PASSED, "CB-B-1": Result.FAILED, "CB-A-2": ""}
    assert Attendance.objects.filter(marked_by=organizer).count() == 6
    assert AuditEntry.objects.get().object_id == str(klass.pk)


def test_a_second_identical_import_changes_nothing(tmp_path, klass):
    path = write_xlsx(tmp_path / "dd.xlsx", [["CB-A-1", "", "x", "x", "x", "Đạt"]], HEAD)
    run(path, klass)
    again = run(path, klass, dry_run=True)
    assert [row.action for row in again.rows] == ["unchanged"]


def test_a_bad_row_writes_nothing_and_names_row_and_column(tmp_path, klass):
    rows = [["CB-A-1", "", "x", "x", "x", ""],
            ["CB-A-2", "", "x", "", "", ""],  # enrolled but not confirmed
            ["CB-B-1", "", "maybe", "", "", "Giỏi"]]
    report = run(write_xlsx(tmp_path / "bad.xlsx", rows, HEAD), klass)

    assert [(e.row, e.column) for e in report.errors] == [(3, "Mã cán bộ"), (4, "16/11/2026"), (4, "Kết quả")]
    assert not Attendance.objects.exists()


def test_a_day_that_is_not_a_class_day_is_an_error(tmp_path, klass):
    head = ["Mã cán bộ", "16/11/2026", "21/11/2026"]  # a Saturday: the class does not meet
    report = run(write_xlsx(tmp_path / "day.xlsx", [["CB-A-1", "x", "x"]], head), klass)

    assert [(e.row, e.column) for e in report.errors] == [(1, "21/11/2026")]
    assert not Attendance.objects.exists()


def test_excel_date_headers_and_a_csv_sheet(tmp_path, klass):
    path = write_xlsx(tmp_path / "dates.xlsx", [["CB-A-1", "x"]], ["Mã cán bộ", dt.datetime(2026, 11, 17)])
    assert run(path, klass).ok
    csv_path = write_csv(tmp_path / "dd.csv", [["CB-B-1", "x"]], ["Mã cán bộ", "18/11/2026"], delimiter=",")
    assert run(csv_path, klass).ok
    assert marks(klass) == [("CB-A-1", TUE, True, "import"), ("CB-B-1", WED, True, "import")]


def test_the_prefilled_sheet_reimports_unchanged(client, tmp_path, klass, organizer):
    run(write_xlsx(tmp_path / "first.xlsx", [["CB-A-1", "", "x", "", "x", "Đạt"]], HEAD), klass)
    client.force_login(organizer)

    response = client.get(f"/admin/classes/{klass.pk}/attendance-sheet/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][3:6] == ["16/11/2026", "17/11/2026", "18/11/2026"]
    (tmp_path / "sheet.xlsx").write_bytes(response.content)

    report = run(tmp_path / "sheet.xlsx", klass, dry_run=True)
    by_code = {row.key: row.action for row in report.rows}
    assert by_code == {"CB-A-1": "unchanged", "CB-B-1": "updated"}  # CB-B-1 has no marks yet: now absent


def test_the_import_page_is_the_organizers(client, tmp_path, klass, organizer, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(organizer)
    url = f"/admin/classes/{klass.pk}/import-attendance/"
    assert client.get(url).status_code == 200

    with open(write_xlsx(tmp_path / "p.xlsx", [["CB-A-1", "", "x", "x", "x", ""]], HEAD), "rb") as stream:
        dry = client.post(url, {"file": stream})
    assert dry.context["report"].ok and not Attendance.objects.exists()
    done = client.post(url, {"token": dry.context["token"]})

    assert done.status_code == 302 and done["Location"].endswith(f"/admin/classes/{klass.pk}/")
    assert Attendance.objects.filter(present=True).count() == 3


@pytest.mark.parametrize("suffix", ["import-attendance/", "attendance-sheet/"])
def test_an_organizer_of_another_unit_gets_404(client, klass, ward_b, suffix):
    other = factories.user("organizer.b", role=Role.ORGANIZER, unit=ward_b)
    client.force_login(other)
    assert client.get(f"/admin/classes/{klass.pk}/{suffix}").status_code == 404


def test_cli_imports_a_sheet(tmp_path, klass, capsys):
    path = write_xlsx(tmp_path / "cli.xlsx", [["CB-A-1", "", "x", "x", "x", "Đạt"]], HEAD)
    call_command("import_attendance", "--session", str(klass.pk), str(path))
    assert "cli.xlsx" in capsys.readouterr().out
    assert Attendance.objects.filter(present=True).count() == 3


def test_cli_refuses_a_bad_sheet_with_a_non_zero_exit(tmp_path, klass, capsys):
    path = write_xlsx(tmp_path / "cli.xlsx", [["NOBODY", "", "x", "", "", ""]], HEAD)
    with pytest.raises(CommandError) as refusal:
        call_command("import_attendance", "--session", str(klass.pk), str(path))
    assert refusal.value.returncode == 1
    assert "NOBODY" in capsys.readouterr().err
    assert not Attendance.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_attendance", "--session", "999999", str(path))
