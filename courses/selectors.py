"""Reads for the catalog: seats for many sessions in one aggregate, never a count per row."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import CourseSession, TrainingPage


def sessions_with_seats(sessions: QuerySet[CourseSession]) -> QuerySet[CourseSession]:
    """Annotate ``seats_held`` and ``seats_left`` for every session of the queryset in one query.

    Seats left are the general pool's: seats reserved for invited units are not offered to everyone.
    """
    # staff sits above courses: its statuses are imported when called, never at module level.
    from staff.models import SEAT_HOLDING_STATUSES

    return sessions.annotate(
        seats_held=Count("enrollments", filter=Q(enrollments__status__in=SEAT_HOLDING_STATUSES)),
    ).annotate(seats_left=Greatest(F("capacity") - F("seats_held") - F("reserved_free"), Value(0)))


def upcoming_sessions_queryset() -> QuerySet[CourseSession]:
    return CourseSession.objects.filter(end_date__gte=timezone.localdate(), cancelled=False, course__live=True)


def catalog_queryset(pages: QuerySet[TrainingPage]) -> QuerySet[TrainingPage]:
    """The catalog's rows with what each card shows, in a fixed number of queries for any page size.

    Queries once evaluated: the pages with content group, field and organizer (joined), then their
    upcoming sessions with seats left (one aggregate for all of them).
    """
    sessions = sessions_with_seats(upcoming_sessions_queryset()).order_by("start_date", "pk")
    return pages.select_related("content_group", "field_of_work", "organizer").prefetch_related(
        Prefetch("sessions", queryset=sessions, to_attr="upcoming")
    )


def sessions_for_page(page: TrainingPage) -> list[CourseSession]:
    """Every session of a course, newest last, with seats left and trainers, in two queries."""
    return list(
        sessions_with_seats(page.sessions.all())
        .prefetch_related("trainers")
        .order_by("start_date", "pk")
    )


def upcoming_sessions(*, limit: int) -> list[CourseSession]:
    return list(
        sessions_with_seats(upcoming_sessions_queryset())
        .select_related("course")
        .order_by("start_date", "pk")[:limit]
    )
