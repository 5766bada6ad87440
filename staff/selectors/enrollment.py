"""Reads about enrollments: an official's training, a user's places in sessions, a class's participants."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from courses.models import CourseSession
from staff.access import AnyUser, officials_managed_by, sessions_organized_by
from staff.models import (
    ACTIVE_STATUSES,
    Certificate,
    Enrollment,
    EnrollmentStatus,
    Official,
)
from staff.selectors.compliance import requirement_for


def my_training(official: Official, *, year: int) -> dict:
    """What "My training" shows, in four queries: the official's enrollments with their sessions, their
    certificates, this year's rule for their category, and the periods that count (one aggregate)."""
    today = timezone.localdate()
    enrollments = list(
        Enrollment.objects.filter(official=official)
        .select_related("session__course")
        .order_by("session__start_date", "pk")
    )
    upcoming = [e for e in enrollments
                if e.status in ACTIVE_STATUSES and e.session.end_date >= today
                and e.status not in (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)]
    upcoming_ids = {e.pk for e in upcoming}
    history = [e for e in reversed(enrollments) if e.pk not in upcoming_ids]
    certificates = list(Certificate.objects.filter(official=official).order_by("-issued_on", "-pk"))
    required, counted_types = requirement_for(official, year=year)
    done = Enrollment.objects.filter(official=official, status=EnrollmentStatus.COMPLETED, completed_on__year=year)
    if counted_types is not None:
        done = done.filter(session__course__programme_type__in=counted_types)
    periods = done.aggregate(total=Sum("periods_earned"))["total"] or 0
    return {"upcoming": upcoming, "history": history, "certificates": certificates, "periods_done": periods,
            "required_periods": required}


def active_enrollments_by_session(user, session_ids: list[int]) -> dict:
    """The signed-in official's active enrollment per session of a course page, in one query."""
    rows = Enrollment.objects.filter(official__user=user, session_id__in=session_ids, status__in=ACTIVE_STATUSES)
    return {row.session_id: row for row in rows}


def class_participants_of(session: CourseSession):
    """Who attends the class: enrollments holding a confirmed seat (or already closed), by name."""
    return (
        Enrollment.objects.filter(
            session=session,
            status__in=(EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED),
        )
        .select_related("official__unit", "official__rank")
        .order_by("official__search_name", "pk")
    )


def enrollments_awaiting_decision(user: AnyUser) -> QuerySet[Enrollment]:
    """Enrollments waiting for this user's decision: their officials' first step, their classes' second.

    The approvals page lists them and the bulk decision looks the posted ids up here, so an id from
    another unit (or a step that is not the user's) is never decided."""
    return (
        Enrollment.objects.filter(
            Q(status=EnrollmentStatus.PENDING, official__in=officials_managed_by(user))
            | Q(status=EnrollmentStatus.PENDING_ORGANIZER, session__in=sessions_organized_by(user))
        )
        .select_related("official__unit", "session__course")
        .order_by("session__start_date", "created_at", "pk")
    )
