"""The replication screens take a fixed number of queries, the same for 1 row and for 30 (STYLE.md, 7).
(The city dashboard's pin is in test_replication.py.)

Every admin page starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile; and renders the same chrome: Wagtail's locales, page and
collection permissions for the menu (3), and the user's roles for our menu items (1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from staff.models import AdoptionStatus, UnitKind
from staff.services.replication import adoption_record
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

SINCE = dt.date(2026, 3, 1)


def test_the_adoption_list_takes_13_queries_for_1_and_30_adoptions(client, hr_a, ward_a):
    visit = factories.exchange(title="Trao đổi mô hình", organizer=ward_a)
    client.force_login(hr_a)

    def adoptions(first: int, count: int) -> None:
        for number in range(first, first + count):  # every other one after the exchange
            practice = factories.practice(title=f"Mô hình {number:02d}", originating_unit=ward_a)
            adoption_record(practice=practice, unit=ward_a, status=AdoptionStatus.PILOT, since=SINCE,
                            via_exchange=visit if number % 2 == 0 else None, by=hr_a)

    adoptions(0, 1)
    one, response = page_queries(client, reverse("staff_adoption_list"))
    assert [a.via_exchange for a in response.context["adoptions"]] == [visit]
    adoptions(1, 29)
    thirty, response = page_queries(client, reverse("staff_adoption_list"))
    assert len(response.context["adoptions"]) == 30
    # The five; the HR gate: the role paths as HR and whether they lead to any unit (2); the role paths
    # again for the adoptions in scope (1); the chrome (4); the adoptions with practice, unit and exchange (1).
    assert one == thirty == 13, (one, thirty)


def test_a_practice_page_of_the_dashboard_takes_13_queries_for_1_and_30_units(client, organizer, city, city_hr):
    practice = factories.practice(title="Trả kết quả tại nhà", originating_unit=city)
    visit = factories.exchange(title="Trao đổi mô hình", organizer=city)
    client.force_login(organizer)
    url = reverse("staff_replication_practice", args=[practice.pk])

    def communes(first: int, count: int) -> None:
        for number in range(first, first + count):  # one that adopted the practice, one not reached yet
            adopting = factories.unit(f"X-{number}", parent=city, kind=UnitKind.COMMUNE)
            factories.unit(f"Y-{number}", parent=city, kind=UnitKind.COMMUNE)
            adoption_record(practice=practice, unit=adopting, status=AdoptionStatus.ADOPTED, since=SINCE,
                            via_exchange=visit, by=city_hr)

    communes(0, 1)
    one, response = page_queries(client, url)
    assert len(response.context["adoptions"]) == len(response.context["not_reached"]) == 1
    communes(1, 29)
    thirty, response = page_queries(client, url)
    assert len(response.context["adoptions"]) == len(response.context["not_reached"]) == 30
    # The five; the user's roles, read once for the organizer gate and the menu alike (1); the practice (1);
    # its adoptions by month (1); Wagtail's chrome (3); the adoptions with unit and exchange (1); the wards
    # and communes not reached, as a NOT EXISTS (1).
    assert one == thirty == 13, (one, thirty)
