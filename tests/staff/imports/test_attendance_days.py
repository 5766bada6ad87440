"""The attendance importer checks the sheet's days itself, with the marking rules' words: a day that has
not begun, or any day of a closed class, is refused at the dry run with the day named and why, never
later as "the class changed while the file was being imported"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from staff.imports.attendance import attendance_import
from staff.models import Attendance
from staff.services.attendance import session_complete
from tests import factories
from tests.staff.import_files import write_xlsx

pytestmark = pytest.mark.django_db
PAST_MONDAY = dt.date(2026, 11, 16)


def run(path, session, *, dry_run):
    with open(path, "rb") as stream, translation.override("en"):
        return attendance_import(stream, path.name, session=session, dry_run=dry_run)


def _class(training_centre, official, start):
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre),
                                start=start, days=3)
    factories.enrollment(official=official, session=session)
    return session


@pytest.fixture
def upcoming(training_centre, official):
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 + (7 - today.weekday()) % 7)  # a Monday at least a week away
    return _class(training_centre, official, monday)


def test_a_day_that_has_not_begun_is_refused_at_the_dry_run_with_the_day_named(tmp_path, upcoming):
    day = upcoming.start_date.strftime("%d/%m/%Y")
    path = write_xlsx(tmp_path / "future.xlsx", [["CB-A-1", "x"]], ["Mã cán bộ", day])

    for dry_run in (True, False):
        report = run(path, upcoming, dry_run=dry_run)
        assert [(e.row, e.column, e.message) for e in report.errors] == [
            (1, day, f"{day} has not begun yet: attendance can be recorded from that day on.")]
    assert not Attendance.objects.exists()


def test_a_sheet_for_a_closed_class_is_refused_with_the_day_it_was_closed(tmp_path, training_centre, official,
                                                                          organizer):
    klass = _class(training_centre, official, PAST_MONDAY)
    session_complete(session=klass, by=organizer)
    path = write_xlsx(tmp_path / "closed.xlsx", [["CB-A-1", "x"]], ["Mã cán bộ", "16/11/2026"])
    closed = timezone.localdate().strftime("%d/%m/%Y")

    report = run(path, klass, dry_run=True)

    assert [(error.row, error.message) for error in report.errors] == [
        (None, f"This class was closed on {closed}: a sheet cannot change its attendance. Correct the "
        "attendance on the day's page, with a reason.")]
    assert "changed while" not in report.summary()
    with open(path, "rb") as stream, translation.override("vi"):
        vietnamese = attendance_import(stream, path.name, session=klass, dry_run=False)
    assert f"Lớp học đã kết thúc ngày {closed}" in vietnamese.summary()
    assert not Attendance.objects.filter(method="import").exists()
