"""Demo enrollments: completed classes in the past, confirmed seats in upcoming ones, and the enrollment
rules the demo shows off (approvals, offered seats, self check-in, reserved seats, requests awaiting HR)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from courses.models import ApprovalPolicy, CourseSession, TrainingPage
from staff.demo.attendance import seed_attendance
from staff.demo.people import DEMO_OFFICIAL_CODE
from staff.models import Enrollment, EnrollmentEvent, EnrollmentStatus, Official, Unit
from staff.services.enrollment import reservation_set, session_recount_seats

# The reason on every demo enrollment's first status event.
DEMO_REASON = "Dữ liệu minh họa"

# Enrollment rules shown off by the demo: approvals (one and two steps), offered seats, self check-in,
# seats reserved for two invited wards.
DEMO_RULES: dict[str, dict[str, Any]] = {
    "quan-ly-dat-dai-cap-xa": {"approval_policy": ApprovalPolicy.UNIT_HR},
    "boi-duong-ngach-chuyen-vien": {"approval_policy": ApprovalPolicy.UNIT_HR_THEN_ORGANIZER},
    "giao-tiep-mot-cua": {"offer_hours": 48},
    "nghiep-vu-ho-tich": {"requires_result": True},
}
DEMO_RESERVATIONS = {"HTCQS-01": {"P-KHUONGDINH": 5, "X-ANKHANH": 5}}
DEMO_PENDING = ("DD-02", "P-KHUONGDINH", 3)  # session code, ward, how many awaiting its HR's approval


def enrollment_with_history(*, official: Official, session: CourseSession, status: str,
                            periods_earned: int | None = None, completed_on: dt.date | None = None) -> Enrollment:
    """Enroll ``official`` under their current unit straight into ``status``, with the status event every
    enrollment has. Demo data only: no seat, window or approval is checked."""
    row = Enrollment.objects.create(official=official, session=session, unit_id=_current_unit_id(official),
                                    status=status, periods_earned=periods_earned, completed_on=completed_on)
    EnrollmentEvent.objects.create(enrollment=row, from_status="", to_status=row.status, reason=DEMO_REASON)
    return row


def seed_enrollments(people: list[Official], today: dt.date) -> None:
    """Past sessions get completed enrollments; upcoming ones a few confirmed seats."""
    rng = random.Random(71)
    done = set(Enrollment.objects.values_list("official_id", "session_id"))
    rows = []
    for session in CourseSession.objects.select_related("course").order_by("pk"):
        past = session.end_date < today
        size = min(session.capacity, 24 if past else 8, len(people))
        for official in rng.sample(people, size):
            if (official.pk, session.pk) in done:
                continue
            rows.append(Enrollment(
                official=official, session=session, unit_id=_unit_on(official, session.start_date),
                status=EnrollmentStatus.COMPLETED if past else EnrollmentStatus.CONFIRMED,
                periods_earned=session.course.periods if past else None,
                completed_on=session.end_date if past else None,
            ))
    created = Enrollment.objects.bulk_create(rows)
    # Every status has its history, also in the demo: one event per new row.
    EnrollmentEvent.objects.bulk_create(
        EnrollmentEvent(enrollment=row, from_status="", to_status=row.status, reason=DEMO_REASON)
        for row in created
    )
    session_recount_seats()
    # A held class's completed participants were there every day, as its attendance page then shows.
    for session in CourseSession.objects.filter(end_date__lt=today).order_by("pk"):
        seed_attendance(session)


def seed_enrollment_rules(units: dict[str, Unit]) -> None:
    """Approval rules, reserved seats, the demo official's finished class and a few enrollments awaiting
    approval. Idempotent."""
    for slug, fields in DEMO_RULES.items():
        TrainingPage.objects.filter(slug=slug).update(**fields)
    CourseSession.objects.filter(code="HT-02").update(self_checkin=True)
    for code, reserved in DEMO_RESERVATIONS.items():
        session = CourseSession.objects.get(code=code)
        for unit_code, seats in reserved.items():
            reservation_set(session=session, unit=units[unit_code], seats=seats)
    _demo_official_finished_class()
    _enrollments_awaiting_approval(units)


def _unit_on(official: Official, day: dt.date) -> int:
    for assignment in official.assignments.all():
        if assignment.start <= day and (assignment.end is None or day <= assignment.end):
            return assignment.unit_id
    return _current_unit_id(official)


def _current_unit_id(official: Official) -> int:
    if official.unit_id is None:
        # seed_officials gives every demo official a unit; an enrollment needs one.
        raise ValueError(f"The demo official {official.employee_code} has no unit.")
    return official.unit_id


def _demo_official_finished_class() -> None:
    # The demo official (login "canbo") has finished one class, so "My training" shows a certificate.
    finished = CourseSession.objects.get(code="KNS-02")
    me = Official.objects.get(employee_code=DEMO_OFFICIAL_CODE)
    if not Enrollment.objects.filter(official=me, session=finished).exists():
        enrollment_with_history(official=me, session=finished, status=EnrollmentStatus.COMPLETED,
                                periods_earned=finished.course.periods, completed_on=finished.end_date)
        session_recount_seats(sessions=CourseSession.objects.filter(pk=finished.pk))
    seed_attendance(finished)


def _enrollments_awaiting_approval(units: dict[str, Unit]) -> None:
    code, ward, count = DEMO_PENDING
    session = CourseSession.objects.get(code=code)
    waiting = Enrollment.objects.filter(session=session, status=EnrollmentStatus.PENDING).count()
    candidates = (Official.objects.filter(unit__path__startswith=units[ward].path)
                  .exclude(enrollments__session=session).exclude(employee_code=DEMO_OFFICIAL_CODE)
                  .order_by("employee_code")[:max(count - waiting, 0)])
    for official in candidates:
        enrollment_with_history(official=official, session=session, status=EnrollmentStatus.PENDING)
    session_recount_seats(sessions=CourseSession.objects.filter(pk=session.pk))
