"""The enrollments list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from courses.models import CourseSession, TrainingPage
from staff.models import Enrollment, EnrollmentStatus, Unit

from .base import scoped_units


def courses_with_sessions(request: HttpRequest | None) -> QuerySet[TrainingPage]:
    return TrainingPage.objects.filter(sessions__isnull=False).distinct().order_by("title")


class EnrollmentFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=_("Course"), field_name="session__course",
        queryset=courses_with_sessions,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )
    session = django_filters.ModelChoiceFilter(
        label=_("Session"), queryset=CourseSession.objects.select_related("course").order_by("-start_date"),
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=EnrollmentStatus.choices)
    dates = django_filters.DateFromToRangeFilter(label=_("Session dates"), field_name="session__start_date")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and below)"), method="filter_unit",
        queryset=scoped_units,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )

    class Meta:
        model = Enrollment
        fields = ["course", "session", "status", "dates", "unit"]

    def filter_unit(self, queryset: QuerySet[Enrollment], name: str, value: Unit) -> QuerySet[Enrollment]:
        return queryset.filter(official__unit__path__startswith=value.path)
