"""Enrollment writes: seats are taken with conditional UPDATEs, so a session is never oversold.

``CourseSession.seats_taken``, ``CourseSession.reserved_free`` and ``SeatReservation.taken`` move only
here. Taking a general seat is ``UPDATE … SET seats_taken = seats_taken + 1 WHERE id = … AND
seats_taken < capacity - reserved_free``: on PostgreSQL the row lock makes concurrent UPDATEs queue and
re-check the condition; on SQLite the IMMEDIATE transaction holds the write lock from BEGIN. Either way
exactly the free seats are won and the rest go to the waiting list, whose order is
``Enrollment.Meta.ordering`` (priority, then time).

Every status change goes through ``enrollment_transition``: a conditional UPDATE from the status we saw,
so two clicks (or two workers) change a row once, and an ``EnrollmentEvent`` saying who, when, from, to
and why.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail.signal_handlers import disable_reference_index_auto_update

from courses.cache import public_pages_changed
from courses.models import ApprovalPolicy, CourseSession
from staff.access import acting_user, approval_step_allowed
from staff.models import (
    AWAITING_APPROVAL,
    CANCELLABLE_STATUSES,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Official,
    SeatReservation,
    Unit,
)
from staff.notifications import notify, session_audience_ids, session_changed
from staff.services.notifications import enrollment_mail_queue


class EnrollmentError(Exception):
    """A request the rules refuse; the message is for the person who asked."""


def system_reason(message: str, **params) -> str:
    """A reason the system writes into the history, stored in the site's language (Vietnamese), whatever
    the language of the request that caused it: the record reads the same for everyone who opens it."""
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(message)
    return text % params if params else text



def _record(enrollment: Enrollment, *, from_status: str, by: User | None, reason: str = "") -> None:
    EnrollmentEvent.objects.create(enrollment=enrollment, from_status=from_status, to_status=enrollment.status,
                                   by=acting_user(by), reason=reason)


def enrollment_transition(*, enrollment: Enrollment, allowed: tuple[str, ...], to: str, by: User | None,
                          reason: str = "", **changes: object) -> str:
    """Change the status if it is still one of ``allowed``; return the status it had. One UPDATE claims it."""
    current = Enrollment.objects.filter(pk=enrollment.pk).values_list("status", flat=True).first()
    if current not in allowed or not Enrollment.objects.filter(pk=enrollment.pk, status=current).update(
        status=to, updated_at=timezone.now(), **changes
    ):
        raise EnrollmentError(_("This enrollment has already changed; reload the page."))
    enrollment.refresh_from_db()
    _record(enrollment, from_status=current, by=by, reason=reason)
    return current


# --- Seats ----------------------------------------------------------------------------------------


def _lock_session(session_id: int) -> None:
    """Lock the session row first, in every transaction that moves seats: one order for every path, so
    concurrent enrollments, cancellations and reservation changes queue instead of deadlocking or
    missing each other (PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock)."""
    list(CourseSession.objects.select_for_update().filter(pk=session_id).values_list("pk", flat=True))


def _ancestor_paths(unit: Unit) -> list[str]:
    parts = unit.path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _take_seat(session_id: int, unit: Unit) -> tuple[bool, SeatReservation | None]:
    """Take a seat for an official of ``unit``: first from a reservation covering the unit, else the general pool."""
    reservations = SeatReservation.objects.filter(
        session_id=session_id, unit__path__in=_ancestor_paths(unit), taken__lt=F("seats")
    ).order_by("-unit__path")  # the most specific reservation first
    for reservation in reservations:
        if SeatReservation.objects.filter(pk=reservation.pk, taken__lt=F("seats")).update(taken=F("taken") + 1):
            # The reserved seat was counted in reserved_free, so this cannot overflow the session.
            CourseSession.objects.filter(pk=session_id).update(
                seats_taken=F("seats_taken") + 1, reserved_free=F("reserved_free") - 1
            )
            return True, reservation
    taken = CourseSession.objects.filter(
        pk=session_id, seats_taken__lt=F("capacity") - F("reserved_free")
    ).update(seats_taken=F("seats_taken") + 1)
    return bool(taken), None


def _give_back_seat(session_id: int, reservation_id: int | None) -> None:
    if reservation_id is None:
        CourseSession.objects.filter(pk=session_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
        return
    if SeatReservation.objects.filter(pk=reservation_id, taken__gt=0).update(taken=F("taken") - 1):
        CourseSession.objects.filter(pk=session_id, seats_taken__gt=0).update(
            seats_taken=F("seats_taken") - 1, reserved_free=F("reserved_free") + 1
        )
    else:  # the reservation was removed meanwhile: the seat returns to the general pool
        CourseSession.objects.filter(pk=session_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def _status_with_seat(session: CourseSession) -> EnrollmentStatus:
    """Where an enrollment that holds a seat starts: awaiting approval, or confirmed."""
    if session.course.approval_policy == ApprovalPolicy.NONE:
        return EnrollmentStatus.CONFIRMED
    return EnrollmentStatus.PENDING


def _pass_seat_on(session: CourseSession, reservation_id: int | None, *, by: User | None) -> None:
    """Give a freed seat to the first in line who may have it; if nobody waits, give it back.

    A reserved seat goes only to someone of the reserved unit; a general seat to the first in line.
    The course decides whether the seat is given at once or offered with a deadline to accept.
    """
    waiting = Enrollment.objects.filter(session_id=session.pk, status=EnrollmentStatus.WAITLISTED)
    if reservation_id is not None:
        reservation = SeatReservation.objects.select_related("unit").filter(pk=reservation_id).first()
        waiting = waiting.filter(official__unit__path__startswith=reservation.unit.path) if reservation else waiting
    offer_hours = session.course.offer_hours
    while True:
        candidate = waiting.first()
        if candidate is None:
            _give_back_seat(session.pk, reservation_id)
            return
        if offer_hours:
            to, kind = EnrollmentStatus.OFFERED, "offered"
            changes = {"offer_expires_at": timezone.now() + dt.timedelta(hours=offer_hours)}
        else:
            to, kind, changes = _status_with_seat(session), "promoted", {}
        # Another cancellation may promote the same person at the same moment: whoever's UPDATE
        # matches takes them, the other moves on to the next in line.
        try:
            enrollment_transition(enrollment=candidate, allowed=(EnrollmentStatus.WAITLISTED,), to=to, by=by,
                                  reason=system_reason(gettext_noop("Promoted from the waiting list")),
                                  reservation_id=reservation_id, **changes)
        except EnrollmentError:
            continue
        notify(kind, candidate)
        return


def _release(enrollment: Enrollment, previous_status: str, *, by: User | None) -> None:
    if previous_status in SEAT_HOLDING_STATUSES:
        session = CourseSession.objects.select_related("course").get(pk=enrollment.session_id)
        _pass_seat_on(session, enrollment.reservation_id, by=by)


def session_cancel_enrollments(*, session: CourseSession, by: User | None) -> int:
    """The session itself is cancelled: every active enrollment ends, nobody is promoted, no seat is held.

    Participants holding a seat are told by the session's cancellation (an .ics CANCEL), so no
    per-enrollment mail is sent here. Idempotent.
    """
    ended = 0
    with transaction.atomic():
        _lock_session(session.pk)
        reason = system_reason(gettext_noop("The session has been cancelled."))
        for enrollment in Enrollment.objects.filter(session_id=session.pk, status__in=CANCELLABLE_STATUSES):
            try:
                enrollment_transition(enrollment=enrollment, allowed=CANCELLABLE_STATUSES,
                                      to=EnrollmentStatus.CANCELLED, by=by, reason=reason, offer_expires_at=None)
            except EnrollmentError:
                continue
            ended += 1
        SeatReservation.objects.filter(session_id=session.pk).update(taken=0)
        session_recount_seats(sessions=CourseSession.objects.filter(pk=session.pk))
    public_pages_changed()
    return ended


def session_changes_apply(*, session: CourseSession, calendar_changed: bool, by: User | None) -> None:
    """What a saved change of a session means for its enrollments (the admin's edit view calls it).

    Cancelled: the enrollments end and whoever held a seat gets the calendar cancellation. Otherwise new
    dates, hours or place send the updated invitation and make the day-before reminder due again, and
    more seats move the waiting list up. Mail is queued on commit of the caller's transaction.
    """
    if session.cancelled:
        # Who held a seat is read before the cancellation ends their enrollments: they get the CANCEL.
        audience = session_audience_ids(session)
        session_cancel_enrollments(session=session, by=by)
        if calendar_changed:
            session_changed(session, enrollment_ids=audience)
        return
    if calendar_changed:
        session_changed(session)
        # New dates or hours: the day-before reminder is due again for the new day.
        Enrollment.objects.filter(session=session).update(reminded_at=None)
    session_fill_from_waitlist(session=session, by=by)  # more seats: the line moves up


def session_fill_from_waitlist(*, session: CourseSession, by: User | None = None) -> int:
    """Give every free general seat to the next in line: after capacity was raised or a reservation
    lowered. Returns how many moved up. Idempotent."""
    moved = 0
    with transaction.atomic():
        _lock_session(session.pk)
        session = CourseSession.objects.select_related("course").get(pk=session.pk)
        waiting = Enrollment.objects.filter(session_id=session.pk, status=EnrollmentStatus.WAITLISTED)
        while (
            not session.cancelled
            and session.seats_taken < session.capacity - session.reserved_free
            and waiting.exists()
        ):
            # Take the seat for the line, then hand it over exactly as a cancellation would.
            CourseSession.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)
            _pass_seat_on(session, None, by=by)
            session.refresh_from_db(fields=["seats_taken", "reserved_free", "capacity"])
            moved += 1
    if moved:
        public_pages_changed()
    return moved


# --- Enrolling ------------------------------------------------------------------------------------


def _seat_or_wait(session_id: int, official: Official) -> tuple[bool, SeatReservation | None]:
    """Inside the caller's transaction: take a seat for ``official``, or say they wait.

    The common case is one statement: with no reserved seat free, a general seat is a conditional UPDATE,
    and that UPDATE takes the session's row lock itself (still the first lock of the transaction). Only
    when it fails is the row locked explicitly and re-read, so the decision (reserved seats, a seat freed
    a moment ago, or a full class) is made on the current counters.
    """
    if CourseSession.objects.filter(pk=session_id, reserved_free=0, seats_taken__lt=F("capacity")).update(
        seats_taken=F("seats_taken") + 1
    ):
        return True, None
    counters = (CourseSession.objects.select_for_update().filter(pk=session_id)
                .values_list("seats_taken", "capacity", "reserved_free").first())
    if counters is not None and not counters[2] and counters[0] >= counters[1]:
        return False, None  # full, and no reserved seat left to look for: one query for the waiting list
    unit = official.unit
    if unit is None:  # checked by the caller; the unit may have been unset on this object since
        raise EnrollmentError(_("The official has no current unit."))
    return _take_seat(session_id, unit)


def enrollment_create(
    *, official: Official, session: CourseSession, by: User | None, priority: int = 0, check_window: bool = True
) -> Enrollment:
    """Enroll ``official`` in ``session``: with a seat while seats remain, otherwise on the waiting list.

    ``by`` is the official themself or the HR officer who nominates them. With a seat, the enrollment
    is confirmed, or awaits approval if the course asks for it. ``session.course`` is read (load it
    with the session); the official's unit is loaded only if a reserved seat may be theirs.
    """
    if session.cancelled:
        raise EnrollmentError(_("This session has been cancelled."))
    if check_window and not session.enrollment_is_open():
        raise EnrollmentError(_("Enrollment for this session is not open."))
    if official.unit_id is None:
        raise EnrollmentError(_("The official has no current unit."))
    by_user = acting_user(by)
    nominated_by = by_user if by_user is not None and by_user.pk != official.user_id else None
    reason = system_reason(gettext_noop("Nominated by HR")) if nominated_by else ""
    try:
        # Short on purpose: the seat statement comes first (it holds the session's row lock until COMMIT),
        # then only the rows this enrollment needs, and the mail task is written in the same commit.
        with transaction.atomic():
            has_seat, reservation = _seat_or_wait(session.pk, official)
            status = _status_with_seat(session) if has_seat else EnrollmentStatus.WAITLISTED
            # Wagtail's reference index would queue one more task per enrollment (the viewset registers the
            # model); an enrollment's links never change after this INSERT and are all PROTECTed.
            with disable_reference_index_auto_update():
                enrollment = Enrollment.objects.create(
                    official=official,
                    session=session,
                    unit_id=official.unit_id,
                    status=status,
                    priority=priority,
                    reservation=reservation,
                    nominated_by=nominated_by,
                )
            _record(enrollment, from_status="", by=by, reason=reason)
            enrollment_mail_queue("waitlisted" if status == EnrollmentStatus.WAITLISTED else "enrolled", enrollment)
    except IntegrityError as exc:
        # The partial unique constraint, not a form check, is what forbids a second active enrollment;
        # the seat taken above was rolled back with the transaction.
        # Said to whoever asked: the official enrolling themself, or the HR officer nominating them.
        if by_user is not None and by_user.pk == official.user_id:
            raise EnrollmentError(_("You are already enrolled in this class.")) from exc
        raise EnrollmentError(_("This official is already enrolled in this session.")) from exc
    if has_seat:
        public_pages_changed()  # the seats left on the public pages
    return enrollment


def enrollments_nominate(
    *, officials: list[Official], session: CourseSession, by: User
) -> tuple[list[Enrollment], list[tuple[Official, str]]]:
    """Nominate several officials at once. Each is enrolled on their own: one already enrolled does
    not stop the others. Returns (enrolled, [(official, why not)])."""
    done: list[Enrollment] = []
    refused: list[tuple[Official, str]] = []
    for official in officials:
        try:
            done.append(enrollment_create(official=official, session=session, by=by))
        except EnrollmentError as exc:
            refused.append((official, str(exc)))
    return done, refused


def overlapping_enrollments(*, official: Official, session: CourseSession) -> list[Enrollment]:
    """The official's other active enrollments whose dates overlap this session (a warning, not a rule)."""
    return list(
        Enrollment.objects.filter(
            official=official,
            status__in=(*SEAT_HOLDING_STATUSES, EnrollmentStatus.WAITLISTED),
            session__start_date__lte=session.end_date,
            session__end_date__gte=session.start_date,
            session__cancelled=False,
        )
        .exclude(session=session)
        .exclude(status__in=(EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED))
        .select_related("session__course")
    )


# --- Approval -------------------------------------------------------------------------------------


def enrollment_approve(*, enrollment: Enrollment, by: User, reason: str = "") -> Enrollment:
    """One approval step: the unit's HR first, then the organizer if the course asks for both.

    Who may take which step is checked by the caller through ``staff.scoping.approval_stage_for``.
    """
    with transaction.atomic():
        policy = enrollment.session.course.approval_policy
        if enrollment.status == EnrollmentStatus.PENDING and policy == ApprovalPolicy.UNIT_HR_THEN_ORGANIZER:
            to = EnrollmentStatus.PENDING_ORGANIZER
        else:
            to = EnrollmentStatus.CONFIRMED
        enrollment_transition(enrollment=enrollment,
                              allowed=(enrollment.status,) if enrollment.status in AWAITING_APPROVAL else (), to=to,
                              by=by, reason=reason)
        if to == EnrollmentStatus.CONFIRMED:
            notify("approved", enrollment)
    return enrollment


def enrollment_reject(*, enrollment: Enrollment, by: User, reason: str) -> Enrollment:
    """Refuse an enrollment awaiting approval; a reason is required, and the seat goes to the next in line."""
    if not reason.strip():
        raise EnrollmentError(_("Say why the enrollment is rejected."))
    with transaction.atomic():
        _lock_session(enrollment.session_id)
        previous = enrollment_transition(enrollment=enrollment, allowed=AWAITING_APPROVAL,
                                         to=EnrollmentStatus.REJECTED, by=by, reason=reason.strip())
        _release(enrollment, previous, by=by)
        notify("rejected", enrollment)
    public_pages_changed()  # the seat went to the next in line, or back to the session
    return enrollment


def enrollments_decide(
    *, enrollments: list[Enrollment], approve: bool, by: User, reason: str = ""
) -> tuple[list[Enrollment], list[tuple[Enrollment, str]]]:
    """Approve or reject several enrollments at once, each through ``enrollment_approve`` or
    ``enrollment_reject`` on its own: one that changed meanwhile or is not ``by``'s step does not stop
    the others. A rejection needs a reason (one for all). Returns (decided, [(enrollment, why not)])."""
    reason = reason.strip()[:500]
    if not approve and not reason:
        raise EnrollmentError(_("Say why the enrollment is rejected."))
    done: list[Enrollment] = []
    refused: list[tuple[Enrollment, str]] = []
    for enrollment in enrollments:
        try:
            if not approval_step_allowed(by, enrollment):
                raise EnrollmentError(_("This approval step is not yours to take."))
            if approve:
                enrollment_approve(enrollment=enrollment, by=by, reason=reason)
            else:
                enrollment_reject(enrollment=enrollment, by=by, reason=reason)
        except EnrollmentError as exc:
            refused.append((enrollment, str(exc)))
        else:
            done.append(enrollment)
    return done, refused


# --- Leaving and offers ---------------------------------------------------------------------------


def enrollment_cancel(
    *, enrollment: Enrollment, by: User | None, reason: str = "", check_deadline: bool = False
) -> Enrollment:
    """Cancel an enrollment; a freed seat goes to the first in line, or back to the session.

    Officials cancelling their own enrollment pass ``check_deadline=True``; organizers and HR may
    cancel later (someone fell ill on the first morning).
    """
    if check_deadline and not enrollment.session.cancellation_is_open():
        raise EnrollmentError(_("The cancellation deadline for this session has passed; contact the organizer."))
    with transaction.atomic():
        _lock_session(enrollment.session_id)
        try:
            previous = enrollment_transition(enrollment=enrollment, allowed=CANCELLABLE_STATUSES,
                                             to=EnrollmentStatus.CANCELLED, by=by, reason=reason, offer_expires_at=None)
        except EnrollmentError as exc:
            raise EnrollmentError(_("This enrollment is no longer active.")) from exc
        _release(enrollment, previous, by=by)
        notify("cancelled", enrollment)
    public_pages_changed()
    return enrollment


def offer_accept(*, enrollment: Enrollment, by: User) -> Enrollment:
    if enrollment.offer_expires_at and enrollment.offer_expires_at < timezone.now():
        raise EnrollmentError(_("This offer has lapsed."))
    with transaction.atomic():
        to = _status_with_seat(enrollment.session)
        enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.OFFERED,), to=to, by=by,
                              reason=system_reason(gettext_noop("Offer accepted")), offer_expires_at=None)
        notify("enrolled", enrollment)
    return enrollment


