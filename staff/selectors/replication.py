"""Reads for replication: adoptions over time, units not reached, the city's dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from courses.models import BestPracticePage
from staff.models import Adoption, AdoptionEvent, AdoptionStatus, Unit, UnitKind

REACHABLE_KINDS = (UnitKind.WARD, UnitKind.COMMUNE)


CHART_MONTHS = 24


def current_reachable_units(today: dt.date | None = None) -> QuerySet[Unit]:
    """Today's wards and communes: the units that serve citizens and may take up a practice."""
    today = today or timezone.localdate()
    return Unit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), kind__in=REACHABLE_KINDS)


def units_not_reached(practice: BestPracticePage, today: dt.date | None = None) -> QuerySet[Unit]:
    """Current wards and communes with no adoption record at all for ``practice`` (one query, NOT EXISTS)."""
    recorded = Adoption.objects.filter(practice=practice, unit=OuterRef("pk"))
    return current_reachable_units(today).filter(~Exists(recorded)).order_by("path")


def practices_with_stage_counts(today: dt.date | None = None) -> QuerySet[BestPracticePage]:
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


def adoptions_by_exchange() -> list[Mapping[str, Any]]:
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
        "practices": list(practices_with_stage_counts(today)),
        "months": adoptions_by_month(today=today),
        "exchanges": adoptions_by_exchange(),
    }
