"""Attendance per session day, self check-in with a daily code, results and the completion rule."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from courses.models import CourseSession, CredentialType, TrainingPage
from staff.models import (
    Attendance,
    AttendanceMethod,
    AuditAction,
    Certificate,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    Result,
)
from staff.selectors.enrollment import class_participants_of
from staff.services.audit import audit_record, audit_summary
from staff.services.certificates import certificate_issue, certificate_revoke
from staff.services.enrollment import EnrollmentError, enrollment_transition, system_reason
from staff.services.people import BATCH

# Check-in opens a little before the day starts: people arrive early and queue at the door.
CHECKIN_EARLY = dt.timedelta(minutes=30)


ATTENDED = gettext_noop("Attended %(n)s of %(days)s days")
CORRECTED = gettext_noop("Attendance corrected (%(reason)s): attended %(n)s of %(days)s days")
# The audit log's action for a correction of a closed class's attendance. A plain value until AuditAction
# (staff/models/audit.py, not this module's) gains the choice; the log stores the string either way.


CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen at the back of a room
# The organizer's screen shows a code that changes this often; the one before it is accepted for one more period.
ROTATION_SECONDS = 30
ROTATING_LENGTH = 7  # one longer than the day's code, so the two never collide


class AttendanceError(EnrollmentError, ValueError):
    """A mark the rules refuse. Also a ValueError: the sheet import rolls back and reports those."""


# Who the roster of a class day holds: confirmed seats, and once the class is closed, its decided places.
DECIDED = (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)
ON_ROSTER = (EnrollmentStatus.CONFIRMED, *DECIDED)


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_day(session: CourseSession, day: dt.date, today: dt.date | None = None) -> None:
    """Refuse a day the class does not meet on, or one that has not begun: presence is a fact, not a plan."""
    if day < session.start_date:
        raise AttendanceError(_("%(day)s is before the class begins on %(start)s.")
                              % {"day": _date(day), "start": _date(session.start_date)})
    if day > session.end_date:
        raise AttendanceError(_("%(day)s is after the class ended on %(end)s.")
                              % {"day": _date(day), "end": _date(session.end_date)})
    if day not in session.day_list:
        raise AttendanceError(_("%(day)s is not a day of this session: the class does not meet at weekends.")
                              % {"day": _date(day)})
    if day > (today or timezone.localdate()):
        raise AttendanceError(_("%(day)s has not begun yet: attendance can be recorded from that day on.")
                              % {"day": _date(day)})


def attendance_day_refusal(session: CourseSession, day: dt.date, today: dt.date | None = None) -> str:
    """Why ``day`` cannot be marked now, in words; "" when it can."""
    try:
        _check_day(session, day, today)
    except AttendanceError as exc:
        return str(exc)
    return ""


def attendance_days(session: CourseSession, today: dt.date | None = None) -> list[dt.date]:
    """The class days whose attendance may be recorded now: those that have begun."""
    today = today or timezone.localdate()
    return [day for day in session.day_list if day <= today]


def class_closed_on(session: CourseSession) -> dt.date | None:
    """The day the class was closed, or None while it is open.

    Closing decides every confirmed place (completed or not), so the first such decision in the history
    is the closing; places decided without a history (old or imported data) date it from the last day."""
    found = Enrollment.objects.filter(session=session, status__in=DECIDED).aggregate(
        decided=Count("pk", distinct=True),
        first=Min("events__at", filter=Q(events__to_status__in=DECIDED)),
    )
    if not found["decided"]:
        return None
    return timezone.localdate(found["first"]) if found["first"] else session.end_date


@dataclass(frozen=True)
class Reevaluation:
    """What a correction of a closed class changed: who now completes, who no longer does."""

    completed: list[Enrollment] = field(default_factory=list)
    no_longer: list[Enrollment] = field(default_factory=list)


def attendance_mark(*, session: CourseSession, day: dt.date, present_ids: set[int],
                    by: User, seen_at: dt.datetime | None = None, reason: str = "") -> int:
    """Record the day's attendance for the whole roster: ticked enrollments present, the others absent.

    One upsert for the roster, so marking again (a correction) overwrites instead of adding rows.
    ``seen_at`` is when the organizer's page was drawn: someone who checked themself in after that was
    not on the organizer's screen, so their check-in stands instead of being overwritten as absent.
    A closed class is corrected only with a ``reason``: see ``attendance_correct``.
    """
    _check_day(session, day)
    with transaction.atomic():
        # The session's row lock, as session_complete takes it: a class closing at this moment is either closed
        # before we look (then this is a correction, with its reason) or closes after the marks are written.
        list(CourseSession.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True))
        if class_closed_on(session) is not None:
            if not reason.strip():
                raise AttendanceError(_("This class is closed: say why its attendance is corrected."))
            return attendance_correct(session=session, day=day, present_ids=present_ids, by=by, reason=reason)[0]
        return _write_day(session, day, present_ids, by, seen_at, statuses=(EnrollmentStatus.CONFIRMED,))


def _write_day(session: CourseSession, day: dt.date, present_ids: set[int], by: User,
               seen_at: dt.datetime | None, *, statuses: tuple[str, ...]) -> int:
    enrollment_ids = list(
        class_participants_of(session).filter(status__in=statuses).values_list("pk", flat=True)
    )
    if seen_at is not None:
        since = set(
            Attendance.objects.filter(
                enrollment_id__in=enrollment_ids,
                day=day,
                present=True,
                method=AttendanceMethod.SELF_CHECKIN,
                marked_at__gt=seen_at,
            ).values_list("enrollment_id", flat=True)
        )
        present_ids = set(present_ids) | since
    rows = [
        Attendance(
            enrollment_id=pk, day=day, present=pk in present_ids, method=AttendanceMethod.ORGANIZER, marked_by=by
        )
        for pk in enrollment_ids
    ]
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["enrollment", "day"],
        update_fields=["present", "method", "marked_by", "marked_at"],
    )
    return sum(1 for row in rows if row.present)


def attendance_correct(*, session: CourseSession, day: dt.date, present_ids: set[int], by: User,
                       reason: str) -> tuple[int, Reevaluation]:
    """Correct one day of a closed class, then decide completion again from the corrected attendance.

    The reason is required and goes into the audit log and into each changed enrollment's history;
    someone who now completes gets their certificate, someone who no longer does has theirs revoked
    (and is told by mail). Returns (present that day, what changed)."""
    reason = reason.strip()
    if not reason:
        raise AttendanceError(_("This class is closed: say why its attendance is corrected."))
    _check_day(session, day)
    with transaction.atomic():
        before = dict(
            Attendance.objects.filter(enrollment__session=session, day=day).values_list("enrollment_id", "present")
        )
        present = _write_day(session, day, present_ids, by, None, statuses=ON_ROSTER)
        after = dict(
            Attendance.objects.filter(enrollment__session=session, day=day).values_list("enrollment_id", "present")
        )
        changes = {str(pk): now for pk, now in after.items() if before.get(pk, False) != now}
        outcome = session_reevaluate(session=session, by=by, reason=reason)
        audit_record(user=by, action=AuditAction.ATTENDANCE_CORRECTION, obj=session,
                     summary=audit_summary(gettext_noop("Attendance of %(session)s on %(day)s corrected: %(reason)s"),
                                           session=session, day=_date(day), reason=reason[:200]),
                     day=day.isoformat(), reason=reason[:500],
                     changed=changes, completed=[e.pk for e in outcome.completed],
                     no_longer=[e.pk for e in outcome.no_longer])
    return present, outcome


def _earns(days_present: int, result: str, course: TrainingPage, days: int) -> tuple[bool, bool]:
    """(attended enough, passed if the course has a result)."""
    share_ok = days_present * 100 >= course.min_attendance_percent * days
    result_ok = not course.requires_result or result == Result.PASSED
    return share_ok, result_ok


def _with_days_present(session: CourseSession, statuses: tuple[str, ...]):
    # Only the class days count: a mark left on a day the session no longer has must not lift the share.
    return (
        Enrollment.objects.filter(session=session, status__in=statuses)
        .annotate(
            days_present=Count("attendance", filter=Q(attendance__present=True, attendance__day__in=session.day_list))
        )
        .select_related("session__course", "official")
        .order_by("pk")
    )


def _gives_certificate(course: TrainingPage) -> bool:
    return course.credential_type != CredentialType.ATTENDANCE and bool(course.organizer_id)


def session_reevaluate(*, session: CourseSession, by: User | None, reason: str) -> Reevaluation:
    """Decide completion of a closed class again (after its attendance or results were corrected).

    Only places whose outcome changes move; each move is one conditional transition, so running this
    twice changes nothing the second time."""
    course = session.course
    days = session.days
    outcome = Reevaluation()
    for enrollment in _with_days_present(session, DECIDED):
        share_ok, result_ok = _earns(enrollment.days_present, enrollment.result, course, days)
        earns = share_ok and result_ok
        why = system_reason(CORRECTED, reason=reason[:300], n=enrollment.days_present, days=days)
        with transaction.atomic():
            if earns and enrollment.status == EnrollmentStatus.NOT_COMPLETED:
                enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.NOT_COMPLETED,),
                                      to=EnrollmentStatus.COMPLETED, by=by, reason=why,
                                      periods_earned=course.periods, completed_on=session.end_date)
                if _gives_certificate(course):
                    certificate_issue(enrollment=enrollment, by=by, issued_on=timezone.localdate())
                outcome.completed.append(enrollment)
            elif not earns and enrollment.status == EnrollmentStatus.COMPLETED:
                enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.COMPLETED,),
                                      to=EnrollmentStatus.NOT_COMPLETED, by=by, reason=why, periods_earned=0,
                                      completed_on=None)
                for certificate in Certificate.objects.filter(enrollment=enrollment, status=CertificateStatus.VALID):
                    certificate_revoke(certificate=certificate, by=by, reason=reason, send_notification=True)
                outcome.no_longer.append(enrollment)
    return outcome


def checkin_code(session: CourseSession, day: dt.date) -> str:
    """The day's code shown in the room: derived from the secret key, so nothing is stored and no
    other day's or session's code works."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"checkin:{session.pk}:{day.isoformat()}".encode(), hashlib.sha256
    ).digest()
    return "".join(CHECKIN_ALPHABET[b % len(CHECKIN_ALPHABET)] for b in digest[:6])


