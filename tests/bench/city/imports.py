"""The roster import of the city benchmark (issue 12), beside its floor.

Each function is run in its own process by tests/bench/city/measure.py against Django's default database and
answers ``{"seconds": float, "items": int}`` (items = data rows of the file). The file is made before the clock
starts, in a temporary file, the same way for both: ``ROWS_AT_CITY`` rows scaled by the officials in the
database (140,000 × officials / 100,200, at least 1,000; ``BENCH_IMPORT_ROWS`` overrides), every column of the
roster template, synthetic names with diacritics. About 72% of the rows (100,200 of 140,000, as at city scale)
are officials already in the database with a new job position (updates), the rest new officials.

- ``roster_import``: what a confirmed big import really runs: the background job
  (staff.services.imports.run_roster_import_job: the stored upload, the limits, the read, validation, writes,
  accounts, audit, progress) as the city's HR officer. It runs inside an outer ``transaction.atomic()`` that is
  rolled back (``set_rollback``), so the database is left as it was (sequences aside). That is fair: every
  row is written and every constraint checked inside the transaction; only the final COMMIT is not timed,
  and a COMMIT costs the same whatever the row count (the WAL is written as the rows are).
- ``roster_import_floor``: openpyxl ``read_only`` iteration of the same file, values only.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction

ROWS_AT_CITY = 140_000
CITY_OFFICIALS = 100_200
MIN_ROWS = 1_000
QUICK_ROWS = 1_000
FILENAME = "danh-sach-can-bo-thanh-pho.xlsx"

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến")
JOBS = ("Chuyên viên một cửa", "Chuyên viên tổng hợp", "Kế toán", "Địa chính – xây dựng", "Tư pháp – hộ tịch",
        "Văn hóa – xã hội", "Văn phòng – thống kê")


def _rows_wanted(quick: bool) -> int:
    from staff.models import Official

    if os.environ.get("BENCH_IMPORT_ROWS"):
        return int(os.environ["BENCH_IMPORT_ROWS"])
    if quick:
        return QUICK_ROWS
    return max(MIN_ROWS, round(ROWS_AT_CITY * Official.objects.count() / CITY_OFFICIALS))


def _labels() -> dict[str, dict[str, str]]:
    from staff.imports import fields as f

    return {"gender": {code: names[0] for code, names in f.GENDER_VALUES.items()},
            "category": {code: names[0] for code, names in f.CATEGORY_VALUES.items()},
            "status": {code: names[0] for code, names in f.STATUS_VALUES.items()}}


def make_file(rows: int) -> Path:
    """The roster file, streamed to a temporary file (officials are read with .iterator(): memory stays small)."""
    from openpyxl import Workbook

    from staff.imports.fields import COLUMNS
    from staff.models import Official, Rank
    from staff.selectors.organisation import units_valid_on

    today = dt.date.today()
    labels = _labels()
    units = list(units_valid_on(today).order_by("path").values_list("code", flat=True))
    ranks = list(Rank.objects.order_by("code").values_list("code", flat=True)) or [""]
    taken_ids = set(Official.objects.exclude(personal_id="").exclude(personal_id__isnull=True)
                    .values_list("personal_id", flat=True))
    updates = min(round(rows * CITY_OFFICIALS / ROWS_AT_CITY), Official.objects.count())
    handle, name = tempfile.mkstemp(prefix="bench-import-", suffix=".xlsx")
    os.close(handle)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách cán bộ")
    sheet.append([column.header for column in COLUMNS])
    keys = [column.key for column in COLUMNS]
    existing = (Official.objects.filter(unit__isnull=False).select_related("unit", "rank").order_by("pk")
                .iterator(chunk_size=2000))
    written = 0
    for official in existing:
        if written >= updates:
            break
        values: dict[str, Any] = {
            "employee_code": official.employee_code, "full_name": official.full_name,
            "personal_id": official.personal_id or "", "date_of_birth": official.date_of_birth,
            "gender": labels["gender"].get(official.gender, ""), "ethnicity": official.ethnicity,
            "category": labels["category"].get(official.category, ""),
            "rank": official.rank.code if official.rank else "",
            "job_position": JOBS[(written + 1) % len(JOBS)] + " (2027)",  # the update: a new job position
            "leadership_position": official.leadership_position,
            "unit": official.unit.code if official.unit else "",
            "email": official.email, "phone": official.phone,
            "status": labels["status"].get(official.status, ""),
        }
        sheet.append([values[key] for key in keys])
        written += 1
    serial = 0
    for number in range(rows - written):
        female = number % 2 == 1
        born = dt.date(1965 + number % 35, 1 + number % 12, 1 + number % 28)
        while True:  # a valid, unused personal id: province 001, century/gender digit, year, six digits
            serial += 1
            personal_id = f"001{1 if female else 0}{born.year % 100:02d}{serial % 1_000_000:06d}"
            if personal_id not in taken_ids:
                break
        values = {
            "employee_code": f"BI-{number:07d}",
            "full_name": f"{FAMILY[number % len(FAMILY)]} {MIDDLE[number // 7 % len(MIDDLE)]} "
                         f"{GIVEN[number // 3 % len(GIVEN)]}",
            "personal_id": personal_id, "date_of_birth": born, "gender": "Nữ" if female else "Nam",
            "ethnicity": "Kinh", "category": "Công chức", "rank": ranks[number % len(ranks)],
            "job_position": JOBS[number % len(JOBS)], "leadership_position": "",
            "unit": units[number % len(units)], "email": f"bi.{number}@example.invalid",
            "phone": f"09{number:08d}", "status": "Đang công tác",
        }
        sheet.append([values[key] for key in keys])
    workbook.save(name)
    return Path(name)


def _city_hr() -> User:
    from tests.bench.city.data import CITY_HR_USERNAME

    user = User.objects.filter(username__in=[CITY_HR_USERNAME, "hr.thanhpho"]).order_by("-username").first()
    if user is None:
        raise RuntimeError("no city HR account (bench.hr.city or the demo's hr.thanhpho) in this database")
    return user


def roster_import(quick: bool = False) -> dict[str, Any]:
    from staff.models import ImportJob, ImportStatus
    from staff.services.imports import run_roster_import_job

    path = make_file(_rows_wanted(quick))
    try:
        user = _city_hr()
        with transaction.atomic():
            with path.open("rb") as stream:
                stored = default_storage.save(f"imports/bench/{FILENAME}", File(stream, name=FILENAME))
            job = ImportJob.objects.create(user=user, stored_name=stored, filename=FILENAME, language="vi")
            started = time.perf_counter()
            status = run_roster_import_job.call(job_id=job.pk)
            seconds = time.perf_counter() - started
            job.refresh_from_db()
            answer = {"seconds": seconds, "items": job.created + job.updated + job.unchanged,
                      "created": job.created, "updated": job.updated, "unchanged": job.unchanged,
                      "bytes": path.stat().st_size}
            transaction.set_rollback(True)
        if default_storage.exists(stored):  # the job deletes its upload; never leave one behind
            default_storage.delete(stored)
        if status != ImportStatus.DONE:
            raise RuntimeError(f"the import job ended {status}: {job.error[:500]} {job.problems[:5]}")
        return answer
    finally:
        path.unlink(missing_ok=True)


def roster_import_floor(quick: bool = False) -> dict[str, Any]:
    import openpyxl

    path = make_file(_rows_wanted(quick))
    try:
        started = time.perf_counter()
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = 0
        for _values in workbook.worksheets[0].iter_rows(values_only=True):
            rows += 1
        workbook.close()
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "items": rows - 1, "bytes": path.stat().st_size}
    finally:
        path.unlink(missing_ok=True)
