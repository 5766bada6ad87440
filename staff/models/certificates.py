"""Certificates: what a completed enrollment earns, numbered per organizer and year, verifiable by anyone."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.reference import CredentialType
from training_site.choices import ChoiceLabelsMixin

from .enrollment import Enrollment
from .organisation import Unit
from .people import Official


class CertificateSerial(models.Model):
    """The last number given by one organizer in one year. Numbers are taken inside the issuing
    transaction with a conditional UPDATE, so a rolled-back issue leaves no gap and two issues
    never share a number."""

    organizer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organizer", "year"], name="one_serial_counter_per_year")]

    def __str__(self) -> str:
        return f"{self.organizer_id}/{self.year}: {self.last_number}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced")


class Certificate(ChoiceLabelsMixin, models.Model):
    """A certificate as issued. The course title, hours and type are copied at issue: what was
    printed must still verify after the course page is edited."""

    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT,
                                   related_name="certificates")
    official = models.ForeignKey(Official, verbose_name=_("official"), on_delete=models.PROTECT,
                                 related_name="certificates")
    organizer = models.ForeignKey(Unit, verbose_name=_("organizer unit"), on_delete=models.PROTECT,
                                  related_name="issued_certificates")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    serial = models.CharField(_("serial number"), max_length=60, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=40, unique=True)
    credential_type = models.CharField(_("type"), max_length=20, choices=CredentialType.choices)
    course_title = models.CharField(_("course"), max_length=255)
    periods = models.PositiveIntegerField(_("periods"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID, db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    replaces = models.OneToOneField("self", verbose_name=_("replaces"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-issued_on", "-pk")
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["organizer", "year", "number"], name="one_certificate_per_number"),
            models.UniqueConstraint(fields=["enrollment"], condition=Q(status="valid"),
                                    name="one_valid_certificate_per_enrollment"),
        ]
        indexes = [
            models.Index(fields=["expires_on", "status"]),
            # The HR list's order (newest first), read from the index instead of sorting every certificate.
            models.Index(fields=["-issued_on", "-id"], name="certificate_list_order"),
        ]

    def __str__(self) -> str:
        return self.serial

    def state(self, today: dt.date | None = None) -> str:
        """valid / expired / revoked / replaced, as the verification page says it."""
        if self.status != CertificateStatus.VALID:
            return self.status
        if self.expires_on and self.expires_on < (today or timezone.localdate()):
            return "expired"
        return "valid"


class CertificateReminder(models.Model):
    """A reminder before expiry that was sent: the job may run twice or on two hosts, the mail goes once."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before"], name="one_reminder_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} −{self.days_before}d"
