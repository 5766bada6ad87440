"""Best practices replicated: which unit adopted which practice, when, with what result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import AdoptionStatus

from .organisation import Unit


class Adoption(models.Model):
    """Where one unit stands with one practice: planned, piloting, adopted or dropped, since when, what
    it changed, and which exchange brought it there."""

    practice = models.ForeignKey("courses.BestPracticePage", verbose_name=_("practice"), on_delete=models.CASCADE,
                                 related_name="adoptions")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="adoptions")
    status = models.CharField(_("status"), max_length=10, choices=AdoptionStatus.choices)
    since = models.DateField(_("since"))
    changes = models.TextField(_("what the unit changed"), blank=True)
    via_exchange = models.ForeignKey("courses.ExchangePage", verbose_name=_("after the exchange"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="adoptions")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("practice", "unit__path")
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [models.UniqueConstraint(fields=["practice", "unit"], name="one_adoption_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} – {self.practice_id}: {self.status}"


class AdoptionEvent(models.Model):
    """Each change of an adoption's status, for "adoption over time"."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=10, choices=AdoptionStatus.choices)
    on = models.DateField(_("on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        ordering = ("on", "pk")

    def __str__(self) -> str:
        return f"{self.adoption_id} {self.status} {self.on}"


class AdoptionResult(models.Model):
    """The adopting unit's own measurement of an indicator, before and after."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="results")
    indicator = models.CharField(_("indicator"), max_length=200)
    before = models.DecimalField(_("before"), max_digits=12, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(_("after"), max_digits=12, decimal_places=2, null=True, blank=True)
    measured_on = models.DateField(_("measured on"), null=True, blank=True)

    class Meta:
        ordering = ("adoption", "indicator")
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.indicator}: {self.before} → {self.after}"
