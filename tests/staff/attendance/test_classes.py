"""Class workflows that cannot go wrong: attendance only for days that have begun, a closed class that still
shows (and corrects, with a reason) its attendance, closing once, "mark all present", and the rotating
check-in code of the organizer's screen. Each test names the defect it guards against."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from courses.models import CredentialType
from staff.models import (
    Attendance,
    AuditAction,
    AuditEntry,
    Certificate,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
)
from staff.services.attendance import (
    ROTATION_SECONDS,
    AttendanceError,
    attendance_bulk_import,
    attendance_correct,
    attendance_mark,
    attendance_self_checkin,
    checkin_period,
    class_closed_on,
    rotating_checkin_code,
    session_complete,
)
from staff.services.enrollment import EnrollmentError, enrollment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(training_centre):
    return factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre, periods=24,
                            credential_type=CredentialType.CHUNG_CHI, min_attendance_percent=100)


def _class(course, ward, *, people: int, start: dt.date, days: int = 2, **fields):
    fields.setdefault("weekends", True)
    session = factories.session(course=course, start=start, days=days, capacity=max(people, 1), **fields)
    enrollments = [
        enrollment_create(official=factories.official(unit=ward, name=f"Lê Thị Thu Hà {i:02d}",
                                                      email=f"ha{i}@example.invalid"),
                          session=session, by=None, check_window=False)
        for i in range(people)
    ]
    return session, enrollments


def _closed_class(course, ward, organizer, *, present_every_day: int, absent: int):
    """A class of two days that ended yesterday: the first ``present_every_day`` came both days."""
    start = timezone.localdate() - dt.timedelta(days=2)
    session, people = _class(course, ward, people=present_every_day + absent, start=start)
    for day in session.day_list:
        attendance_mark(session=session, day=day, present_ids={p.pk for p in people[:present_every_day]},
                        by=organizer)
    session_complete(session=session, by=organizer)
    return session, people


# --- 1. Attendance only for days that have begun -----------------------------------------------------


def test_attendance_for_a_class_ten_days_ahead_is_refused_with_the_day_and_why(organizer, ward_a, course):
    session, (person,) = _class(course, ward_a, people=1, start=timezone.localdate() + dt.timedelta(days=10))

    with translation.override("vi"), pytest.raises(AttendanceError) as refused:
        attendance_mark(session=session, day=session.start_date, present_ids={person.pk}, by=organizer)

    assert session.start_date.strftime("%d/%m/%Y") in str(refused.value)
    assert "chưa bắt đầu" in str(refused.value)
    assert not Attendance.objects.exists()


def test_a_day_outside_the_class_dates_is_refused_saying_why(organizer, ward_a, course):
    session, (person,) = _class(course, ward_a, people=1, start=timezone.localdate() - dt.timedelta(days=1))
    before = session.start_date - dt.timedelta(days=1)
    with pytest.raises(AttendanceError, match=before.strftime("%d/%m/%Y")):
        attendance_mark(session=session, day=before, present_ids={person.pk}, by=organizer)


def test_an_imported_mark_for_a_day_that_has_not_begun_is_refused(organizer, ward_a, course):
    session, (person,) = _class(course, ward_a, people=1, start=timezone.localdate(), days=3)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(AttendanceError):
        attendance_bulk_import(session=session, marks={(person.pk, tomorrow): True}, by=organizer)
    assert isinstance(AttendanceError("x"), ValueError)  # the sheet import rolls back on a ValueError
    assert not Attendance.objects.exists()


def test_the_page_of_a_future_day_has_no_form_and_the_days_offered_are_those_begun(client, organizer, ward_a,
                                                                                  course):
    today = timezone.localdate()
    session, (person,) = _class(course, ward_a, people=1, start=today - dt.timedelta(days=1), days=3)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    client.force_login(organizer)

    page = client.get(reverse("staff_class_attendance", args=[session.pk, tomorrow]))
    posted = client.post(reverse("staff_class_attendance", args=[session.pk, tomorrow]), {"present": [person.pk]})

    assert page.status_code == 200 and 'name="present"' not in page.content.decode()
    assert page.context["days"] == [today - dt.timedelta(days=1), today]
    assert posted.status_code == 400 and not Attendance.objects.exists()


# --- 2. A closed class shows and corrects its attendance ---------------------------------------------


def test_a_closed_class_shows_who_was_present_on_each_day(client, organizer, ward_a, course):
    session, people = _closed_class(course, ward_a, organizer, present_every_day=2, absent=1)
    client.force_login(organizer)

    response = client.get(reverse("staff_class_attendance", args=[session.pk, session.start_date.isoformat()]))

    html = response.content.decode()
    assert "Nobody is confirmed" not in html and "Lê Thị Thu Hà 00" in html
    grid = {row["enrollment"].pk: row["days"] for row in response.context["grid"]}
    assert grid == {people[0].pk: [True, True], people[1].pk: [True, True], people[2].pk: [False, False]}
    assert html.count('checked') == 2  # the day's form shows the recorded marks


def test_the_sign_in_sheet_of_a_closed_class_lists_who_was_there(client, organizer, ward_a, course):
    session, _people = _closed_class(course, ward_a, organizer, present_every_day=1, absent=1)
    client.force_login(organizer)

    with translation.override("en"):
        response = client.get(reverse("staff_class_sign_in", args=[session.pk, session.start_date.isoformat()]),
                              HTTP_ACCEPT_LANGUAGE="en")

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Lê Thị Thu Hà 00" in text and "Lê Thị Thu Hà 01" in text
    assert "Nobody is confirmed" not in text and "Chưa có ai" not in text


def test_correcting_a_closed_class_needs_a_reason(client, organizer, ward_a, course):
    session, people = _closed_class(course, ward_a, organizer, present_every_day=1, absent=1)
    url = reverse("staff_class_attendance", args=[session.pk, session.start_date.isoformat()])
    client.force_login(organizer)

    refused = client.post(url, {"present": [p.pk for p in people], "reason": "  "})

    assert refused.status_code == 400
    assert Attendance.objects.filter(enrollment=people[1], present=True).count() == 0
    with pytest.raises(AttendanceError):
        attendance_mark(session=session, day=session.start_date, present_ids=set(), by=organizer)


def test_a_correction_issues_and_revokes_certificates_and_mails_who_lost_one(client, organizer, ward_a, course,
                                                                           django_capture_on_commit_callbacks):
    session, (kept, lost, gained) = _closed_class(course, ward_a, organizer, present_every_day=2, absent=1)
    # "lost" came on both days but was really absent on the first; "gained" came on both days, unmarked.
    Attendance.objects.filter(enrollment=gained).update(present=True)
    mail.outbox.clear()
    first, second = session.day_list
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff_class_attendance", args=[session.pk, first.isoformat()]),
                    {"present": [kept.pk, gained.pk], "reason": "Sổ điểm danh giấy ghi sai"})

    statuses = dict(Enrollment.objects.filter(session=session).values_list("pk", "status"))
    assert statuses == {kept.pk: EnrollmentStatus.COMPLETED, lost.pk: EnrollmentStatus.NOT_COMPLETED,
                        gained.pk: EnrollmentStatus.COMPLETED}
    assert Certificate.objects.get(enrollment=lost).status == CertificateStatus.REVOKED
    assert Certificate.objects.get(enrollment=lost).revoked_reason == "Sổ điểm danh giấy ghi sai"
    assert Certificate.objects.filter(enrollment=gained, status=CertificateStatus.VALID).exists()
    revoked_mail = [m for m in mail.outbox if lost.official.email in m.to and "thu hồi" in m.subject]
    assert len(revoked_mail) == 1 and "Sổ điểm danh giấy ghi sai" in revoked_mail[0].body
    entry = AuditEntry.objects.get(action=AuditAction.ATTENDANCE_CORRECTION)
    assert entry.detail["reason"] == "Sổ điểm danh giấy ghi sai" and entry.detail["no_longer"] == [lost.pk]
    assert Enrollment.objects.get(pk=lost.pk).periods_earned == 0


def test_a_second_identical_correction_changes_nothing(organizer, ward_a, course):
    session, (kept, lost) = _closed_class(course, ward_a, organizer, present_every_day=2, absent=0)
    day = session.start_date
    attendance_correct(session=session, day=day, present_ids={kept.pk}, by=organizer, reason="Sai")
    _present, outcome = attendance_correct(session=session, day=day, present_ids={kept.pk}, by=organizer,
                                           reason="Sai")
    assert outcome.completed == outcome.no_longer == []
    assert Certificate.objects.filter(enrollment=lost).count() == 1  # revoked once, never reissued


# --- 3. Closing twice -----------------------------------------------------------------------------


def test_closing_a_class_twice_says_when_it_was_closed_not_0_completed(client, organizer, ward_a, course):
    session, _people = _closed_class(course, ward_a, organizer, present_every_day=1, absent=0)
    client.force_login(organizer)

    response = client.post(reverse("staff_class_complete", args=[session.pk]), follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert shown == [f"Lớp học này đã được kết thúc ngày {timezone.localdate():%d/%m/%Y}. Muốn thay đổi người hoàn "
                     "thành, hãy sửa điểm danh của một ngày (kèm lý do)."], shown


def test_a_class_closed_before_the_history_was_kept_counts_as_closed(organizer, ward_a, course):
    session, (person,) = _class(course, ward_a, people=1, start=timezone.localdate() - dt.timedelta(days=3))
    Enrollment.objects.filter(pk=person.pk).update(status=EnrollmentStatus.COMPLETED)  # no event, as old data
    assert class_closed_on(session) == session.end_date
    with pytest.raises(EnrollmentError, match=f"đã được kết thúc ngày {session.end_date:%d/%m/%Y}"):
        session_complete(session=session, by=organizer)


# --- 4. Mark all present --------------------------------------------------------------------------


def test_mark_all_present_ticks_everyone_without_saving(client, organizer, ward_a, course):
    session, people = _class(course, ward_a, people=3, start=timezone.localdate())
    url = reverse("staff_class_attendance", args=[session.pk, session.start_date.isoformat()])
    client.force_login(organizer)

    html = client.get(url, {"all": "1"}).content.decode()

    assert html.count(" checked>") == 3 and not Attendance.objects.exists()
    client.post(url + "?all=1", {"present": [people[0].pk, people[1].pk]})  # the organizer unticked one
    assert dict(Attendance.objects.values_list("enrollment_id", "present")) == {
        people[0].pk: True, people[1].pk: True, people[2].pk: False}


def test_mark_all_present_is_not_offered_for_a_day_that_has_not_begun(client, organizer, ward_a, course):
    session, _people = _class(course, ward_a, people=2, start=timezone.localdate() + dt.timedelta(days=2))
    client.force_login(organizer)
    html = client.get(reverse("staff_class_attendance", args=[session.pk, session.start_date.isoformat()]),
                      {"all": "1"}).content.decode()
    assert "checked" not in html and "data-mark-all" not in html


# --- 7. The rotating check-in code ------------------------------------------------------------------


def test_the_rotating_code_changes_every_period_and_the_previous_one_still_works(ward_a, course):
    today = timezone.localdate()
    session, (person,) = _class(course, ward_a, people=1, start=today, self_checkin=True,
                                daily_start=dt.time(0, 0), daily_end=dt.time(23, 59))
    moment = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0, 5)))
    period = checkin_period(moment)
    codes = [rotating_checkin_code(session, today, p) for p in (period - 2, period - 1, period)]
    assert len(set(codes)) == 3

    with pytest.raises(EnrollmentError):  # two periods old: a photo passed round the room no longer works
        attendance_self_checkin(enrollment=person, code=codes[0], by=None, now=moment)
    attendance_self_checkin(enrollment=person, code=codes[1], by=None,
                            now=moment + dt.timedelta(seconds=ROTATION_SECONDS - 10))
    assert Attendance.objects.get(enrollment=person).method == "self"


def test_the_check_in_screen_shows_the_current_code_and_who_checked_in(client, organizer, ward_a, course):
    today = timezone.localdate()
    session, (person, other) = _class(course, ward_a, people=2, start=today, self_checkin=True,
                                      daily_start=dt.time(0, 0), daily_end=dt.time(23, 59))
    client.force_login(organizer)
    screen = client.get(reverse("staff_class_checkin_screen", args=[session.pk, today.isoformat()]))
    code = screen.context["code"]
    attendance_self_checkin(enrollment=person, code=code, by=None)

    live = client.get(reverse("staff_class_checkin_live", args=[session.pk, today.isoformat()])).json()

    assert "<svg" in screen.content.decode() and code in screen.content.decode()
    assert [row["name"] for row in live["present"]] == [person.official.full_name]
    assert live["url"].endswith("?ma=" + live["code"])


def test_the_check_in_screen_exists_only_on_the_day(client, organizer, ward_a, course):
    session, _people = _class(course, ward_a, people=1, start=timezone.localdate() - dt.timedelta(days=1),
                              self_checkin=True)
    client.force_login(organizer)
    yesterday = session.start_date.isoformat()
    assert client.get(reverse("staff_class_checkin_screen", args=[session.pk, yesterday])).status_code == 404
