"""A course page lists its upcoming sessions and folds the ended ones: the last few in a <details>, every
other one a link away (?qua=tat-ca, a page at a time, no JavaScript needed). A course taught 120 times
renders a table of bounded size, in the same number of queries as a course taught once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from courses.selectors.catalog import PAST_FOLDED, PAST_PAGE_SIZE
from tests import factories
from tests.courses.test_catalog import EXPECTED_COURSE_PAGE_QUERIES
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def _course(organizer, *, upcoming: int, past: int):
    course = factories.course(title="Bồi dưỡng ngạch chuyên viên", organizer=organizer)
    today = timezone.localdate()
    for number in range(upcoming):
        factories.session(course=course, code=f"SAP-{number:03d}", start=today + dt.timedelta(days=number))
    for number in range(past):  # PAST-000 ended yesterday, PAST-001 the week before…
        factories.session(course=course, code=f"QUA-{number:03d}", days=1,
                          start=today - dt.timedelta(days=1 + 7 * number))
    return course


def codes(sessions) -> list[str]:
    return [session.code for session in sessions]


def test_upcoming_sessions_are_listed_and_only_the_last_ended_ones_folded(client, training_centre):
    course = _course(training_centre, upcoming=10, past=110)

    response = client.get(course.url)

    html = response.content.decode()
    assert codes(response.context["upcoming"]) == [f"SAP-{n:03d}" for n in range(10)]  # soonest first
    assert codes(response.context["past"]) == [f"QUA-{n:03d}" for n in range(PAST_FOLDED)]  # newest first
    assert response.context["more_past"] is True
    assert html.count('class="session-row') == 10 + PAST_FOLDED  # not 120
    assert '<details class="past-sessions">' in html
    assert 'href="?qua=tat-ca#past-heading"' in html
    assert "QUA-005" not in html


def test_a_course_with_few_ended_sessions_offers_no_link_to_more(client, training_centre):
    course = _course(training_centre, upcoming=1, past=PAST_FOLDED)

    response = client.get(course.url)

    assert len(response.context["past"]) == PAST_FOLDED
    assert response.context["more_past"] is False
    assert "qua=tat-ca" not in response.content.decode()


def test_a_course_with_no_ended_session_shows_no_fold(client, training_centre):
    course = _course(training_centre, upcoming=2, past=0)

    html = client.get(course.url).content.decode()

    assert "<details" not in html and html.count('class="session-row') == 2


def test_every_ended_session_is_reachable_a_page_at_a_time(client, training_centre):
    course = _course(training_centre, upcoming=3, past=45)

    first = client.get(f"{course.url}?qua=tat-ca")
    last = client.get(f"{course.url}?qua=tat-ca&page=3")

    assert codes(first.context["sessions"]) == [f"QUA-{n:03d}" for n in range(PAST_PAGE_SIZE)]
    assert codes(last.context["sessions"]) == [f"QUA-{n:03d}" for n in range(2 * PAST_PAGE_SIZE, 45)]
    assert "SAP-000" not in first.content.decode()  # the upcoming ones are on the course page itself
    assert 'href="?qua=tat-ca&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize(("upcoming", "past"), [(1, 1), (30, 90)])
def test_the_folded_course_page_takes_as_many_queries_as_before(client, training_centre, upcoming, past):
    course = _course(training_centre, upcoming=upcoming, past=past)

    queries, response = page_queries(client, course.url)

    # The same as a course page with upcoming sessions only (test_catalog.py names them): the sessions kept,
    # upcoming ones and the last ended ones in one query with a row number, their trainers in one prefetch.
    assert len(response.context["sessions"]) == upcoming + min(past, PAST_FOLDED)
    assert queries == EXPECTED_COURSE_PAGE_QUERIES, queries
