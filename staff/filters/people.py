"""The officials list's filters and the officials' name search (shared by nomination and invitations)."""

from __future__ import annotations

import django_filters
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from courses.text import fold
from staff.models import AccountState, Category, Official, OfficialStatus, Rank, Unit
from staff.models.people import account_state_q
from staff.selectors.compliance import officials_with_compliance

from .base import scoped_units


class OfficialFilterSet(WagtailFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and below)"), method="filter_unit",
        queryset=scoped_units,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    rank = django_filters.ModelChoiceFilter(label=_("Rank"), queryset=Rank.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OfficialStatus.choices)
    job_position = django_filters.CharFilter(label=_("Job position"), lookup_expr="icontains")
    below_requirement = django_filters.BooleanFilter(label=_("Below this year's requirement"),
                                                     method="filter_below_requirement")
    account = django_filters.ChoiceFilter(label=_("Sign-in account"), choices=AccountState.choices,
                                          method="filter_account")

    class Meta:
        model = Official
        fields = ["unit", "category", "rank", "status", "job_position", "below_requirement", "account"]

    def filter_account(self, queryset: QuerySet[Official], name: str, value: str) -> QuerySet[Official]:
        return queryset.filter(account_state_q(value)) if value else queryset

    def filter_unit(self, queryset: QuerySet[Official], name: str, value: Unit) -> QuerySet[Official]:
        return queryset.filter(unit__path__startswith=value.path)

    def filter_below_requirement(self, queryset: QuerySet[Official], name: str,
                                 value: bool | None) -> QuerySet[Official]:
        if value is None:
            return queryset
        # The SUM per official, read from the covering partial index enrollment_completed_periods: a page
        # probes a few dozen officials and the capped count at most ~10,001 matches. Measured on the city
        # (100,200 officials): 5-10 ms a page and 70-130 ms the count, against 140 ms and 100-170 ms for the
        # grouped SUM of officials_below_requirement, which must sum the whole year first (and for a ward's
        # 600 officials: 3 ms against 40-130 ms). The grouped form is the report's, which wants every official.
        annotated = officials_with_compliance(queryset, year=timezone.localdate().year)
        if value:
            return annotated.filter(periods_done__lt=F("periods_required"))
        return annotated.filter(periods_done__gte=F("periods_required"))


def search_officials(queryset: QuerySet[Official], query: str) -> QuerySet[Official]:
    """Diacritics-insensitive name or code search: "nguyen thi hong" finds "Nguyễn Thị Hồng"."""
    folded = fold(query)
    if not folded:
        return queryset
    for term in folded.split():
        queryset = queryset.filter(search_name__contains=term) | queryset.filter(employee_code__iexact=term)
    return queryset
