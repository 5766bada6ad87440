"""Demo attendance: a held class's completed participants were there every day."""

from __future__ import annotations

from courses.models import CourseSession
from staff.models import Attendance, Enrollment, EnrollmentStatus


def seed_attendance(session: CourseSession) -> None:
    """Mark every completed participant of ``session`` present on each of its days (the days not yet marked)."""
    completed = list(Enrollment.objects.filter(session=session, status=EnrollmentStatus.COMPLETED).order_by("pk"))
    marked = set(Attendance.objects.filter(enrollment__session=session).values_list("enrollment_id", "day"))
    Attendance.objects.bulk_create(Attendance(enrollment=row, day=day) for row in completed
                                   for day in session.day_list if (row.pk, day) not in marked)
