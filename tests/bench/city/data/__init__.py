"""The synthetic city for the benchmark (issue 12, Build item 1): the city-scale generator.

    python -m tests.bench.city.data --scale 1 --database-url postgres://postgres@127.0.0.1:5432/bench_<name>

Drops and recreates that database (only one named bench_*, ci_* or test_*), runs ``migrate``, lays the demo
base (staff.demo.seed_demo with a few officials: role groups, demo logins, reference lists, home and
catalog pages), adds the three bench staff accounts, then the city at ``--scale`` (1 = the whole city):
170 units with the July 2025 lineage, 100,200 officials (~600 in the bench ward) with accounts for most,
a few hundred pages, 6,022 sessions over 2024–2026 (one course page with 120), ~996,000 enrollments with
their status events, ~2.25M attendance rows, ~667,000 certificates (some revoked, reissued or expired)
with their audit lines. Big tables go in with COPY on Django's connection; seat counters are set by
``session_recount_seats``; VACUUM ANALYZE at the end. Deterministic for a given --seed and day.

Modules: db (database, COPY), names, units, people, catalog (pages, sessions), training (enrollments,
events, certificates, attendance).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import random
import sys
import time

from .db import check_name, setup

CITY_HR_USERNAME = "bench.hr.city"
WARD_HR_USERNAME = "bench.hr.ward"
ORGANIZER_USERNAME = "bench.organizer"
BENCH_PASSWORD = "bench-2026"
# Each bench account copies the role (and unit) of one demo login.
_BENCH_FROM_DEMO = {CITY_HR_USERNAME: "hr.thanhpho", WARD_HR_USERNAME: "hr.khuongdinh", ORGANIZER_USERNAME: "tochuc"}
# The demo's own officials under the city: enough for its personas and sessions, few enough to be quick.
DEMO_OFFICIALS = 50

__all__ = ["BENCH_PASSWORD", "CITY_HR_USERNAME", "ORGANIZER_USERNAME", "WARD_HR_USERNAME", "build", "check_name",
           "ids", "main", "targets"]


def targets(scale: float) -> dict[str, int]:
    """The sizes asked for at ``scale`` (scale 1: the city). Small scales keep sane minimums."""
    return {"officials": max(DEMO_OFFICIALS + 10, round(100_200 * scale)), "sessions": max(5, round(6022 * scale)),
            "enrollments": max(50, round(996_000 * scale))}


def ids(database_url: str | None = None) -> dict:
    """What the runner needs, read from the database itself (Django must be set up, or pass the URL)."""
    if database_url is not None:
        setup(database_url)
    from django.db.models import Count
    from django.utils import timezone

    from courses.models import CourseSession, TrainingPage
    from staff.demo import demo_counts
    from staff.models import Official, RoleAssignment

    big = TrainingPage.objects.live().annotate(n=Count("sessions")).order_by("-n", "pk").first()
    session = CourseSession.objects.annotate(n=Count("enrollments")).order_by("-n", "pk").first()
    ward = RoleAssignment.objects.filter(user__username=WARD_HR_USERNAME).values_list("unit_id", flat=True).first()
    catalog = big.get_parent() if big is not None else None
    practice = TrainingPage.objects.live().exclude(pk=getattr(big, "pk", None)).order_by("pk").first()
    # The latest full year: reports and exports of a closed year.
    year = timezone.localdate().year - 1
    return {
        "course_url_path": big.url_path if big else None,
        "practice_url_path": practice.url_path if practice else None,
        "catalog_url_path": catalog.url_path if catalog else None,
        "ward_id": ward,
        "session_id": session.pk if session else None,
        "class_session_id": session.pk if session else None,
        "officials": Official.objects.count(),
        "report_year": year,
        "export_year": year,
        "counts": demo_counts(),
    }


def _phase(phases: dict[str, float], name: str, start: float) -> float:
    now = time.monotonic()
    phases[name] = round(now - start, 2)
    print(f"  {name:<14} {phases[name]:8.2f} s", file=sys.stderr, flush=True)
    return now


def build(scale: float, database_url: str, seed: int = 2026, template: bool = True) -> dict:
    """Build the city into ``database_url``. With ``template``, the migrated demo base is kept once as a
    template database (bench_data_base_<fingerprint>) and cloned by later builds of the same schema and day."""
    from zoneinfo import ZoneInfo

    from .db import base_fingerprint, clone_template, recreate, save_template

    check_name(database_url)
    began = start = time.monotonic()
    phases: dict[str, float] = {}
    # The city's day (settings.TIME_ZONE; Django is not set up yet): the demo dates its classes from it.
    day = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    base = "bench_data_base_" + base_fingerprint(day.isoformat(), f"demo officials {DEMO_OFFICIALS}")
    cloned = template and clone_template(database_url, base)
    if not cloned:
        recreate(database_url)
    setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    from staff.demo import seed_demo

    if cloned:
        start = _phase(phases, "base (clone)", start)
    else:
        call_command("migrate", verbosity=0)
        start = _phase(phases, "migrate", start)
        seed_demo(officials=DEMO_OFFICIALS)
        start = _phase(phases, "demo base", start)
        if template:
            save_template(database_url, base)
            start = _phase(phases, "save template", start)
    counts = _city(scale, random.Random(seed), phases, start, database_url)
    start = time.monotonic()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("VACUUM ANALYZE")
    _phase(phases, "vacuum", start)
    phases["total"] = round(time.monotonic() - began, 2)
    phases["city (after the base)"] = round(phases["total"] - sum(
        phases.get(name, 0) for name in ("migrate", "demo base", "save template", "base (clone)")), 2)
    info = ids()
    info["phases_seconds"] = phases
    info["scale"] = scale
    info["generated"] = counts
    name = database_url.rpartition("/")[2]
    out = pathlib.Path("test-artifacts") / f"bench-city-{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(info, indent=2, default=str, ensure_ascii=False))
    return info


def _city(scale: float, rng: random.Random, phases: dict[str, float], start: float, database_url: str) -> dict:
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from courses.models import CourseSession
    from staff.models import (
        Attendance,
        AuditEntry,
        Certificate,
        CertificateSerial,
        Enrollment,
        EnrollmentEvent,
        Official,
        UnitAssignment,
    )
    from staff.services.enrollment import session_recount_seats

    from .catalog import build_pages, build_sessions
    from .db import bulk_mode, check_foreign_keys
    from .people import build_people
    from .training import Actors, build_training
    from .units import bench_accounts, build_units

    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    now = dt.datetime.combine(today, dt.time(8, 0), tz)
    size = targets(scale)
    accounts = bench_accounts(BENCH_PASSWORD, _BENCH_FROM_DEMO)
    city = build_units(scale, rng)
    start = _phase(phases, "units", start)
    bulk_mode(True)
    people = build_people(size["officials"], city, rng, now)
    start = _phase(phases, "officials", start)
    pages = build_pages(scale, city, rng)
    start = _phase(phases, "pages", start)
    sessions = build_sessions(scale, pages, rng, today)
    start = _phase(phases, "sessions", start)
    actors = Actors(city_hr=accounts[CITY_HR_USERNAME], ward_hr=accounts[WARD_HR_USERNAME],
                    organizer=accounts[ORGANIZER_USERNAME], ward_units=frozenset(city.ward_units))
    timings: dict[str, float] = {}
    totals = build_training(sessions, people, actors, size["enrollments"], rng, today, now, tz, timings,
                            database_url)
    for name, seconds in timings.items():
        phases[name] = round(seconds, 2)
        print(f"  {name:<14} {seconds:8.2f} s", file=sys.stderr, flush=True)
    start = time.monotonic()
    bulk_mode(False)
    check_foreign_keys([User, Official, UnitAssignment, CourseSession, Enrollment, EnrollmentEvent, Attendance,
                        Certificate, CertificateSerial, AuditEntry])
    start = _phase(phases, "check FKs", start)
    session_recount_seats()
    _phase(phases, "seat counters", start)
    return {"units_added": city.created, "officials": len(people), "pages": len(pages), "sessions": len(sessions),
            "enrollments": totals.enrollments, "events": totals.events, "certificates": totals.certificates,
            "audit": totals.audit, "by_status": totals.by_status}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-template", action="store_true",
                        help="migrate and seed the demo base from scratch; do not keep or use a template database")
    args = parser.parse_args(argv)
    info = build(args.scale, args.database_url, args.seed, template=not args.no_template)
    print(json.dumps(info, indent=2, default=str, ensure_ascii=False))
    return 0
