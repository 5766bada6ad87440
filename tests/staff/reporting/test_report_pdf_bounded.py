"""The reform report PDF stays a few pages however many sessions the city holds: sessions are totalled per
unit and only the largest listed (the XLSX lists all), and no table grows past TABLE_ROWS rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from staff.pdf import reporting
from staff.pdf.reporting import DETAIL_ROWS, TABLE_ROWS, pages, reform_report_context, reform_report_pdf
from staff.selectors.reporting import build_reform_report
from tests.pdf_text import pdf_text
from tests.staff.export_data import YEAR, report_world

pytestmark = pytest.mark.django_db


def _sessions(count: int) -> list[dict]:
    # Session k has k + 1 participants; three organizer units take turns.
    return [{"session_id": k, "session__code": f"TĐ-{k:03d}", "session__course__title": f"Trao đổi mô hình {k}",
             "session__course__organizer__name": ("Phường Khương Đình", "Phường An Khánh", "Sở Nội vụ")[k % 3],
             "session__start_date": dt.date(YEAR, 1, 1) + dt.timedelta(days=k), "session__end_date": None,
             "participants": k + 1} for k in range(count)]


def test_a_session_list_is_totalled_per_unit_and_bounded():
    section = reporting.session_section(_sessions(100), "session__course__organizer__name")

    assert section["count"] == 100 and section["participants"] == sum(range(1, 101))
    assert section["more"] == 100 - DETAIL_ROWS
    shown = [row["session__code"] for row in section["shown"]]
    assert shown == [f"TĐ-{k:03d}" for k in range(100 - DETAIL_ROWS, 100)]  # the largest, in date order
    units = [unit for page in section["unit_pages"] for unit in page]
    assert sum(unit["sessions"] for unit in units) == 100
    assert sum(unit["participants"] for unit in units) == section["participants"]


def test_pages_cut_long_lists_into_tables():
    assert [len(page) for page in pages(list(range(TABLE_ROWS * 2 + 3)))] == [TABLE_ROWS, TABLE_ROWS, 3]
    assert pages([]) == []


def test_the_pdf_shows_totals_and_the_largest_sessions_only(city, ward_a, ward_b, training_centre, tmp_path):
    report_world(city=city, ward_a=ward_a, ward_b=ward_b, training_centre=training_centre)
    report = build_reform_report(year=YEAR)
    report.exchanges = _sessions(100)
    with translation.override("vi"):
        context = reform_report_context(report)
        text = pdf_text(reform_report_pdf(report), tmp_path)

    assert context["exchange_section"]["count"] == report.exchange_sessions == 100
    assert "TĐ-099" in text and "TĐ-070" in text and "TĐ-069" not in text and "TĐ-000" not in text
    assert "70 lớp còn lại có trong báo cáo XLSX" in text or "70 others are in the XLSX" in text
    assert "5.050" in text  # every session's participants, in the total line
