"""The Django side of the rehearsal's preparation, in a subprocess with the app servers' settings and secret.

    DATABASE_URL=… DJANGO_SETTINGS_MODULE=tests.cluster.settings SECRET_KEY=… \\
        python -m tests.cluster.probe setup < arguments.json > answer.json

``setup`` makes what the steps need on the demo data: accounts for officials in service (the demo gives
few officials an account), signed in the way tests/bench/city/probe.py does (sessions written with the
app's own session engine, so they live in Redis and the database like any sign-in); the seat race's class
and the class the failover stream enrolls in; a year of completed training big enough that its export
takes a while (the worker is killed in the middle of it); and a signed-in session of the city's HR.
Everything later is checked by reading the database directly (tests/cluster/steps.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any

CITY_HR = "hr.thanhpho"
EXPORT_YEAR = 2016


def accounts_for_officials(count: int) -> list[Any]:
    """``count`` officials in service with an active account of their own, and no staff role.

    The demo gives most officials an account still waiting for its invitation: those are switched on (a
    signed-in session of an inactive account is refused); officials without one get one made here.
    """
    from django.contrib.auth.models import User

    from staff.models import Official, OfficialStatus

    # In service only: the sign-in backend refuses an official who retired or moved out (staff/auth/backends.py).
    in_service = Official.objects.filter(status=OfficialStatus.ACTIVE, unit__isnull=False).order_by("pk")
    officials = list(in_service.filter(user__isnull=False, user__staff_roles__isnull=True, user__is_superuser=False)
                     .select_related("user")[:count])
    User.objects.filter(pk__in=[official.user_id for official in officials]).update(is_active=True)
    for official in in_service.filter(user__isnull=True)[:count - len(officials)]:
        user = User(username=f"cluster-{official.pk}", is_active=True)
        user.set_unusable_password()
        user.save()
        # An UPDATE, not save(): the link is all that changes (no signal, no audit of a rehearsal fixture).
        Official.objects.filter(pk=official.pk).update(user=user)
        official.user = user
        officials.append(official)
    for official in officials:
        assert official.user is not None  # chosen or given one above
        official.user.refresh_from_db()
    return officials


def session_of(course: Any, *, code: str, capacity: int, start: dt.date) -> Any:
    from django.utils import timezone

    from courses.models import CourseSession

    now = timezone.now()
    return CourseSession.objects.create(
        course=course, code=code, start_date=start, end_date=start, capacity=capacity,
        enrollment_opens=now - dt.timedelta(hours=1), enrollment_closes=now + dt.timedelta(days=30),
        venue="Cluster rehearsal")


def export_year(course: Any, *, sessions: int) -> int:
    """Completed training in EXPORT_YEAR: every demo official in ``sessions`` classes of that year."""
    from courses.models import CourseSession
    from staff.models import Enrollment, EnrollmentStatus, Official

    made = CourseSession.objects.bulk_create([
        CourseSession(course=course, code=f"CLUSTER-EXPORT-{index}", capacity=1000,
                      start_date=dt.date(EXPORT_YEAR, 1, 1) + dt.timedelta(days=index % 360),
                      end_date=dt.date(EXPORT_YEAR, 1, 1) + dt.timedelta(days=index % 360), venue="Cluster")
        for index in range(sessions)])
    officials = list(Official.objects.filter(unit__isnull=False).values_list("pk", "unit_id"))
    rows = [Enrollment(official_id=official, session=session, unit_id=unit, status=EnrollmentStatus.COMPLETED,
                       periods_earned=8, completed_on=session.end_date)
            for session in made for official, unit in officials]
    Enrollment.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def setup(args: dict) -> dict:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from courses.models.pages import CoursePage
    from staff.models import Enrollment, EnrollmentStatus
    from tests.bench.city.probe import session_for

    course = CoursePage.objects.live().filter(approval_policy="none").order_by("pk").first()
    if course is None:
        raise SystemExit("the demo has no live course without approval")
    officials = accounts_for_officials(args["officials"])
    today = timezone.localdate()
    race = session_of(course, code="CLUSTER-SEAT-RACE", capacity=args["seats"],
                      start=today + dt.timedelta(days=3 * 365))
    stream = session_of(course, code="CLUSTER-FAILOVER", capacity=len(officials) + 10,
                        start=today + dt.timedelta(days=3 * 365 + 7))
    export_rows = export_year(course, sessions=args["export_sessions"])
    report_year = (Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, completed_on__year__gt=EXPORT_YEAR)
                   .order_by("-completed_on").values_list("completed_on__year", flat=True).first() or today.year)
    city_hr = User.objects.get(username=CITY_HR)
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "course": course.title,
        "race_session": race.pk,
        "stream_session": stream.pk,
        "officials": [official.pk for official in officials],
        "official_sessions": [session_for(official.user) for official in officials],
        "city_hr_session": session_for(city_hr),
        "export_year": EXPORT_YEAR,
        "export_rows": export_rows,
        "report_year": report_year,
    }


COMMANDS = {"setup": setup}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.cluster.settings")
    import django

    django.setup()
    json.dump(COMMANDS[sys.argv[1]](json.load(sys.stdin)), sys.stdout, default=str)


if __name__ == "__main__":
    main()
