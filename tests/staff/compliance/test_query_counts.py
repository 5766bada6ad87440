"""The city's lists of yearly rules and units' plans take a fixed number of queries, the same for 1 row
and for 30 (STYLE.md, 7). (The HR lists' pins are in test_hr_lists.py; the plans' export is pinned in
tests/staff/exports/test_query_counts.py.)"""

from __future__ import annotations

import datetime as dt

import pytest

from courses.models import LegalDocument, ProgrammeType
from staff.models import Category, TrainingPlan, TrainingRequirement
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

# The session, the user, the user's and their groups' permissions (2), Wagtail's user profile; the city-HR
# gate (1); the paginator's count (1); Wagtail's locales, page and collection permissions for the menu (3),
# the user's roles for our menu items (1); the page of rows with what its columns show joined (1).
CITY_LIST_QUERIES = 12


@pytest.fixture
def signed_in(client, city_hr):
    factories.grant_all(city_hr)
    client.force_login(city_hr)
    return client


def test_the_yearly_requirements_take_12_queries_for_1_and_30_rules(signed_in):
    def rules(first: int, count: int) -> None:
        for number in range(first, first + count):  # a year each, each on its own decree
            decree = LegalDocument.objects.create(number=f"{number}/2025/NĐ-CP", title="Nghị định minh họa",
                                                  effective_from=dt.date(2025, 1, 1))
            TrainingRequirement.objects.create(year=2000 + number, category=Category.CIVIL_SERVANT,
                                               required_periods=40, legal_basis=decree)

    rules(0, 1)
    one, _response = page_queries(signed_in, "/admin/training-requirements/")
    rules(1, 29)
    thirty, response = page_queries(signed_in, "/admin/training-requirements/")
    assert len(response.context["object_list"]) == 20  # Wagtail pages by 20
    # CITY_LIST_QUERIES, the page of rules with their legal basis.
    assert one == thirty == CITY_LIST_QUERIES, (one, thirty)


def test_the_training_plans_take_12_queries_for_1_and_30_plan_lines(signed_in, city):
    def plans(first: int, count: int) -> None:
        for number in range(first, first + count):  # a unit and a content group each
            TrainingPlan.objects.create(year=2026, unit=factories.unit(f"X-{number:02d}", parent=city),
                                        content_group=factories.content_group(f"nhom-{number}", f"Nhóm {number}"),
                                        programme_type=ProgrammeType.UPDATE, classes=1, participants=20)

    plans(0, 1)
    one, _response = page_queries(signed_in, "/admin/training-plans/")
    plans(1, 29)
    thirty, response = page_queries(signed_in, "/admin/training-plans/")
    assert len(response.context["object_list"]) == 20
    # CITY_LIST_QUERIES, the page of plan lines with their unit and content group.
    assert one == thirty == CITY_LIST_QUERIES, (one, thirty)
