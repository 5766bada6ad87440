"""The certificates list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from courses.models import CredentialType
from staff.access import of_officials
from staff.models import Certificate, CertificateStatus, Official, Unit

from .base import scoped_units


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
        return queryset.filter(of_officials(Official.objects.filter(unit__path__startswith=value.path)))
