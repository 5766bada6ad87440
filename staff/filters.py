"""FilterSets for the staff lists, shared by each list view and its export.

Choice lists (units) are narrowed to what the requesting user may see (staff/scoping.py).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from courses.text import fold

from .models import Category, Official, OfficialStatus, Rank, Unit, UnitKind
from .scoping import units_in_scope


def scoped_units(request):
    if request is None:
        return Unit.objects.none()
    return units_in_scope(request.user).order_by("path")


class UnitFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    current = django_filters.BooleanFilter(label=_("Still exists"), field_name="valid_to", lookup_expr="isnull")
    parent = django_filters.ModelChoiceFilter(label=_("Under"), queryset=scoped_units, method="filter_under")

    class Meta:
        model = Unit
        fields = ["kind", "current", "parent"]

    def filter_under(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path)


class OfficialFilterSet(WagtailFilterSet):
    unit = django_filters.ModelChoiceFilter(label=_("Unit (and below)"), queryset=scoped_units,
                                            method="filter_unit")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    rank = django_filters.ModelChoiceFilter(label=_("Rank"), queryset=Rank.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OfficialStatus.choices)
    job_position = django_filters.CharFilter(label=_("Job position"), lookup_expr="icontains")

    class Meta:
        model = Official
        fields = ["unit", "category", "rank", "status", "job_position"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)


def search_officials(queryset, query: str):
    """Diacritics-insensitive name or code search: "nguyen thi hong" finds "Nguyễn Thị Hồng"."""
    folded = fold(query)
    if not folded:
        return queryset
    for term in folded.split():
        queryset = queryset.filter(search_name__contains=term) | queryset.filter(employee_code__iexact=term)
    return queryset
