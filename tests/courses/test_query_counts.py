"""The public pages not pinned elsewhere take a fixed number of queries, the same for 1 row and for 30
(STYLE.md, 7): the home page, an exchange page and the API's listing. (The catalog and a course page are
pinned in test_catalog.py, the practice index and a practice page in test_practices.py.)"""

from __future__ import annotations

import pytest

from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def _courses(organizer, first: int, count: int) -> None:
    for number in range(first, first + count):
        course = factories.course(title=f"Khóa học {number:02d}", organizer=organizer)
        factories.session(course=course, code=f"KH-{number:02d}")


def test_the_home_page_takes_7_queries_for_1_and_30_upcoming_sessions(client, training_centre):
    home = factories.catalog().get_parent()
    _courses(training_centre, 0, 1)
    one, _response = page_queries(client, home.url)
    _courses(training_centre, 1, 29)
    thirty, response = page_queries(client, home.url)
    assert len(response.context["upcoming_sessions"]) == 6  # the next six
    # Wagtail serving the page: the site, the home page itself, its ancestors and their view restrictions (4);
    # the catalog (1); the next sessions with their course and seats left (1); the header's catalog link (1).
    assert one == thirty == 7, (one, thirty)


def test_an_exchange_page_takes_16_queries_for_1_and_30_practices_invited_units_and_sessions(client, city, ward_a):
    trainer = factories.trainer("Giảng viên Hòa")
    practices = [factories.best_practice(title=f"Mô hình {number:02d}", unit=ward_a) for number in range(30)]
    units = [factories.unit(f"X-{number:02d}", name=f"Xã {number:02d}", parent=city) for number in range(30)]
    page = factories.exchange_page(title="Chia sẻ mô hình một cửa", host=ward_a, practices=practices[:1],
                                   invited=units[:1], seats_per_unit=1)

    def sessions(first: int, count: int) -> None:
        for number in range(first, first + count):
            factories.session(course=page, code=f"CS-{number:02d}").trainers.add(trainer)

    sessions(0, 1)
    one, response = page_queries(client, page.url)
    assert len(response.context["practices"]) == len(response.context["invited_units"]) == 1
    page.practices = practices
    page.invited_units = units
    page.save_revision().publish()
    sessions(1, 29)
    thirty, response = page_queries(client, page.url)
    assert len(response.context["practices"]) == len(response.context["invited_units"]) == 30
    assert len(response.context["sessions"]) == 30
    # Wagtail serving the page: the site, the home page, the catalog by slug and itself, the exchange by slug
    # and itself, the ancestors and their view restrictions (8); the sessions with seats left, their trainers
    # in one prefetch (2); the live practices with their unit, the invited units (2); the header's catalog
    # link (1); the content group, the organizer and the host unit (3).
    assert one == thirty == 16, (one, thirty)


API = "/api/v2/pages/"


@pytest.mark.parametrize("kind", ["courses.CoursePage", "courses.BestPracticePage", "courses.ExchangePage"])
def test_the_api_listing_takes_6_queries_for_1_and_30_pages(client, training_centre, ward_a, kind):
    def pages(first: int, count: int) -> None:
        _courses(training_centre, first, count)
        for number in range(first, first + count):
            factories.best_practice(title=f"Mô hình {number:02d}", unit=ward_a, tags=("một cửa",))
            factories.exchange_page(title=f"Chia sẻ {number:02d}", host=ward_a)

    pages(0, 1)
    one, _response = page_queries(client, f"{API}?type={kind}")
    pages(1, 29)
    thirty, response = page_queries(client, f"{API}?type={kind}&limit=30")
    assert len(response.json()["items"]) == 30
    # The view restrictions, to serve public pages only (1); the site (1); the count (1); the view
    # restrictions again, twice (2); the page of pages of that type (1).
    assert one == thirty == 6, (kind, one, thirty)


# The plain listing's six (view restrictions, site, count, view restrictions twice, the page of pages, now
# with their locale and the relations the fields name joined), plus one query per prefetched relation:
# a course's upcoming sessions with seats left; a practice's indicators and its tags; an exchange's upcoming
# sessions, invited units and live practices (courses/selectors/api.py).
@pytest.mark.parametrize(("kind", "expected"), [("courses.CoursePage", 7), ("courses.BestPracticePage", 8),
                                                ("courses.ExchangePage", 9)])
def test_the_api_listing_with_every_field_takes_as_many_queries_for_1_and_30_pages(client, training_centre, ward_a,
                                                                                    kind, expected):
    def pages(first: int, count: int) -> None:
        _courses(training_centre, first, count)
        for number in range(first, first + count):
            factories.best_practice(title=f"Mô hình {number:02d}", unit=ward_a, tags=("một cửa",),
                                    indicators=(("Hồ sơ đúng hạn", 90, 99),))
            factories.exchange_page(title=f"Chia sẻ {number:02d}", host=ward_a)

    pages(0, 1)
    one, _response = page_queries(client, f"{API}?type={kind}&fields=*")
    pages(1, 29)
    thirty, response = page_queries(client, f"{API}?type={kind}&fields=*&limit=30")
    assert len(response.json()["items"]) == 30
    assert one == thirty == expected, (kind, one, thirty)
