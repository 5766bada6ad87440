"""The Django side of the benchmark, one command per subprocess (run.py calls it; nothing here is timed).

    DATABASE_URL=… DJANGO_SETTINGS_MODULE=tests.bench.city.settings SECRET_KEY=… \\
        python -m tests.bench.city.probe COMMAND < arguments.json > answer.json

Commands: ``prepare`` (sign the bench accounts in, read the ids the paths need and the public pages),
``queries`` (query count per path with Django's test client), ``race_setup`` / ``race_check`` (the seat
race's class and officials; the check also removes them), ``cleanup`` (end the sessions made here).

Sign-in without the sign-in form: sessions are written directly with the app's session engine (the user id,
backend, password hash and django-otp's verified device, as ``login()`` and ``django_otp.login()`` write
them). The form would cost a PBKDF2 per official (200 for the seat race) and a fresh TOTP code per staff
account; what is measured is the pages behind the sign-in, not the sign-in (tests/bench/bench_accounts.py
measures that).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import sys
from importlib import import_module
from typing import Any

DEMO_USERNAMES = {"city": "hr.thanhpho", "ward": "hr.khuongdinh", "organizer": "tochuc"}


def bench_usernames() -> dict[str, str]:
    """The bench city's accounts (tests/bench/city/data.py), or the demo's while that file is missing."""
    try:
        data = import_module("tests.bench.city.data")
    except ImportError:
        return dict(DEMO_USERNAMES)
    return {"city": getattr(data, "CITY_HR_USERNAME", DEMO_USERNAMES["city"]),
            "ward": getattr(data, "WARD_HR_USERNAME", DEMO_USERNAMES["ward"]),
            "organizer": getattr(data, "ORGANIZER_USERNAME", DEMO_USERNAMES["organizer"])}


def session_for(user) -> str:
    """A signed-in (and, for staff, second-factor verified) session for ``user``; its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "staff.auth.backends.IdentifierBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return str(store.session_key)


def end_sessions(keys: list[str]) -> int:
    from django.conf import settings

    engine = import_module(settings.SESSION_ENGINE)
    for key in keys:
        engine.SessionStore(session_key=key).delete()
    return len(keys)


def _most_enrolled(sessions) -> int | None:
    from django.db.models import Count

    top = sessions.annotate(n=Count("enrollments")).order_by("-n", "pk").values_list("pk", flat=True).first()
    return int(top) if top is not None else None


def prepare(_args: dict) -> dict:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db.models import Count

    from courses.models import CourseSession
    from courses.models.pages import CatalogPage, HomePage, TrainingPage
    from courses.models.practices import BestPracticePage
    from staff.access import HR_ROLES, sessions_organized_by
    from staff.models import Official, RoleAssignment

    names = bench_usernames()
    users = {role: User.objects.get(username=username) for role, username in names.items()}
    ward = RoleAssignment.objects.filter(user=users["ward"], role__in=HR_ROLES).select_related("unit").first()
    if ward is None:
        raise SystemExit(f"{names['ward']} holds no HR role")
    in_ward = CourseSession.objects.filter(enrollments__official__unit__path__startswith=ward.unit.path).distinct()
    family = collections.Counter(name.split()[0] for name in
                                 Official.objects.order_by("pk").values_list("full_name", flat=True)[:2000] if name)
    fill = {
        "ward": ward.unit.pk,
        "session": _most_enrolled(CourseSession.objects.all()),
        "ward_session": _most_enrolled(CourseSession.objects.filter(pk__in=in_ward.values("pk"))),
        "organizer_session": _most_enrolled(sessions_organized_by(users["organizer"])),
        "q": (family.most_common(1)[0][0] if family else "Nguyễn"),
    }
    course = (TrainingPage.objects.live().annotate(n=Count("sessions")).order_by("-n", "pk").first())
    pages = {"home": HomePage.objects.live().first(), "catalog": CatalogPage.objects.live().first(),
             "course": course, "practice": BestPracticePage.objects.live().first()}
    public = {key: (page.get_url() if page is not None else None) for key, page in pages.items()}
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "usernames": names,
        "sessions": {role: session_for(user) for role, user in users.items()},
        "fill": fill,
        "public": public,
        "course_sessions": course.sessions.count() if course is not None else 0,
        "counts": {"officials": Official.objects.count(), "enrollments": _count("staff.Enrollment"),
                   "certificates": _count("staff.Certificate"), "sessions": CourseSession.objects.count()},
    }


def _count(label: str) -> int:
    from django.apps import apps

    return int(apps.get_model(label).objects.count())


