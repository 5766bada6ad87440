"""The organizer's lists of classes take a fixed number of queries, the same for 1 class and for 30
(STYLE.md, 7).

Every admin page starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile; and renders the same chrome: Wagtail's locales, page and
collection permissions for the menu (3), and the user's roles for our menu items (1).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from staff.services.enrollment import enrollment_create
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def _classes(organizer_unit, count: int, *, ward=None, by=None) -> None:
    """``count`` classes of one seat each; with ``ward``, one official confirmed and one waiting in each."""
    for _number in range(count):
        session = factories.session(course=factories.course(title="Lớp học", organizer=organizer_unit), capacity=1)
        if ward is not None:
            for _person in range(2):
                enrollment_create(official=factories.official(unit=ward), session=session, by=by)


def test_the_class_list_takes_11_queries_for_1_and_30_classes(client, organizer, hr_a, ward_a, training_centre):
    client.force_login(organizer)
    _classes(training_centre, 1, ward=ward_a, by=hr_a)
    one, response = page_queries(client, reverse("staff_class_list"))
    assert [(s.confirmed, s.waiting) for s in response.context["sessions"]] == [(1, 1)]
    _classes(training_centre, 29, ward=ward_a, by=hr_a)
    thirty, response = page_queries(client, reverse("staff_class_list"))
    assert len(response.context["sessions"]) == 30
    # The five; the organizer's role paths (1); the chrome (4); the classes with their course and the
    # confirmed, waiting and awaiting counts in one aggregate (1).
    assert one == thirty == 11, (one, thirty)


def test_the_sessions_admin_list_takes_12_queries_for_1_and_30_sessions(client, organizer, training_centre):
    factories.grant_all(organizer)
    client.force_login(organizer)
    _classes(training_centre, 1)
    one, _response = page_queries(client, "/admin/sessions/")
    _classes(training_centre, 29)
    thirty, response = page_queries(client, "/admin/sessions/")
    assert len(response.context["object_list"]) == 20  # Wagtail pages by 20
    # The five; the organizer's role paths (1); the paginator's count (1); the chrome (4); the page of
    # sessions with their course (1).
    assert one == thirty == 12, (one, thirty)
