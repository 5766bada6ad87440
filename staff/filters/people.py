"""The officials list's filters and the officials' name search (shared by nomination and invitations)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from courses.text import fold
from staff.models import AccountState, Category, Official, OfficialStatus, Rank, Unit
from staff.models.people import account_state_q
from staff.selectors.compliance import officials_below_requirement

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
        # One grouped SUM over the year's completed enrollments, not the list's SUM per official.
        return officials_below_requirement(queryset, year=timezone.localdate().year, below=value)


def search_officials(queryset: QuerySet[Official], query: str) -> QuerySet[Official]:
    """Diacritics-insensitive name or code search: "nguyen thi hong" finds "Nguyễn Thị Hồng"."""
    folded = fold(query)
    if not folded:
        return queryset
    for term in folded.split():
        queryset = queryset.filter(search_name__contains=term) | queryset.filter(employee_code__iexact=term)
    return queryset