def queries(args: dict) -> dict:
    """Query count of each URL, as its role, after one warm-up request (per-process caches filled)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    answers: dict[str, Any] = {}
    for key, (session_key, url) in args["requests"].items():
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        if session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        answers[key] = {"queries": len(captured.captured_queries), "status": response.status_code}
    return answers


def race_setup(args: dict) -> dict:
    """A fresh class of ``seats`` seats on a course without approval, and ``officials`` signed-in officials.

    The class is made as the admin's form makes it (a plain ``CourseSession`` row, counters at zero),
    far in the future so that no official's other classes overlap; its enrollment window is open now.
    """
    from django.contrib.auth.models import User
    from django.utils import timezone

    from courses.models import CourseSession
    from courses.models.pages import CoursePage
    from staff.models import Official, OfficialStatus

    course = CoursePage.objects.live().filter(approval_policy="none").order_by("pk").first()
    if course is None:
        raise SystemExit("no live course without approval for the seat race")
    now = timezone.now()
    start = timezone.localdate() + dt.timedelta(days=3 * 365)
    session = CourseSession.objects.create(
        course=course, code="BENCH-SEAT-RACE", start_date=start, end_date=start, capacity=args["seats"],
        enrollment_opens=now - dt.timedelta(hours=1), enrollment_closes=now + dt.timedelta(days=30),
        venue="Benchmark",
    )
    # In service only: the sign-in backend refuses the account of an official who retired or moved out
    # (staff/auth/backends.py), so their signed-in session is not one (a 1/1000 city reaches them).
    officials = list(Official.objects.filter(user__isnull=False, unit__isnull=False, status=OfficialStatus.ACTIVE,
                                             user__staff_roles__isnull=True, user__is_superuser=False)
                     .order_by("-user__is_active", "pk").select_related("user")[:args["officials"]])
    # A small city may have fewer: the race then runs with those, and run.py expects min(seats, officials).
    # Accounts still waiting for their invitation are switched on for the race (a signed-in session of an
    # inactive account is refused) and switched back off by race_check.
    activated = [official.user_id for official in officials if not official.user.is_active]
    User.objects.filter(pk__in=activated).update(is_active=True)
    started = timezone.now()
    keys = [session_for(official.user) for official in officials]
    return {"session_id": session.pk, "session_keys": keys, "started": started.isoformat(),
            "officials": len(officials), "course": course.title, "activated": activated}


def race_check(args: dict) -> dict:
    """What the database holds for the race's class; then the class, its enrollments and their tasks go,
    and the accounts race_setup switched on are switched off again."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.db.models import Count

    from courses.models import CourseSession
    from staff.models import Enrollment, EnrollmentEvent

    session = CourseSession.objects.get(pk=args["session_id"])
    by_status = dict(Enrollment.objects.filter(session=session).values_list("status")
                     .annotate(n=Count("pk")).values_list("status", "n"))
    answer = {"by_status": by_status, "seats_taken": session.seats_taken, "capacity": session.capacity}
    made = {
        "enrollment": {str(pk) for pk in Enrollment.objects.filter(session=session).values_list("pk", flat=True)},
        "enrollmentevent": {str(pk) for pk in EnrollmentEvent.objects.filter(enrollment__session=session)
                            .values_list("pk", flat=True)},
        "coursesession": {str(session.pk)},
    }
    with transaction.atomic():
        Enrollment.objects.filter(session=session).delete()
        session.delete()
    # After the commit: Wagtail queues its reference-index updates for the deletions on commit.
    answer["tasks_removed"] = remove_tasks(made, since=args["started"])
    answer["sessions_ended"] = end_sessions(args["session_keys"])
    answer["accounts_deactivated"] = User.objects.filter(pk__in=args.get("activated", [])).update(is_active=False)
    return answer


def remove_tasks(made: dict[str, set[str]], *, since: str) -> int:
    """The queued tasks (database backend) about the rows the race made: the enrollment mails (never sent
    here, no worker runs) and Wagtail's reference-index updates."""
    from django_tasks_db.models import DBTaskResult

    doomed = []
    for task in DBTaskResult.objects.filter(enqueued_at__gte=dt.datetime.fromisoformat(since)):
        call = task.args_kwargs or {}
        positional, named = call.get("args") or [], call.get("kwargs") or {}
        if task.task_path.endswith("send_enrollment_mail"):
            mine = str(named.get("enrollment_id")) in made["enrollment"]
        elif task.task_path.endswith("update_reference_index_task") and len(positional) == 3:
            mine = str(positional[2]) in made.get(str(positional[1]), set())
        else:
            mine = False
        if mine:
            doomed.append(task.pk)
    return int(DBTaskResult.objects.filter(pk__in=doomed).delete()[0])


def cleanup(args: dict) -> dict:
    return {"sessions_ended": end_sessions(args["session_keys"])}


COMMANDS = {"prepare": prepare, "queries": queries, "race_setup": race_setup, "race_check": race_check,
            "cleanup": cleanup}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.city.settings")
    import django

    django.setup()
    command = COMMANDS[sys.argv[1]]
    json.dump(command(json.load(sys.stdin)), sys.stdout, default=str)


if __name__ == "__main__":
    main()
