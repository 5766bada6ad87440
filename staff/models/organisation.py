"""People and the organisation: units with their 2025 lineage, officials, ranks, roles.

Units form a tree held as a materialised path of codes ("HN/P-KHUONGDINH/"), so that "this unit and
everything under it" is one indexed ``LIKE 'prefix%'`` query on every database.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.text import fold

UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9._-]+$")


class UnitKind(models.TextChoices):
    CITY = "city", _("City")
    DEPARTMENT = "department", _("Department / agency")
    DISTRICT = "district", _("District (before 1 July 2025)")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    DIVISION = "division", _("Division / office")
    TRAINING_CENTRE = "training_centre", _("Training centre")


class Unit(models.Model):
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
        return self.parent.code if self.parent_id else ""

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
        new_path = f"{self.parent.path if self.parent_id else ''}{self.code}/"
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


class Category(models.TextChoices):
    """The four kinds of people the city trains."""

    CADRE = "can_bo", _("Cadre (cán bộ)")
    CIVIL_SERVANT = "cong_chuc", _("Civil servant (công chức)")
    PUBLIC_EMPLOYEE = "vien_chuc", _("Public employee (viên chức)")
    COMMUNE_PART_TIME = "khong_chuyen_trach", _("Commune part-time staff")


class Rank(models.Model):
    """A civil-service rank (ngạch), e.g. 01.003 chuyên viên; tier 1 is the highest."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    tier = models.PositiveSmallIntegerField(_("tier"), help_text=_("1 = senior specialist level, 5 = staff level"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)

    class Meta:
        ordering = ("tier", "code")
        verbose_name = _("rank")
        verbose_name_plural = _("ranks")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class OfficialStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED = "transferred", _("Transferred out")
    RETIRED = "retired", _("Retired")


MAJORITY_ETHNICITY = "Kinh"


class Official(models.Model):
    """A cadre, civil servant or public employee on the city's roster."""

    employee_code = models.CharField(_("employee code"), max_length=30, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    # Folded copy of the name: diacritics-insensitive search with one index on every database.
    search_name = models.CharField(max_length=150, editable=False, db_index=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=50, default=MAJORITY_ETHNICITY)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    rank = models.ForeignKey(Rank, verbose_name=_("rank"), null=True, blank=True, on_delete=models.PROTECT)
    job_position = models.CharField(_("job position"), max_length=200, blank=True)
    leadership_position = models.CharField(
        _("leadership position"), max_length=200, blank=True, help_text=_("Empty if the official holds none.")
    )
    # The unit of the open assignment, kept by official_assign_unit() so that lists and scope
    # filter on one indexed column instead of joining the assignment history for 100,000 people.
    unit = models.ForeignKey(
        Unit, verbose_name=_("current unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="officials"
    )
    status = models.CharField(_("status"), max_length=15, choices=OfficialStatus.choices, default=OfficialStatus.ACTIVE)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="official",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("search_name", "employee_code")
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_code})"

    @property
    def is_ethnic_minority(self) -> bool:
        return fold(self.ethnicity) != fold(MAJORITY_ETHNICITY)

    @property
    def is_leader(self) -> bool:
        return bool(self.leadership_position)

    # Flat values for exports, which must not fail on an official without a rank or a unit.
    @property
    def rank_code(self) -> str:
        return self.rank.code if self.rank_id else ""

    @property
    def rank_name(self) -> str:
        return self.rank.name if self.rank_id else ""

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit_id else ""

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit_id else ""

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.full_name)
        if kwargs.get("update_fields") is not None and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)


class UnitAssignment(models.Model):
    """Where an official worked, from when to when: people move, and records follow the dates."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ("official", "start")
        verbose_name = _("unit assignment")
        verbose_name_plural = _("unit assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["official"], condition=Q(end__isnull=True), name="one_open_assignment_per_official"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="assignment_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.official_id} @ {self.unit_id} {self.start}–{self.end or ''}"


class Role(models.TextChoices):
    CITY_HR = "city_hr", _("City HR (Department of Home Affairs)")
    UNIT_HR = "unit_hr", _("Unit HR officer")
    ORGANIZER = "organizer", _("Organizer")


class RoleAssignment(models.Model):
    """A staff role held over a unit and everything under it (the city's HR holds the root)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=15, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments")

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
