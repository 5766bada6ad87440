"""The feedback pages take a fixed number of queries, the same for 1 row and for 30 (STYLE.md, 7).

Every admin page starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile; and renders the same chrome: Wagtail's locales, page and
collection permissions for the menu (3), and the user's roles for our menu items (1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from staff.models import Feedback
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _rated(course, ward, *, trainers, responses: int, code: str):
    """A finished class of ``course`` taught by ``trainers``, with ``responses`` commented ratings."""
    session = factories.session(course=course, start=TODAY - dt.timedelta(days=20), code=code)
    session.trainers.add(*trainers)
    for number in range(responses):
        enrollment = factories.completed_enrollment(official=factories.official(unit=ward), session=session)
        Feedback.objects.create(enrollment=enrollment, content=4, trainer=5, organisation=3, usefulness=4,
                                comment=f"Góp ý {code}-{number}")
    return session


def test_a_class_feedback_page_takes_17_queries_for_1_and_30_responses_classes_and_trainers(
        client, organizer, ward_a, training_centre):
    course = factories.course(title="Kỹ năng tiếp công dân", organizer=training_centre)
    trainers = [factories.trainer(f"Giảng viên {number:02d}") for number in range(30)]
    client.force_login(organizer)

    first = _rated(course, ward_a, trainers=trainers[:1], responses=1, code="K-00")
    one, response = page_queries(client, reverse("staff_class_feedback", args=[first.pk]))
    assert (len(response.context["sessions"]), len(response.context["trainers"])) == (1, 1)

    # 30 responses and 30 trainers in this class, 30 classes of the course.
    first.trainers.add(*trainers[1:])
    for number in range(1, 30):
        enrollment = factories.completed_enrollment(official=factories.official(unit=ward_a), session=first)
        Feedback.objects.create(enrollment=enrollment, content=3, trainer=3, organisation=3, usefulness=3,
                                comment=f"Ý kiến {number}")
        _rated(course, ward_a, trainers=trainers[:1], responses=1, code=f"K-{number:02d}")
    thirty, response = page_queries(client, reverse("staff_class_feedback", args=[first.pk]))
    assert response.context["summary"].responses == 30 and len(response.context["comments"]) == 30
    assert (len(response.context["sessions"]), len(response.context["trainers"])) == (30, 30)
    # The five; the organizer's role paths (1); the class with its course (1); its trainers (1); the
    # aggregates of the class and of the whole course (2); by class of the course and by trainer, one
    # GROUP BY each (2); the class's comments (1); the chrome (4).
    assert one == thirty == 17, (one, thirty)


def test_a_trainer_feedback_page_takes_15_queries_for_1_and_30_courses(client, organizer, ward_a,
                                                                       training_centre):
    an = factories.trainer("Giảng viên An")
    client.force_login(organizer)

    def courses(first: int, count: int) -> None:
        for number in range(first, first + count):  # three responses each: the comments are shown
            course = factories.course(title=f"Chuyên đề {number:02d}", organizer=training_centre)
            _rated(course, ward_a, trainers=[an], responses=3, code=f"CD-{number:02d}")

    courses(0, 1)
    one, response = page_queries(client, reverse("staff_trainer_feedback", args=[an.pk]))
    assert len(response.context["comments"]) == 3
    courses(1, 29)
    thirty, response = page_queries(client, reverse("staff_trainer_feedback", args=[an.pk]))
    assert len(response.context["courses"]) == 30 and len(response.context["comments"]) == 90
    # The five; the organizer's role paths (1); the trainer, among those of the classes organized (1); the
    # aggregate across their classes (1); by course, one GROUP BY (1); the responses counted against the
    # threshold for comments (1); the comments (1); the chrome (4).
    assert one == thirty == 15, (one, thirty)
