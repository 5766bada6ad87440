"""Enrollment writes: a seat is taken with one conditional UPDATE, so a session is never oversold.

``CourseSession.seats_taken`` moves only here. Taking a seat is
``UPDATE … SET seats_taken = seats_taken + 1 WHERE id = … AND seats_taken < capacity``: on PostgreSQL
the row lock makes concurrent UPDATEs queue and re-check the condition; on SQLite the IMMEDIATE
transaction holds the write lock from BEGIN. Either way exactly ``capacity`` requests win and the
rest go to the waiting list, whose order is ``Enrollment.Meta.ordering`` (priority, then time).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CourseSession

from ..models import SEAT_HOLDING_STATUSES, Enrollment, EnrollmentEvent, EnrollmentStatus, Official


class EnrollmentError(Exception):
    """A request the rules refuse; the message is for the person who asked."""


def _record(enrollment: Enrollment, *, from_status: str, by: AbstractBaseUser | None, reason: str = "") -> None:
    EnrollmentEvent.objects.create(enrollment=enrollment, from_status=from_status, to_status=enrollment.status,
                                   by=by if by is not None and by.is_authenticated else None, reason=reason)


def _take_seat(session_id: int) -> bool:
    return bool(
        CourseSession.objects.filter(pk=session_id, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
    )


def enrollment_create(*, official: Official, session: CourseSession, by: AbstractBaseUser | None,
                      priority: int = 0, check_window: bool = True) -> Enrollment:
    """Enroll ``official`` in ``session``: confirmed while seats remain, otherwise on the waiting list."""
    if session.cancelled:
        raise EnrollmentError(_("This session has been cancelled."))
    if check_window and not session.enrollment_is_open():
        raise EnrollmentError(_("Enrollment for this session is not open."))
    if official.unit_id is None:
        raise EnrollmentError(_("The official has no current unit."))
    try:
        with transaction.atomic():
            status = EnrollmentStatus.CONFIRMED if _take_seat(session.pk) else EnrollmentStatus.WAITLISTED
            enrollment = Enrollment.objects.create(official=official, session=session, unit_id=official.unit_id,
                                                   status=status, priority=priority)
            _record(enrollment, from_status="", by=by)
    except IntegrityError as exc:
        # The partial unique constraint, not a form check, is what forbids a second active enrollment;
        # the seat taken above was rolled back with the transaction.
        raise EnrollmentError(_("This official is already enrolled in this session.")) from exc
    return enrollment


def enrollment_cancel(*, enrollment: Enrollment, by: AbstractBaseUser | None, reason: str = "") -> Enrollment:
    """Cancel an enrollment; a freed seat goes to the first in line, or back to the session."""
    with transaction.atomic():
        # Claim the cancellation with a conditional UPDATE: two clicks cancel (and free a seat) once.
        active = (*SEAT_HOLDING_STATUSES, EnrollmentStatus.WAITLISTED)
        current = Enrollment.objects.filter(pk=enrollment.pk).values_list("status", flat=True).first()
        claimed = Enrollment.objects.filter(pk=enrollment.pk, status=current, status__in=active).update(
            status=EnrollmentStatus.CANCELLED, updated_at=timezone.now()
        )
        if not claimed:
            raise EnrollmentError(_("This enrollment is no longer active."))
        enrollment.refresh_from_db()
        _record(enrollment, from_status=current, by=by, reason=reason)
        if current in SEAT_HOLDING_STATUSES:
            _pass_seat_on(enrollment.session_id, by=by)
    return enrollment


def _pass_seat_on(session_id: int, *, by: AbstractBaseUser | None) -> Enrollment | None:
    """Give a freed seat to the first in line; if nobody waits, give it back to the session."""
    while True:
        candidate = Enrollment.objects.filter(session_id=session_id, status=EnrollmentStatus.WAITLISTED).first()
        if candidate is None:
            CourseSession.objects.filter(pk=session_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
            return None
        # Another cancellation may promote the same person at the same moment: whoever's UPDATE
        # matches takes them, the other moves on to the next in line.
        if Enrollment.objects.filter(pk=candidate.pk, status=EnrollmentStatus.WAITLISTED).update(
            status=EnrollmentStatus.CONFIRMED, updated_at=timezone.now()
        ):
            candidate.refresh_from_db()
            _record(candidate, from_status=EnrollmentStatus.WAITLISTED, by=by,
                    reason=_("Promoted from the waiting list"))
            return candidate


def session_recount_seats(*, sessions=None) -> int:
    """Set ``seats_taken`` from the enrollments themselves (after imports or demo data). Idempotent."""
    queryset = sessions if sessions is not None else CourseSession.objects.all()
    held = (
        Enrollment.objects.filter(session=OuterRef("pk"), status__in=SEAT_HOLDING_STATUSES)
        .values("session").annotate(n=Count("pk")).values("n")
    )
    return queryset.update(seats_taken=Coalesce(Subquery(held), Value(0)))


__all__ = ["EnrollmentError", "enrollment_cancel", "enrollment_create", "session_recount_seats"]
