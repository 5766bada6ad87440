"""The city-scale generator (tests/bench/city/data/) at scale 0.001 on PostgreSQL: what the runner relies on.

Builds ci_bench_data_test in a subprocess (the generator sets Django up on its own database), reads it
back with SQL, and drops it. PostgreSQL only (COPY): skipped at once unless DATABASE_URL is postgres.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not DATABASE_URL.startswith(("postgres://", "postgresql://")),
                                reason="the city generator loads PostgreSQL with COPY")

SCALE = 0.001
SEAT_HOLDING = ("pending", "pending_organizer", "offered", "confirmed", "completed", "not_completed")


def _url() -> str:
    return DATABASE_URL.rsplit("/", 1)[0] + "/ci_bench_data_test"


def _env(url: str) -> dict[str, str]:
    # The settings the generator runs with from the command line: not the test suite's (its password hasher).
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "training_site.settings.dev"}


def _python(code: str, url: str) -> dict:
    env = _env(url)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


CHECK_ACCOUNTS = """
import json, sys
from tests.bench.city import data
info = data.ids(sys.argv[1] if len(sys.argv) > 1 else __import__("os").environ["DATABASE_URL"])
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice
names = [data.CITY_HR_USERNAME, data.WARD_HR_USERNAME, data.ORGANIZER_USERNAME]
request = RequestFactory().post("/dang-nhap/")
signed = {n: authenticate(request, username=n, password=data.BENCH_PASSWORD) is not None for n in names}
devices = {n: TOTPDevice.objects.filter(user__username=n, confirmed=True).count() for n in names}
print(json.dumps({"ids": info, "signed": signed, "devices": devices}, default=str))
"""


@pytest.fixture(scope="module")
def built():
    import psycopg

    url = _url()
    env = _env(url)
    done = subprocess.run([sys.executable, "-m", "tests.bench.city.data", "--scale", str(SCALE), "--database-url", url],
                          env=env, capture_output=True, text=True, timeout=1200, check=False)
    try:
        assert done.returncode == 0, done.stderr[-3000:]
        info = json.loads(done.stdout)
        with psycopg.connect(url, autocommit=True) as conn:
            yield info, conn, _python(CHECK_ACCOUNTS, url)
    finally:
        from tests.bench.city.data.db import drop

        drop(url)


def _one(conn, sql: str, params=None):
    return conn.execute(sql, params).fetchone()[0]


def test_counts_follow_the_scale(built):
    from tests.bench.city.data import targets

    info, conn, _ = built
    size = targets(SCALE)
    generated = info["generated"]
    assert _one(conn, "SELECT count(*) FROM staff_official") == size["officials"] == info["officials"]
    assert generated["enrollments"] == _one(conn, "SELECT count(*) FROM staff_enrollment") - _one(
        conn, "SELECT count(*) FROM staff_enrollment e JOIN courses_coursesession s ON s.id = e.session_id "
              "WHERE s.code NOT LIKE 'TP-%%'")
    # Every status the app uses for a class that is over shows up, in the proportions of the city.
    by_status = generated["by_status"]
    assert by_status["completed"] > 0.6 * generated["enrollments"]
    assert by_status.get("not_completed", 0) > 0 and by_status.get("cancelled", 0) > 0
    # Most officials have an account; the ones made from the roster wait, inactive, with no usable password.
    accounts = _one(conn, "SELECT count(*) FROM staff_official WHERE user_id IS NOT NULL")
    assert accounts > 0.6 * size["officials"]
    waiting = _one(conn, "SELECT count(*) FROM staff_official o JOIN auth_user u ON u.id = o.user_id "
                         "WHERE u.password LIKE '!%%' AND NOT u.is_active")
    assert 0 < waiting < accounts
    # Roster days: at least one attendance row per place of a closed class, one per class day at most.
    decided = _one(conn, "SELECT count(*) FROM staff_enrollment WHERE status IN ('completed', 'not_completed')")
    attendance = _one(conn, "SELECT count(*) FROM staff_attendance")
    assert decided <= attendance <= 10 * decided
    assert _one(conn, "SELECT count(*) FROM staff_enrollment e WHERE NOT EXISTS "
                      "(SELECT 1 FROM staff_enrollmentevent v WHERE v.enrollment_id = e.id)") == 0
    assert generated["certificates"] >= 0.9 * _one(
        conn, "SELECT count(*) FROM staff_enrollment e JOIN courses_coursesession s ON s.id = e.session_id "
              "JOIN courses_trainingpage p ON p.page_ptr_id = s.course_id WHERE e.status = 'completed' "
              "AND p.credential_type <> 'attendance' AND s.code LIKE 'TP-%%'")


def test_completion_is_what_the_services_write(built):
    _, conn, _ = built
    # Completed: the course's periods and the last day; not completed: no periods, no date.
    assert _one(conn, "SELECT count(*) FROM staff_enrollment e JOIN courses_coursesession s ON s.id = e.session_id "
                      "JOIN courses_trainingpage p ON p.page_ptr_id = s.course_id WHERE e.status = 'completed' "
                      "AND s.code LIKE 'TP-%%' "
                      "AND (e.periods_earned <> p.periods OR e.completed_on <> s.end_date)") == 0
    assert _one(conn, "SELECT count(*) FROM staff_enrollment e JOIN courses_coursesession s ON s.id = e.session_id "
                      "WHERE e.status = 'not_completed' AND s.code LIKE 'TP-%%' "
                      "AND (e.periods_earned <> 0 OR e.completed_on IS NOT NULL)") == 0
    # Attendance decides completion: completed places attended at least 80% of the class days.
    short = _one(conn, """
        SELECT count(*) FROM staff_enrollment e JOIN courses_coursesession s ON s.id = e.session_id
        WHERE e.status = 'completed' AND s.code LIKE 'TP-%%' AND
          (SELECT count(*) FROM staff_attendance a WHERE a.enrollment_id = e.id AND a.present) * 100 <
          80 * (SELECT count(*) FROM generate_series(s.start_date, s.end_date, interval '1 day') g
                WHERE extract(isodow FROM g) < 6)""")
    assert short == 0
    # The closing event says what the attendance rows say: "Attended n of m days" in Vietnamese.
    from staff.services.attendance import ATTENDED
    from staff.services.enrollment import system_reason

    closings = conn.execute("""
        SELECT v.reason, (SELECT count(*) FROM staff_attendance a WHERE a.enrollment_id = e.id AND a.present),
               (SELECT count(*) FROM generate_series(s.start_date, s.end_date, interval '1 day') g
                WHERE extract(isodow FROM g) < 6)
        FROM staff_enrollment e JOIN courses_coursesession s ON s.id = e.session_id
        JOIN staff_enrollmentevent v ON v.enrollment_id = e.id AND v.to_status = e.status
        WHERE e.status IN ('completed', 'not_completed') AND s.code LIKE 'TP-%%'""").fetchall()
    assert closings
    assert all(reason == system_reason(ATTENDED, n=present, days=days) for reason, present, days in closings)
    # Exactly one valid certificate per completed place of a course that gives one.
    assert _one(conn, "SELECT count(*) FROM (SELECT enrollment_id FROM staff_certificate WHERE status = 'valid' "
                      "GROUP BY 1 HAVING count(*) > 1) x") == 0
    assert _one(conn, "SELECT count(*) FROM staff_certificate c JOIN staff_enrollment e ON e.id = c.enrollment_id "
                      "WHERE e.status <> 'completed' OR c.official_id <> e.official_id") == 0


def test_seat_counters_equal_the_recount(built):
    _, conn, _ = built
    wrong = _one(conn, """
        SELECT count(*) FROM courses_coursesession s
        WHERE s.seats_taken <> (SELECT count(*) FROM staff_enrollment e
                                WHERE e.session_id = s.id AND e.status = ANY(%s))
           OR s.seats_taken > s.capacity - s.reserved_free""", [list(SEAT_HOLDING)])
    assert wrong == 0
    assert _one(conn, "SELECT count(*) FROM courses_coursesession WHERE seats_taken > 0") > 0


def test_serial_counters_are_ahead_of_every_serial(built):
    _, conn, _ = built
    behind = _one(conn, """
        SELECT count(*) FROM (SELECT organizer_id, year, max(number) AS top FROM staff_certificate GROUP BY 1, 2) c
        LEFT JOIN staff_certificateserial s ON s.organizer_id = c.organizer_id AND s.year = c.year
        WHERE s.last_number IS NULL OR s.last_number < c.top""")
    assert behind == 0
    assert _one(conn, "SELECT count(*) - count(DISTINCT verification_code) FROM staff_certificate") == 0
    assert _one(conn, "SELECT count(*) FROM staff_certificate WHERE serial <> "
                      "(SELECT code FROM staff_unit u WHERE u.id = organizer_id) || '-' || year || '-' || "
                      "lpad(number::text, 5, '0')") == 0
    # Each certificate has the audit line of its issue.
    assert _one(conn, "SELECT count(*) FROM staff_certificate c WHERE NOT EXISTS (SELECT 1 FROM staff_auditentry a "
                      "WHERE a.action = 'certificate_issue' AND a.object_type = 'staff.Certificate' "
                      "AND a.object_id = c.id::text)") == 0


def test_lineage_and_derived_names(built):
    from courses.text import fold

    _, conn, _ = built
    assert _one(conn, "SELECT count(*) FROM staff_unitsuccession WHERE effective_date = '2025-07-01'") > 11
    # Every abolished district and every old ward that went into a new one ends the day before.
    assert _one(conn, "SELECT count(*) FROM staff_unit WHERE kind = 'district' AND valid_to IS NULL") == 0
    assert _one(conn, "SELECT count(*) FROM staff_unit u JOIN staff_unitsuccession s ON s.predecessor_id = u.id "
                      "WHERE u.valid_to <> '2025-06-30'") == 0
    assert _one(conn, "SELECT count(*) FROM staff_enrollment e JOIN staff_unit u ON u.id = e.unit_id "
                      "WHERE u.valid_to IS NOT NULL") > 0  # training recorded under units that are gone
    rows = conn.execute("SELECT full_name, search_name FROM staff_official").fetchall()
    assert all(search == fold(full) for full, search in rows)
    assert any("ễ" in full or "ầ" in full or "ạ" in full for full, _ in rows)


def test_bench_accounts_sign_in_and_ids_fill_the_runner(built):
    _, _, checked = built
    assert all(checked["signed"].values()), checked["signed"]
    assert all(n == 1 for n in checked["devices"].values()), checked["devices"]
    info = checked["ids"]
    for key in ("course_url_path", "practice_url_path", "catalog_url_path", "ward_id", "session_id",
                "class_session_id", "officials", "report_year", "export_year", "counts"):
        assert info[key], key
