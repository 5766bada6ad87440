"""Numbers on screen the Vietnamese way: counts grouped with a dot ("2.236"), decimals with a comma ("4,3",
"50,0%"), while ids and years keep their digits plain (a grouped id in a form field would not post).

The rule is one: quantities through ``floatformat:"g"`` in templates and ``training_site.formats.numbers``
in Python; shares come written by ``numbers.percent``. ``USE_THOUSAND_SEPARATOR`` stays off."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from staff.models import Attendance, Feedback
from staff.selectors.replication import MonthPoint
from tests import factories
from tests.staff.export_data import YEAR, report_world

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_reform_report_screen_groups_counts_and_writes_rates_with_a_decimal_comma(
        client, city, ward_a, ward_b, training_centre, city_hr):
    world = report_world(city=city, ward_a=ward_a, ward_b=ward_b, training_centre=training_centre)
    big = factories.course(title="Bồi dưỡng dài hạn", organizer=training_centre, group=world["groups"][0],
                           periods=2000)
    session = factories.session(course=big, start=dt.date(YEAR, 6, 1), days=5)
    factories.completed_enrollment(official=world["people"]["a"][0], session=session, periods_earned=2000)
    # 4×16 + 4×40 + 2×4 (ward A) + 3×16 (ward B) + 2000 periods in the year
    client.force_login(city_hr)
    page = _text(client.get(reverse("staff_reform_report"),
                            {"year": YEAR, "unit": "", "mode": "as_it_was", "format": "html"}))

    assert re.search(r"data-total-periods>2\.280<", page)
    assert "2280" not in page
    assert "50,0%" in page and "50.0%" not in page  # 4 of the city's 8 officials meet the requirement
    assert "100,0%" in page  # ward A, in the table by unit
    assert f"{YEAR}" in page and f"{YEAR // 1000}.{YEAR % 1000:03d}" not in page  # the year is not grouped


def test_the_reform_report_form_offers_the_screen_and_still_downloads(client, city_hr):
    client.force_login(city_hr)
    form = _text(client.get(reverse("staff_reform_report")))
    assert 'value="html"' in form and "Xem trên màn hình" in form
    download = client.get(reverse("staff_reform_report"), {"year": YEAR, "mode": "as_it_was", "format": "xlsx"})
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")


def test_feedback_averages_have_one_decimal_comma(client, organizer, ward_a, training_centre):
    course = factories.course(title="Kỹ năng giao tiếp", organizer=training_centre)
    session = factories.session(course=course, start=timezone.localdate() - dt.timedelta(days=10))
    for number, content in enumerate((4, 4, 5)):
        person = factories.official(unit=ward_a, name=f"Lê Văn Đức {number}")
        enrollment = factories.completed_enrollment(official=person, session=session, periods_earned=16)
        Feedback.objects.create(enrollment=enrollment, content=content, trainer=5, organisation=3, usefulness=4)
    client.force_login(organizer)
    page = _text(client.get(reverse("staff_class_feedback", args=[session.pk])))

    assert re.search(r'data-rating="content"><th scope="row">[^<]+</th><td data-average>4,3</td>', page)
    assert "4,33" not in page and "4.33" not in page
    assert "<td>5,0</td>" in page  # every average has its one decimal


def test_the_replication_dashboard_groups_its_counts(client, city_hr, monkeypatch):
    from staff.admin import replication as view

    practice = SimpleNamespace(pk=1234, title="Một cửa điện tử", originating_unit=None, adopted=1204, pilot=2,
                               planned=1000, dropped=0, not_reached=3)
    month = MonthPoint(month=dt.date(YEAR, 1, 1), adopted=1204, cumulative=2236)
    exchange = {"via_exchange_id": 4321, "via_exchange__title": "Trao đổi", "total": 1204, "adopted": 1000,
                "pilot": 204, "planned": 0, "dropped": 0}
    monkeypatch.setattr(view, "replication_dashboard",
                        lambda: {"practices": [practice], "months": [month], "exchanges": [exchange]})
    client.force_login(city_hr)
    page = _text(client.get(reverse("staff_replication")))

    assert '<td data-count="adopted">1.204</td>' in page and '<td data-count="planned">1.000</td>' in page
    assert "<td>1.204</td><td>2.236</td>" in page  # the chart's table
    assert 'data-practice="1234"' in page and "/1234/" in page  # ids stay plain
    assert 'data-exchange="4321"' in page and '<td data-count="total">1.204</td>' in page


def test_my_training_groups_the_yearly_periods(client, official, training_centre):
    course = factories.course(title="Quản lý nhà nước", organizer=training_centre, periods=1200)
    session = factories.session(course=course, start=timezone.localdate().replace(month=1, day=5))
    factories.completed_enrollment(official=official, session=session, periods_earned=1200)
    client.force_login(official.user)
    page = _text(client.get(reverse("my_training")))

    assert re.search(r'data-periods-done="1200">1\.200</strong>', page)
    assert f"{timezone.localdate().year}" in page  # "Periods in 2026", not "2.026"
    assert 'data-label="Số tiết">1.200</td>' in page or ">1.200</td>" in page


def test_the_course_page_groups_periods_and_seats(client, training_centre):
    course = factories.course(title="Hội nghị trực tuyến toàn thành phố", organizer=training_centre, periods=1200)
    factories.session(course=course, capacity=1500)
    page = _text(client.get(course.url))

    assert "1.200 tiết" in page
    assert 'data-seats-left="1500">1.500 / 1.500</td>' in page


def test_the_officials_list_groups_periods_done(client, hr_a, official, training_centre):
    factories.grant_all(hr_a)
    course = factories.course(title="Quản lý nhà nước", organizer=training_centre, periods=1200)
    session = factories.session(course=course, start=timezone.localdate().replace(month=1, day=5))
    factories.completed_enrollment(official=official, session=session, periods_earned=1200)
    client.force_login(hr_a)
    page = _text(client.get(reverse("officials:index")))

    assert "1.200 / " in page and "1200 / " not in page


def test_an_id_past_a_thousand_in_the_attendance_form_is_not_grouped_and_posts(client, organizer, ward_a,
                                                                            training_centre):
    course = factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre)
    session = factories.session(course=course, start=timezone.localdate(), weekends=True)
    person = factories.official(unit=ward_a, name="Phạm Thị Ngọc Ánh")
    enrollment = factories.enrollment(official=person, session=session, pk=12345)
    url = reverse("staff_class_attendance", args=[session.pk, session.start_date.isoformat()])
    client.force_login(organizer)
    page = _text(client.get(url))
    assert 'value="12345" id="present-12345"' in page and "12.345" not in page

    client.post(url, {"present": ["12345"]})
    assert Attendance.objects.get(enrollment=enrollment, day=session.start_date).present
    participants = _text(client.get(reverse("staff_class_participants", args=[session.pk])))
    assert "12345" in participants and "12.345" not in participants
