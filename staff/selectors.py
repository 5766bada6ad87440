"""Reads about units, officials and their training: one aggregate instead of a loop.

Reports may later read from a replica: every selector that feeds a report takes ``using``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from .models import EnrollmentStatus, Official, Unit, UnitSuccession


def unit_subtree(unit: Unit, *, using: str = "default") -> QuerySet[Unit]:
    """This unit and everything under it, in one query (a prefix match on the materialised path)."""
    return Unit.objects.using(using).filter(path__startswith=unit.path)


def units_valid_on(day: dt.date, *, using: str = "default") -> QuerySet[Unit]:
    return Unit.objects.using(using).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def successor_map(*, on: dt.date, using: str = "default") -> dict[int, int]:
    """Map every unit that no longer exists on ``on`` to the unit of that day that inherits its records.

    Follows succession links transitively (a ward merged in 2019 and again in 2025 ends at today's
    ward). Where a unit was split, its records go to the successor that took the largest share.
    Units with no successor, or that still exist, map to themselves (and are left out of the dict).
    Two queries, whatever the number of units.
    """
    valid_ids = set(units_valid_on(on, using=using).values_list("pk", flat=True))
    best: dict[int, tuple[int, int]] = {}
    links = UnitSuccession.objects.using(using).filter(effective_date__lte=on).values_list(
        "predecessor_id", "successor_id", "share"
    )
    for predecessor_id, successor_id, share in links:
        if predecessor_id not in best or share > best[predecessor_id][1]:
            best[predecessor_id] = (successor_id, share)

    mapping: dict[int, int] = {}
    for start in best:
        current, seen = start, {start}
        while current not in valid_ids and current in best:
            current = best[current][0]
            if current in seen:  # a cycle in the data: stop rather than loop forever
                break
            seen.add(current)
        if current != start:
            mapping[start] = current
    return mapping


def map_unit(unit_id: int, mapping: dict[int, int]) -> int:
    return mapping.get(unit_id, unit_id)


def completed_periods_by_unit(
    *, year: int, mapped_to: dt.date | None = None, units: Iterable[int] | None = None, using: str = "default"
) -> dict[int, int]:
    """Periods of training completed in ``year``, per unit, in one aggregate query.

    By default the training counts "as it was", under the unit the official belonged to when they
    enrolled. With ``mapped_to`` set, units that no longer existed on that day are folded into
    their successors ("mapped onto today's units").
    """
    from .models import Enrollment

    rows = (
        Enrollment.objects.using(using)
        .filter(status=EnrollmentStatus.COMPLETED, completed_on__year=year)
        .values("unit_id")
        .annotate(periods=Sum("periods_earned"))
        .order_by()
    )
    totals: dict[int, int] = defaultdict(int)
    mapping = successor_map(on=mapped_to, using=using) if mapped_to else {}
    for row in rows:
        totals[map_unit(row["unit_id"], mapping)] += row["periods"] or 0
    if units is not None:
        wanted = set(units)
        return {unit_id: periods for unit_id, periods in totals.items() if unit_id in wanted}
    return dict(totals)


def officials_in_units(units: QuerySet[Unit]) -> QuerySet[Official]:
    return Official.objects.filter(unit__in=units)


def my_training(official: Official, *, year: int) -> dict:
    """What "My training" shows, in three queries: the official's enrollments with their sessions,
    their certificates, and the periods completed this year (one aggregate)."""
    from .models import ACTIVE_STATUSES, Certificate, Enrollment

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
    periods = (
        Enrollment.objects.filter(official=official, status=EnrollmentStatus.COMPLETED, completed_on__year=year)
        .aggregate(total=Sum("periods_earned"))["total"] or 0
    )
    return {"upcoming": upcoming, "history": history, "certificates": certificates, "periods_done": periods}


def active_enrollments_by_session(user, session_ids: list[int]) -> dict:
    """The signed-in official's active enrollment per session of a course page, in one query."""
    from .models import ACTIVE_STATUSES, Enrollment

    rows = Enrollment.objects.filter(official__user=user, session_id__in=session_ids, status__in=ACTIVE_STATUSES)
    return {row.session_id: row for row in rows}
