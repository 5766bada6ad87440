"""On the demo data, what the files say agrees with what the HR lists show on screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from staff.demo import seed_demo
from staff.models import Enrollment, EnrollmentStatus
from staff.selectors.reporting import build_reform_report

pytestmark = pytest.mark.django_db


def _listed(client: Client, url: str, **params) -> int:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.context["paginator"].count


def test_exports_and_report_agree_with_the_lists_on_screen(tmp_path):
    seed_demo(officials=40)
    year = timezone.localdate().year
    client = Client()
    client.force_login(User.objects.get(username="hr.thanhpho"))

    # The enrollments list, completed this year (the demo completes each class on its last day).
    completed = Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, completed_on__year=year)
    first, last = (completed.order_by(field).values_list("session__start_date", flat=True).first()
                   for field in ("session__start_date", "-session__start_date"))
    on_screen = _listed(client, "/admin/enrollments/", status="completed",
                        dates_after=dt.date(year, 1, 1).isoformat(), dates_before=last.isoformat())
    assert on_screen == completed.count() > 0 and first.year == year

    target = tmp_path / "records.xlsx"
    call_command("export_training_records", "--year", str(year), "--output", str(target))
    sheet = load_workbook(target, read_only=True).worksheets[0]
    data_rows = [row for row in sheet.iter_rows(values_only=True) if any(cell is not None for cell in row)]
    header_index = next(i for i, row in enumerate(data_rows) if row and row[0] and "Mã" in str(row[0]))
    assert len(data_rows) - header_index - 1 == on_screen

    report = build_reform_report(year=year)
    assert report.total.participants == on_screen

    # The officials list's "meeting this year's requirement" is the report's count of officials meeting it.
    meeting = _listed(client, "/admin/officials/", below_requirement="false", status="active")
    assert report.meeting == meeting
