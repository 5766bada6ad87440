"""An official's own page: upcoming sessions, history, certificates and this year's periods."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from staff.models import EnrollmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

MY_TRAINING_QUERIES = 12


def _history(official, organizer_unit, *, count: int):
    """``count`` completed classes this year, 8 periods each, and as many upcoming ones."""
    today = timezone.localdate()
    for i in range(count):
        course = factories.course(title=f"Chuyên đề số {i}: Quản lý đất đai", organizer=organizer_unit, periods=8)
        past = factories.session(course=course, start=today.replace(month=1, day=10) + dt.timedelta(days=i), days=1)
        factories.enrollment(official=official, session=past, status=EnrollmentStatus.COMPLETED, periods_earned=8,
                             completed_on=past.end_date)
        upcoming = factories.session(course=course, start=today + dt.timedelta(days=5 + i), days=1)
        factories.enrollment(official=official, session=upcoming, status=EnrollmentStatus.CONFIRMED)


def _get(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("my_training"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_my_training_shows_periods_against_the_requirement_in_fixed_queries(client, official, training_centre,
                                                                            settings):
    settings.TRAINING_DEFAULT_REQUIRED_PERIODS = 40
    _history(official, training_centre, count=1)
    client.force_login(official.user)
    _get(client)  # the calendar feed is created on the first visit
    html, one_row = _get(client)
    assert 'data-periods-done="8"' in html and "/ 40" in html

    _history(official, training_centre, count=4)
    html, five_rows = _get(client)

    assert 'data-periods-done="40"' in html
    assert html.count('data-status="confirmed"') == 5
    assert "Chuyên đề số 0: Quản lý đất đai" in html
    # session, user, the official with unit, enrollments with sessions and courses, certificates, the
    # year's rule for their category, the periods aggregate, the calendar feed, the user bar's
    # permissions (2), Wagtail's site and root page for the course URLs (2, then cached on the request).
    assert one_row == five_rows == MY_TRAINING_QUERIES, (one_row, five_rows)


def test_the_yearly_rule_of_the_officials_category_decides_what_counts(client, official, training_centre):
    from courses.models import ProgrammeType
    from staff.models import TrainingRequirement

    year = timezone.localdate().year
    TrainingRequirement.objects.create(year=year, category=official.category, required_periods=24,
                                       counted_programme_types=[ProgrammeType.RANK_STANDARD])
    _history(official, training_centre, count=2)  # factory courses are refresher courses: they do not count
    client.force_login(official.user)
    html, _ = _get(client)
    assert 'data-periods-done="0"' in html and "/ 24" in html


def test_an_account_without_an_official_gets_404(client, hr_a):
    client.force_login(hr_a)
    assert client.get(reverse("my_training")).status_code == 404


def test_my_training_needs_a_login(client):
    response = client.get(reverse("my_training"))
    assert response.status_code == 302 and "/dang-nhap/" in response.url
