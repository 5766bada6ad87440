"""Reads for replication (adoptions, the city dashboard) and for participants' feedback.

Every number is an aggregate in SQL: the dashboard runs the same few queries whatever the number of
practices. Feedback reads never select anything of the enrollment but its session, so no participant's
name, employee code or unit can reach an organizer's or a trainer's page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from courses.models import BestPracticePage

from .models import Adoption, AdoptionEvent, AdoptionStatus, Feedback, Unit, UnitKind
from .scoping import HR_ROLES, units_in_scope
from .services.exchange import RATING_LABELS, RATING_NAMES

# Trainers see comments only from this many responses up, so that a single comment cannot be attributed.
MIN_RESPONSES_FOR_COMMENTS = 3
REACHABLE_KINDS = (UnitKind.WARD, UnitKind.COMMUNE)
CHART_MONTHS = 24


def adoptions_in_scope(user) -> QuerySet[Adoption]:
    """Adoptions of the units the user is HR for (the city's HR: all of them)."""
    return Adoption.objects.filter(unit__in=units_in_scope(user, roles=HR_ROLES))


def current_reachable_units(today: dt.date | None = None) -> QuerySet[Unit]:
    """Today's wards and communes: the units that serve citizens and may take up a practice."""
    today = today or timezone.localdate()
    return Unit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), kind__in=REACHABLE_KINDS)


def units_not_reached(practice: BestPracticePage, today: dt.date | None = None) -> QuerySet[Unit]:
    """Current wards and communes with no adoption record at all for ``practice`` (one query, NOT EXISTS)."""
    recorded = Adoption.objects.filter(practice=practice, unit=OuterRef("pk"))
    return current_reachable_units(today).filter(~Exists(recorded)).order_by("path")


def practices_with_adoption_counts(today: dt.date | None = None) -> QuerySet[BestPracticePage]:
    """Every live practice with its adoptions by status and its count of units not yet reached, in one query."""
    recorded = Adoption.objects.filter(practice=OuterRef(OuterRef("pk")), unit=OuterRef("pk"))
    # COUNT as a plain function (not an aggregate) so the subquery has no GROUP BY and yields one number.
    not_reached = (current_reachable_units(today).filter(~Exists(recorded)).order_by()
                   .annotate(n=Func(F("pk"), function="COUNT")).values("n"))
    by_status = {status: Count("adoptions", filter=Q(adoptions__status=status)) for status in AdoptionStatus.values}
    return (
        BestPracticePage.objects.live().select_related("originating_unit", "field_of_work")
        .annotate(**by_status, not_reached=Coalesce(Subquery(not_reached, output_field=IntegerField()), 0))
        .order_by("title", "pk")
    )


@dataclass
class MonthPoint:
    month: dt.date
    adopted: int
    cumulative: int


def adoptions_by_month(*, practice: BestPracticePage | None = None, today: dt.date | None = None,
                       months: int = CHART_MONTHS) -> list[MonthPoint]:
    """Adoptions (events moving to "adopted") per month over the last ``months`` months, zeros filled in,
    with the running total; adoptions before the window start the running total. One query."""
    today = today or timezone.localdate()
    first = _add_months(today.replace(day=1), -(months - 1))
    events = AdoptionEvent.objects.filter(status=AdoptionStatus.ADOPTED)
    if practice is not None:
        events = events.filter(adoption__practice=practice)
    rows = (events.annotate(month=TruncMonth("on")).values("month").annotate(n=Count("pk")).order_by("month"))
    counts: dict[dt.date, int] = {}
    before = 0
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        if month < first:
            before += row["n"]
        elif month <= today:
            counts[month] = row["n"]
    points, running = [], before
    for index in range(months):
        month = _add_months(first, index)
        running += counts.get(month, 0)
        points.append(MonthPoint(month=month, adopted=counts.get(month, 0), cumulative=running))
    return points


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def adoptions_by_exchange() -> list[dict]:
    """Exchanges after which units took up a practice, with the adoptions by status (one query)."""
    by_status = {status: Count("pk", filter=Q(status=status)) for status in AdoptionStatus.values}
    return list(
        Adoption.objects.filter(via_exchange__isnull=False)
        .values("via_exchange_id", "via_exchange__title")
        .annotate(total=Count("pk"), **by_status).order_by("-total", "via_exchange__title")
    )


def replication_dashboard(today: dt.date | None = None) -> dict:
    """Everything the city dashboard shows: three queries, whatever the number of practices."""
    return {
        "practices": list(practices_with_adoption_counts(today)),
        "months": adoptions_by_month(today=today),
        "exchanges": adoptions_by_exchange(),
    }


# --- Feedback ----------------------------------------------------------------------------------------


def _feedback_aggregates() -> dict:
    aggregates = {"responses": Count("pk")}
    for name in RATING_NAMES:
        aggregates[f"{name}_avg"] = Avg(name)
        for value in range(1, 6):
            aggregates[f"{name}_{value}"] = Count("pk", filter=Q(**{name: value}))
    return aggregates


@dataclass
class RatingSummary:
    name: str
    label: str
    average: float | None
    distribution: list[int]  # responses giving 1, 2, 3, 4, 5


@dataclass
class FeedbackSummary:
    """Averages, response count and distribution for one course, session or trainer: no identity."""

    key: int | None
    label: str
    responses: int
    ratings: list[RatingSummary]


def _summary(row: dict, key: int | None, label: str) -> FeedbackSummary:
    ratings = [RatingSummary(name=name, label=str(RATING_LABELS[name]), average=(round(float(row[f"{name}_avg"]), 2)
                                                 if row[f"{name}_avg"] is not None else None),
                             distribution=[row[f"{name}_{value}"] for value in range(1, 6)])
               for name in RATING_NAMES]
    return FeedbackSummary(key=key, label=label, responses=row["responses"], ratings=ratings)


def feedback_summary(feedback: QuerySet[Feedback]) -> FeedbackSummary:
    return _summary(feedback.aggregate(**_feedback_aggregates()), None, "")


def feedback_by(feedback: QuerySet[Feedback], *, key: str, label: str) -> list[FeedbackSummary]:
    """One summary per value of ``key`` (a session, a course, a trainer), from one GROUP BY query."""
    rows = feedback.values(key, label).annotate(**_feedback_aggregates()).order_by(label, key)
    return [_summary(row, row[key], row[label] or "") for row in rows if row[key] is not None]


def feedback_by_session(feedback: QuerySet[Feedback]) -> list[FeedbackSummary]:
    return feedback_by(feedback, key="enrollment__session_id", label="enrollment__session__code")


def feedback_by_course(feedback: QuerySet[Feedback]) -> list[FeedbackSummary]:
    return feedback_by(feedback, key="enrollment__session__course_id", label="enrollment__session__course__title")


def feedback_by_trainer(feedback: QuerySet[Feedback]) -> list[FeedbackSummary]:
    """Per trainer across their sessions: a response counts for every trainer of its session."""
    return feedback_by(feedback, key="enrollment__session__trainers", label="enrollment__session__trainers__name")


def feedback_comments(feedback: QuerySet[Feedback], *, minimum: int = 0) -> list[str]:
    """The non-empty comments as bare text, ordered by their text (never by time or enrollment, which could
    be matched against a roster); none at all below ``minimum`` responses."""
    if minimum and feedback.count() < minimum:
        return []
    return list(feedback.exclude(comment="").order_by("comment").values_list("comment", flat=True))
