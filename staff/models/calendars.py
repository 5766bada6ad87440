"""Each official's personal calendar feed, behind a secret token."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .people import Official


class CalendarFeed(models.Model):
    """The secret behind an official's personal iCal feed; resetting it cuts off old subscriptions."""

    official = models.OneToOneField(Official, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.official_id}"
