"""iCalendar for sessions: invitations mailed with a confirmed seat, cancellations, and a personal feed.

One VEVENT per session, whoever receives it: the UID is the session's, and SEQUENCE is
``CourseSession.sequence``, which ``CourseSession.save()`` bumps whenever dates, hours or place change,
so calendar clients replace the old event instead of adding a second one. A class of several days is
one event of the daily hours repeated daily (RRULE COUNT=days), which is what a participant's calendar
should block, rather than one event spanning the nights.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import STATUS, Calendar, Event, vCalAddress

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentStatus, Official

PRODID = "-//Boi duong CBCC//training_site//VI"


# The statuses a personal feed shows: the seat is held, asked for, offered or was used.
FEED_STATUSES = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.PENDING, EnrollmentStatus.PENDING_ORGANIZER,
                 EnrollmentStatus.OFFERED, EnrollmentStatus.COMPLETED)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)  # Asia/Ho_Chi_Minh: classes happen in the city's local time


def _host() -> str:
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def session_uid(session: CourseSession) -> str:
    return f"session-{session.pk}@{_host()}"


def _organizer(session: CourseSession) -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    course = session.course
    organizer_name = course.organizer.name if course.organizer is not None else (name or settings.WAGTAIL_SITE_NAME)
    return vCalAddress.new(f"mailto:{address}", cn=organizer_name)


def _description(session: CourseSession) -> str:
    lines = [session.schedule_note] if session.schedule_note else []
    if session.online_url:
        lines.append(_("Online meeting link: %(url)s") % {"url": session.online_url})
    return "\n".join(lines)


def session_event(session: CourseSession, *, sequence: int | None = None, cancelled: bool | None = None,
                  attendee: Official | None = None) -> Event:
    """The session as a VEVENT; ``cancelled``/``sequence`` override the session's own for a cancellation."""
    zone = _zone()
    is_cancelled = session.cancelled if cancelled is None else cancelled
    days = session.day_list
    event = Event.new(
        uid=session_uid(session),
        sequence=session.sequence if sequence is None else sequence,
        stamp=timezone.now(),
        start=dt.datetime.combine(days[0], session.daily_start, tzinfo=zone),
        end=dt.datetime.combine(days[0], session.daily_end, tzinfo=zone),
        summary=session.course.title,
        location=session.venue or None,
        description=_description(session) or None,
        url=session.online_url or None,
        organizer=_organizer(session),
        status=STATUS.CANCELLED if is_cancelled else STATUS.CONFIRMED,
    )
    if len(days) > 1:
        # Every class day at the daily hours; weekends are skipped unless the class meets on them.
        if len(days) == (days[-1] - days[0]).days + 1:
            event.add("rrule", {"freq": "daily", "count": len(days)})
        else:
            event.add("rrule", {"freq": "daily", "byday": ["MO", "TU", "WE", "TH", "FR"], "count": len(days)})
    if attendee is not None and attendee.email:
        # Clients that follow iTIP (Outlook) only accept a REQUEST that names its attendee.
        event.add("attendee", vCalAddress.new(f"mailto:{attendee.email}", cn=attendee.full_name,
                                              role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp=False))
    return event


def _calendar(events: list[Event], *, method: str | None = None, name: str | None = None) -> bytes:
    calendar = Calendar.new(prodid=PRODID, method=method, name=name, subcomponents=events)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation_ics(enrollment: Enrollment) -> bytes:
    """A METHOD:REQUEST invitation for the enrollment's session (a new or updated event)."""
    return _calendar([session_event(enrollment.session, attendee=enrollment.official)], method="REQUEST")


def cancellation_ics(enrollment: Enrollment) -> bytes:
    """A METHOD:CANCEL for the session's event: the session was cancelled, or the official left it.

    SEQUENCE is one above the session's, so it outranks every invitation sent so far.
    """
    session = enrollment.session
    event = session_event(session, sequence=session.sequence + 1, cancelled=True, attendee=enrollment.official)
    return _calendar([event], method="CANCEL")


def feed_ics(official: Official) -> bytes:
    """The official's personal feed: every session they hold, asked for or completed (no METHOD)."""
    enrollments = (
        Enrollment.objects.filter(official=official, status__in=FEED_STATUSES)
        .select_related("session__course__organizer")
        .order_by("session__start_date", "session_id")
    )
    events: dict[int, Event] = {}
    for enrollment in enrollments:
        events.setdefault(enrollment.session_id, session_event(enrollment.session))
    return _calendar(list(events.values()), name=_("Training – %(name)s") % {"name": official.full_name})
