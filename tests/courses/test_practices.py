"""Best practices and exchanges: the index's facets and folded search, the practice and exchange pages,
seats reserved per invited unit, and the demo data. Query counts do not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from staff.models import (
    Adoption,
    AdoptionStatus,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Feedback,
    SeatReservation,
)
from staff.services.enrollment import enrollment_create
from staff.services.replication import exchange_reserve_seats
from tests import factories

pytestmark = pytest.mark.django_db

INDEX = "/mo-hinh-hay/"


def titles(response) -> list[str]:
    return [page.title for page in response.context["page_obj"]]


@pytest.fixture
def judicial():
    return factories.field_of_work("tu-phap-ho-tich", "Tư pháp – hộ tịch")


@pytest.fixture
def khuong_mai(ward_a, judicial):
    return factories.best_practice(
        title="Trả kết quả thủ tục hành chính tại nhà – Khương Mai", unit=ward_a, field=judicial,
        tags=("tận nhà", "tư pháp"), indicators=(("Hồ sơ trả đúng hạn", 91, 99.5),),
    )


@pytest.fixture
def song_phuong(ward_b):
    return factories.best_practice(title="Chính quyền gần dân Song Phương", unit=ward_b,
                              field=factories.field_of_work("mot-cua", "Một cửa – dịch vụ công"))


# --- The index ------------------------------------------------------------------------------------


def test_index_lists_only_live_practices(client, khuong_mai, song_phuong):
    song_phuong.unpublish()

    assert titles(client.get(INDEX)) == ["Trả kết quả thủ tục hành chính tại nhà – Khương Mai"]


def test_facets_narrow_the_index_by_field_and_originating_unit(client, khuong_mai, song_phuong, judicial, ward_b):
    assert titles(client.get(INDEX, {"field_of_work": judicial.pk})) == [khuong_mai.title]
    assert titles(client.get(INDEX, {"originating_unit": ward_b.pk})) == [song_phuong.title]


def test_adoption_buckets_count_only_units_that_adopted(client, khuong_mai, song_phuong, city):
    for number in range(3):
        factories.adoption(practice=khuong_mai, unit=factories.unit(f"P-X{number}", parent=city),
                           status=AdoptionStatus.ADOPTED)
    factories.adoption(practice=song_phuong, unit=factories.unit("P-Y1", parent=city), status=AdoptionStatus.ADOPTED)
    # Planned and piloting do not count as adopted.
    factories.adoption(practice=song_phuong, unit=factories.unit("P-Y2", parent=city), status=AdoptionStatus.PILOT)
    factories.adoption(practice=song_phuong, unit=factories.unit("P-Y3", parent=city), status=AdoptionStatus.PLANNED)
    nobody = factories.best_practice(title="Mô hình chưa ai áp dụng", unit=city)

    assert titles(client.get(INDEX, {"adopted_by": "none"})) == [nobody.title]
    assert titles(client.get(INDEX, {"adopted_by": "few"})) == [song_phuong.title]
    assert titles(client.get(INDEX, {"adopted_by": "many"})) == [khuong_mai.title]


@pytest.mark.parametrize("query", ["khuong mai", "KHƯƠNG MAI", "tan nha", "ho so tra dung han"])
def test_index_search_ignores_diacritics(client, khuong_mai, song_phuong, query):
    assert titles(client.get(INDEX, {"q": query})) == [khuong_mai.title]


def test_api_v2_finds_the_practice_without_diacritics(client, khuong_mai, song_phuong, city):
    factories.adoption(practice=khuong_mai, unit=factories.unit("P-X", parent=city), status=AdoptionStatus.ADOPTED)

    listing = client.get("/api/v2/pages/", {"type": "courses.BestPracticePage", "search": "khuong mai"}).json()
    detail = client.get(f"/api/v2/pages/{khuong_mai.pk}/").json()

    assert [item["title"] for item in listing["items"]] == [khuong_mai.title]
    assert detail["originating_unit_name"] == "Phường Khương Đình"
    assert detail["field_of_work_name"] == "Tư pháp – hộ tịch"
    assert detail["indicator_list"] == [{"name": "Hồ sơ trả đúng hạn", "unit_of_measure": "%", "note": "",
                                         "before": 91.0, "after": 99.5}]
    assert sorted(detail["tags"]) == ["tư pháp", "tận nhà"]
    assert detail["adopting_units_count"] == 1


def _practices(count: int, unit, field) -> None:
    for number in range(count):
        factories.best_practice(title=f"Mô hình {number:02d}", unit=unit, field=field,
                                tags=("một cửa", f"thẻ {number}"))


@pytest.mark.parametrize("count", [1, 30])
def test_index_query_count_does_not_grow_with_practices(client, django_assert_num_queries, ward_a, judicial,
                                                        count):
    _practices(count, ward_a, judicial)
    client.get(INDEX)  # warm Wagtail's site and content-type caches

    # Wagtail serving the page: site, 3 route steps, ancestors' aliases, view restrictions (6);
    # the paginator's count, the practices with unit/field joined and adoptions counted, their tags
    # in one prefetch (3); the filter form's two choice lists (2); the header's catalog link (1).
    with django_assert_num_queries(EXPECTED_INDEX_QUERIES):
        response = client.get(INDEX)
    assert len(response.context["page_obj"]) == min(count, 20)


EXPECTED_INDEX_QUERIES = 12


# --- A practice page ------------------------------------------------------------------------------


def test_practice_page_shows_indicators_live_exchanges_and_adopting_units(client, khuong_mai, ward_a, ward_b,
                                                                          city):
    shown = factories.exchange_page(title="Chia sẻ mô hình Khương Mai", host=ward_a, practices=[khuong_mai])
    hidden = factories.exchange_page(title="Buổi chia sẻ nháp", host=ward_a, practices=[khuong_mai])
    hidden.unpublish()
    factories.adoption(practice=khuong_mai, unit=ward_b, status=AdoptionStatus.PILOT, via_exchange=shown)

    html = client.get(khuong_mai.url).content.decode()

    assert "Hồ sơ trả đúng hạn" in html and "→ 99.5" in html.replace(",", ".")
    assert "Chia sẻ mô hình Khương Mai" in html
    assert "Buổi chia sẻ nháp" not in html
    assert 'data-status="pilot"' in html and "Phường Thanh Xuân" in html


@pytest.mark.parametrize("count", [1, 30])
def test_practice_page_query_count_does_not_grow(client, django_assert_num_queries, khuong_mai, ward_a, city,
                                                 count):
    for number in range(count):
        unit = factories.unit(f"P-N{number}", parent=city)
        exchange = factories.exchange_page(title=f"Buổi chia sẻ {number}", host=unit, practices=[khuong_mai])
        factories.adoption(practice=khuong_mai, unit=unit, status=AdoptionStatus.ADOPTED, via_exchange=exchange)
    client.get(khuong_mai.url)

    # Wagtail serving the page: site, 4 route steps, ancestors' aliases, view restrictions (7);
    # unit, field, indicators, tags, live exchanges with host, adoptions with unit (6);
    # the breadcrumb's parent, the header's catalog link (2).
    with django_assert_num_queries(EXPECTED_PRACTICE_QUERIES):
        response = client.get(khuong_mai.url)
    assert len(response.context["adoptions"]) == count


EXPECTED_PRACTICE_QUERIES = 15


# --- Exchanges and their reserved seats -----------------------------------------------------------


@pytest.fixture
def exchange(khuong_mai, ward_a, ward_b, city):
    ward_c = factories.unit("X-C", name="Xã An Khánh", parent=city)
    page = factories.exchange_page(title="Chia sẻ mô hình trả kết quả tại nhà", host=ward_a, practices=[khuong_mai],
                              invited=[ward_b, ward_c], seats_per_unit=2, field_visit="Tham quan bộ phận một cửa")
    return page


def test_exchange_page_shows_practices_host_invited_units_and_sessions(client, exchange, khuong_mai):
    session = factories.session(course=exchange, capacity=10, code="CS-X1")

    response = client.get(exchange.url)
    html = response.content.decode()

    assert [p.title for p in response.context["practices"]] == [khuong_mai.title]
    assert f'href="{khuong_mai.url}"' in html
    assert "Phường Thanh Xuân, Xã An Khánh" in html
    assert "Tham quan bộ phận một cửa" in html
    assert f'/{session.pk}/' in html and "CS-X1" in html


def test_reserve_seats_per_invited_unit_is_idempotent(exchange, ward_b):
    upcoming = factories.session(course=exchange, capacity=10)
    past = factories.session(course=exchange, start=timezone.localdate() - dt.timedelta(days=20))

    assert exchange_reserve_seats(page=exchange) == 2
    assert exchange_reserve_seats(page=exchange) == 2

    assert sorted(SeatReservation.objects.filter(session=upcoming).values_list("unit__code", "seats")) == [
        ("P-B", 2), ("X-C", 2)]
    assert not SeatReservation.objects.filter(session=past).exists()
    upcoming.refresh_from_db()
    assert upcoming.reserved_free == 4


def test_a_unit_no_longer_invited_gives_back_the_seats_its_officials_do_not_hold(exchange, ward_b):
    upcoming = factories.session(course=exchange, capacity=10)
    exchange_reserve_seats(page=exchange)
    from staff.services.enrollment import enrollment_create

    enrollment_create(official=factories.official(unit=ward_b), session=upcoming, by=None)
    exchange.invited_units.remove(ward_b)
    exchange.save()

    exchange_reserve_seats(page=exchange)

    assert sorted(SeatReservation.objects.filter(session=upcoming).values_list("unit__code", "seats", "taken")) == [
        ("P-B", 1, 1), ("X-C", 2, 0)]
    upcoming.refresh_from_db()
    assert (upcoming.seats_taken, upcoming.reserved_free) == (1, 2)


def test_invited_officials_get_their_reserved_seats_and_uninvited_wait(exchange, ward_b, city):
    session = factories.session(course=exchange, capacity=5)
    exchange_reserve_seats(page=exchange)
    outsider_unit = factories.unit("P-OUT", parent=city)
    factories.enrollment(official=factories.official(unit=outsider_unit), session=session)  # the one general seat
    from staff.services.enrollment import session_recount_seats

    session_recount_seats()

    invited = [enrollment_create(official=factories.official(unit=ward_b), session=session, by=None)
               for _ in range(2)]
    outsider = enrollment_create(official=factories.official(unit=outsider_unit), session=session, by=None)
    third_of_b = enrollment_create(official=factories.official(unit=ward_b), session=session, by=None)

    assert [e.status for e in invited] == [EnrollmentStatus.CONFIRMED, EnrollmentStatus.CONFIRMED]
    assert all(e.reservation is not None for e in invited)
    # Only X-C's two reserved seats are left: nobody else may take them.
    assert outsider.status == EnrollmentStatus.WAITLISTED
    assert third_of_b.status == EnrollmentStatus.WAITLISTED


def test_publishing_an_exchange_reserves_its_seats_through_the_hook(exchange, khuong_mai):
    from wagtail import hooks
    from wagtail.models import Page

    from staff.admin.replication import reserve_seats_of_published_exchange

    session = factories.session(course=exchange, capacity=10)
    assert reserve_seats_of_published_exchange in hooks.get_hooks("after_publish_page")

    reserve_seats_of_published_exchange(None, Page.objects.get(pk=khuong_mai.pk))  # not an exchange: nothing
    assert not SeatReservation.objects.exists()
    reserve_seats_of_published_exchange(None, Page.objects.get(pk=exchange.pk))  # Wagtail passes the base page
    assert SeatReservation.objects.filter(session=session).count() == 2


# --- Demo data ------------------------------------------------------------------------------------


def test_seed_demo_twice_creates_practices_exchange_and_adoptions_once(settings):
    from courses.models import BestPracticePage, ExchangePage, PracticeIndexPage
    from staff.demo import demo_counts, seed_demo

    first = seed_demo(officials=60)
    extra_first = _practice_counts()
    second = seed_demo(officials=60)

    assert second == first
    assert _practice_counts() == extra_first
    assert PracticeIndexPage.objects.get().slug == "mo-hinh-hay"
    khuong_mai = BestPracticePage.objects.get(originating_unit__code="P-KHUONGDINH")
    assert BestPracticePage.objects.filter(originating_unit__code="X-ANKHANH").exists()
    exchange = ExchangePage.objects.get(practices=khuong_mai)
    assert exchange.host_unit.code == "P-KHUONGDINH"
    past = exchange.sessions.filter(end_date__lt=timezone.localdate()).get()
    assert Attendance.objects.filter(enrollment__session=past).exists()
    assert Feedback.objects.filter(enrollment__session=past).count() >= 5
    invited_codes = set(exchange.invited_units.values_list("code", flat=True))
    assert Enrollment.objects.filter(session=past, status=EnrollmentStatus.COMPLETED,
                                     unit__code__in=invited_codes).exists()
    upcoming = exchange.sessions.filter(start_date__gte=timezone.localdate()).get()
    assert set(upcoming.reservations.values_list("unit__code", "seats")) == {(code, 5) for code in invited_codes}
    assert set(Adoption.objects.filter(practice=khuong_mai).values_list("status", flat=True)) == {
        AdoptionStatus.ADOPTED, AdoptionStatus.PILOT, AdoptionStatus.PLANNED}
    assert Adoption.objects.filter(via_exchange=exchange).count() == 3
    assert demo_counts() == second


def _practice_counts() -> dict[str, int]:
    from courses.models import BestPracticePage, PracticeIndicator
    from staff.models import AdoptionEvent, AdoptionResult, SeatReservation

    return {model.__name__: model.objects.count()
            for model in (BestPracticePage, PracticeIndicator, Adoption, AdoptionEvent, AdoptionResult, Attendance,
                          Feedback, SeatReservation, Enrollment)}


def test_admin_edits_practices_and_exchanges_with_their_panels(client, admin_user, exchange, khuong_mai):
    client.force_login(admin_user)

    practice_form = client.get(f"/admin/pages/{khuong_mai.pk}/edit/").content.decode()
    exchange_form = client.get(f"/admin/pages/{exchange.pk}/edit/").content.decode()

    assert 'name="indicators-TOTAL_FORMS"' in practice_form and 'name="originating_unit"' in practice_form
    assert 'name="invited_units"' in exchange_form and 'name="seats_per_invited_unit"' in exchange_form
