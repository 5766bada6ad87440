"""Reads about the yearly rule: periods done against periods required, in the officials' own query."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Case, Expression, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from staff.models import Enrollment, EnrollmentStatus, Official, TrainingRequirement

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ComplianceAnnotations(TypedDict):
    """What ``officials_with_compliance`` adds to each official (filters and reports read them)."""

    periods_done: int
    periods_required: int


def _periods_done(year: int, types: list[str] | None = None) -> Coalesce:

    rows = Enrollment.objects.filter(official=OuterRef("pk"), status=EnrollmentStatus.COMPLETED,
                                     completed_on__year=year)
    if types is not None:
        rows = rows.filter(session__course__programme_type__in=types)
    total = rows.order_by().values("official").annotate(total=Sum("periods_earned")).values("total")
    return Coalesce(Subquery(total), 0)


def officials_with_compliance(
    officials: QuerySet[Official], *, year: int
) -> QuerySet[WithAnnotations[Official, ComplianceAnnotations]]:
    """Annotate ``periods_done`` and ``periods_required`` for ``year`` (one query with the list).

    The rule is per category (TrainingRequirement); a category without a rule owes the default
    (settings.TRAINING_DEFAULT_REQUIRED_PERIODS) and every kind of course counts for it.
    """

    rules = list(TrainingRequirement.objects.filter(year=year))
    default = settings.TRAINING_DEFAULT_REQUIRED_PERIODS
    done: Expression = _periods_done(year)
    restricted = [rule for rule in rules if rule.counted_programme_types]
    if restricted:
        done = Case(*[When(category=rule.category, then=_periods_done(year, rule.counted_programme_types))
                      for rule in restricted], default=done, output_field=IntegerField())
    required: Expression = Value(default, output_field=IntegerField())
    if rules:
        required = Case(*[When(category=rule.category, then=Value(rule.required_periods)) for rule in rules],
                        default=required, output_field=IntegerField())
    return officials.annotate(periods_done=done, periods_required=required)


def requirement_for(official: Official, *, year: int) -> tuple[int, list[str] | None]:
    """(required periods, programme types that count — None for all) for one official."""

    rule = TrainingRequirement.objects.filter(year=year, category=official.category).first()
    if rule is None:
        return settings.TRAINING_DEFAULT_REQUIRED_PERIODS, None
    return rule.required_periods, (list(rule.counted_programme_types) or None)
