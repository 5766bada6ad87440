"""The audit log: who did or looked at what, when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    CERTIFICATE_ISSUE = "certificate_issue", _("Certificate issued")
    CERTIFICATE_REVOKE = "certificate_revoke", _("Certificate revoked")
    ROLE_CHANGE = "role_change", _("Role or scope changed")
    RECORD_VIEW = "record_view", _("Official's record opened")
    ACCOUNT = "account", _("Account created, activated or deactivated")
    INVITATION = "invitation", _("Invitations sent")
    LOCKOUT = "lockout", _("Sign-in locked or unlocked")
    TWO_FACTOR = "two_factor", _("Second factor set up or reset")
    ATTENDANCE_CORRECTION = "attendance_edit", _("Attendance of a closed class corrected")


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
        indexes = [models.Index(fields=["action", "at"]), models.Index(fields=["object_type", "object_id"]),
                   # The audit list's order (newest first, ties by id): a page read from the index.
                   models.Index(fields=["-at", "-id"], name="audit_list_order")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.summary}"
