"""A session is never oversold, also under concurrent requests, on SQLite and on PostgreSQL.

The requests go through the real enroll and cancel views (each thread its own test client and
database connection), so "no error pages" is checked as well as the counts.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentStatus
from staff.services.enrollment import EnrollmentError
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
    people = [factories.official(unit=ward_a, user=factories.user(f"can.bo.{i}")) for i in range(REQUESTS)]

    def post_as(person, url):
        client = Client()
        client.force_login(person.user)
        return client.post(url).status_code

    enroll_url = reverse("enroll", args=[session.pk])
    outcomes = _run_concurrently([lambda person=person: post_as(person, enroll_url) for person in people])

    assert outcomes == [302] * REQUESTS  # every request answered with a redirect to "My training": no error page
    statuses = list(Enrollment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(EnrollmentStatus.CONFIRMED) == CAPACITY
    assert statuses.count(EnrollmentStatus.WAITLISTED) == REQUESTS - CAPACITY
    assert CourseSession.objects.get(pk=session.pk).seats_taken == CAPACITY

    first_in_line = list(
        Enrollment.objects.filter(session=session, status=EnrollmentStatus.WAITLISTED).values_list("pk", flat=True)[:5]
    )
    leaving = list(Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED)
                   .select_related("official__user")[:5])

    outcomes = _run_concurrently(
        [lambda e=e: post_as(e.official, reverse("enrollment_cancel", args=[e.pk])) for e in leaving]
        + [(lambda: None) for _ in range(WORKERS - len(leaving))]
    )
    assert [o for o in outcomes if o is not None] == [302] * 5

    promoted = set(Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED,
                                             events__from_status=EnrollmentStatus.WAITLISTED)
                   .values_list("pk", flat=True))
    assert promoted == set(first_in_line)
    assert Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED).count() == CAPACITY
    assert Enrollment.objects.filter(session=session, status=EnrollmentStatus.WAITLISTED).count() == 165
    assert CourseSession.objects.get(pk=session.pk).seats_taken == CAPACITY
