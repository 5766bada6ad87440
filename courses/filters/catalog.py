"""Catalog facets (django-filter), shared by the catalog page and anything that lists its courses."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search.backends import get_search_backend

from courses.models import ContentGroup, CourseSession, FieldOfWork, SessionMode, TrainingPage
from courses.selectors.catalog import sessions_with_seats, upcoming_sessions_queryset


def organizer_units(request: HttpRequest | None) -> QuerySet[Model]:
    # Only units that organize something live: a dropdown of 200 empty units helps nobody.
    unit_model = apps.get_model("staff", "Unit")
    return unit_model.objects.filter(organized_pages__live=True).distinct().order_by("name")


def month_choices() -> list[tuple[str, str]]:
    """This month and the next eleven, plus the last three: what officials plan around."""
    today = timezone.localdate().replace(day=1)
    choices = []
    for offset in range(-3, 12):
        year, month = divmod(today.month - 1 + offset, 12)
        first = dt.date(today.year + year, month + 1, 1)
        choices.append((first.strftime("%Y-%m"), first.strftime("%m/%Y")))
    return choices


class CatalogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search",
                                  widget=forms.TextInput(attrs={"type": "search"}))
    content_group = django_filters.ModelChoiceFilter(
        label=_("Content group"), queryset=ContentGroup.objects.filter(active=True), empty_label=_("All")
    )
    field_of_work = django_filters.ModelChoiceFilter(
        label=_("Field of work"), queryset=FieldOfWork.objects.all(), empty_label=_("All")
    )
    organizer = django_filters.ModelChoiceFilter(
        label=_("Organizer"), empty_label=_("All"),
        queryset=organizer_units,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=SessionMode.choices, method="filter_mode",
                                       empty_label=_("All"))
    month = django_filters.ChoiceFilter(label=_("Month"), choices=month_choices, method="filter_month",
                                        empty_label=_("Any"))
    open_seats = django_filters.BooleanFilter(
        label=_("Only with open seats"), method="filter_open_seats", widget=forms.CheckboxInput
    )

    class Meta:
        model = TrainingPage
        fields = ["q", "content_group", "field_of_work", "organizer", "mode", "month", "open_seats"]

    def filter_search(self, queryset: QuerySet[TrainingPage], name: str, value: str) -> QuerySet[TrainingPage]:
        if not value.strip():
            return queryset
        # The folding backend (courses/search.py) matches "ky nang" to "Kỹ năng"; the ids then
        # narrow the queryset so that the other facets still combine with plain SQL.
        results = get_search_backend().search(value, TrainingPage.objects.live(), order_by_relevance=False)
        return queryset.filter(pk__in=[page.pk for page in results])

    def _with_session(self, queryset: QuerySet[TrainingPage], sessions: QuerySet[CourseSession]):
        return queryset.filter(Exists(sessions.filter(course_id=OuterRef("pk"))))

    def filter_mode(self, queryset, name, value):
        return self._with_session(queryset, upcoming_sessions_queryset().filter(mode=value))

    def filter_month(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        return self._with_session(
            queryset, CourseSession.objects.filter(cancelled=False, start_date__year=year, start_date__month=month)
        )

    def filter_open_seats(self, queryset, name, value):
        if not value:
            return queryset
        # Seats one can still take: sessions that have not started and are not full.
        open_sessions = sessions_with_seats(
            upcoming_sessions_queryset().filter(start_date__gte=timezone.localdate())
        ).filter(seats_left__gt=0)
        return self._with_session(queryset, open_sessions)