def checkin_period(moment: dt.datetime | None = None) -> int:
    """The number of the rotating code's period at ``moment``: the periods run from the epoch."""
    return int((moment or timezone.now()).timestamp()) // ROTATION_SECONDS


def rotating_checkin_code(session: CourseSession, day: dt.date, period: int) -> str:
    """The code on the organizer's screen during ``period``: signed with the secret key, the session, the day
    and the period, so nothing is stored and a photo of the screen is worth one minute at most."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"checkin:{session.pk}:{day.isoformat()}:{period}".encode(), hashlib.sha256
    ).digest()
    return "".join(CHECKIN_ALPHABET[b % len(CHECKIN_ALPHABET)] for b in digest[:ROTATING_LENGTH])


def _code_is_right(session: CourseSession, day: dt.date, code: str, moment: dt.datetime) -> bool:
    typed = code.strip().upper()
    period = checkin_period(moment)
    # The previous period's code still counts: someone who scanned just before the change is not refused.
    accepted = [checkin_code(session, day), *(rotating_checkin_code(session, day, p) for p in (period, period - 1))]
    return any(hmac.compare_digest(typed, expected) for expected in accepted)


def checkin_window(session: CourseSession, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, session.daily_start)) - CHECKIN_EARLY
    end = timezone.make_aware(dt.datetime.combine(day, session.daily_end))
    return start, end


def attendance_self_checkin(
    *, enrollment: Enrollment, code: str, by: User, now: dt.datetime | None = None
) -> Attendance:
    """Check oneself in with the code shown in the room, only during that day's hours."""
    session = enrollment.session
    moment = now or timezone.now()
    day = timezone.localdate(moment)
    if not session.self_checkin:
        raise EnrollmentError(_("This session does not use self check-in."))
    if enrollment.status != EnrollmentStatus.CONFIRMED:
        raise EnrollmentError(_("Only confirmed participants can check in."))
    _check_day(session, day)
    opens, closes = checkin_window(session, day)
    if not opens <= moment <= closes:
        raise EnrollmentError(
            _("Check-in is open from %(start)s to %(end)s.")
            % {"start": f"{timezone.localtime(opens):%H:%M}", "end": f"{timezone.localtime(closes):%H:%M}"}
        )
    if not _code_is_right(session, day, code, moment):
        raise EnrollmentError(_("The code is not right. Check the code shown in the room."))
    attendance, _created = Attendance.objects.update_or_create(
        enrollment=enrollment,
        day=day,
        defaults={"present": True, "method": AttendanceMethod.SELF_CHECKIN, "marked_by": by},
    )
    return attendance


