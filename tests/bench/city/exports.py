"""The spreadsheet paths of the city benchmark (issue 12): a year's training-records export and the reform
report XLSX, each beside its floor.

Each function is run in its own process by tests/bench/city/measure.py against Django's default database and
answers ``{"seconds": float, "items": int, ...}``: seconds around the work only, after a warm-up (openpyxl and
lxml imported, the first queries planned and the tables cached are the process's start-up, not the document's).

- ``records_export``: the background job city HR starts from "Export training records" for the year, whole
  city, XLSX, in Vietnamese: ``staff.exports.tasks.run_export_job`` (claim, progress updates, the file written
  to a temporary file and saved to storage, the audit entry). Its rows are written in a transaction that is
  rolled back and the stored file deleted, so the benchmark database is left as it was. items = data rows.
- ``records_export_floor``: the same rows and columns with nothing of ours: the exporter's own SQL (the same
  joins and subquery, compiled by the ORM before the clock) read through a psycopg named cursor, the codes
  turned into the same labels, plain values appended to an openpyxl write-only sheet in a temporary file.
- ``report_xlsx``: ``build_reform_report`` for the year, city-wide, then ``write_reform_xlsx`` to a temporary
  file, in Vietnamese. items = 1.
- ``report_sql_floor``: the report's numbers by hand-written SQL aggregates (the same definitions as
  staff.selectors.reporting), fetched and nothing else: no folding, no workbook. items = 1. The PDF benchmark
  (pdfs.py) uses it as its floor too.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from typing import Any

from django.db import connection, transaction
from django.utils import translation

from tests.bench.city.pdfs import REPORT_LANGUAGE, report_year

EXPORT_LANGUAGE = "vi"  # staff.exports.base.EXPORT_LANGUAGE: what the admin view starts an export in


def _city_hr():
    from django.contrib.auth.models import User

    from tests.bench.city.data import CITY_HR_USERNAME

    user = (User.objects.filter(username__in=[CITY_HR_USERNAME, "hr.thanhpho"]).order_by("-username").first()
            or User.objects.order_by("-is_superuser", "pk").first())
    if user is None:
        raise RuntimeError("no account to run the export as")
    return user


def _warm_up_openpyxl() -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Khởi động", 1, dt.date(2025, 1, 1)])
    with tempfile.TemporaryFile() as scratch:
        workbook.save(scratch)


def records_export() -> dict[str, Any]:
    from django.core.files.storage import default_storage

    from staff.exports.records import TrainingRecordsExporter
    from staff.exports.tasks import run_export_job
    from staff.models import ExportStatus
    from staff.services.exports import export_job_start

    year = report_year()
    _warm_up_openpyxl()
    with translation.override(EXPORT_LANGUAGE):
        exporter = TrainingRecordsExporter(year=year)
        total = exporter.count()  # as the admin view does before it starts the job; warms the tables
    params = {"year": year, "unit": None, "mapped": False, "format": "xlsx", "language": EXPORT_LANGUAGE}
    with transaction.atomic():
        job = export_job_start(user=_city_hr(), kind=TrainingRecordsExporter.name, params=params, rows_total=total,
                               enqueue=lambda _job_id: None)  # run here, not by a worker
        started, cpu = time.perf_counter(), time.process_time()
        status = run_export_job.call(job_id=job.pk)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        job.refresh_from_db()
        stored, done = job.file.name, job.rows_done
        transaction.set_rollback(True)
    size = 0
    if stored:
        size = default_storage.size(stored)
        default_storage.delete(stored)
    if status != ExportStatus.DONE or not stored:
        raise RuntimeError(f"the export job ended {status}: {job.error}")
    return {"seconds": seconds, "cpu_seconds": cpu, "items": done, "year": year, "bytes": size}


def records_export_floor() -> dict[str, Any]:
    from openpyxl import Workbook

    from courses.models import CredentialType, ProgrammeType
    from staff.exports.records import TrainingRecordsExporter, _serial_subquery
    from staff.models import Category, Gender

    year = report_year()
    _warm_up_openpyxl()
    with translation.override(EXPORT_LANGUAGE):
        exporter = TrainingRecordsExporter(year=year)
        header = [str(text) for text in exporter.header()]
        labels = [{value: str(label) for value, label in choices.choices}
                  for choices in (Gender, Category, ProgrammeType, CredentialType)]
    # The exporter's statement itself (same joins, same subquery, same order), compiled before the clock.
    queryset = exporter.queryset().order_by("pk").annotate(serial=_serial_subquery()).values_list(
        "official__employee_code", "official__full_name", "official__gender", "official__category",
        "official__rank__code", "unit__name", "official__unit__name", "session__course__title",
        "session__course__content_group__name", "session__course__programme_type",
        "session__course__credential_type", "session__start_date", "session__end_date", "periods_earned",
        "serial",
    )
    sql, sql_params = queryset.query.sql_with_params()
    genders, categories, programmes, credentials = labels
    connection.ensure_connection()
    raw = connection.connection
    with transaction.atomic():
        with raw.cursor() as cursor:  # warm-up: the statement planned, the tables cached
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS rows", sql_params)
        started, cpu = time.perf_counter(), time.process_time()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Kết quả bồi dưỡng")
        sheet.append(header)
        items = 0
        with tempfile.TemporaryFile() as scratch:
            with raw.cursor(name="records_floor") as cursor:
                cursor.itersize = 2000
                cursor.execute(sql, sql_params)
                for (code, name, gender, category, rank, unit, unit_today, title, group, programme, credential,
                     start, end, periods, serial) in cursor:
                    sheet.append([code, name, genders.get(gender, gender), categories.get(category, category),
                                  rank or "", unit, unit_today or "", title, group or "",
                                  programmes.get(programme, programme), credentials.get(credential, credential),
                                  start, end, periods, serial or ""])
                    items += 1
            workbook.save(scratch)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = scratch.tell()
    return {"seconds": seconds, "cpu_seconds": cpu, "items": items, "year": year, "bytes": size}


def report_xlsx() -> dict[str, Any]:
    from staff.exports.reporting import write_reform_xlsx
    from staff.selectors.reporting import build_reform_report

    year = report_year()
    with translation.override(REPORT_LANGUAGE):
        with tempfile.TemporaryFile() as scratch:  # warm-up: openpyxl, the queries planned, the tables cached
            write_reform_xlsx(build_reform_report(year=year), scratch)
        with tempfile.TemporaryFile() as scratch:
            started, cpu = time.perf_counter(), time.process_time()
            write_reform_xlsx(build_reform_report(year=year), scratch)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = scratch.tell()
    return {"seconds": seconds, "cpu_seconds": cpu, "items": 1, "year": year, "bytes": size}


# The year's completed enrollments with what the counts read: the FROM of every enrollment aggregate below.
_FROM = """
    FROM staff_enrollment e
    JOIN staff_official o ON o.id = e.official_id
    JOIN courses_coursesession s ON s.id = e.session_id
    JOIN courses_trainingpage t ON t.page_ptr_id = s.course_id"""
_WHERE = " WHERE e.status = 'completed' AND e.completed_on BETWEEN %(first)s AND %(last)s"
_CERTIFICATES_FROM = _FROM.replace("FROM staff_enrollment e",
                                   "FROM staff_certificate c JOIN staff_enrollment e ON e.id = c.enrollment_id")
_SESSION_COLUMNS = "s.id, s.code, w.title, h.name, s.start_date, s.end_date, count(*)"
_EXCHANGE_SESSIONS_FROM = (_FROM + " JOIN wagtailcore_page w ON w.id = t.page_ptr_id"
                           " LEFT JOIN staff_unit h ON h.id = t.organizer_id")
_EXCHANGES_FROM = (_FROM + " JOIN courses_exchangepage x ON x.trainingpage_ptr_id = t.page_ptr_id"
                   " JOIN wagtailcore_page w ON w.id = t.page_ptr_id LEFT JOIN staff_unit h ON h.id = x.host_unit_id")

# The counts of staff.selectors.reporting: participants, female, ethnic minority, leaders, periods, categories.
_COUNTS = ("count(*), count(*) FILTER (WHERE o.gender = 'female'),"
           " count(*) FILTER (WHERE NOT (o.ethnicity = ANY(%(majority)s))),"
           " count(*) FILTER (WHERE o.leadership_position <> ''), sum(e.periods_earned), {categories}")


def _compliance_sql(rules: list[tuple], default: int) -> str:
    """Today's active officials per unit and those whose periods done in the year reach their rule's
    requirement (staff.selectors.compliance): per category, the periods required and the programme types
    that count (all of them for a category without such a restriction)."""
    required = "".join(f" WHEN '{category}' THEN {int(periods)}" for category, periods, _types in rules)
    counted = "".join(f" WHEN '{category}' THEN d.programme_type IN ({', '.join(repr(str(t)) for t in types)})"
                      for category, _periods, types in rules if types)
    required_case = f"CASE o.category{required} ELSE {default} END" if required else str(default)
    counted_case = f"CASE d.category{counted} ELSE true END" if counted else "true"
    return f"""
        SELECT o.unit_id, count(*),
               sum(CASE WHEN coalesce(p.done, 0) >= ({required_case}) THEN 1 ELSE 0 END)
        FROM staff_official o
        LEFT JOIN (SELECT d.official_id, sum(d.periods) FILTER (WHERE {counted_case}) AS done
                   FROM (SELECT e.official_id, o.category, t.programme_type, sum(e.periods_earned) AS periods
                         {_FROM}{_WHERE} GROUP BY 1, 2, 3) d
                   GROUP BY 1) p ON p.official_id = o.id
        WHERE o.status = 'active' AND o.unit_id IS NOT NULL GROUP BY 1"""


def report_numbers(year: int) -> dict[str, list[tuple]]:
    """Every number of the city-wide reform report "as it was" for ``year``, by hand-written SQL: the same
    definitions (staff.selectors.reporting's docstring), one statement per table of numbers, rows fetched."""
    from django.conf import settings

    from courses.text import fold
    from staff.models import MAJORITY_ETHNICITY, Category

    categories = ", ".join(f"count(*) FILTER (WHERE o.category = '{code}')" for code in Category.values)
    counts = _COUNTS.format(categories=categories)
    answers: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        def run(name: str, sql: str, **params: Any) -> list[tuple]:
            cursor.execute(sql, {"first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31), "year": year,
                                 **params})
            answers[name] = cursor.fetchall()
            return answers[name]

        spellings = run("spellings", "SELECT DISTINCT ethnicity FROM staff_official")
        majority = ["", *(value for (value,) in spellings if value and fold(value) == fold(MAJORITY_ETHNICITY))]
        run("groups", "SELECT id, name, sort_order FROM courses_contentgroup")
        run("lines", f"SELECT t.content_group_id, t.programme_type, count(DISTINCT e.session_id), {counts}"
                     f"{_FROM}{_WHERE} GROUP BY 1, 2", majority=majority)
        run("certificates", f"SELECT t.content_group_id, t.programme_type, c.credential_type, count(*)"
                            f"{_CERTIFICATES_FROM}{_WHERE} AND c.status = 'valid' GROUP BY 1, 2, 3")
        run("plans", "SELECT content_group_id, programme_type, sum(classes), sum(participants)"
                     " FROM staff_trainingplan WHERE year = %(year)s GROUP BY 1, 2")
        run("units", f"SELECT e.unit_id, {counts}{_FROM}{_WHERE} GROUP BY 1", majority=majority)
        rules = run("rules", "SELECT category, required_periods, counted_programme_types"
                             " FROM staff_trainingrequirement WHERE year = %(year)s")
        run("compliance", _compliance_sql(rules, int(settings.TRAINING_DEFAULT_REQUIRED_PERIODS)))
        run("unit_names", "SELECT id, code, name, path FROM staff_unit WHERE id = ANY(%(ids)s)",
            ids=sorted({row[0] for row in answers["units"]} | {row[0] for row in answers["compliance"]}))
        run("exchange_sessions", f"SELECT {_SESSION_COLUMNS}{_EXCHANGE_SESSIONS_FROM}{_WHERE}"
                                 " AND t.programme_type = 'exchange' GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 5, 1")
        run("exchanges", f"SELECT {_SESSION_COLUMNS}{_EXCHANGES_FROM}{_WHERE} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 5, 1")
        run("adoptions", 'SELECT status, count(DISTINCT adoption_id) FROM staff_adoptionevent'
                         ' WHERE "on" BETWEEN %(first)s AND %(last)s GROUP BY 1')
    return answers


def report_sql_floor() -> dict[str, Any]:
    year = report_year()
    report_numbers(year)  # warm-up, as for ours
    started, cpu = time.perf_counter(), time.process_time()
    numbers = report_numbers(year)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "items": 1, "year": year, "queries": len(numbers)}
