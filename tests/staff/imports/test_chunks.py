"""A roster is checked and written a chunk at a time inside one transaction: a bad row in a later chunk
leaves nothing of the earlier ones, duplicates are found across chunks, and the report covers every row."""

from __future__ import annotations

import datetime as dt

import pytest

from staff.imports import people
from staff.imports.people import roster_import
from staff.models import AuditAction, AuditEntry, Category, Official, Rank
from tests.staff.import_files import as_lists, roster_row, write_xlsx

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch, db):
    monkeypatch.setattr(people, "CHUNK_ROWS", 2)
    Rank.objects.create(code="01.003", name="Chuyên viên", tier=3, category=Category.CIVIL_SERVANT)


def run(path, *, dry_run=False):
    with open(path, "rb") as stream:
        return roster_import(stream, path.name, dry_run=dry_run, today=TODAY)


def test_a_bad_row_in_the_last_chunk_leaves_nothing_written(tmp_path, ward_a):
    rows = [roster_row(f"C{n}", f"Trần Thị Ánh {n}", "P-A") for n in range(7)]
    rows[6]["gender"] = "Không rõ"  # Excel row 8, in the fourth chunk of two rows
    report = run(write_xlsx(tmp_path / "late.xlsx", as_lists(rows)))

    assert not report.applied and report.rows == []
    assert [(error.row, error.column) for error in report.errors] == [(8, "Giới tính")]
    assert not Official.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_duplicates_are_found_across_chunks(tmp_path, ward_a):
    rows = [roster_row(f"C{n}", f"Lê Văn Bình {n}", "P-A") for n in range(5)]
    rows[4]["employee_code"] = "C0"  # Excel row 6; C0 is on row 2, two chunks earlier
    report = run(write_xlsx(tmp_path / "twice.xlsx", as_lists(rows)))

    [error] = report.errors
    assert (error.row, error.column) == (6, "Mã cán bộ") and "2" in error.message
    assert not Official.objects.exists()


def test_every_chunk_is_written_and_reported_once(tmp_path, ward_a):
    rows = [roster_row(f"C{n}", f"Phạm Đức Long {n}", "P-A") for n in range(5)]
    report = run(write_xlsx(tmp_path / "all.xlsx", as_lists(rows)))

    assert report.applied and report.created == 5 and report.accounts_created == 5
    assert [row.row for row in report.rows] == [2, 3, 4, 5, 6]
    assert set(Official.objects.values_list("employee_code", flat=True)) == {f"C{n}" for n in range(5)}
    assert Official.objects.filter(user__isnull=False).count() == 5
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    # "Invite everyone this import created" finds them by the span of their stamps, over every chunk.
    first, last = (dt.datetime.fromisoformat(stamp) for stamp in entry.detail["officials_created"])
    assert Official.objects.filter(created_at__range=(first, last)).count() == 5

    rows[1]["job_position"] = "Kế toán"
    again = run(write_xlsx(tmp_path / "again.xlsx", as_lists(rows)))
    assert again.applied and (again.created, again.updated, again.unchanged) == (0, 1, 4)
    assert Official.objects.get(employee_code="C1").job_position == "Kế toán"
