"""Admin for the yearly training rule and units' plans (city HR)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import ProgrammeType
from staff.admin.base import CityHRViewSet
from staff.models import (
    TrainingPlan,
    TrainingRequirement,
)


class TrainingRequirementForm(WagtailAdminModelForm):
    """The yearly rule, with the kinds of course that count as checkboxes (none ticked: every kind counts)."""

    counted_programme_types = forms.MultipleChoiceField(
        label=_("Kinds of course that count"), choices=ProgrammeType.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every kind counts."),
    )

    class Meta:
        model = TrainingRequirement
        fields = ["year", "category", "required_periods", "counted_programme_types", "legal_basis"]


class TrainingRequirementViewSet(CityHRViewSet):
    model = TrainingRequirement
    name = "training-requirements"
    icon = "time"
    menu_label = _("Yearly requirement")
    list_display = ["year", "category", "required_periods", "legal_basis"]
    list_select_related = ("legal_basis",)
    list_filter = ["year", "category"]
    form_fields = ["year", "category", "required_periods", "counted_programme_types", "legal_basis"]
    ordering = ("-year", "category")

    def get_form_class(self, for_update=False):
        return TrainingRequirementForm


class TrainingPlanViewSet(CityHRViewSet):
    model = TrainingPlan
    name = "training-plans"
    icon = "calendar-alt"
    menu_label = _("Training plans")
    list_display = ["year", "unit", "content_group", "programme_type", "classes", "participants"]
    list_select_related = ("unit", "content_group")
    list_filter = ["year", "programme_type"]
    form_fields = ["year", "unit", "content_group", "programme_type", "classes", "participants"]
    list_export = ["year", "unit.code", "unit.name", "content_group.name", "get_programme_type_display", "classes",
                   "participants"]
    export_filename = "ke-hoach-boi-duong"
