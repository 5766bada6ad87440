"""Calendars: the session as an event, the personal feed behind its secret token, and one enrollment's
invitation for its owner only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from staff.calendars import cancellation_ics, feed_ics, invitation_ics
from staff.models import CalendarFeed, EnrollmentStatus
from staff.services.calendars import calendar_feed_ensure
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://dao-tao.example.invalid"


@pytest.fixture
def course(training_centre):
    return factories.course(title="Nghiệp vụ hộ tịch cấp xã", organizer=training_centre)


@pytest.fixture
def session(course):
    return factories.session(course=course, start=dt.date(2026, 12, 7), days=2, venue="Phòng 101",
                             daily_start=dt.time(7, 30), daily_end=dt.time(11, 30))


@pytest.fixture
def seat(official, session):
    return factories.enrollment(official=official, session=session)


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def test_an_invitation_is_one_event_repeated_each_day_in_hanoi_time(seat, session):
    calendar = parse(invitation_ics(seat))

    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.events
    assert str(event["UID"]) == f"session-{session.pk}@dao-tao.example.invalid"
    assert event["SEQUENCE"] == 0
    assert event.start.isoformat() == "2026-12-07T07:30:00+07:00"
    assert event.end.isoformat() == "2026-12-07T11:30:00+07:00"
    assert str(event.start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert event["RRULE"]["FREQ"] == ["DAILY"] and event["RRULE"]["COUNT"] == [2]
    assert str(event["SUMMARY"]) == "Nghiệp vụ hộ tịch cấp xã"
    assert str(event["LOCATION"]) == "Phòng 101"
    assert "Trung tâm Bồi dưỡng" in event["ORGANIZER"].params["CN"]
    assert calendar.timezones  # the VTIMEZONE travels with it, for clients without a tz database


def test_a_class_across_a_weekend_repeats_on_weekdays_only(official, course):
    friday = dt.date(2026, 12, 11)
    session = factories.session(course=course, start=friday, days=4)  # Friday to Monday
    (event,) = parse(invitation_ics(factories.enrollment(official=official, session=session))).events
    assert event.start.date() == friday
    assert event["RRULE"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR"] and event["RRULE"]["COUNT"] == [2]


def test_an_online_session_carries_its_link(official, course):
    online = factories.session(course=course, mode="online", days=1)
    event = parse(invitation_ics(factories.enrollment(official=official, session=online))).events[0]

    assert str(event["URL"]) == "https://hop.example.invalid/x"
    assert "https://hop.example.invalid/x" in str(event["DESCRIPTION"])
    assert "RRULE" not in event  # a single day is a single event


def test_a_changed_session_keeps_its_uid_with_a_higher_sequence(seat, session):
    before = parse(invitation_ics(seat)).events[0]
    session.venue = "Hội trường B"
    session.save()

    after = parse(invitation_ics(seat)).events[0]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1


def test_a_cancellation_outranks_the_invitation(seat):
    invitation = parse(invitation_ics(seat)).events[0]
    calendar = parse(cancellation_ics(seat))

    assert calendar["METHOD"] == "CANCEL"
    event = calendar.events[0]
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == invitation["UID"] and event["SEQUENCE"] > invitation["SEQUENCE"]


def test_the_feed_lists_the_officials_sessions_and_marks_cancelled_ones(official, official_b, course, session, seat):
    cancelled = factories.session(course=course, cancelled=True)
    factories.enrollment(official=official, session=cancelled)
    left = factories.session(course=course)
    factories.enrollment(official=official, session=left, status=EnrollmentStatus.CANCELLED)
    someone_elses = factories.session(course=course)
    factories.enrollment(official=official_b, session=someone_elses)

    calendar = parse(feed_ics(official))

    assert "METHOD" not in calendar
    statuses = {str(e["UID"]).split("@")[0]: str(e["STATUS"]) for e in calendar.events}
    assert statuses == {f"session-{session.pk}": "CONFIRMED", f"session-{cancelled.pk}": "CANCELLED"}


# --- Views --------------------------------------------------------------------------------------------


def test_the_feed_answers_behind_its_token(client, official, seat, session):
    feed = calendar_feed_ensure(official=official)

    response = client.get(reverse("calendar_feed", kwargs={"token": feed.token}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(e["UID"]) for e in parse(response.content).events] == [
        f"session-{session.pk}@dao-tao.example.invalid"]


def test_the_token_is_long_random_and_kept(official, official_b):
    feed = calendar_feed_ensure(official=official)

    assert len(feed.token) >= 40
    assert calendar_feed_ensure(official=official).token == feed.token
    assert calendar_feed_ensure(official=official_b).token != feed.token


def test_an_unknown_token_is_404(client, official, seat):
    calendar_feed_ensure(official=official)

    assert client.get(reverse("calendar_feed", kwargs={"token": "khong-dung"})).status_code == 404


def test_resetting_the_token_cuts_off_the_old_address(client, official, seat):
    old = calendar_feed_ensure(official=official).token
    client.force_login(official.user)

    response = client.post(reverse("calendar_feed_reset"))

    assert response.status_code == 302
    new = CalendarFeed.objects.get(official=official).token
    assert new != old
    assert client.get(reverse("calendar_feed", kwargs={"token": old})).status_code == 404
    assert client.get(reverse("calendar_feed", kwargs={"token": new})).status_code == 200


def test_resetting_needs_a_post_and_a_login(client, official):
    assert client.post(reverse("calendar_feed_reset")).status_code == 302  # to the login page
    assert not CalendarFeed.objects.exists()
    client.force_login(official.user)
    assert client.get(reverse("calendar_feed_reset")).status_code == 405


def test_the_owner_downloads_their_invitation(client, official, seat, session):
    client.force_login(official.user)

    response = client.get(reverse("enrollment_ics", kwargs={"pk": seat.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert parse(response.content)["METHOD"] == "REQUEST"


def test_someone_elses_invitation_is_404(client, official_b, seat, hr_a):
    official_b.user = factories.user("binh")
    official_b.save(update_fields=["user"])

    for user in (official_b.user, hr_a):
        client.force_login(user)
        assert client.get(reverse("enrollment_ics", kwargs={"pk": seat.pk})).status_code == 404


@pytest.mark.parametrize("sessions", [1, 5])
def test_the_feed_takes_one_query_however_many_sessions(official, course, sessions, django_assert_num_queries):
    for _ in range(sessions):
        factories.enrollment(official=official, session=factories.session(course=course))

    # 1: the official's enrollments with their sessions, courses and organizer units, joined
    with django_assert_num_queries(1):
        assert len(parse(feed_ics(official)).events) == sessions
