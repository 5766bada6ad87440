"""Reads for the catalog: seats left for many sessions in the same query, never a count per row."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from courses.models import CourseSession, TrainingPage

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class SeatsAnnotations(TypedDict):
    """What ``sessions_with_seats`` adds to each session (the catalog's filter and the API read it)."""

    seats_left: int


def sessions_with_seats(
    sessions: QuerySet[CourseSession],
) -> QuerySet[WithAnnotations[CourseSession, SeatsAnnotations]]:
    """Annotate ``seats_left`` for every session of the queryset, in the same query.

    Seats left are the general pool's: capacity less the seats held (``seats_taken``, moved by staff's
    enrollment services with conditional UPDATEs) less the seats still reserved for invited units.
    """
    return sessions.annotate(seats_left=Greatest(F("capacity") - F("seats_taken") - F("reserved_free"), Value(0)))


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
