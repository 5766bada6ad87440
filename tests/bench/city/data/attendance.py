"""Attendance rows: one per place on a class's roster and class day, written set-wise in PostgreSQL.

The presence rule lives twice and must agree: ``days_present`` (Python, for the "Attended n of m days"
reason of the closing event) and ``ATTENDANCE_SQL`` (the rows). ``_with_days_present`` in
staff/services/attendance.py counts the same rows back.
"""

from __future__ import annotations

import threading


def days_present(status: str, enrollment_id: int, days: int) -> int:
    """The presence the attendance step writes (see ATTENDANCE_SQL, which must agree): a completed place was
    present every day but, in a class of five days or more, one in five missed the last day (80%: still
    enough); a place not completed came on the first day only (under 80% from two days on)."""
    if status == "completed":
        return days - 1 if days >= 5 and enrollment_id % 5 == 0 else days
    return 1 if days >= 2 else 0


ATTENDANCE_SQL = """
WITH sessions AS (
    SELECT s.id, s.start_date, s.end_date, s.self_checkin, s.daily_end,
           (SELECT count(*) FROM generate_series(s.start_date, s.end_date, interval '1 day') g
            WHERE extract(isodow FROM g) < 6) AS ndays
    FROM courses_coursesession s WHERE s.id = ANY(%(sessions)s)
)
INSERT INTO staff_attendance (enrollment_id, day, present, method, marked_by_id, marked_at)
SELECT e.id, d.day, p.present,
       CASE WHEN p.present AND s.self_checkin THEN 'self' ELSE 'organizer' END,
       CASE WHEN p.present AND s.self_checkin THEN o.user_id ELSE %(organizer)s END,
       (d.day + s.daily_end) AT TIME ZONE %(tz)s
FROM staff_enrollment e
JOIN sessions s ON s.id = e.session_id
JOIN staff_official o ON o.id = e.official_id
CROSS JOIN LATERAL (
    SELECT g::date AS day, row_number() OVER (ORDER BY g) AS n
    FROM generate_series(s.start_date, s.end_date, interval '1 day') g
    WHERE extract(isodow FROM g) < 6
) d
CROSS JOIN LATERAL (SELECT CASE
    WHEN e.status = 'completed' THEN NOT (s.ndays >= 5 AND e.id %% 5 = 0 AND d.n = s.ndays)
    WHEN e.status = 'not_completed' THEN s.ndays >= 2 AND d.n = 1
    ELSE true END AS present) p
WHERE e.status IN ('completed', 'not_completed') OR (e.status = 'confirmed' AND d.day <= %(today)s)
"""


class AttendanceWorker(threading.Thread):
    """Runs ``statements`` on a connection of its own (same database), so the main one can COPY meanwhile."""

    def __init__(self, database_url: str, statements: list[tuple[str, dict]]) -> None:
        super().__init__(name="attendance")
        self.database_url, self.statements = database_url, statements
        self.error: BaseException | None = None
        self.seconds = 0.0

    def run(self) -> None:
        import time

        import psycopg

        start = time.monotonic()
        try:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                conn.execute("SET session_replication_role = replica")  # as db.bulk_mode; checked after
                conn.execute("SET synchronous_commit = off")
                conn.execute("SET work_mem = '256MB'")
                conn.execute("SET jit = off")  # its cost estimate is huge: compiling alone took seconds
                for sql, params in self.statements:
                    conn.execute(sql, params)
        except BaseException as exc:  # handed to the main thread, which raises it
            self.error = exc
        self.seconds = time.monotonic() - start
