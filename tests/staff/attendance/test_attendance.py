"""Attendance per day, the sign-in sheet, self check-in during the day's hours, and the completion rule."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from staff.admin.attendance import SIGN_IN_ROWS_PER_PAGE
from staff.models import Attendance, Certificate, Enrollment, EnrollmentStatus, Result
from staff.services.attendance import attendance_mark, attendance_self_checkin, checkin_code, session_complete
from staff.services.enrollment import EnrollmentError, enrollment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(training_centre):
    return factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre, periods=24)


def _class(course, ward, *, people: int, start: dt.date, days: int = 3, **fields):
    # Every calendar day is a class day here, whatever weekday the tests run on; weekends have their own test.
    fields.setdefault("weekends", True)
    session = factories.session(course=course, start=start, days=days, capacity=max(people, 1), **fields)
    enrollments = [
        enrollment_create(official=factories.official(unit=ward, name=f"Phạm Thị Ngọc Ánh {i:03d}"), session=session,
                          by=None, check_window=False)
        for i in range(people)
    ]
    return session, enrollments


def test_the_organizer_marks_and_corrects_a_day(client, organizer, ward_a, course):
    session, people = _class(course, ward_a, people=3, start=timezone.localdate())
    url = reverse("staff_class_attendance", args=[session.pk, session.start_date.isoformat()])
    client.force_login(organizer)
    client.post(url, {"present": [people[0].pk, people[1].pk]})
    client.post(url, {"present": [people[0].pk]})  # correction: overwrites, no second row

    rows = dict(Attendance.objects.filter(day=session.start_date).values_list("enrollment_id", "present"))
    assert rows == {people[0].pk: True, people[1].pk: False, people[2].pk: False}
    assert 'checked' in client.get(url).content.decode()


def test_a_day_outside_the_session_is_404(client, organizer, ward_a, course):
    session, _ = _class(course, ward_a, people=1, start=timezone.localdate())
    client.force_login(organizer)
    outside = (session.end_date + dt.timedelta(days=1)).isoformat()
    assert client.get(reverse("staff_class_attendance", args=[session.pk, outside])).status_code == 404


def test_the_sign_in_sheet_lists_everyone_on_paged_tables(client, organizer, ward_a, course):
    people = SIGN_IN_ROWS_PER_PAGE + 5
    session, _ = _class(course, ward_a, people=people, start=timezone.localdate() + dt.timedelta(days=3))
    client.force_login(organizer)
    response = client.get(reverse("staff_class_sign_in", args=[session.pk, session.start_date.isoformat()]))

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 2
    assert "Phạm Thị Ngọc Ánh 000" in text and f"Phạm Thị Ngọc Ánh {people - 1:03d}" in text
    assert "Nghiệp vụ hộ tịch" in text


def test_self_checkin_works_only_with_the_days_code_during_its_hours(ward_a, course):
    today = timezone.localdate()
    session, (enrollment,) = _class(course, ward_a, people=1, start=today, self_checkin=True)
    during = timezone.make_aware(dt.datetime.combine(today, dt.time(9, 0)))
    code = checkin_code(session, today)

    with pytest.raises(EnrollmentError):
        attendance_self_checkin(enrollment=enrollment, code="WRONG1", by=None, now=during)
    with pytest.raises(EnrollmentError):  # tomorrow's code is another code
        attendance_self_checkin(enrollment=enrollment, code=checkin_code(session, today + dt.timedelta(days=1)),
                                by=None, now=during)
    with pytest.raises(EnrollmentError):  # after the day's hours
        attendance_self_checkin(enrollment=enrollment, code=code, by=None,
                                now=timezone.make_aware(dt.datetime.combine(today, dt.time(18, 0))))

    attendance_self_checkin(enrollment=enrollment, code=code.lower(), by=None, now=during)
    assert Attendance.objects.get(enrollment=enrollment, day=today).method == "self"


def test_self_checkin_is_refused_when_the_session_does_not_use_it(ward_a, course):
    today = timezone.localdate()
    session, (enrollment,) = _class(course, ward_a, people=1, start=today)
    with pytest.raises(EnrollmentError):
        attendance_self_checkin(enrollment=enrollment, code=checkin_code(session, today), by=None,
                                now=timezone.make_aware(dt.datetime.combine(today, dt.time(9, 0))))


def test_the_attendance_page_shows_the_code_and_a_qr_when_self_checkin_is_on(client, organizer, ward_a, course):
    session, _ = _class(course, ward_a, people=1, start=timezone.localdate(), self_checkin=True)
    client.force_login(organizer)
    page = client.get(reverse("staff_class_attendance", args=[session.pk, session.start_date.isoformat()]))
    html = page.content.decode()
    assert checkin_code(session, session.start_date) in html and "<svg" in html


def test_completion_follows_the_attendance_share_and_issues_certificates(ward_a, course, organizer):
    start = timezone.localdate() - dt.timedelta(days=4)
    session, (good, poor, absent) = _class(course, ward_a, people=3, start=start, days=5)
    for day in session.day_list:
        attendance_mark(session=session, day=day, present_ids={good.pk} | ({poor.pk} if day == start else set()),
                        by=organizer)

    assert session_complete(session=session, by=organizer) == (1, 2)
    with pytest.raises(EnrollmentError, match="đã được kết thúc ngày"):  # closed once; never "0 completed"
        session_complete(session=session, by=organizer)

    statuses = dict(Enrollment.objects.filter(session=session).values_list("pk", "status"))
    assert statuses == {good.pk: EnrollmentStatus.COMPLETED, poor.pk: EnrollmentStatus.NOT_COMPLETED,
                        absent.pk: EnrollmentStatus.NOT_COMPLETED}
    good.refresh_from_db()
    assert good.periods_earned == 24
    assert list(Certificate.objects.values_list("enrollment_id", flat=True)) == [good.pk]


def test_a_course_with_a_result_completes_only_those_who_passed(ward_a, course, organizer):
    course.requires_result = True
    course.save()
    start = timezone.localdate() - dt.timedelta(days=1)
    session, (passed, failed) = _class(course, ward_a, people=2, start=start, days=1)
    attendance_mark(session=session, day=start, present_ids={passed.pk, failed.pk}, by=organizer)
    Enrollment.objects.filter(pk=passed.pk).update(result=Result.PASSED)
    Enrollment.objects.filter(pk=failed.pk).update(result=Result.FAILED)

    session_complete(session=session, by=organizer)

    assert dict(Enrollment.objects.filter(session=session).values_list("pk", "status")) == {
        passed.pk: EnrollmentStatus.COMPLETED, failed.pk: EnrollmentStatus.NOT_COMPLETED}


def test_a_class_cannot_be_closed_before_its_last_day(ward_a, course, organizer):
    session, _ = _class(course, ward_a, people=1, start=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(EnrollmentError):
        session_complete(session=session, by=organizer)


def test_weekends_are_not_class_days_unless_the_class_meets_on_them(ward_a, course, organizer):
    friday = dt.date(2026, 11, 20)
    session, (person,) = _class(course, ward_a, people=1, start=friday, days=4, weekends=False)
    assert session.day_list == [friday, dt.date(2026, 11, 23)]  # Friday and Monday

    for day in session.day_list:
        attendance_mark(session=session, day=day, present_ids={person.pk}, by=organizer)
    with pytest.raises(EnrollmentError):
        attendance_mark(session=session, day=dt.date(2026, 11, 21), present_ids={person.pk}, by=organizer)

    assert session_complete(session=session, by=organizer) == (1, 0)


def test_an_attendance_only_class_closes_without_certificates(client, organizer, ward_a, training_centre):
    from courses.models import CredentialType

    workshop = factories.course(title="Hội thảo chuyển đổi số", organizer=training_centre,
                                credential_type=CredentialType.ATTENDANCE)
    start = timezone.localdate() - dt.timedelta(days=1)
    session, (person,) = _class(workshop, ward_a, people=1, start=start, days=1)
    attendance_mark(session=session, day=start, present_ids={person.pk}, by=organizer)
    client.force_login(organizer)
    response = client.post(reverse("staff_class_complete", args=[session.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == EnrollmentStatus.COMPLETED and not Certificate.objects.exists()


def test_a_self_checkin_made_after_the_organizer_opened_the_page_is_not_overwritten(client, organizer, ward_a,
                                                                                    course):
    today = timezone.localdate()
    session, (early, late) = _class(course, ward_a, people=2, start=today, self_checkin=True)
    url = reverse("staff_class_attendance", args=[session.pk, today.isoformat()])
    client.force_login(organizer)
    seen_at = client.get(url).context["seen_at"]  # the organizer's screen: nobody checked in yet
    now = timezone.now() + dt.timedelta(seconds=1)
    Attendance.objects.create(enrollment=late, day=today, present=True, method="self")
    Attendance.objects.filter(enrollment=late).update(marked_at=now)

    client.post(url, {"present": [early.pk], "seen_at": seen_at})

    assert dict(Attendance.objects.filter(day=today).values_list("enrollment_id", "present")) == {
        early.pk: True, late.pk: True}
