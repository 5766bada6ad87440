"""Replication of best practices: the adoption service, its scope in the admin, and the city dashboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from staff.models import Adoption, AdoptionEvent, AdoptionResult, AdoptionStatus, UnitKind
from staff.selectors.replication import (
    adoptions_by_exchange,
    adoptions_by_month,
    practices_with_stage_counts,
    units_not_reached,
)
from staff.services.replication import ReplicationError, adoption_record, adoption_result_record
from tests import factories

SINCE = dt.date(2026, 3, 1)


@pytest.fixture
def practice(ward_a, city):
    return factories.practice(title="Trả kết quả tại nhà", originating_unit=ward_a)


def _record(unit, practice, status, by, since=SINCE, **kwargs):
    return adoption_record(practice=practice, unit=unit, status=status, since=since, by=by, **kwargs)


# --- Service -----------------------------------------------------------------------------------------


def test_recording_the_same_status_again_writes_no_new_event(hr_a, ward_a, practice):
    first = _record(ward_a, practice, AdoptionStatus.PLANNED, hr_a)
    again = _record(ward_a, practice, AdoptionStatus.PLANNED, hr_a, since=dt.date(2026, 4, 1), changes="Thêm")
    assert again.pk == first.pk and Adoption.objects.count() == 1
    assert list(AdoptionEvent.objects.values_list("status", "on")) == [(AdoptionStatus.PLANNED, SINCE)]
    again.refresh_from_db()
    assert (again.since, again.changes, again.recorded_by) == (dt.date(2026, 4, 1), "Thêm", hr_a)


def test_a_change_of_status_writes_one_event_each(hr_a, ward_a, practice):
    _record(ward_a, practice, AdoptionStatus.PLANNED, hr_a)
    _record(ward_a, practice, AdoptionStatus.PILOT, hr_a, since=dt.date(2026, 5, 1))
    _record(ward_a, practice, AdoptionStatus.ADOPTED, hr_a, since=dt.date(2026, 8, 1))
    _record(ward_a, practice, AdoptionStatus.ADOPTED, hr_a, since=dt.date(2026, 8, 1))
    assert list(AdoptionEvent.objects.values_list("status", flat=True)) == ["planned", "pilot", "adopted"]
    assert Adoption.objects.get().status == AdoptionStatus.ADOPTED


def test_results_are_one_row_per_indicator(hr_a, ward_a, practice):
    adoption = _record(ward_a, practice, AdoptionStatus.ADOPTED, hr_a)
    adoption_result_record(adoption=adoption, indicator="Tỷ lệ đúng hạn", before=80, after=95, by=hr_a)
    adoption_result_record(adoption=adoption, indicator="Tỷ lệ đúng hạn", before=80, after=99, by=hr_a)
    assert list(AdoptionResult.objects.values_list("indicator", "after")) == [("Tỷ lệ đúng hạn", 99)]


def test_hr_of_another_ward_cannot_record_for_ward_a(hr_b, ward_a, practice):
    with pytest.raises(ReplicationError):
        _record(ward_a, practice, AdoptionStatus.PLANNED, hr_b)
    assert not Adoption.objects.exists()


def test_city_hr_may_record_for_any_ward(city_hr, ward_b, practice):
    assert _record(ward_b, practice, AdoptionStatus.PILOT, city_hr).unit == ward_b


# --- Admin: list and form, scoped --------------------------------------------------------------------


def _form(practice, unit, status="adopted", **extra):
    data = {"practice": practice.pk, "unit": unit.pk, "status": status, "since": "2026-06-01",
            "changes": "Bỏ bớt một bước", "via_exchange": "",
            "results-TOTAL_FORMS": "2", "results-INITIAL_FORMS": "0", "results-MIN_NUM_FORMS": "0",
            "results-MAX_NUM_FORMS": "30", "results-0-indicator": "Số lượt đi lại", "results-0-before": "3",
            "results-0-after": "1", "results-0-measured_on": "2026-10-01"}
    data.update(extra)
    return data


def test_ward_hr_records_an_adoption_with_results_through_the_form(client, hr_a, ward_a, practice):
    client.force_login(hr_a)
    response = client.post(reverse("staff_adoption_new"), _form(practice, ward_a))
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert (adoption.unit, adoption.status, adoption.recorded_by) == (ward_a, AdoptionStatus.ADOPTED, hr_a)
    assert adoption.events.count() == 1
    assert list(adoption.results.values_list("indicator", "before", "after")) == [("Số lượt đi lại", 3, 1)]
    listing = client.get(reverse("staff_adoption_list"))
    assert practice.title in listing.content.decode()


def test_hr_of_another_ward_gets_a_form_error_for_ward_a(client, hr_b, ward_a, practice):
    client.force_login(hr_b)
    response = client.post(reverse("staff_adoption_new"), _form(practice, ward_a))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Adoption.objects.exists()


def test_hr_of_another_ward_gets_404_for_ward_a_adoption(client, hr_a, hr_b, ward_a, practice):
    adoption = _record(ward_a, practice, AdoptionStatus.PLANNED, hr_a)
    client.force_login(hr_b)
    assert client.get(reverse("staff_adoption_edit", args=[adoption.pk])).status_code == 404
    assert client.post(reverse("staff_adoption_edit", args=[adoption.pk]),
                       _form(practice, ward_a)).status_code == 404
    assert practice.title not in client.get(reverse("staff_adoption_list")).content.decode()
    client.force_login(hr_a)
    assert client.get(reverse("staff_adoption_edit", args=[adoption.pk])).status_code == 200


def test_editing_keeps_practice_and_unit_and_changes_status(client, hr_a, ward_a, ward_b, practice):
    adoption = _record(ward_a, practice, AdoptionStatus.PLANNED, hr_a)
    client.force_login(hr_a)
    response = client.post(reverse("staff_adoption_edit", args=[adoption.pk]),
                           _form(practice, ward_b, status="pilot"))  # a forged unit is ignored: disabled field
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert (adoption.unit, adoption.status, adoption.events.count()) == (ward_a, AdoptionStatus.PILOT, 2)


def test_city_hr_sees_every_ward_adoption(client, city_hr, hr_a, hr_b, ward_a, ward_b, practice):
    _record(ward_a, practice, AdoptionStatus.PLANNED, hr_a)
    _record(ward_b, practice, AdoptionStatus.PILOT, hr_b)
    client.force_login(city_hr)
    assert len(client.get(reverse("staff_adoption_list")).context["adoptions"]) == 2


# --- Dashboard ---------------------------------------------------------------------------------------


@pytest.fixture
def commune(city):
    return factories.unit("X-C", name="Xã Sóc Sơn", parent=city, kind=UnitKind.COMMUNE)


@pytest.fixture
def replication(city, ward_a, ward_b, commune, training_centre, hr_a, city_hr):
    """Two practices; ward A adopted the first after an exchange, ward B pilots it, the commune dropped
    it; the second is only planned by ward A. A former ward and a department are never "to reach"."""
    factories.unit("P-OLD", name="Phường cũ", parent=city, valid_to=dt.date(2025, 6, 30))
    factories.unit("S-TP", name="Sở Tư pháp", parent=city, kind=UnitKind.DEPARTMENT)
    home = factories.practice(title="Trả kết quả tại nhà", originating_unit=ward_a)
    close = factories.practice(title="Chính quyền gần dân", originating_unit=ward_b)
    visit = factories.exchange(title="Trao đổi tại Khương Đình", organizer=training_centre, host_unit=ward_a,
                               practices=[home])
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    _record(ward_a, home, AdoptionStatus.PILOT, city_hr, since=last_month)
    _record(ward_a, home, AdoptionStatus.ADOPTED, city_hr, since=today, via_exchange=visit)
    _record(ward_b, home, AdoptionStatus.PILOT, city_hr, since=today, via_exchange=visit)
    _record(commune, home, AdoptionStatus.ADOPTED, city_hr, since=last_month)
    _record(commune, home, AdoptionStatus.DROPPED, city_hr, since=today)
    _record(ward_a, close, AdoptionStatus.PLANNED, hr_a, since=today)
    return {"home": home, "close": close, "visit": visit, "today": today, "last_month": last_month}


def test_dashboard_counts_by_status_and_units_not_reached(replication, ward_b, commune):
    rows = {page.title: page for page in practices_with_stage_counts()}
    home, close = rows["Trả kết quả tại nhà"], rows["Chính quyền gần dân"]
    assert (home.adopted, home.pilot, home.planned, home.dropped, home.not_reached) == (1, 1, 0, 1, 0)
    assert (close.adopted, close.pilot, close.planned, close.dropped, close.not_reached) == (0, 0, 1, 0, 2)
    assert set(units_not_reached(replication["close"])) == {ward_b, commune}
    assert not units_not_reached(replication["home"]).exists()


def test_adoption_over_time_counts_adopted_events_by_month(replication):
    points = adoptions_by_month(today=replication["today"], months=3)
    assert [(p.month, p.adopted, p.cumulative) for p in points][1:] == [
        (replication["last_month"], 1, 1), (replication["today"].replace(day=1), 1, 2)]
    only_close = adoptions_by_month(practice=replication["close"], today=replication["today"], months=3)
    assert [p.adopted for p in only_close] == [0, 0, 0]


def test_exchanges_that_led_to_adoptions(replication):
    [row] = adoptions_by_exchange()
    assert (row["via_exchange_id"], row["total"], row["adopted"], row["pilot"]) == (replication["visit"].pk, 2, 1, 1)


def test_dashboard_page_shows_the_numbers_with_a_chart_and_its_table(client, organizer, replication):
    client.force_login(organizer)
    response = client.get(reverse("staff_replication"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html and "city-chart-table" in html
    # Coordinates are SVG numbers even in Vietnamese, whose decimal separator is a comma.
    start = html.index("<svg viewBox")
    svg = html[start:html.index("</svg>", start)]
    assert "<rect" in svg and not re.search(r'(?:x|y|width|height)="[0-9.]*,[0-9]', svg), svg[:400]
    practices = {page.title: page for page in response.context["practices"]}
    assert practices["Chính quyền gần dân"].not_reached == 2
    assert response.context["months"][-1].cumulative == 2
    detail = client.get(reverse("staff_replication_practice", args=[replication["close"].pk]))
    assert detail.status_code == 200 and "Xã Sóc Sơn" in detail.content.decode()


@pytest.mark.parametrize("user", ["hr_a", "official"])
def test_dashboard_is_404_for_unit_hr_and_officials(client, request, replication, user):
    account = request.getfixturevalue(user)
    client.force_login(account if user == "hr_a" else account.user)
    assert client.get(reverse("staff_replication")).status_code in ((404,) if user == "hr_a" else (302, 404))


def _dashboard_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("staff_replication")).status_code == 200
    return len(queries)


def test_dashboard_query_count_is_the_same_for_1_and_30_practices(client, city, ward_a, ward_b, city_hr):
    visit = factories.exchange(title="Trao đổi", organizer=ward_a)
    first = factories.practice(title="Mô hình 0", originating_unit=ward_a)
    adoption_record(practice=first, unit=ward_a, status="adopted", since=SINCE, via_exchange=visit, by=city_hr)
    one = _dashboard_queries(client, city_hr)
    for number in range(1, 30):
        page = factories.practice(title=f"Mô hình {number}", originating_unit=ward_a)
        adoption_record(practice=page, unit=ward_b, status="pilot", since=SINCE, via_exchange=visit, by=city_hr)
    thirty = _dashboard_queries(client, city_hr)
    # 12 queries either way: session, user, user permissions, group permissions, Wagtail user profile;
    # the user's roles, read once for the page's gate and the menu alike; the dashboard's three (practices
    # with counts by status and units not reached as a NOT EXISTS subquery; adopted events by month;
    # adoptions by exchange); then the admin chrome: locales, page permissions, collection permissions.
    assert one == thirty == 12
