"""Sessions (classes) of a course: a plain model, never an InlinePanel child."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pages import TrainingPage
from .reference import SessionMode, Trainer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise



# Callables, not fixed times: Django's check fields.W161 takes a fixed time default for a mistaken "now" when
# the check runs within 10 seconds of that time of day, which made `check --deploy` fail at 16:30:00.
def default_daily_start() -> dt.time:
    return dt.time(8, 0)


def default_daily_end() -> dt.time:
    return dt.time(16, 30)

class CourseSession(models.Model):
    """One class of a course: dates, daily hours, venue, seats and the enrollment window.

    A plain model and not an InlinePanel child: inline children are rewritten when an editor saves
    the page, and enrollments point here and must never disappear with them.
    """

    course = models.ForeignKey(TrainingPage, verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="sessions")
    code = models.CharField(_("class code"), max_length=40, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    daily_start = models.TimeField(_("daily start"), default=default_daily_start)
    daily_end = models.TimeField(_("daily end"), default=default_daily_end)
    schedule_note = models.CharField(_("schedule"), max_length=200, blank=True,
                                     help_text=_("e.g. mornings only, Monday to Wednesday"))
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    enrollment_opens = models.DateTimeField(_("enrollment opens"), null=True, blank=True)
    enrollment_closes = models.DateTimeField(_("enrollment closes"), null=True, blank=True)
    cancellation_closes = models.DateTimeField(
        _("cancellation deadline"), null=True, blank=True,
        help_text=_("Participants may cancel until then; empty means until the first day starts."),
    )
    weekends = models.BooleanField(
        _("meets on weekends"), default=False,
        help_text=_("If not ticked, Saturdays and Sundays between the start and end dates are not class days."),
    )
    self_checkin = models.BooleanField(
        _("self check-in"), default=False,
        help_text=_("Show a daily code / QR in the room; participants check themselves in during the day's hours."),
    )
    trainers = models.ManyToManyField(Trainer, verbose_name=_("trainers"), blank=True, related_name="sessions")
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # Seats held right now, moved only by staff/services/enrollment.py with conditional UPDATEs so that
    # concurrent enrollments can never oversell; displays count the enrollments themselves.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    # Seats kept for units' reservations and not yet taken: the general pool is what remains.
    reserved_free = models.PositiveIntegerField(default=0, editable=False)
    # Bumped whenever dates, hours, place or cancellation change, so calendar invitations update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("start_date", "pk")
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="session_dates_ordered"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("capacity") - models.F("reserved_free")),
                name="session_never_oversold",
            ),
        ]
        indexes = [models.Index(fields=["course", "start_date"])]

    # What a calendar invitation shows: changing any of these bumps ``sequence``.
    CALENDAR_FIELDS = ("start_date", "end_date", "daily_start", "daily_end", "weekends", "venue", "mode",
                       "online_url", "cancelled")

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any) -> Self:
        # ``kwargs``: what a newer Django passes (``fetch_mode``); Django 5.2 passes none. Forwarded as given.
        instance = super().from_db(db, field_names, values, **kwargs)
        if all(name in field_names for name in cls.CALENDAR_FIELDS):  # a partial load has nothing to compare
            instance._calendar_snapshot = instance._calendar_values()
        return instance

    def _calendar_values(self) -> tuple:
        # Read what is loaded only: touching a deferred field would load the row again (and recurse).
        return tuple(self.__dict__.get(name) for name in self.CALENDAR_FIELDS)

    @property
    def calendar_changed(self) -> bool:
        snapshot = getattr(self, "_calendar_snapshot", None)
        return snapshot is not None and snapshot != self._calendar_values()

    # Counters moved only by staff/services/enrollment.py with conditional UPDATEs: a form save of this
    # row must never write back the values it loaded minutes ago.
    COUNTER_FIELDS = ("seats_taken", "reserved_free", "sequence")

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            if kwargs.get("update_fields") is None:
                kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                           if not f.primary_key and f.name not in self.COUNTER_FIELDS]
            bump = self.calendar_changed
            super().save(*args, **kwargs)
            if bump:
                type(self).objects.filter(pk=self.pk).update(sequence=models.F("sequence") + 1)
            self.refresh_from_db(fields=list(self.COUNTER_FIELDS))
        else:
            super().save(*args, **kwargs)
        self._calendar_snapshot = self._calendar_values()

    def __str__(self) -> str:
        label = self.code or f"{self.start_date:%d/%m/%Y}"
        return f"{self.course.title} – {label}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if self.daily_start and self.daily_end and self.daily_end <= self.daily_start:
            errors["daily_end"] = _("The day ends before it starts.")
        if self.enrollment_opens and self.enrollment_closes and self.enrollment_closes <= self.enrollment_opens:
            errors["enrollment_closes"] = _("Enrollment closes before it opens.")
        if self.mode in (SessionMode.ONLINE, SessionMode.HYBRID) and not self.online_url:
            errors["online_url"] = _("An online or hybrid session needs a meeting link.")
        if self.pk and self.capacity is not None:
            held = type(self).objects.filter(pk=self.pk).values_list("seats_taken", "reserved_free").first()
            if held and self.capacity < sum(held):
                errors["capacity"] = _("%(n)s seats are taken or reserved; the capacity cannot be lower.") % {
                    "n": sum(held)}
        if errors:
            raise ValidationError(errors)

    @property
    def days(self) -> int:
        """How many class days: what attendance shares and calendar invitations count."""
        return len(self.day_list)

    @property
    def day_list(self) -> list[dt.date]:
        """The class days: every date from start to end, without Saturdays and Sundays unless the class
        meets on weekends (a class held only on a weekend keeps its days)."""
        dates = [self.start_date + dt.timedelta(days=i) for i in range((self.end_date - self.start_date).days + 1)]
        weekdays = [day for day in dates if day.weekday() < 5]
        return dates if self.weekends or not weekdays else weekdays

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start_date, self.daily_start))

    def cancellation_is_open(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return moment <= (self.cancellation_closes or self.starts_at())

    def enrollment_is_open(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        if self.cancelled:
            return False
        if self.enrollment_opens and moment < self.enrollment_opens:
            return False
        if self.enrollment_closes and moment > self.enrollment_closes:
            return False
        return timezone.localdate(moment) <= self.start_date
