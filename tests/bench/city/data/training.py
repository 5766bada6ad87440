"""Enrollments with their status history, certificates and their audit lines: one pass over the sessions.

Each row is what the services write (staff/services/enrollment.py, attendance.py, certificates.py): the
statuses a place goes through, the reasons ``system_reason`` stores, periods earned and ``completed_on`` on
completion, one certificate per completed place of a course that gives one, numbered per organizer and
year after the serial counter's last number, an audit line per issue and revocation. Enrollments stream
straight into COPY; events, certificates and audit lines go to temporary COPY files in the same pass and
are loaded after it (one connection runs one COPY at a time).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import tempfile
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import IO, Any

from .attendance import ATTENDANCE_SQL, AttendanceWorker, days_present
from .catalog import SessionInfo
from .db import columns, copy_rows, next_id, sync_sequence
from .people import People

MERGER_DAY = dt.date(2025, 7, 1)  # staff.demo.organisation.MERGER_DAY, without importing Django here
REJECT_REASON = "Không đúng đối tượng của khóa học"
REVOKE_REASON = "Cấp nhầm: học viên chưa đủ điều kiện hoàn thành"
REISSUE_REASON = "Sai thông tin họ tên, cấp lại"


@dataclass
class Actors:
    city_hr: int
    ward_hr: int
    organizer: int
    ward_units: frozenset[int]


@dataclass
class Totals:
    enrollments: int = 0
    events: int = 0
    certificates: int = 0
    audit: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _text(value: Any) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


def _line(out: IO[str], row: tuple) -> None:
    out.write("\t".join(map(_text, row)))
    out.write("\n")


class Builder:
    """Walks the sessions once; holds only counters and the serial numbers given so far."""

    def __init__(self, people: People, actors: Actors, rng: random.Random, today: dt.date, now: dt.datetime,
                 tz: Any) -> None:
        from courses.models import CredentialType
        from staff.models import Certificate, CertificateSerial, Enrollment, EnrollmentEvent
        from staff.services.audit import audit_summary
        from staff.services.enrollment import system_reason

        self.people, self.actors, self.rng, self.today, self.now, self.tz = people, actors, rng, today, now, tz
        self.attendance_only = CredentialType.ATTENDANCE
        self.enrollment_id = next_id(Enrollment)
        self.event_id = next_id(EnrollmentEvent)
        self.certificate_id = next_id(Certificate)
        self.serials = {(o, y): n for o, y, n in CertificateSerial.objects.values_list("organizer_id", "year",
                                                                                       "last_number")}
        self.reason = {
            "nominated": system_reason("Nominated by HR"),
            "promoted": system_reason("Promoted from the waiting list"),
            "cancelled_session": system_reason("The session has been cancelled."),
        }
        self.attended = system_reason("Attended %(n)s of %(days)s days", n="\x01", days="\x02")
        self.issued = audit_summary("Certificate %(serial)s issued to %(name)s", serial="\x01", name="\x02")
        self.reissued = audit_summary("Certificate %(serial)s reissued as %(new)s", serial="\x01", new="\x02")
        self.revoked = audit_summary("Certificate %(serial)s revoked: %(reason)s", serial="\x01",
                                     reason=REVOKE_REASON[:200])
        self.capacity: dict[int, int] = {}
        self.totals = Totals()
        self.events: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.certificates: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.audit: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")

    # --- one session ------------------------------------------------------------------------------

    def _final_status(self, session: SessionInfo) -> str:
        r = self.rng.random()
        policy = session.page.policy
        if session.cancelled:
            return "cancelled"
        if session.end < self.today:
            return ("completed" if r < 0.83 else "not_completed" if r < 0.90 else "cancelled" if r < 0.96
                    else ("rejected" if policy != "none" else "cancelled") if r < 0.985 else "waitlisted")
        if session.start <= self.today:
            return "confirmed" if r < 0.88 else "cancelled" if r < 0.96 else "waitlisted"
        if policy == "none":
            offered = "offered" if session.page.offer_hours else "confirmed"
            return "confirmed" if r < 0.80 else offered if r < 0.83 else "waitlisted" if r < 0.90 else "cancelled"
        if r < 0.2:
            return "pending"
        if r < 0.35:
            return "pending_organizer" if policy == "unit_hr_organizer" else "pending"
        return ("confirmed" if r < 0.8 else "rejected" if r < 0.83 else "waitlisted" if r < 0.9 else "cancelled")

    def session(self, session: SessionInfo, k: int, enroll: Any) -> None:
        people, rng, page = self.people, self.rng, session.page
        pool = rng.sample(range(len(people)), min(k, len(people)))
        if session.end >= self.today:
            pool = [i for i in pool if people.active[i]]  # nobody enrolls after leaving the service
        opens = dt.datetime.combine(session.start - dt.timedelta(days=30), dt.time(8, 0), self.tz)
        window = 28 * 86400
        held = waiting = 0
        for i in pool:
            status = self._final_status(session)
            eid = self.enrollment_id
            self.enrollment_id += 1
            official, user = people.ids[i], people.user[i] or None
            # The unit at enrollment: before the merger, the old ward the official then worked in.
            unit = (people.unit_old[i] if session.start < MERGER_DAY else 0) or people.unit_now[i]
            nominated = None
            if rng.random() < 0.3:
                nominated = (self.actors.ward_hr if people.unit_now[i] in self.actors.ward_units
                             else self.actors.city_hr)
            created = opens + dt.timedelta(seconds=rng.randrange(window))
            events, at = self._history(session, status, user, nominated, created, eid)
            holds = status in ("pending", "pending_organizer", "offered", "confirmed", "completed", "not_completed")
            held += holds
            waiting += status == "waitlisted"
            decided = status in ("completed", "not_completed")
            result = ""
            if page.requires_result and decided:
                result = "passed" if status == "completed" else "failed"
            close = self._close_day(session, eid)
            enroll.write_row((
                eid, official, session.pk, unit, status, 0, None, nominated,
                self.now + dt.timedelta(hours=page.offer_hours or 48) if status == "offered" else None, result,
                dt.datetime.combine(session.start - dt.timedelta(days=1), dt.time(7, 0), self.tz)
                if (decided or status == "confirmed") and session.start <= self.today else None,
                page.periods if status == "completed" else 0 if status == "not_completed" else None,
                session.end if status == "completed" else None, created, at,
            ))
            for row in events:
                _line(self.events, row)
            self.totals.events += len(events)
            self.totals.by_status[status] = self.totals.by_status.get(status, 0) + 1
            if status == "completed" and page.credential != self.attendance_only:
                self._certificate(session, eid, official, people.name[i], close)
        self.totals.enrollments += len(pool)
        self.capacity[session.pk] = max(1, held if waiting else held + rng.randrange(16), 1)
        if session.cancelled:
            self.capacity[session.pk] = max(1, len(pool))

    def _close_day(self, session: SessionInfo, eid: int) -> dt.date:
        # The organizer closes the class on its last day or within the next few: certificates carry that date.
        return min(session.end + dt.timedelta(days=eid % 3), self.today)

    def _history(self, session: SessionInfo, status: str, user: int | None, nominated: int | None,
                 created: dt.datetime, eid: int) -> tuple[list[tuple], dt.datetime]:
        """The status events of one place, in order, as the services record them; and its last change."""
        policy = session.page.policy
        actors = self.actors
        rows: list[tuple] = []
        at = created

        def add(from_status: str, to: str, by: int | None, reason: str, when: dt.datetime) -> None:
            nonlocal at
            rows.append((self.event_id, eid, from_status, to, by, reason, when))
            self.event_id += 1
            at = when

        first_by = nominated or user
        first_reason = self.reason["nominated"] if nominated else ""
        seat_status = "confirmed" if policy == "none" else "pending"
        promoted = status in ("waitlisted", "offered") or (status != "rejected" and eid % 25 == 0)
        if session.cancelled and eid % 2:
            promoted = False
        if promoted:
            add("", "waitlisted", first_by, first_reason, created)
            if status == "waitlisted":
                return rows, at
            later = created + dt.timedelta(hours=20)
            if status == "offered":
                add("waitlisted", "offered", None, self.reason["promoted"], later)
                return rows, at
            add("waitlisted", seat_status, None, self.reason["promoted"], later)
        else:
            add("", seat_status, first_by, first_reason, created)
        current = seat_status
        if current == "pending":
            approve = at + dt.timedelta(days=1)
            if status == "rejected":
                add("pending", "rejected", actors.ward_hr, REJECT_REASON, approve)
                return rows, at
            if status == "pending":
                return rows, at
            if policy == "unit_hr_organizer":
                add("pending", "pending_organizer", actors.ward_hr, "", approve)
                current = "pending_organizer"
                if status == "pending_organizer":
                    return rows, at
                approve += dt.timedelta(days=1)
            add(current, "confirmed", actors.organizer if current == "pending_organizer" else actors.ward_hr, "",
                approve)
            current = "confirmed"
        if status == "cancelled":
            if session.cancelled:
                add(current, "cancelled", actors.organizer, self.reason["cancelled_session"],
                    dt.datetime.combine(session.start - dt.timedelta(days=3), dt.time(9, 0), self.tz))
            else:
                add(current, "cancelled", user or nominated, "", at + dt.timedelta(days=2))
        elif status in ("completed", "not_completed"):
            days = session.page.days
            reason = self.attended.replace("\x01", str(days_present(status, eid, days))).replace("\x02", str(days))
            add("confirmed", status, actors.organizer, reason,
                dt.datetime.combine(self._close_day(session, eid), dt.time(17, 0), self.tz))
        return rows, at

    def _serial(self, organizer: int, year: int) -> int:
        number = self.serials.get((organizer, year), 0) + 1
        self.serials[(organizer, year)] = number
        return number

    def _certificate(self, session: SessionInfo, eid: int, official: int, name: str, issued_on: dt.date) -> None:
        from staff.services.certificates import add_months, serial_text

        page, rng, actors = session.page, self.rng, self.actors
        organizer = SimpleNamespace(code=page.organizer_code)
        expires = add_months(issued_on, page.months) if page.months else None
        roll = rng.random()
        reissue_on = issued_on + dt.timedelta(days=10)
        reissue = roll < 0.003 and reissue_on <= self.today
        revoke = 0.003 <= roll < 0.008
        number = self._serial(page.organizer, issued_on.year)
        serial = serial_text(organizer, issued_on.year, number)  # type: ignore[arg-type]
        cid = self.certificate_id
        self.certificate_id += 1
        issued_at = dt.datetime.combine(issued_on, dt.time(17, 30), self.tz)
        status, revoked_at, revoked_by, why = "valid", None, None, ""
        if reissue:
            status, revoked_at, revoked_by, why = ("replaced", dt.datetime.combine(reissue_on, dt.time(9), self.tz),
                                                   actors.city_hr, REISSUE_REASON)
        elif revoke:
            revoked_on = min(issued_on + dt.timedelta(days=15), self.today)
            status, revoked_at, revoked_by, why = ("revoked", dt.datetime.combine(revoked_on, dt.time(9), self.tz),
                                                   actors.city_hr, REVOKE_REASON)
        self._write_certificate(cid, eid, official, page, issued_on.year, number, serial, session, issued_on,
                                expires, status, revoked_at, revoked_by, why, None, issued_at)
        self._audit(issued_at, actors.organizer, "certificate_issue", cid,
                    self.issued.replace("\x01", serial).replace("\x02", name), "{}")
        if revoke:
            self._audit(revoked_at, actors.city_hr, "certificate_revoke", cid,
                        self.revoked.replace("\x01", serial), json.dumps({"reason": REVOKE_REASON}, ensure_ascii=False))
        if reissue:
            new_number = self._serial(page.organizer, reissue_on.year)
            new_serial = serial_text(organizer, reissue_on.year, new_number)  # type: ignore[arg-type]
            new_id = self.certificate_id
            self.certificate_id += 1
            self._write_certificate(new_id, eid, official, page, reissue_on.year, new_number, new_serial, session,
                                    reissue_on, expires, "valid", None, None, "", cid, revoked_at)
            self._audit(revoked_at, actors.city_hr, "certificate_issue", new_id,
                        self.reissued.replace("\x01", serial).replace("\x02", new_serial),
                        json.dumps({"replaces": serial}))

    def _write_certificate(self, cid: int, eid: int, official: int, page: Any, year: int, number: int, serial: str,
                           session: SessionInfo, issued_on: dt.date, expires: dt.date | None, status: str,
                           revoked_at: dt.datetime | None, revoked_by: int | None, why: str, replaces: int | None,
                           created: dt.datetime | None) -> None:
        # 18 random bytes in URL-safe base64, as secrets.token_urlsafe(18): 24 characters, not guessable.
        code = base64.urlsafe_b64encode(self.rng.randbytes(18)).decode("ascii")
        _line(self.certificates, (cid, eid, official, page.organizer, year, number, serial, code, page.credential,
                                  page.title, page.periods, session.start, session.end, issued_on, expires, status,
                                  self.actors.organizer, revoked_at, revoked_by, why, replaces, created))
        self.totals.certificates += 1

    def _audit(self, at: dt.datetime | None, user: int, action: str, cid: int, summary: str, detail: str) -> None:
        _line(self.audit, (at, user, action, "staff.Certificate", str(cid), summary[:300], detail))
        self.totals.audit += 1


def _copy_file(model: Any, fields: tuple[str, ...], source: IO[str]) -> None:
    from django.db import connection

    source.seek(0)
    cols = ", ".join(f'"{c}"' for c in columns(model, fields))
    sql = f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        while block := source.read(1 << 20):
            copy.write(block)
    source.close()


ENROLLMENT_FIELDS = ("id", "official", "session", "unit", "status", "priority", "reservation", "nominated_by",
                     "offer_expires_at", "result", "reminded_at", "periods_earned", "completed_on", "created_at",
                     "updated_at")


def build_training(sessions: list[SessionInfo], people: People, actors: Actors, target: int, rng: random.Random,
                   today: dt.date, now: dt.datetime, tz: Any, timings: dict[str, float],
                   database_url: str) -> Totals:
    import time

    from django.conf import settings
    from django.db import connection

    from staff.models import AuditEntry, Certificate, CertificateSerial, Enrollment, EnrollmentEvent

    builder = Builder(people, actors, rng, today, now, tz)
    mean = target / max(1, len(sessions))
    start = time.monotonic()
    cols = ", ".join(f'"{c}"' for c in columns(Enrollment, ENROLLMENT_FIELDS))
    sql = f'COPY "{Enrollment._meta.db_table}" ({cols}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for session in sessions:
            builder.session(session, max(1, round(mean * rng.uniform(0.5, 1.5))), copy)
    timings["enrollments"] = time.monotonic() - start
    # Attendance is one INSERT … SELECT over the enrollments just committed: it runs on a second connection
    # to the same database while this one COPYs the events and certificates, so both cores work.
    ids = list(builder.capacity)
    worker = AttendanceWorker(database_url, [
        ("UPDATE courses_coursesession s SET capacity = v.c FROM unnest(%(ids)s::int[], %(caps)s::int[]) "
         "AS v(id, c) WHERE s.id = v.id", {"ids": ids, "caps": [builder.capacity[pk] for pk in ids]}),
        (ATTENDANCE_SQL, {"sessions": ids, "organizer": actors.organizer, "tz": settings.TIME_ZONE, "today": today}),
    ])
    worker.start()
    start = time.monotonic()
    _copy_file(EnrollmentEvent, ("id", "enrollment", "from_status", "to_status", "by", "reason", "at"), builder.events)
    timings["events"] = time.monotonic() - start
    start = time.monotonic()
    _copy_file(Certificate, ("id", "enrollment", "official", "organizer", "year", "number", "serial",
                             "verification_code", "credential_type", "course_title", "periods", "start_date",
                             "end_date", "issued_on", "expires_on", "status", "issued_by", "revoked_at", "revoked_by",
                             "revoked_reason", "replaces", "created_at"), builder.certificates)
    _copy_file(AuditEntry, ("at", "user", "action", "object_type", "object_id", "summary", "detail"), builder.audit)
    for model in (Enrollment, EnrollmentEvent, Certificate):
        sync_sequence(model)
    # The counters continue after the highest number given: the next issue takes the next one.
    rows = [(organizer, year, number) for (organizer, year), number in builder.serials.items()]
    CertificateSerial.objects.all().delete()
    copy_rows(CertificateSerial, ("organizer", "year", "last_number"), rows)
    timings["certificates"] = time.monotonic() - start
    start = time.monotonic()
    worker.join()
    if worker.error is not None:
        raise worker.error
    timings["attendance (parallel)"] = worker.seconds
    timings["attendance wait"] = time.monotonic() - start
    return builder.totals
