"""Reference data editors keep (legal documents, content groups, fields, skills, trainers) and the
vocabularies of courses (credential and programme types, approval policies, workshop kinds, modes)."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalDocument(models.Model):  # type: ignore[django-manager-missing]  # pages use Wagtail's untyped PageManager
    """A legal text that a course, a rule or a report rests on, valid from a date."""

    number = models.CharField(_("number"), max_length=60, unique=True, help_text=_("e.g. 171/2025/NĐ-CP"))
    title = models.CharField(_("title"), max_length=300)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        ordering = ("-effective_from", "number")
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")

    def __str__(self) -> str:
        return self.number


class ContentGroup(models.Model):  # type: ignore[django-manager-missing]  # pages use Wagtail's untyped PageManager
    """A content group of training (Decree 171/2025 has five; older texts had four)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    legal_basis = models.ForeignKey(
        LegalDocument, verbose_name=_("legal basis"), null=True, blank=True, on_delete=models.SET_NULL
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ("sort_order", "name")
        verbose_name = _("content group")
        verbose_name_plural = _("content groups")

    def __str__(self) -> str:
        return self.name


class FieldOfWork(models.Model):  # type: ignore[django-manager-missing]  # pages use Wagtail's untyped PageManager
    """A field of state work (lĩnh vực): civil status, land, judicial records, business registration…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ("name",)
        verbose_name = _("field of work")
        verbose_name_plural = _("fields of work")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class Trainer(models.Model):
    """A trainer or speaker; may or may not be an official of the city."""

    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title / position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")

    def __str__(self) -> str:
        return self.name


class CredentialType(models.TextChoices):
    CHUNG_CHI = "chung_chi", _("Certificate (chứng chỉ)")
    GIAY_CHUNG_NHAN = "giay_chung_nhan", _("Certificate of completion (giấy chứng nhận)")
    ATTENDANCE = "attendance", _("Attendance only")


class ProgrammeType(models.TextChoices):
    RANK_STANDARD = "rank_standard", _("Rank-standard programme")
    LEADERSHIP = "leadership", _("Leadership-position programme")
    JOB_POSITION = "job_position", _("Job-position knowledge and skills")
    UPDATE = "update", _("Update / refresher")
    EXCHANGE = "exchange", _("Best-practice sharing")
    OTHER = "other", _("Other")


class ApprovalPolicy(models.TextChoices):
    NONE = "none", _("No approval")
    UNIT_HR = "unit_hr", _("The unit's HR")
    UNIT_HR_THEN_ORGANIZER = "unit_hr_organizer", _("The unit's HR, then the organizer")


CATEGORY_CHOICES = (
    ("can_bo", _("Cadre (cán bộ)")),
    ("cong_chuc", _("Civil servant (công chức)")),
    ("vien_chuc", _("Public employee (viên chức)")),
    ("khong_chuyen_trach", _("Commune part-time staff")),
)


class MultipleChoiceJSONField(models.JSONField):
    """A list of choice codes stored as JSON, edited with checkboxes (portable across databases)."""

    def __init__(self, *args, choices_list=(), **kwargs):
        self.choices_list = tuple(choices_list)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choices_list,
            required=not self.blank,
            label=self.verbose_name,
            widget=forms.CheckboxSelectMultiple,
        )


class WorkshopKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop / seminar")
    SHARING = "sharing", _("Sharing session")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")
