"""Best-practice index facets (django-filter): field of work, originating unit, how many units adopted it,
and the folded search. The queryset must come annotated by ``practices_with_adopting_units``."""

from __future__ import annotations

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.search.backends import get_search_backend

from courses.models import BestPracticePage, FieldOfWork

# Bucket → (lowest, highest or None) number of adopting units.
ADOPTION_BUCKETS = {"none": (0, 0), "few": (1, 2), "many": (3, None)}


ADOPTION_CHOICES = [("none", _("Not adopted yet")), ("few", _("1–2 units")), ("many", _("3 units or more"))]


def practice_fields(request: HttpRequest | None) -> QuerySet[FieldOfWork]:
    # Only fields with a live practice: an empty choice helps nobody.
    return FieldOfWork.objects.filter(practices__live=True).distinct().order_by("name")


def originating_units(request: HttpRequest | None) -> QuerySet[Model]:
    unit_model = apps.get_model("staff", "Unit")
    return unit_model.objects.filter(practices__live=True).distinct().order_by("name")


class PracticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search",
                                  widget=forms.TextInput(attrs={"type": "search"}))
    field_of_work = django_filters.ModelChoiceFilter(
        label=_("Field of work"), empty_label=_("All"),
        queryset=practice_fields,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )
    originating_unit = django_filters.ModelChoiceFilter(
        label=_("Originating unit"), empty_label=_("All"),
        queryset=originating_units,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )
    adopted_by = django_filters.ChoiceFilter(label=_("Units that adopted it"), choices=ADOPTION_CHOICES,
                                             method="filter_adopted_by", empty_label=_("Any"))

    class Meta:
        model = BestPracticePage
        fields = ["q", "field_of_work", "originating_unit", "adopted_by"]

    def filter_search(self, queryset: QuerySet[BestPracticePage], name: str, value: str):
        if not value.strip():
            return queryset
        # The folding backend (courses/search.py) matches "khuong mai" to "Khương Mai"; the ids then
        # narrow the queryset so that the other facets still combine with plain SQL.
        results = get_search_backend().search(value, BestPracticePage.objects.live(), order_by_relevance=False)
        return queryset.filter(pk__in=[page.pk for page in results])

    def filter_adopted_by(self, queryset: QuerySet[BestPracticePage], name: str, value: str):
        low, high = ADOPTION_BUCKETS[value]
        queryset = queryset.filter(adopted_units__gte=low)
        return queryset if high is None else queryset.filter(adopted_units__lte=high)
