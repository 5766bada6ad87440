"""Exports: no formula cell whatever users typed, CSV neutralised, Vietnamese PDFs, scope, audit, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.exports.base import write_csv, write_xlsx
from staff.exports.records import PersonnelRecordExporter, TrainingRecordsExporter
from staff.exports.reporting import write_reform_xlsx
from staff.models import AuditAction, AuditEntry
from staff.pdf.records import personnel_record_context
from staff.selectors.reporting import build_reform_report
from tests import factories
from tests.pdf_text import pdf_text
from tests.staff.export_data import GROUP_NAME, HOSTILE, YEAR, assert_no_formula
from training_site.spreadsheets import csv_safe

NAME = "Nguyễn Thị Hồng Hải"


def test_csv_safe_neutralises_only_dangerous_text():
    assert [csv_safe(text) for text in HOSTILE[:4]] == ["'=1+2", "'+1", "'-1", "'@SUM(A1)"]
    assert csv_safe("\tx") == "'\tx" and csv_safe("\rx") == "'\rx"
    assert csv_safe("Nguyễn Văn A") == "Nguyễn Văn A"
    assert csv_safe(-1) == -1 and csv_safe(16) == 16


def test_personnel_record_xlsx_has_no_formula(hostile):
    buffer = io.BytesIO()
    rows = write_xlsx(PersonnelRecordExporter(hostile["officials"][0]), buffer)
    assert rows == 1
    assert_no_formula(buffer.getvalue(), "=1+2", "+1", "-1", "@SUM(A1)")


def test_training_records_xlsx_has_no_formula(hostile):
    buffer = io.BytesIO()
    rows = write_xlsx(TrainingRecordsExporter(year=YEAR), buffer)
    assert rows == len(HOSTILE)
    assert_no_formula(buffer.getvalue(), *HOSTILE)


def test_reform_report_xlsx_has_no_formula(hostile, ward_a):
    ward_a.name = "=A1*2"  # unit names are typed by people too
    ward_a.save(update_fields=["name"])
    buffer = io.BytesIO()
    write_reform_xlsx(build_reform_report(year=YEAR), buffer)
    assert_no_formula(buffer.getvalue(), "@SUM(A1)", "=A1*2")


def test_a_plain_openpyxl_write_would_have_made_formulas(hostile):
    # The check above can fail: the same rows written naively do produce formula cells.
    from openpyxl import Workbook, load_workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in TrainingRecordsExporter(year=YEAR).rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    kinds = {cell.data_type for row in load_workbook(buffer).active.iter_rows() for cell in row}
    assert "f" in kinds


def test_training_records_csv_is_neutralised(hostile):
    buffer = io.BytesIO()
    write_csv(TrainingRecordsExporter(year=YEAR), buffer)
    text = buffer.getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[1] for row in rows[1:]}
    assert names == {"'" + name for name in HOSTILE}
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row)
    assert {row[7] for row in rows[1:]} == {"'-1"}  # the course title


def test_personnel_record_pdf_reads_vietnamese(official, training_centre, tmp_path):
    group = factories.content_group("ly-luan", GROUP_NAME)
    course = factories.course(title="Cập nhật kiến thức lý luận chính trị", organizer=training_centre, group=group)
    enrollment = factories.completed_enrollment(official=official, session=factories.session(
        course=course, start=dt.date(YEAR, 3, 2)), periods_earned=16)
    factories.certificate(enrollment=enrollment, serial="00042/2026/TTBD")
    from staff.pdf.records import personnel_record_pdf

    text = pdf_text(personnel_record_pdf(official), tmp_path)
    assert NAME in text
    assert GROUP_NAME in text
    assert "00042/2026/TTBD" in text


def test_personnel_record_pdf_tables_are_paginated(official, training_centre):
    course = factories.course(title="Lớp ngắn", organizer=training_centre)
    for week in range(40):
        factories.completed_enrollment(official=official, session=factories.session(
            course=course, start=dt.date(2025, 1, 6) + dt.timedelta(weeks=week), days=1), periods_earned=4)
    context = personnel_record_context(official)
    assert [len(chunk) for chunk in context["chunks"]] == [35, 5]
    assert context["total_periods"] == 160


# --- Admin views: scope, audit -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_hr_downloads_record_in_scope_with_audit(client, hr_a, official, fmt):
    client.force_login(hr_a)
    response = client.get(reverse("staff_official_record", args=[official.pk, fmt]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-" if fmt == "pdf" else b"PK")
    actions = set(AuditEntry.objects.filter(user=hr_a, object_id=str(official.pk)).values_list("action", flat=True))
    assert actions == {AuditAction.RECORD_VIEW, AuditAction.EXPORT}
    export = AuditEntry.objects.get(user=hr_a, action=AuditAction.EXPORT)
    assert export.detail["rows"] == 0 and export.detail["filters"] == {"official_code": official.employee_code}


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv"])
def test_hr_of_ward_a_gets_404_for_ward_b_record(client, hr_a, official_b, fmt):
    client.force_login(hr_a)
    assert client.get(reverse("staff_official_record", args=[official_b.pk, fmt])).status_code == 404
    assert not AuditEntry.objects.exists()


def test_official_downloads_own_record(client, official):
    client.force_login(official.user)
    for name, magic in (("my_record_pdf", b"%PDF-"), ("my_record_xlsx", b"PK")):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(magic)
    assert AuditEntry.objects.filter(user=official.user, action=AuditAction.EXPORT).count() == 2


def test_account_without_official_gets_404_for_own_record(client, hr_a):
    client.force_login(hr_a)
    assert client.get(reverse("my_record_pdf")).status_code == 404


def test_small_training_records_export_downloads_directly(client, hr_a, ward_a, hostile):
    client.force_login(hr_a)
    response = client.get(reverse("staff_export_training_records"),
                          {"year": YEAR, "unit": ward_a.code, "mode": "as_it_was", "format": "xlsx"})
    assert response.status_code == 200
    assert_no_formula(b"".join(response.streaming_content), *HOSTILE)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, user=hr_a)
    assert entry.detail["rows"] == len(HOSTILE)
    assert entry.detail["filters"] == {"year": YEAR, "unit": ward_a.code, "mapped": False, "format": "xlsx"}


def test_training_records_for_another_ward_is_404(client, hr_a, ward_b):
    client.force_login(hr_a)
    response = client.get(reverse("staff_export_training_records"),
                          {"year": YEAR, "unit": ward_b.code, "mode": "as_it_was", "format": "xlsx"})
    assert response.status_code == 404


def test_unit_hr_cannot_export_the_whole_city(client, hr_a, hostile):
    client.force_login(hr_a)
    response = client.get(reverse("staff_export_training_records"),
                          {"year": YEAR, "unit": "", "mode": "as_it_was", "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.exists()


# --- Streaming: no query per row ---------------------------------------------------------------------


def _records_queries(count: int, ward_a, training_centre, year: int) -> int:
    course = factories.course(title=f"Lớp {count}", organizer=training_centre)
    session = factories.session(course=course, start=dt.date(year, 3, 2), capacity=100)
    for _number in range(count):
        enrollment = factories.completed_enrollment(official=factories.official(unit=ward_a), session=session,
                                                    periods_earned=8)
        factories.certificate(enrollment=enrollment)
    exporter = TrainingRecordsExporter(year=year, unit=ward_a)
    exporter.scope  # noqa: B018  (resolve the unit scope first: one query over units, not over rows)
    with CaptureQueriesContext(connection) as queries:
        rows = list(exporter.rows())
    assert len(rows) == count + 1
    return len(queries)


def test_training_records_query_count_does_not_grow_with_rows(ward_a, training_centre):
    # Expected: one SELECT of the enrollments with their official, unit, course, group and the
    # certificate serial as a subquery — whatever the number of rows.
    one = _records_queries(1, ward_a, training_centre, YEAR)
    fifty = _records_queries(50, ward_a, training_centre, YEAR - 1)
    assert one == fifty == 1