def enrollment_set_result(*, enrollment: Enrollment, result: str, by: User | None) -> Enrollment:
    if result not in (*Result.values, ""):
        raise EnrollmentError(_("Unknown result."))
    Enrollment.objects.filter(pk=enrollment.pk).update(result=result, updated_at=timezone.now())
    enrollment.result = result
    return enrollment


def session_complete(*, session: CourseSession, by: User | None) -> tuple[int, int]:
    """Close the class: each confirmed participant completes if they attended at least the course's
    minimum share of days (and passed, if the course has a result); certificates follow.

    A class is closed once: closing it again is refused with the day it was closed (its attendance is
    corrected on the day's page instead). Returns (completed, not completed).
    """
    course = session.course
    if session.cancelled:
        raise EnrollmentError(_("This session has been cancelled."))
    if session.end_date > timezone.localdate():
        raise EnrollmentError(_("The session has not ended yet."))
    with transaction.atomic():
        # Two organizers closing at once queue here; the second then finds the class closed (PostgreSQL).
        list(CourseSession.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True))
        closed_on = class_closed_on(session)
        if closed_on is not None:
            raise EnrollmentError(
                _("This class was already closed on %(day)s. To change who completed, correct the attendance "
                  "of a day (with a reason).") % {"day": _date(closed_on)}
            )
        days = session.days
        attended = list(_with_days_present(session, (EnrollmentStatus.CONFIRMED,)))
        if not attended:
            raise EnrollmentError(_("Nobody is confirmed in this class: there is nobody to complete."))
        completed = not_completed = 0
        for enrollment in attended:
            share_ok, result_ok = _earns(enrollment.days_present, enrollment.result, course, days)
            if share_ok and result_ok:
                enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.CONFIRMED,),
                                      to=EnrollmentStatus.COMPLETED, by=by,
                                      reason=system_reason(ATTENDED, n=enrollment.days_present, days=days),
                                      periods_earned=course.periods, completed_on=session.end_date)
                if _gives_certificate(course):
                    certificate_issue(enrollment=enrollment, by=by, issued_on=timezone.localdate())
                completed += 1
            else:
                why = (
                    system_reason(ATTENDED, n=enrollment.days_present, days=days)
                    if not share_ok
                    else system_reason(gettext_noop("Did not pass"))
                )
                enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.CONFIRMED,),
                                      to=EnrollmentStatus.NOT_COMPLETED, by=by, reason=why, periods_earned=0)
                not_completed += 1
    return completed, not_completed


