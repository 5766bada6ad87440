"""Enrollment rules that do not need threads: one active enrollment, history, seats back to the session."""

from __future__ import annotations

import pytest

from courses.models import CourseSession
from staff.models import EnrollmentStatus
from staff.services.enrollment import EnrollmentError, enrollment_cancel, enrollment_create, session_recount_seats
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(training_centre):
    return factories.session(course=factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre),
                             capacity=1)


def test_an_official_cannot_hold_two_active_enrollments_in_one_session(official, session, hr_a):
    enrollment_create(official=official, session=session, by=hr_a)

    with pytest.raises(EnrollmentError, match="đã ghi danh vào lớp học này"):
        enrollment_create(official=official, session=session, by=hr_a)

    assert CourseSession.objects.get(pk=session.pk).seats_taken == 1  # the refused request took no seat


def test_every_status_change_is_recorded_with_who_and_from_what(official, official_b, session, hr_a):
    first = enrollment_create(official=official, session=session, by=hr_a)
    second = enrollment_create(official=official_b, session=session, by=None)
    assert second.status == EnrollmentStatus.WAITLISTED

    enrollment_cancel(enrollment=first, by=hr_a, reason="Bận công tác")

    second.refresh_from_db()
    assert second.status == EnrollmentStatus.CONFIRMED
    assert list(first.events.values_list("from_status", "to_status", "by__username", "reason")) == [
        ("", EnrollmentStatus.CONFIRMED, "hr.a", "Do bộ phận nhân sự cử đi học"),
        (EnrollmentStatus.CONFIRMED, EnrollmentStatus.CANCELLED, "hr.a", "Bận công tác"),
    ]
    assert list(second.events.values_list("from_status", "to_status")) == [
        ("", EnrollmentStatus.WAITLISTED), (EnrollmentStatus.WAITLISTED, EnrollmentStatus.CONFIRMED)]


def test_a_freed_seat_with_nobody_waiting_goes_back_to_the_session(official, session):
    enrollment = enrollment_create(official=official, session=session, by=None)

    enrollment_cancel(enrollment=enrollment, by=None)

    assert CourseSession.objects.get(pk=session.pk).seats_taken == 0
    with pytest.raises(EnrollmentError):
        enrollment_cancel(enrollment=enrollment, by=None)  # a second click frees nothing twice


def test_recount_repairs_the_seat_counter(official, session):
    enrollment_create(official=official, session=session, by=None)
    CourseSession.objects.filter(pk=session.pk).update(seats_taken=0)

    session_recount_seats()

    assert CourseSession.objects.get(pk=session.pk).seats_taken == 1
