"""Attendance: one row per enrollment and class day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enrollment import Enrollment


class AttendanceMethod(models.TextChoices):
    ORGANIZER = "organizer", _("Marked by the organizer")
    SELF_CHECKIN = "self", _("Self check-in")
    IMPORT = "import", _("Imported")


class Attendance(models.Model):
    """Presence of one enrolled official on one day of the session. No row means not marked (absent)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"), default=True)
    method = models.CharField(_("how"), max_length=10, choices=AttendanceMethod.choices,
                              default=AttendanceMethod.ORGANIZER)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)

    class Meta:
        ordering = ("day", "enrollment")
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["enrollment", "day"], name="one_attendance_per_day")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.day:%d/%m/%Y}: {'present' if self.present else 'absent'}"
