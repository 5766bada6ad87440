"""A session is never oversold, also under concurrent requests, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentStatus
from staff.services import EnrollmentError, enrollment_cancel, enrollment_create
from tests import factories

# Real threads, each with its own database connection; PostgreSQL's default allows 100 connections.
WORKERS = 40
REQUESTS = 200
CAPACITY = 30


def _run_concurrently(calls):
    barrier = threading.Barrier(WORKERS)
    batches = [calls[i::WORKERS] for i in range(WORKERS)]

    def worker(batch):
        try:
            barrier.wait(timeout=30)  # everyone starts together
            outcomes = []
            for call in batch:
                try:
                    outcomes.append(call())
                except EnrollmentError as error:
                    outcomes.append(error)
            return outcomes
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return [outcome for outcomes in pool.map(worker, batches) for outcome in outcomes]


@pytest.mark.django_db(transaction=True)
def test_200_simultaneous_enrollments_fill_30_seats_and_promote_the_first_in_line(ward_a, training_centre):
    course = factories.course(title="Kỹ năng số", organizer=training_centre)
    session = factories.session(course=course, capacity=CAPACITY)
    people = [factories.official(unit=ward_a) for _ in range(REQUESTS)]

    outcomes = _run_concurrently(
        [lambda person=person: enrollment_create(official=person, session=session, by=None) for person in people]
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    statuses = list(Enrollment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(EnrollmentStatus.CONFIRMED) == CAPACITY
    assert statuses.count(EnrollmentStatus.WAITLISTED) == REQUESTS - CAPACITY
    assert CourseSession.objects.get(pk=session.pk).seats_taken == CAPACITY

    first_in_line = list(
        Enrollment.objects.filter(session=session, status=EnrollmentStatus.WAITLISTED).values_list("pk", flat=True)[:5]
    )
    leaving = list(Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED)[:5])

    _run_concurrently([lambda e=e: enrollment_cancel(enrollment=e, by=None) for e in leaving] + [
        (lambda: None) for _ in range(WORKERS - len(leaving))
    ])

    promoted = set(Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED,
                                             events__from_status=EnrollmentStatus.WAITLISTED)
                   .values_list("pk", flat=True))
    assert promoted == set(first_in_line)
    assert Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED).count() == CAPACITY
    assert Enrollment.objects.filter(session=session, status=EnrollmentStatus.WAITLISTED).count() == 165
    assert CourseSession.objects.get(pk=session.pk).seats_taken == CAPACITY
