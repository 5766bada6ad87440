"""FilterSets for the staff lists, shared by each list view and its export.

Choice lists (units) are narrowed to what the requesting user may see (staff/access.py).
"""

from __future__ import annotations

import django_filters
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from courses.models import CourseSession, CredentialType, TrainingPage
from courses.text import fold
from staff.access import unit_choices
from staff.models import (
    AccountState,
    Category,
    Certificate,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    Official,
    OfficialStatus,
    Rank,
    Unit,
    UnitKind,
)
from staff.models.people import account_state_q
from staff.selectors.compliance import officials_with_compliance


def scoped_units(request: HttpRequest | None) -> QuerySet[Unit]:
    if request is None:
        return Unit.objects.none()
    return unit_choices(request.user)


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
        annotated = officials_with_compliance(queryset, year=timezone.localdate().year)
        if value:
            return annotated.filter(periods_done__lt=F("periods_required"))
        return annotated.filter(periods_done__gte=F("periods_required"))


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


class CertificateFilterSet(WagtailFilterSet):
    credential_type = django_filters.ChoiceFilter(label=_("Type"), choices=CredentialType.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CertificateStatus.choices)
    expires_before = django_filters.DateFilter(label=_("Expiring before"), field_name="expires_on",
                                               lookup_expr="lt")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and below)"), method="filter_unit",
        queryset=scoped_units,  # type: ignore[arg-type]  # django-filter takes a callable; stubs do not
    )

    class Meta:
        model = Certificate
        fields = ["credential_type", "status", "expires_before", "unit"]

    def filter_unit(self, queryset: QuerySet[Certificate], name: str, value: Unit) -> QuerySet[Certificate]:
        return queryset.filter(official__unit__path__startswith=value.path)


def search_officials(queryset: QuerySet[Official], query: str) -> QuerySet[Official]:
    """Diacritics-insensitive name or code search: "nguyen thi hong" finds "Nguyễn Thị Hồng"."""
    folded = fold(query)
    if not folded:
        return queryset
    for term in folded.split():
        queryset = queryset.filter(search_name__contains=term) | queryset.filter(employee_code__iexact=term)
    return queryset
