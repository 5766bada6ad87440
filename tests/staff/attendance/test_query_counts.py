"""A class day's attendance page, its sign-in sheet and the class's attendance sheet take a fixed number of
queries, the same for 1 participant and for 30 (STYLE.md, 7).

Every admin request starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile; then the organizer's role paths (1) and the class with its course
and organizer (1). A page renders the admin chrome too: Wagtail's locales, page and collection permissions
for the menu (3), and the user's roles for our menu items (1).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from staff.services.attendance import attendance_mark
from staff.services.enrollment import enrollment_create
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("page", "expected"), [
    # The seven; the confirmed participants with official, unit and rank (1); the day's marks (1); the chrome (4).
    ("staff_class_attendance", 13),
    # The seven; the confirmed participants with official, unit and rank (1). A PDF: no chrome.
    ("staff_class_sign_in", 8),
    # The seven; the participants with official, unit and rank (1); the days each was present, in one query (1).
    ("staff_class_attendance_sheet", 9),
])
def test_each_attendance_page_takes_the_same_queries_for_1_and_30_participants(client, organizer, hr_a, ward_a,
                                                                              training_centre, page, expected):
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre),
                                capacity=40, days=2, self_checkin=True)
    day = session.day_list[0]
    args = [session.pk] if page == "staff_class_attendance_sheet" else [session.pk, day.isoformat()]
    client.force_login(organizer)

    def participants(count: int) -> None:
        for _number in range(count):  # each marked present on the first day
            enrollment = enrollment_create(official=factories.official(unit=ward_a), session=session, by=hr_a)
            attendance_mark(session=session, day=day, present_ids={enrollment.pk}, by=organizer)

    participants(1)
    one, _response = page_queries(client, reverse(page, args=args))
    participants(29)
    thirty, response = page_queries(client, reverse(page, args=args))
    if page == "staff_class_attendance":
        assert len(response.context["people"]) == 30
    assert one == thirty == expected, (page, one, thirty)
