"""Seats an exchange keeps for each invited unit, in every session still to come.

Called when an exchange page is published (staff/hooks_exchange.py) and when a session of an exchange is
created in the admin. Every seat moves through ``reservation_set``, which locks the session and checks
capacity, so this module holds no seat logic of its own.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from courses.models import CourseSession, ExchangePage

from .enrollment import EnrollmentError, reservation_set

logger = logging.getLogger(__name__)


def exchange_reserve_seats(*, page: ExchangePage) -> int:
    """Reserve ``page.seats_per_invited_unit`` seats for every invited unit in every upcoming session.

    Idempotent: ``reservation_set`` sets the number rather than adding to it. Returns how many
    (session, unit) reservations now hold that number. A session too full for a unit's seats is skipped
    and logged rather than raised: publishing the page must not fail because one class filled up.
    """
    units = list(page.invited_units.all())
    sessions = CourseSession.objects.filter(course_id=page.pk, cancelled=False,
                                            start_date__gte=timezone.localdate()).order_by("start_date", "pk")
    done = 0
    for session in sessions:
        # A unit no longer invited keeps only the seats its officials already hold; the rest go back.
        for reservation in session.reservations.exclude(unit__in=units).select_related("unit"):
            reservation_set(session=session, unit=reservation.unit, seats=reservation.taken)
        for unit in units:
            try:
                reservation_set(session=session, unit=unit, seats=page.seats_per_invited_unit)
            except EnrollmentError as exc:
                logger.warning("Exchange %s, session %s: no reservation for %s: %s", page.pk, session.pk,
                               unit.code, exc)
                continue
            done += 1
    return done
