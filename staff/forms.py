"""Forms of the staff app."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import ProgrammeType

from .models import Official, TrainingRequirement, Unit
from .scoping import units_in_scope
from .services import official_assign_unit


class OfficialAdminForm(WagtailAdminModelForm):
    """Edits an official; a change of unit goes through official_assign_unit, which keeps the history."""

    new_unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(valid_to__isnull=True))
    assigned_from = forms.DateField(label=_("In this unit from"), required=False,
                                    help_text=_("dd/mm/yyyy; today if empty"))

    class Meta:
        model = Official
        fields = [
            "employee_code", "full_name", "date_of_birth", "gender", "ethnicity", "category", "rank",
            "job_position", "leadership_position", "status", "email", "phone", "preferred_language",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail passes the requesting user; the unit list is narrowed to their scope.
        if self.for_user is not None:
            self.fields["new_unit"].queryset = units_in_scope(self.for_user).filter(valid_to__isnull=True)
        if self.instance.pk and self.instance.unit_id:
            self.fields["new_unit"].initial = self.instance.unit_id

    def save(self, commit: bool = True) -> Official:
        official = super().save(commit=commit)
        if commit:
            official_assign_unit(
                official=official,
                unit=self.cleaned_data["new_unit"],
                start=self.cleaned_data.get("assigned_from") or timezone.localdate(),
            )
        return official


class TrainingRequirementForm(WagtailAdminModelForm):
    """The yearly rule, with the kinds of course that count as checkboxes (none ticked: every kind counts)."""

    counted_programme_types = forms.MultipleChoiceField(
        label=_("Kinds of course that count"), choices=ProgrammeType.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every kind counts."),
    )

    class Meta:
        model = TrainingRequirement
        fields = ["year", "category", "required_periods", "counted_programme_types", "legal_basis"]
