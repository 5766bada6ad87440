"""Reads about the yearly rule: periods done against periods required, in the officials' own query."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import (
    Case,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from staff.models import Category, Enrollment, EnrollmentStatus, Official, TrainingRequirement

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


def officials_below_requirement(officials: QuerySet[Official], *, year: int,
                                below: bool = True) -> QuerySet[Official]:
    """``officials`` below ``year``'s requirement (``below=False``: those who met it), by the same rule as
    ``officials_with_compliance`` (done < required is below; exactly at the requirement is not).

    One grouped aggregate instead of a SUM per official: the officials who met the rule are one
    ``SUM(periods) GROUP BY official HAVING SUM >= required`` over the year's completed enrollments of
    ``officials`` (the partial index ``enrollment_completed_periods`` answers it); the list is then that set
    (met) or the officials outside it (below, an anti-join). At city scale the correlated form ran 100,000
    index probes, each summing, for every page and again for the count.
    """

    rules = list(TrainingRequirement.objects.filter(year=year))
    default = settings.TRAINING_DEFAULT_REQUIRED_PERIODS
    rows = Enrollment.objects.filter(
        status=EnrollmentStatus.COMPLETED, completed_on__gte=dt.date(year, 1, 1),
        completed_on__lte=dt.date(year, 12, 31), official__in=officials.order_by().values("pk"))
    counted: Expression | F = F("periods_earned")
    restricted = [rule for rule in rules if rule.counted_programme_types]
    if restricted:
        # A rule that counts some kinds of course only: the others' periods add nothing for its category.
        counted = Case(*[When(Q(official__category=rule.category)
                              & ~Q(session__course__programme_type__in=rule.counted_programme_types), then=Value(0))
                         for rule in restricted], default=F("periods_earned"), output_field=IntegerField())
    required: Expression = Value(default, output_field=IntegerField())
    if any(rule.required_periods != default for rule in rules):
        required = Case(*[When(official__category=rule.category, then=Value(rule.required_periods))
                          for rule in rules], default=required, output_field=IntegerField())
    # Grouped by official, and by their category when the rule differs by category (so that HAVING may read
    # it); when it does not, the aggregate reads the index alone, without joining the officials.
    keys = ["official", "official__category"] if restricted or not isinstance(required, Value) else ["official"]
    met = (rows.order_by().values(*keys).annotate(done=Sum(counted)).filter(done__gte=required)
           .values("official"))
    none_owed = _owes_nothing(rules, default)
    if not below:
        return officials.filter(Q(pk__in=met) | none_owed if none_owed is not None else Q(pk__in=met))
    below_rule = officials.exclude(pk__in=met)
    return below_rule.exclude(none_owed) if none_owed is not None else below_rule


def _owes_nothing(rules: list[TrainingRequirement], default: int) -> Q | None:
    """The officials whose category owes no periods (None: there are none). They have met the rule without
    any enrollment, and so are missing from the grouped aggregate, which sees officials with enrollments."""

    owed = {rule.category: rule.required_periods for rule in rules}
    free = [category for category in Category.values if owed.get(category, default) <= 0]
    return Q(category__in=free) if free else None


def requirement_for(official: Official, *, year: int) -> tuple[int, list[str] | None]:
    """(required periods, programme types that count — None for all) for one official."""

    rule = TrainingRequirement.objects.filter(year=year, category=official.category).first()
    if rule is None:
        return settings.TRAINING_DEFAULT_REQUIRED_PERIODS, None
    return rule.required_periods, (list(rule.counted_programme_types) or None)
