"""The enrollments list's filters.

The class and the course are searchable text inputs (``SuggestInput``), not selects: at city scale a select
of every class (6,000 and more) took most of the page's time to render, and offered classes outside the
user's scope. A chosen suggestion submits its words and its id ("KNS-02 · Kỹ năng số · 07/01/2027 · #158": the
input reads as what was chosen), a bare number is an id; any other text searches the class code and the course
title, without diacritics ("ky nang so" finds "Kỹ năng số").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from staff.access import enrollments_in_scope, of_officials
from staff.models import Enrollment, EnrollmentStatus, Official, Unit
from staff.selectors.enrollment import (
    chosen_id,
    course_suggestions,
    courses_matching,
    session_suggestions,
    sessions_matching,
)

from .base import SuggestInput, scoped_units


class EnrollmentFilterSet(WagtailFilterSet):
    course = django_filters.CharFilter(
        label=_("Course"), method="filter_course",
        widget=SuggestInput("staff_course_suggestions", attrs={"placeholder": _("Course title")}),
    )
    session = django_filters.CharFilter(
        label=_("Session"), method="filter_session",
        widget=SuggestInput("staff_session_suggestions", attrs={"placeholder": _("Class code or course title")}),
    )
    # One column of the row itself: no join can repeat a row, so no DISTINCT (a sort of the whole scope).
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=EnrollmentStatus.choices,
                                                 distinct=False)
    dates = django_filters.DateFromToRangeFilter(label=_("Session dates"), field_name="session__start_date")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and below)"), method="filter_unit",
        queryset=scoped_units,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )

    class Meta:
        model = Enrollment
        fields = ["course", "session", "status", "dates", "unit"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The list's own scoped enrollments, once the list has built them (EnrollmentIndexView.filter_queryset):
        # the suggestions are narrowed with them instead of asking for the user's role paths again.
        self.scope: QuerySet[Enrollment] | None = None
        self.form.fields["session"].widget.suggestions = lambda: session_suggestions(self._scope(), "")
        self.form.fields["course"].widget.suggestions = lambda: course_suggestions(self._scope(), "")

    def _scope(self) -> QuerySet[Enrollment]:
        if self.scope is not None:
            return self.scope
        return enrollments_in_scope(self.request.user) if self.request is not None else Enrollment.objects.none()

    def filter_session(self, queryset: QuerySet[Enrollment], name: str, value: str) -> QuerySet[Enrollment]:
        return _chosen_or_matching(queryset, value, "session_id", lambda text: {"session__in": sessions_matching(text)})

    def filter_course(self, queryset: QuerySet[Enrollment], name: str, value: str) -> QuerySet[Enrollment]:
        return _chosen_or_matching(queryset, value, "session__course_id",
                                   lambda text: {"session__course_id__in": courses_matching(text)})

    def filter_unit(self, queryset: QuerySet[Enrollment], name: str, value: Unit) -> QuerySet[Enrollment]:
        return queryset.filter(of_officials(Official.objects.filter(unit__path__startswith=value.path)))


def _chosen_or_matching(queryset: QuerySet[Enrollment], value: str, id_lookup: str,
                        matching: Callable[[str], dict[str, Any]]) -> QuerySet[Enrollment]:
    """A searchable filter's value: nothing, a chosen suggestion or bare number (its id), or words to match."""
    value = value.strip()
    if not value:
        return queryset
    chosen = chosen_id(value)
    if chosen is not None:
        return queryset.filter(**{id_lookup: chosen})
    return queryset.filter(**matching(value))
