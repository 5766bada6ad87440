"""Units with their 2025 lineage, and the roles users hold in them."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9._-]+$")


class UnitKind(models.TextChoices):
    CITY = "city", _("City")
    DEPARTMENT = "department", _("Department / agency")
    DISTRICT = "district", _("District (before 1 July 2025)")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    DIVISION = "division", _("Division / office")
    TRAINING_CENTRE = "training_centre", _("Training centre")


class Unit(models.Model):  # type: ignore[django-manager-missing]  # Wagtail pages point here; PageManager is untyped
    """An administrative unit, valid between two dates; merged or split units keep their records."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(UNIT_CODE_RE, _("Use letters, digits, '.', '_' or '-' only."))],
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day the unit existed; empty if it still exists.")
    )
    # Written by save() from the parent's path; never edited by hand.
    path = models.CharField(max_length=400, editable=False, db_index=True)

    class Meta:
        ordering = ("path",)
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from"))
                ),
                name="unit_valid_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def parent_code(self) -> str:
        return self.parent.code if self.parent is not None else ""

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or dt.date.today()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def clean(self) -> None:
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A unit cannot sit under itself or its own sub-unit.")})
                ancestor = ancestor.parent

    def save(self, *args, **kwargs) -> None:
        new_path = f"{self.parent.path if self.parent is not None else ''}{self.code}/"
        old_path = self.path
        self.path = new_path
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "path"}
        super().save(*args, **kwargs)
        if old_path and old_path != new_path:
            # Moving or renaming a unit rewrites every descendant's path in one statement.
            Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=models.functions.Concat(
                    models.Value(new_path),
                    models.functions.Substr("path", len(old_path) + 1),
                    output_field=models.CharField(),
                )
            )


class SuccessionKind(models.TextChoices):
    MERGED = "merged", _("merged into")
    SPLIT = "split", _("split into (part)")
    RENAMED = "renamed", _("renamed / re-established as")


class UnitSuccession(models.Model):
    """One link of the lineage: ``predecessor`` went (wholly or in part) into ``successor`` on ``effective_date``.

    A unit split across several new units has one link per part; ``share`` (percent of its
    population or area) decides which successor inherits its records when a report maps history
    onto today's units.
    """

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("former unit"), on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("successor unit"), on_delete=models.PROTECT, related_name="predecessions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SuccessionKind.choices, default=SuccessionKind.MERGED)
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(_("legal basis"), max_length=255, help_text=_("e.g. Resolution 1656/NQ-UBTVQH15"))
    share = models.PositiveSmallIntegerField(
        _("share (%)"), default=100, help_text=_("For a split: the part of the former unit that went here.")
    )

    class Meta:
        ordering = ("effective_date", "predecessor__code", "-share")
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession_link"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_to_itself"),
            models.CheckConstraint(condition=Q(share__gte=1) & Q(share__lte=100), name="succession_share_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"


class Role(models.TextChoices):
    CITY_HR = "city_hr", _("City HR (Department of Home Affairs)")
    UNIT_HR = "unit_hr", _("Unit HR officer")
    ORGANIZER = "organizer", pgettext_lazy("role", "Organizer")  # the person, not the unit that runs a course


class RoleAssignment(models.Model):
    """A staff role held over a unit and everything under it (the city's HR holds the root)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE,
                             related_name="staff_roles")
    role = models.CharField(_("role"), max_length=15, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments")

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