def offer_decline(*, enrollment: Enrollment, by: User) -> Enrollment:
    with transaction.atomic():
        _lock_session(enrollment.session_id)
        enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.OFFERED,),
                              to=EnrollmentStatus.CANCELLED, by=by,
                              reason=system_reason(gettext_noop("Offer declined")), offer_expires_at=None)
        _release(enrollment, EnrollmentStatus.OFFERED, by=by)
    public_pages_changed()
    return enrollment


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Lapse every offer past its deadline and pass each seat on. Idempotent: safe on two hosts at once."""
    moment = now or timezone.now()
    lapsed = 0
    for enrollment in Enrollment.objects.filter(status=EnrollmentStatus.OFFERED, offer_expires_at__lt=moment):
        with transaction.atomic():
            _lock_session(enrollment.session_id)
            try:
                enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.OFFERED,),
                                      to=EnrollmentStatus.CANCELLED, by=None,
                                      reason=system_reason(gettext_noop("The offer lapsed without an answer")),
                                      offer_expires_at=None)
            except EnrollmentError:
                continue  # another worker took it
            _release(enrollment, EnrollmentStatus.OFFERED, by=None)
            notify("cancelled", enrollment)
            lapsed += 1
    if lapsed:
        public_pages_changed()
    return lapsed


# --- Reserved seats -------------------------------------------------------------------------------


def reservation_set(*, session: CourseSession, unit: Unit, seats: int) -> SeatReservation | None:
    """Keep ``seats`` seats of the session for ``unit`` (0 removes the reservation). Seats already taken
    from the reservation stay taken; new reserved seats must be free in the general pool."""
    with transaction.atomic():
        _lock_session(session.pk)  # read the reservation under the session's lock: nobody takes a seat meanwhile
        reservation = SeatReservation.objects.filter(session=session, unit=unit).first()
        taken = reservation.taken if reservation else 0
        current_free = (reservation.seats - reservation.taken) if reservation else 0
        if seats < taken:
            raise EnrollmentError(
                _("%(unit)s already holds %(taken)s reserved seats.") % {"unit": unit.name, "taken": taken}
            )
        delta = (seats - taken) - current_free
        if delta > 0 and not CourseSession.objects.filter(
            pk=session.pk, seats_taken__lte=F("capacity") - F("reserved_free") - delta
        ).update(reserved_free=F("reserved_free") + delta):
            raise EnrollmentError(_("Not enough free seats to reserve %(n)s more.") % {"n": delta})
        if delta < 0:
            CourseSession.objects.filter(pk=session.pk).update(reserved_free=F("reserved_free") + delta)
        if reservation is None:
            result = SeatReservation.objects.create(session=session, unit=unit, seats=seats) if seats else None
        elif seats == 0:
            # Seats already taken from it (none, as seats >= taken) leave nothing to re-home.
            reservation.delete()
            result = None
        else:
            reservation.seats = seats
            reservation.save(update_fields=["seats"])
            result = reservation
        if delta < 0:
            session_fill_from_waitlist(session=session)  # freed general seats go to the line
    public_pages_changed()  # reserved seats are not among the seats left
    return result


def session_recount_seats(*, sessions: QuerySet[CourseSession] | None = None) -> int:
    """Set the seat counters from the enrollments themselves (after imports or demo data). Idempotent.

    Three statements whatever the number of sessions: reservations' ``taken``, then each session's
    ``seats_taken`` and ``reserved_free`` from aggregates.
    """
    queryset = sessions if sessions is not None else CourseSession.objects.all()
    held = (
        Enrollment.objects.filter(session=OuterRef("pk"), status__in=SEAT_HOLDING_STATUSES)
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reserved_held = (
        Enrollment.objects.filter(reservation=OuterRef("pk"), status__in=SEAT_HOLDING_STATUSES)
        .values("reservation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reserved_free = (
        SeatReservation.objects.filter(session=OuterRef("pk"))
        .values("session")
        .annotate(n=Sum(F("seats") - F("taken")))
        .values("n")
    )
    with transaction.atomic():
        SeatReservation.objects.filter(session__in=queryset.values("pk")).update(
            taken=Coalesce(Subquery(reserved_held), Value(0))
        )
        counted = queryset.update(
            seats_taken=Coalesce(Subquery(held), Value(0)), reserved_free=Coalesce(Subquery(reserved_free), Value(0))
        )
    public_pages_changed()
    return counted
