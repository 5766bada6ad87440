"""Filter forms of the admin's export and report pages; the unit choices come from the user's scope."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Unit
from ..scoping import HR_ROLES, is_city_hr, units_in_scope

FIRST_YEAR = 2015
MODE_AS_IT_WAS, MODE_MAPPED = "as_it_was", "mapped"


def scoped_units(user):
    return units_in_scope(user, roles=HR_ROLES)


def may_report(user) -> bool:
    return user.is_authenticated and (user.is_superuser or scoped_units(user).exists())


class ReportFilterForm(forms.Form):
    """Year, unit (within the scope; empty = whole city, for the city's HR only), as-it-was or mapped, format."""

    formats = (("xlsx", "XLSX"), ("pdf", "PDF"))

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), to_field_name="code",
                                  required=False, empty_label=_("Whole city"))
    mode = forms.ChoiceField(label=_("Units"), initial=MODE_AS_IT_WAS, choices=(
        (MODE_AS_IT_WAS, _("As it was (unit at enrollment)")), (MODE_MAPPED, _("Mapped onto today's units"))))
    format = forms.ChoiceField(label=_("Format"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.city_wide = is_city_hr(user)
        self.fields["unit"].queryset = scoped_units(user).order_by("path")
        self.fields["unit"].required = not self.city_wide
        self.fields["year"].initial = timezone.localdate().year
        self.fields["format"].choices = self.formats
        # A unit outside the scope is not a form error but a 404: its existence is not disclosed.
        code = self.data.get("unit") if self.is_bound else None
        if code and not self.fields["unit"].queryset.filter(code=code).exists():
            raise Http404

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year has not begun yet."))
        return year

    @property
    def mapped(self) -> bool:
        return self.cleaned_data["mode"] == MODE_MAPPED

    def filters(self) -> dict:
        unit = self.cleaned_data["unit"]
        return {"year": self.cleaned_data["year"], "unit": unit.code if unit else None, "mapped": self.mapped,
                "format": self.cleaned_data["format"]}


class RecordsFilterForm(ReportFilterForm):
    formats = (("xlsx", "XLSX"), ("csv", "CSV"))
