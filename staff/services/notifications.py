"""Writes for notifications: enrollment mails queued with the change they announce, reminders claimed once,
whichever host runs the job."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from staff.models import Enrollment, EnrollmentStatus
from staff.notifications import KINDS, enqueue_enrollment_mail, notify, send_enrollment_mail

REMINDER_CHUNK = 200  # enrollments read per query


def enrollment_mail_queue(kind: str, enrollment: Enrollment) -> None:
    """Queue the mail about ``enrollment`` so that it exists only if the current transaction commits.

    With the database task backend the task row is written inside that transaction: it commits or rolls
    back with the enrollment, in one COMMIT instead of a second write after it (the seat race's hot path).
    Any other backend (the immediate one in development and tests) waits for the commit, as ``notify`` does.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    if connection.in_atomic_block and isinstance(send_enrollment_mail.get_backend(), DatabaseBackend):
        send_enrollment_mail.enqueue(kind=kind, enrollment_id=enrollment.pk, status=enrollment.status)
    else:
        notify(kind, enrollment)


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
