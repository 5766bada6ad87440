"""A class day's attendance page, its sign-in sheet and the class's attendance sheet take a fixed number of
queries, the same for 1 participant and for 30 (STYLE.md, 7).

Every admin request starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile; then the organizer's role paths (1) and the class with its course
and organizer (1). A page renders the admin chrome too: Wagtail's locales, page and collection permissions
for the menu (3), and the user's roles for our menu items (1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from staff.services.attendance import attendance_mark, session_complete
from staff.services.enrollment import enrollment_create
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("page", "expected"), [
    # The seven; whether the class is closed (1); the confirmed participants with official, unit and rank (1);
    # the day's marks (1); the chrome (4).
    ("staff_class_attendance", 14),
    # The seven; whether the class is closed (1); the confirmed participants with official, unit and rank (1).
    # A PDF: no chrome.
    ("staff_class_sign_in", 9),
    # The seven; the participants with official, unit and rank (1); the days each was present, in one query (1).
    ("staff_class_attendance_sheet", 9),
])
def test_each_attendance_page_takes_the_same_queries_for_1_and_30_participants(client, organizer, hr_a, ward_a,
                                                                              training_centre, page, expected):
    # The class began today: attendance is recorded only for days that have begun.
    session = factories.session(course=factories.course(title="Kỹ năng số", organizer=training_centre),
                                start=timezone.localdate(), capacity=40, days=2, self_checkin=True)
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


@pytest.mark.parametrize(("page", "expected"), [
    # The seven; whether the class is closed (1); the participants with official, unit and rank (1); the day's
    # marks (1); every present mark of the class for the record of all days (1); the chrome (4).
    ("staff_class_attendance", 15),
    # The seven; whether the class is closed (1); the participants (1); who was present that day (1).
    ("staff_class_sign_in", 10),
])
def test_a_closed_class_pages_take_the_same_queries_for_1_and_30_participants(client, organizer, hr_a, ward_a,
                                                                             training_centre, page, expected):
    course = factories.course(title="Kỹ năng số", organizer=training_centre)
    counts = []
    for size in (1, 30):
        session = factories.session(course=course, start=timezone.localdate() - dt.timedelta(days=3), days=2,
                                    capacity=40, weekends=True)
        people = [enrollment_create(official=factories.official(unit=ward_a), session=session, by=hr_a,
                                    check_window=False) for _number in range(size)]
        for day in session.day_list:
            attendance_mark(session=session, day=day, present_ids={p.pk for p in people}, by=organizer)
        session_complete(session=session, by=organizer)
        client.force_login(organizer)
        number, response = page_queries(client, reverse(page, args=[session.pk, session.start_date.isoformat()]))
        if page == "staff_class_attendance":
            assert len(response.context["grid"]) == size
        counts.append(number)
    assert counts == [expected, expected], (page, counts)
