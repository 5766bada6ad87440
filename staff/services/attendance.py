"""Attendance per session day, self check-in with a daily code, results and the completion rule."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from courses.models import CourseSession, CredentialType
from staff.models import (
    Attendance,
    AttendanceMethod,
    Enrollment,
    EnrollmentStatus,
    Result,
)
from staff.selectors.enrollment import class_participants_of
from staff.services.certificates import certificate_issue
from staff.services.enrollment import EnrollmentError, enrollment_transition, system_reason
from staff.services.people import BATCH

# Check-in opens a little before the day starts: people arrive early and queue at the door.
CHECKIN_EARLY = dt.timedelta(minutes=30)


ATTENDED = gettext_noop("Attended %(n)s of %(days)s days")


CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen at the back of a room


def _check_day(session: CourseSession, day: dt.date) -> None:
    if day not in session.day_list:
        raise EnrollmentError(_("%(day)s is not a day of this session.") % {"day": day.strftime("%d/%m/%Y")})


def attendance_mark(*, session: CourseSession, day: dt.date, present_ids: set[int],
                    by: User, seen_at: dt.datetime | None = None) -> int:
    """Record the day's attendance for the whole roster: ticked enrollments present, the others absent.

    One upsert for the roster, so marking again (a correction) overwrites instead of adding rows.
    ``seen_at`` is when the organizer's page was drawn: someone who checked themself in after that was
    not on the organizer's screen, so their check-in stands instead of being overwritten as absent.
    """
    _check_day(session, day)
    enrollment_ids = list(
        class_participants_of(session).filter(status=EnrollmentStatus.CONFIRMED).values_list("pk", flat=True)
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


def checkin_code(session: CourseSession, day: dt.date) -> str:
    """The day's code shown in the room: derived from the secret key, so nothing is stored and no
    other day's or session's code works."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"checkin:{session.pk}:{day.isoformat()}".encode(), hashlib.sha256
    ).digest()
    return "".join(CHECKIN_ALPHABET[b % len(CHECKIN_ALPHABET)] for b in digest[:6])


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
    if not hmac.compare_digest(code.strip().upper(), checkin_code(session, day)):
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

    Idempotent: only enrollments still confirmed are decided, so running it again changes nothing.
    Returns (completed, not completed).
    """

    course = session.course
    if session.cancelled:
        raise EnrollmentError(_("This session has been cancelled."))
    if session.end_date > timezone.localdate():
        raise EnrollmentError(_("The session has not ended yet."))
    days = session.days
    # Only the class days count: a mark left on a day the session no longer has must not lift the share.
    attended = (
        Enrollment.objects.filter(session=session, status=EnrollmentStatus.CONFIRMED)
        .annotate(
            days_present=Count("attendance", filter=Q(attendance__present=True, attendance__day__in=session.day_list))
        )
        .select_related("session__course")
    )
    completed = not_completed = 0
    for enrollment in attended:
        share_ok = enrollment.days_present * 100 >= course.min_attendance_percent * days
        result_ok = not course.requires_result or enrollment.result == Result.PASSED
        with transaction.atomic():
            if share_ok and result_ok:
                enrollment_transition(enrollment=enrollment, allowed=(EnrollmentStatus.CONFIRMED,),
                                      to=EnrollmentStatus.COMPLETED, by=by,
                                      reason=system_reason(ATTENDED, n=enrollment.days_present, days=days),
                                      periods_earned=course.periods, completed_on=session.end_date)
                if course.credential_type != CredentialType.ATTENDANCE and course.organizer_id:
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
    days = set(session.day_list)
    if any(pk not in valid or day not in days for pk, day in marks):
        raise ValueError("Attendance can only be imported for this session's participants and days.")
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
