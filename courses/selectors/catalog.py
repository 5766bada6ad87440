"""Reads for the catalog: seats left for many sessions in the same query, never a count per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.functions import Greatest, RowNumber
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


# A course page lists every session not yet ended and folds the last few ended ones; the rest are one
# link away (?qua=tat-ca), a page at a time. A course taught 120 times renders a table of bounded size.
PAST_FOLDED = 5
PAST_PAGE_SIZE = 20


@dataclass(frozen=True)
class CourseSessions:
    upcoming: Sequence[CourseSession]  # not ended yet (cancelled ones included, marked), soonest first
    past: Sequence[CourseSession]  # ended: the last PAST_FOLDED, newest first
    more_past: bool  # more ended sessions than ``past`` holds

    @property
    def shown(self) -> list[CourseSession]:
        return [*self.upcoming, *self.past]


def sessions_for_page(page: TrainingPage, *, past_shown: int = PAST_FOLDED) -> CourseSessions:
    """The sessions a course page shows, with seats left and trainers, in two queries whatever their number.

    One row number per session among the ended ones, newest first; the query keeps the sessions not yet
    ended and the first ``past_shown + 1`` ended ones (the extra one only says that more exist).
    """
    today = timezone.localdate()
    ended = Case(When(end_date__lt=today, then=Value(True)), default=Value(False))
    newest_first = Window(RowNumber(), partition_by=[ended], order_by=[F("start_date").desc(), F("pk").desc()])
    rows = list(
        sessions_with_seats(page.sessions.all())
        .annotate(past_rank=newest_first)
        .filter(Q(end_date__gte=today) | Q(past_rank__lte=past_shown + 1))
        .prefetch_related("trainers")
        .order_by("start_date", "pk")
    )
    upcoming = [session for session in rows if session.end_date >= today]
    past = [session for session in reversed(rows) if session.end_date < today]
    return CourseSessions(upcoming=upcoming, past=past[:past_shown], more_past=len(past) > past_shown)


def past_sessions_page(
    page: TrainingPage, number: str | int | None
) -> Page[WithAnnotations[CourseSession, SeatsAnnotations]]:
    """One page of a course's ended sessions, newest first (the paginator's count, the page, its trainers)."""
    sessions = (
        sessions_with_seats(page.sessions.filter(end_date__lt=timezone.localdate()))
        .prefetch_related("trainers")
        .order_by("-start_date", "-pk")
    )
    return Paginator(sessions, PAST_PAGE_SIZE).get_page(number)


def upcoming_sessions(*, limit: int) -> list[CourseSession]:
    return list(
        sessions_with_seats(upcoming_sessions_queryset())
        .select_related("course")
        .order_by("start_date", "pk")[:limit]
    )
