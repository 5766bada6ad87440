"""What HR configures and what it leaves behind: the yearly training rule, plans, exports and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import ContentGroup, LegalDocument, ProgrammeType

from .organisation import Category, Unit


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


class AuditAction(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    CERTIFICATE_ISSUE = "certificate_issue", _("Certificate issued")
    CERTIFICATE_REVOKE = "certificate_revoke", _("Certificate revoked")
    ROLE_CHANGE = "role_change", _("Role or scope changed")
    RECORD_VIEW = "record_view", _("Official's record opened")


class AuditEntry(models.Model):
    """Who did what to which record, when. Written by services, read (and exported) by the city's HR."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ("-at", "-pk")
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["action", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.summary}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """An export too big for a request: run by a background task, downloadable only by who asked.

    The file is written through Django's storage under a temporary name and only then recorded, so a
    failed export never looks like a finished one.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("export"), max_length=60)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=255)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)
