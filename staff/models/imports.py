"""Roster imports too big for a request: a background job its uploader watches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportStatus(models.TextChoices):
    # The same values as ExportStatus, so that the shared progress component reads both alike.
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", pgettext_lazy("job", "Imported")
    FAILED = "failed", _("Failed")


class ImportStage(models.TextChoices):
    READING = "reading", _("Reading the file")
    WRITING = "writing", _("Checking and writing")


class ImportJob(models.Model):
    """A confirmed roster import run by a background task (staff.services.imports).

    Its own model rather than an ``ExportJob`` kind: an export's outcome is a file to download, an
    import's is a report (created / updated / unchanged, the accounts, the audit line, or the problems)
    and it starts from an upload that must be deleted afterwards. Stretched onto ExportJob, these would
    live in untyped ``params`` and every export screen ("My exports", the download) would have to learn
    to skip imports.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(_("import"), max_length=30, default="roster")
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    stage = models.CharField(_("stage"), max_length=10, choices=ImportStage.choices, default=ImportStage.READING)
    stored_name = models.CharField(_("stored upload"), max_length=255, blank=True)  # emptied once the job ends
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)  # the uploader's, for the job's words
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    accounts_created = models.PositiveIntegerField(_("accounts created"), default=0)
    accounts_closed = models.PositiveIntegerField(_("accounts closed"), default=0)
    audit_entry = models.ForeignKey("staff.AuditEntry", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    error = models.TextField(_("error"), blank=True)
    # The problems of a file that failed, as [row, column, message] (row None for the whole file).
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        # One job per confirmed upload: a double click on Confirm must not import the same file twice.
        constraints = [models.UniqueConstraint(fields=["stored_name"], condition=~models.Q(stored_name=""),
                                               name="import_job_one_per_upload")]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
