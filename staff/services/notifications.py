"""Writes for notifications: reminders claimed once, whichever host runs the job."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from staff.models import Enrollment, EnrollmentStatus
from staff.notifications import enqueue_enrollment_mail

REMINDER_CHUNK = 200  # enrollments read per query


def session_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind confirmed participants of the sessions starting tomorrow; returns how many were claimed.

    Each enrollment is claimed with a conditional UPDATE of ``reminded_at`` before its mail is queued,
    so a second run, or a run on a second host, finds nothing left to send.
    """
    tomorrow = (today or timezone.localdate()) + dt.timedelta(days=1)
    due = Enrollment.objects.filter(status=EnrollmentStatus.CONFIRMED, reminded_at__isnull=True,
                                    session__start_date=tomorrow, session__cancelled=False).order_by("pk")
    claimed, last = 0, 0
    while ids := list(due.filter(pk__gt=last).values_list("pk", flat=True)[:REMINDER_CHUNK]):
        for enrollment_id in ids:
            if Enrollment.objects.filter(pk=enrollment_id, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            ):
                claimed += 1
                enqueue_enrollment_mail("reminder", enrollment_id)
        last = ids[-1]
    return claimed
