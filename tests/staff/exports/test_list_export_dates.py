"""Wagtail's list exports (``list_export``, written through training_site/spreadsheets.py) give XLSX dates a
day-first date format and times a day-first date-and-time format; counts stay numbers. Wagtail itself formats
only datetimes, so a date of birth used to open as a bare serial number."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from training_site.spreadsheets import DATE_FORMAT, DATETIME_FORMAT

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def world(ward_a, training_centre, city_hr):
    factories.grant_all(city_hr)  # the admin's own permissions; scope comes from the role
    course = factories.course(title="Kỹ năng số cho cán bộ", organizer=training_centre, periods=1200)
    session = factories.session(course=course, start=dt.date(YEAR, 3, 2))
    person = factories.official(unit=ward_a, name="Trần Thị Ánh Tuyết", date_of_birth=dt.date(1988, 11, 7))
    enrollment = factories.completed_enrollment(official=person, session=session, periods_earned=1200)
    factories.certificate(enrollment=enrollment, expires_on=dt.date(YEAR + 5, 3, 3))
    return {"official": person, "session": session}


def _sheet(client, viewset: str):
    response = client.get(reverse(f"{viewset}:index") + "?export=xlsx")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    rows = [row for row in sheet.iter_rows(min_row=2) if any(cell.value not in (None, "") for cell in row)]
    assert rows, viewset
    return headings, rows


def _column(headings, rows, heading):
    return [row[headings.index(heading)] for row in rows]


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _assert_dates(cells, expected_format=DATE_FORMAT):
    for cell in cells:
        if cell.value in (None, ""):
            continue
        assert cell.is_date, (cell.coordinate, cell.value)
        assert cell.number_format == expected_format, (cell.coordinate, cell.number_format)


def test_officials_export_writes_the_date_of_birth_as_a_day_first_date(client, city_hr, world):
    client.force_login(city_hr)
    headings, rows = _sheet(client, "officials")
    births = _column(headings, rows, "Ngày sinh")
    _assert_dates(births)
    assert dt.date(1988, 11, 7) in {_day(cell.value) for cell in births if cell.value}


def test_certificates_export_writes_issue_and_expiry_as_dates_and_periods_as_numbers(client, city_hr, world):
    client.force_login(city_hr)
    headings, rows = _sheet(client, "certificates")
    for heading in ("Ngày cấp", "Ngày hết hạn"):
        _assert_dates(_column(headings, rows, heading))
    assert dt.date(YEAR + 5, 3, 3) in {_day(cell.value) for cell in _column(headings, rows, "Ngày hết hạn")}
    every_cell = [cell for row in rows for cell in row]
    dates = [cell for cell in every_cell if cell.is_date]
    assert len(dates) == 4 * len(rows)  # start, end, issued on, expires on: no date written as text
    _assert_dates(dates)
    assert any(cell.value == 1200 and cell.data_type == "n" for cell in every_cell)  # periods: a number


def test_enrollments_export_writes_every_date_as_a_date_and_periods_as_a_number(client, city_hr, world):
    client.force_login(city_hr)
    headings, rows = _sheet(client, "enrollments")
    dates = [cell for row in rows for cell in row if cell.is_date or isinstance(cell.value, (dt.date, dt.datetime))]
    assert len(dates) >= 3 * len(rows)  # start, end, completed on
    for cell in dates:
        assert cell.number_format in (DATE_FORMAT, DATETIME_FORMAT), (cell.coordinate, cell.number_format)
        assert cell.number_format == DATE_FORMAT  # this list has dates only, no times
    every_cell = [cell for row in rows for cell in row]
    assert any(cell.value == 1200 and cell.data_type == "n" for cell in every_cell)
    # No date leaked out as text ("2026-03-02" or "02/03/2026") in any cell.
    assert not any(isinstance(cell.value, str) and cell.value[:4].isdigit() and "-" in cell.value
                   for cell in every_cell)


def test_a_time_in_a_list_export_gets_a_day_first_date_and_time_format(client, city_hr, world):
    client.force_login(city_hr)
    client.get(reverse("officials:inspect", args=[world["official"].pk]))  # opening a record is logged
    headings, rows = _sheet(client, "audit-log")
    times = [cell for row in rows for cell in row if cell.is_date]
    assert times, headings
    for cell in times:
        assert cell.number_format == DATETIME_FORMAT, (cell.coordinate, cell.number_format)
