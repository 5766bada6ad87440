"""Sign-in accounts of officials: the invitations that activate them, sent in batches HR can watch."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .people import Official


class Channel(models.TextChoices):
    """How a message reaches an official (staff/channels)."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo (ZNS)")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Sending")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class InvitationBatch(models.Model):
    """One "send invitations" request of an HR officer: its progress is what HR watches."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    description = models.CharField(_("selection"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(_("to send"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    skipped = models.PositiveIntegerField(
        _("skipped"), default=0, help_text=_("Already invited recently, already active, or no address for the channel.")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The officials chosen (ids), read by the task that queues and sends: the request only records them.
    selection = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.get_channel_display()} ({self.sent}/{self.total})"

    @property
    def done(self) -> int:
        return self.sent + self.failed


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    USED = "used", _("Used")


class Invitation(models.Model):
    """One activation link for one official. The link is signed (staff/services/accounts.py), expires after
    INVITATION_VALID_DAYS and works once: using it marks every open invitation of the official used."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="invitations")
    batch = models.ForeignKey(InvitationBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="invitations")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.QUEUED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["official", "created_at"]),
            models.Index(fields=["batch", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.official_id} {self.channel} {self.status}"
