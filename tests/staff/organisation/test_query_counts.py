"""The organisation lists (units, roles, unit successions) take a fixed number of queries, the same for
1 row and for 30 (STYLE.md, 7). Their exports are pinned in tests/staff/exports/test_query_counts.py.

Every admin page starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile; and renders the same chrome: Wagtail's locales, page and
collection permissions for the menu (3), and the user's roles for our menu items (1).
"""

from __future__ import annotations

import datetime as dt

import pytest

from staff.models import Role
from staff.services.organisation import unit_succession_record
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

MERGER = dt.date(2025, 7, 1)


@pytest.fixture
def signed_in(client, city_hr):
    factories.grant_all(city_hr)
    client.force_login(city_hr)
    return client


def _units(city, first: int, count: int) -> list:
    return [factories.unit(f"X-{number:02d}", name=f"Xã {number:02d}", parent=city)
            for number in range(first, first + count)]


def test_the_unit_list_takes_14_queries_for_1_and_30_units(signed_in, city):
    _units(city, 0, 1)
    one, _response = page_queries(signed_in, "/admin/units/")
    _units(city, 1, 29)
    thirty, response = page_queries(signed_in, "/admin/units/")
    assert len(response.context["object_list"]) == 20  # Wagtail pages by 20
    # The five; the scope's role paths (1); the role paths again for the "under" choices (1); the
    # paginator's count (1); the chrome (4); the "under" choices (1); the page of units with their parent (1).
    assert one == thirty == 14, (one, thirty)


def test_the_role_list_takes_12_queries_for_1_and_30_roles(signed_in, city):
    def roles(first: int, count: int) -> None:
        for number, unit in enumerate(_units(city, first, count), start=first):
            factories.user(f"hr.{number:02d}", role=Role.UNIT_HR, unit=unit)

    roles(0, 1)
    one, _response = page_queries(signed_in, "/admin/roles/")
    roles(1, 29)
    thirty, response = page_queries(signed_in, "/admin/roles/")
    assert len(response.context["object_list"]) == 20
    # The five; the city-HR gate (1); the paginator's count (1); the chrome (4); the page of roles with
    # their user and unit (1).
    assert one == thirty == 12, (one, thirty)


def test_the_unit_succession_list_takes_12_queries_for_1_and_30_successions(signed_in, city):
    new = factories.unit("P-MOI", name="Phường mới", parent=city)

    def mergers(first: int, count: int) -> None:
        for unit in _units(city, first, count):
            unit_succession_record(predecessor=unit, successor=new, effective_date=MERGER,
                                   legal_basis="Nghị quyết minh họa")

    mergers(0, 1)
    one, _response = page_queries(signed_in, "/admin/unit-successions/")
    mergers(1, 29)
    thirty, response = page_queries(signed_in, "/admin/unit-successions/")
    assert len(response.context["object_list"]) == 20
    # The five; the city-HR gate (1); the paginator's count (1); the chrome (4); the page of successions with
    # their predecessor and successor (1).
    assert one == thirty == 12, (one, thirty)
