"""Demo attendance: a held class's completed participants were there every day, and it closed on its last day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from courses.models import CourseSession
from staff.models import Attendance, Enrollment, EnrollmentEvent, EnrollmentStatus


def seed_attendance(session: CourseSession) -> None:
    """Mark every completed participant of ``session`` present on each of its days (the days not yet marked)."""
    completed = list(Enrollment.objects.filter(session=session, status=EnrollmentStatus.COMPLETED).order_by("pk"))
    marked = set(Attendance.objects.filter(enrollment__session=session).values_list("enrollment_id", "day"))
    Attendance.objects.bulk_create(Attendance(enrollment=row, day=day) for row in completed
                                   for day in session.day_list if (row.pk, day) not in marked)
    # The closing date is read from the history (staff.services.attendance.class_closed_on); the demo wrote
    # its events "now", which would date every past class's closing to the day the demo was loaded.
    closed_at = timezone.make_aware(dt.datetime.combine(session.end_date, session.daily_end))
    EnrollmentEvent.objects.filter(enrollment__session=session, to_status=EnrollmentStatus.COMPLETED).update(
        at=closed_at)
