"""The yearly training rule per category, and units' training plans."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models.reference import ContentGroup, LegalDocument, ProgrammeType

from .organisation import Unit
from .people import Category


class TrainingRequirement(models.Model):
    """How many periods an official of one category owes in one year, and which kinds of course count.

    No row for a year and category means the default (settings.TRAINING_DEFAULT_REQUIRED_PERIODS, every
    kind counts): the 2025 decree may or may not keep a number, so the rule is data, not code.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    required_periods = models.PositiveIntegerField(_("required periods"), default=40)
    counted_programme_types = models.JSONField(
        _("kinds of course that count"), default=list, blank=True,
        help_text=_("Programme types whose periods count toward the requirement; empty means every kind."),
    )
    legal_basis = models.ForeignKey(LegalDocument, verbose_name=_("legal basis"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-year", "category")
        verbose_name = _("yearly training requirement")
        verbose_name_plural = _("yearly training requirements")
        constraints = [models.UniqueConstraint(fields=["year", "category"], name="one_requirement_per_year")]

    def __str__(self) -> str:
        return f"{self.year} – {self.get_category_display()}: {self.required_periods}"

    @property
    def counted_types(self) -> list[str]:
        return list(self.counted_programme_types) or list(ProgrammeType.values)


class TrainingPlan(models.Model):
    """A unit's planned training for a year, per content group and programme type (plan versus actual)."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="training_plans")
    content_group = models.ForeignKey(ContentGroup, verbose_name=_("content group"), on_delete=models.PROTECT,
                                      related_name="+")
    programme_type = models.CharField(_("programme type"), max_length=20, choices=ProgrammeType.choices)
    classes = models.PositiveIntegerField(_("planned classes"), default=0)
    participants = models.PositiveIntegerField(_("planned participants"), default=0)

    class Meta:
        ordering = ("-year", "unit__path")
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "content_group", "programme_type"],
                                    name="one_plan_line_per_unit_year_group_type")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id} {self.content_group_id} {self.programme_type}"
