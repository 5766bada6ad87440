"""The units list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from staff.models import Unit, UnitKind

from .base import scoped_units


class UnitFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    current = django_filters.BooleanFilter(label=_("Still exists"), field_name="valid_to", lookup_expr="isnull")
    parent = django_filters.ModelChoiceFilter(
        label=_("Under"), method="filter_under",
        queryset=scoped_units,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )

    class Meta:
        model = Unit
        fields = ["kind", "current", "parent"]

    def filter_under(self, queryset: QuerySet[Unit], name: str, value: Unit) -> QuerySet[Unit]:
        return queryset.filter(path__startswith=value.path)