@transaction.atomic
def attendance_bulk_import(
    *, session: CourseSession, marks: Mapping[tuple[int, dt.date], bool], by: User | None
) -> int:
    """Write imported presence for (enrollment id, day) pairs of ``session``, as attendance_mark does:
    one upsert, so importing again corrects instead of adding rows. Returns the number of present marks.

    Only the pairs given are written: a sheet listing part of the class leaves the others as they were.
    """
    valid = set(
        Enrollment.objects.filter(session=session, pk__in={pk for pk, _day in marks}).values_list("pk", flat=True)
    )
    if any(pk not in valid for pk, _day in marks):
        raise ValueError("Attendance can only be imported for this session's participants.")
    today = timezone.localdate()
    for day in sorted({day for _pk, day in marks}):
        _check_day(session, day, today)
    if class_closed_on(session) is not None:
        # A sheet carries no reason and would leave completion as it was: a closed class is corrected by hand.
        raise AttendanceError(_("This class is closed: correct its attendance on the day's page, with a reason."))
    rows = [
        Attendance(
            enrollment_id=pk,
            day=day,
            present=present,
            method=AttendanceMethod.IMPORT,
            marked_by=by if by is not None and by.is_authenticated else None,
        )
        for (pk, day), present in marks.items()
    ]
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["enrollment", "day"],
        update_fields=["present", "method", "marked_by", "marked_at"],
        batch_size=BATCH,
    )
    return sum(1 for row in rows if row.present)
