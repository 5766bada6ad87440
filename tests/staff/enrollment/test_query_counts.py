"""The enrollment screens take a fixed number of queries, the same for 1 row and for 30 (STYLE.md, 7).

Every admin page starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile; and renders the same chrome: Wagtail's locales, page and
collection permissions for the menu (3), and the user's roles for our menu items (1).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import ApprovalPolicy
from staff.models import EnrollmentStatus, Rank
from staff.services.enrollment import enrollment_create, reservation_set
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def _nominate(session, ward, by, count: int) -> None:
    for _number in range(count):
        enrollment_create(official=factories.official(unit=ward), session=session, by=by)


def test_the_class_participants_page_takes_15_queries_for_1_and_30_participants(client, organizer, hr_a, ward_a,
                                                                               training_centre):
    # Two seats reserved for ward A, twenty in all: the first takes a reserved seat, the 21st on waits.
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre),
                                capacity=20)
    reservation_set(session=session, unit=ward_a, seats=2)
    client.force_login(organizer)
    url = reverse("staff_class_participants", args=[session.pk])
    _nominate(session, ward_a, hr_a, 1)
    one, response = page_queries(client, url)
    assert [e.reservation_id is not None for e in response.context["enrollments"]] == [True]
    _nominate(session, ward_a, hr_a, 29)
    thirty, response = page_queries(client, url)
    assert len(response.context["enrollments"]) == 30 and len(response.context["waiting"]) == 10
    # The five; the organizer's role paths (1); the session with its course and organizer (1); the
    # enrollments with official, unit, rank, nominating user, reservation and its unit (1); the chrome (4);
    # the reserved seats with their unit (1); the reservation form's unit choices (1); the history of
    # changes with the official and who made them (1).
    assert one == thirty == 15, (one, thirty)


def test_approvals_take_12_queries_for_1_and_30_enrollments_awaiting_the_hr_officer(client, hr_a, ward_a,
                                                                                   training_centre):
    course = factories.course(title="Bồi dưỡng ngạch", organizer=training_centre,
                              approval_policy=ApprovalPolicy.UNIT_HR)
    client.force_login(hr_a)

    def awaiting(count: int) -> None:
        for _number in range(count):  # one class each: the page joins session and course per row
            session = factories.session(course=course)
            enrollment_create(official=factories.official(unit=ward_a), session=session, by=None)

    awaiting(1)
    one, response = page_queries(client, reverse("staff_approvals"))
    assert [e.status for e in response.context["pending"]] == [EnrollmentStatus.PENDING]
    awaiting(29)
    thirty, response = page_queries(client, reverse("staff_approvals"))
    assert len(response.context["pending"]) == 30
    # The five; the role paths as HR (the officials managed) and as organizer (the classes organized) (2);
    # the chrome (4); the enrollments awaiting a decision with official, unit, session and course (1).
    assert one == thirty == 12, (one, thirty)


def test_nominating_takes_13_queries_for_1_and_30_officials_of_the_ward(client, hr_a, ward_a, training_centre):
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre))
    rank = Rank.objects.create(code="01.003", name="Chuyên viên", tier=3)
    client.force_login(hr_a)
    url = reverse("staff_nominate", args=[session.pk])

    def officials(count: int) -> None:
        for number in range(count):  # every other one already enrolled: the page shows them ticked
            person = factories.official(unit=ward_a, rank=rank)
            if number % 2:
                enrollment_create(official=person, session=session, by=hr_a)

    officials(1)
    one, response = page_queries(client, url)
    assert len(response.context["candidates"]) == 1
    officials(29)
    thirty, response = page_queries(client, url)
    assert len(response.context["candidates"]) == 30 and len(response.context["enrolled"]) == 14
    # The five; the session with its course (1); the role paths as HR (1); the officials already enrolled
    # (1); the chrome (4); the candidates with unit and rank (1).
    assert one == thirty == 13, (one, thirty)


def test_the_sessions_to_nominate_to_take_10_queries_for_1_and_30_sessions(client, hr_a, training_centre):
    client.force_login(hr_a)

    def sessions(count: int) -> None:
        for number in range(count):
            course = factories.course(title=f"Chuyên đề {number}", organizer=training_centre)
            factories.session(course=course, code=f"CD-{number}")

    sessions(1)
    one, _response = page_queries(client, reverse("staff_nominate_sessions"))
    sessions(29)
    thirty, response = page_queries(client, reverse("staff_nominate_sessions"))
    assert len(response.context["sessions"]) == 30
    # The five; the chrome (4); the upcoming sessions with their course (1).
    assert one == thirty == 10, (one, thirty)
