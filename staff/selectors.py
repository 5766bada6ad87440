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
    """What "My training" shows, in four queries: the official's enrollments with their sessions, their
    certificates, this year's rule for their category, and the periods that count (one aggregate)."""
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
    required, counted_types = requirement_for(official, year=year)
    done = Enrollment.objects.filter(official=official, status=EnrollmentStatus.COMPLETED, completed_on__year=year)
    if counted_types is not None:
        done = done.filter(session__course__programme_type__in=counted_types)
    periods = done.aggregate(total=Sum("periods_earned"))["total"] or 0
    return {"upcoming": upcoming, "history": history, "certificates": certificates, "periods_done": periods,
            "required_periods": required}


def active_enrollments_by_session(user, session_ids: list[int]) -> dict:
    """The signed-in official's active enrollment per session of a course page, in one query."""
    from .models import ACTIVE_STATUSES, Enrollment

    rows = Enrollment.objects.filter(official__user=user, session_id__in=session_ids, status__in=ACTIVE_STATUSES)
    return {row.session_id: row for row in rows}


# --- The yearly training rule ---------------------------------------------------------------------


def _periods_done(year: int, types: list[str] | None = None):
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import Enrollment

    rows = Enrollment.objects.filter(official=OuterRef("pk"), status=EnrollmentStatus.COMPLETED,
                                     completed_on__year=year)
    if types is not None:
        rows = rows.filter(session__course__programme_type__in=types)
    total = rows.order_by().values("official").annotate(total=Sum("periods_earned")).values("total")
    return Coalesce(Subquery(total), 0)


def officials_with_compliance(officials: QuerySet[Official], *, year: int) -> QuerySet[Official]:
    """Annotate ``periods_done`` and ``periods_required`` for ``year`` (one query with the list).

    The rule is per category (TrainingRequirement); a category without a rule owes the default
    (settings.TRAINING_DEFAULT_REQUIRED_PERIODS) and every kind of course counts for it.
    """
    from django.conf import settings
    from django.db.models import Case, IntegerField, Value, When

    from .models import TrainingRequirement

    rules = list(TrainingRequirement.objects.filter(year=year))
    default = settings.TRAINING_DEFAULT_REQUIRED_PERIODS
    done = _periods_done(year)
    restricted = [rule for rule in rules if rule.counted_programme_types]
    if restricted:
        done = Case(*[When(category=rule.category, then=_periods_done(year, rule.counted_programme_types))
                      for rule in restricted], default=done, output_field=IntegerField())
    required = Value(default, output_field=IntegerField())
    if rules:
        required = Case(*[When(category=rule.category, then=Value(rule.required_periods)) for rule in rules],
                        default=required, output_field=IntegerField())
    return officials.annotate(periods_done=done, periods_required=required)


def requirement_for(official: Official, *, year: int) -> tuple[int, list[str] | None]:
    """(required periods, programme types that count — None for all) for one official."""
    from django.conf import settings

    from .models import TrainingRequirement

    rule = TrainingRequirement.objects.filter(year=year, category=official.category).first()
    if rule is None:
        return settings.TRAINING_DEFAULT_REQUIRED_PERIODS, None
    return rule.required_periods, (list(rule.counted_programme_types) or None)
