"""The seat race on PostgreSQL, where requests really overlap: row locks, not SQLite's single writer.

Each thread has its own database connection and all start at a barrier, so the conditional UPDATE that
takes a seat (and the row lock it holds until COMMIT) is contended for real. After the race the counters
must equal what ``session_recount_seats`` computes from the enrollments themselves.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentEvent, EnrollmentStatus, SeatReservation
from staff.services.enrollment import enrollment_create, reservation_set, session_recount_seats
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"),
]

OFFICIALS = 40
SEATS = 10


def _enroll_all_at_once(officials, session):
    barrier = threading.Barrier(len(officials))

    def enroll(official):
        try:
            barrier.wait(timeout=30)
            fresh = CourseSession.objects.select_related("course").get(pk=session.pk)
            return enrollment_create(official=official, session=fresh, by=official.user).status
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=len(officials)) as pool:
        return list(pool.map(enroll, officials))


def _counters(session):
    row = CourseSession.objects.values_list("seats_taken", "reserved_free").get(pk=session.pk)
    taken = dict(SeatReservation.objects.filter(session=session).values_list("pk", "taken"))
    return row, taken


def _assert_counters_match_the_recount(session):
    before = _counters(session)
    session_recount_seats(sessions=CourseSession.objects.filter(pk=session.pk))
    assert _counters(session) == before


def test_40_officials_on_10_seats_give_exactly_10_seats(ward_a, training_centre):
    course = factories.course(title="Kỹ năng số", organizer=training_centre)
    session = factories.session(course=course, capacity=SEATS)
    officials = [factories.official(unit=ward_a, user=factories.user(f"dua.cho.{i}")) for i in range(OFFICIALS)]

    statuses = _enroll_all_at_once(officials, session)

    assert statuses.count(EnrollmentStatus.CONFIRMED) == SEATS
    assert statuses.count(EnrollmentStatus.WAITLISTED) == OFFICIALS - SEATS
    stored = list(Enrollment.objects.filter(session=session).values_list("status", flat=True))
    assert sorted(stored) == sorted(statuses)
    assert CourseSession.objects.get(pk=session.pk).seats_taken == SEATS
    # One event per enrollment, saying where it started.
    assert EnrollmentEvent.objects.filter(enrollment__session=session, from_status="").count() == OFFICIALS
    _assert_counters_match_the_recount(session)


def test_reserved_seats_go_to_their_unit_and_the_rest_to_anyone_under_the_same_race(ward_a, ward_b,
                                                                                      training_centre):
    course = factories.course(title="Kỹ năng số", organizer=training_centre)
    session = factories.session(course=course, capacity=SEATS)
    reservation = reservation_set(session=session, unit=ward_a, seats=3)
    assert reservation is not None
    officials = [factories.official(unit=ward_a if i % 2 else ward_b, user=factories.user(f"dua.cho.{i}"))
                 for i in range(OFFICIALS)]

    statuses = _enroll_all_at_once(officials, session)

    assert statuses.count(EnrollmentStatus.CONFIRMED) == SEATS
    seated = Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED)
    # Twenty of ward A's officials race for the 3 reserved seats (and the general ones): the reserved seats
    # are all given, and only to ward A.
    assert seated.filter(reservation=reservation).count() == 3
    assert set(seated.filter(reservation=reservation).values_list("unit", flat=True)) == {ward_a.pk}
    row = CourseSession.objects.get(pk=session.pk)
    assert (row.seats_taken, row.reserved_free) == (SEATS, 0)
    _assert_counters_match_the_recount(session)
