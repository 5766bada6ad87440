"""Wagtail admin for units and officials: filters, folded search, XLSX export, and scope (404 outside it)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from tests import factories

pytestmark = pytest.mark.django_db


def grant(user, *codenames: str) -> None:
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


HR_PERMISSIONS = ("wagtailadmin.access_admin", "staff.view_official", "staff.change_official", "staff.view_unit")


@pytest.fixture
def people(official, official_b, hr_a, hr_b, city_hr):
    for user in (hr_a, hr_b, city_hr):
        grant(user, *HR_PERMISSIONS)
    return {"a": official, "b": official_b}


def listed_names(response) -> set[str]:
    return {row.full_name for row in response.context["object_list"]}


def test_ward_hr_lists_only_their_own_officials(client, people, hr_a):
    client.force_login(hr_a)

    response = client.get("/admin/officials/")

    assert response.status_code == 200
    assert listed_names(response) == {"Nguyễn Thị Hồng Hải"}


def test_city_hr_lists_everyone(client, people, city_hr):
    client.force_login(city_hr)

    assert listed_names(client.get("/admin/officials/")) == {"Nguyễn Thị Hồng Hải", "Trần Văn Bình"}


@pytest.mark.parametrize("view", ["edit", "inspect", "delete", "history", "usage"])
def test_hr_of_another_ward_gets_404(client, people, hr_b, view):
    client.force_login(hr_b)

    response = client.get(f"/admin/officials/{view}/{people['a'].pk}/")

    assert response.status_code == 404


def test_hr_of_the_same_ward_opens_the_record(client, people, hr_a):
    client.force_login(hr_a)

    assert client.get(f"/admin/officials/edit/{people['a'].pk}/").status_code == 200


def test_unit_filter_choices_are_scoped(client, people, hr_a, ward_a, ward_b):
    client.force_login(hr_a)

    response = client.get("/admin/officials/")

    choices = list(response.context["filters"].form.fields["unit"].queryset)
    assert choices == [ward_a]
    # Asking for ward B by id is refused as an invalid choice; the list stays within ward A.
    guessed = client.get("/admin/officials/", {"unit": ward_b.pk})
    assert "unit" in guessed.context["filters"].errors
    assert listed_names(guessed) == {"Nguyễn Thị Hồng Hải"}


def test_search_ignores_diacritics(client, people, city_hr):
    client.force_login(city_hr)

    response = client.get("/admin/officials/", {"q": "nguyen thi hong"})

    assert listed_names(response) == {"Nguyễn Thị Hồng Hải"}


def test_officials_export_to_xlsx_with_names_intact_and_scoped(client, people, hr_a):
    client.force_login(hr_a)

    response = client.get("/admin/officials/", {"export": "xlsx"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one official of ward A
    assert "Nguyễn Thị Hồng Hải" in rows[1]


def test_unit_list_and_export_for_city_hr(client, people, city_hr, ward_a):
    client.force_login(city_hr)

    assert client.get("/admin/units/").status_code == 200
    response = client.get("/admin/units/", {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "P-A" in codes


@pytest.mark.parametrize("total", [1, 30])
def test_officials_list_query_count_does_not_grow(client, django_assert_num_queries, city_hr, ward_a, total):
    grant(city_hr, *HR_PERMISSIONS)
    for _ in range(total):
        factories.official(unit=ward_a)
    client.force_login(city_hr)
    client.get("/admin/officials/")

    # session, user, user and group permissions (2), Wagtail's user profile, locales, page and collection
    # permissions for the menu (2), the user's roles for the training menu items (1); the scope's
    # role paths, once for the rows and once for the unit choices (2); this year's training rules for
    # the periods columns (1); the paginator's count; the unit and rank choice lists (2); the page of
    # officials with unit and rank joined and their periods as subqueries (1). Whatever the rows.
    with django_assert_num_queries(EXPECTED_OFFICIAL_LIST_QUERIES):
        response = client.get("/admin/officials/")
    assert len(response.context["object_list"]) == min(total, 20)  # Wagtail pages by 20


EXPECTED_OFFICIAL_LIST_QUERIES = 16
