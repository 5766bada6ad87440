"""Enrollments in sessions: statuses, seats reserved per unit, the status history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training_site.choices import ChoiceLabelsMixin

from .organisation import Unit
from .people import Official

STATUS_LENGTH = 20


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting unit HR approval")
    PENDING_ORGANIZER = "pending_organizer", _("Awaiting organizer approval")
    OFFERED = "offered", _("Seat offered")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Did not complete")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


# Statuses that occupy a seat of the session; the catalog's "seats left" counts these. An offered
# seat is held for the person it was offered to until they accept, decline or the offer lapses.
SEAT_HOLDING_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.PENDING_ORGANIZER, EnrollmentStatus.OFFERED,
                         EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)


# Statuses that make an enrollment "active": at most one per official and session.
ACTIVE_STATUSES = (*SEAT_HOLDING_STATUSES, EnrollmentStatus.WAITLISTED)


AWAITING_APPROVAL = (EnrollmentStatus.PENDING, EnrollmentStatus.PENDING_ORGANIZER)


# Statuses an official (or their HR) may still cancel: the class has not been closed yet.
CANCELLABLE_STATUSES = (*AWAITING_APPROVAL, EnrollmentStatus.OFFERED, EnrollmentStatus.CONFIRMED,
                        EnrollmentStatus.WAITLISTED)


class SeatReservation(models.Model):
    """Seats of a session kept for one unit (and everything under it), e.g. two per invited ward.

    ``taken`` and ``CourseSession.reserved_free`` move together, only in staff/services/enrollment.py,
    with conditional UPDATEs: reserved seats can neither be oversold nor eaten by the general pool.
    """

    session = models.ForeignKey("courses.CourseSession", verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="reservations")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reservations")
    seats = models.PositiveIntegerField(_("reserved seats"))
    taken = models.PositiveIntegerField(_("taken"), default=0, editable=False)

    class Meta:
        ordering = ("session", "unit__path")
        verbose_name = _("seat reservation")
        verbose_name_plural = _("seat reservations")
        constraints = [
            models.UniqueConstraint(fields=["session", "unit"], name="one_reservation_per_unit_and_session"),
            models.CheckConstraint(condition=Q(taken__lte=models.F("seats")), name="reservation_never_oversold"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.taken}/{self.seats}"


class Result(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class Enrollment(ChoiceLabelsMixin, models.Model):
    """An official's place in one session, from request to completion.

    ``unit`` is the official's unit when they enrolled, so that reports "as it was" count the
    training where it happened even after the official or the unit moved on.
    """

    official = models.ForeignKey(Official, verbose_name=_("official"), on_delete=models.PROTECT,
                                 related_name="enrollments")
    session = models.ForeignKey("courses.CourseSession", verbose_name=_("session"), on_delete=models.PROTECT,
                                related_name="enrollments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit at enrollment"), on_delete=models.PROTECT,
                             related_name="enrollments")
    status = models.CharField(_("status"), max_length=STATUS_LENGTH, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.PENDING, db_index=True)
    priority = models.SmallIntegerField(_("priority"), default=0,
                                        help_text=_("Higher goes first on the waiting list."))
    # The reserved pool the seat came from (None: the general pool, or no seat held).
    reservation = models.ForeignKey(SeatReservation, verbose_name=_("reserved seat of"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="enrollments")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    # Set by the day-before reminder job when it claims this enrollment, so the reminder goes once.
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)
    periods_earned = models.PositiveIntegerField(_("periods earned"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        # The waiting-list order, declared once: promotion takes the first row of this ordering.
        ordering = ("-priority", "created_at", "pk")
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["official", "session"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_enrollment_per_session",
            )
        ]
        indexes = [
            models.Index(fields=["session", "status"]),
            # The HR list's order (newest first): a page is read from the index, not sorted out of a million.
            models.Index(fields=["-created_at", "-id"], name="enrollment_list_order"),
            # The same order within some officials (a ward's HR: staff.access.AnyOf), from the index alone.
            models.Index(fields=["official", "-created_at", "-id"], name="enrollment_official_order"),
            # An official's completed periods per year (staff/selectors/compliance.py): read from the index
            # alone, for the completed rows only.
            models.Index(fields=["official", "completed_on"], include=["periods_earned"],
                         condition=Q(status="completed"), name="enrollment_completed_periods"),
        ]

    def __str__(self) -> str:
        return f"{self.official_id} → {self.session_id} ({self.status})"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING_STATUSES

    @property
    def is_cancellable(self) -> bool:
        return self.status in CANCELLABLE_STATUSES


class EnrollmentEvent(ChoiceLabelsMixin, models.Model):
    """One change of an enrollment's status: who, when, from what, to what, and why."""

    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE,
                                   related_name="events")
    from_status = models.CharField(_("from"), max_length=STATUS_LENGTH, choices=EnrollmentStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=STATUS_LENGTH, choices=EnrollmentStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ("at", "pk")
        verbose_name = _("enrollment event")
        verbose_name_plural = _("enrollment events")

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_status or '∅'} → {self.to_status}"
