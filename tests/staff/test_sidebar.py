"""The admin sidebar kept per user (staff/admin/sidebar.py): the same JSON as Wagtail's own tag builds, built
once and then read from the cache, and never another user's, another language's or an old role's."""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from wagtail.users.models import UserProfile

from staff.admin import sidebar
from staff.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db

SIDEBAR = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def sidebar_cache(settings):
    settings.SIDEBAR_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def admin_access(city_hr, hr_a):
    for user in (city_hr, hr_a):
        user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin",
                                                         codename="access_admin"))


def _sidebar(client, url: str = "/admin/approvals/", language: str = "vi") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    found = SIDEBAR.search(response.content.decode())
    assert found, "no sidebar on the page"
    return found.group(1)


def _labels(sidebar: str) -> set[str]:
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("label"), str):
                found.add(node["label"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(sidebar))
    return found


def test_the_cached_sidebar_is_wagtails_own_built_once(client, settings, city_hr):
    client.force_login(city_hr)
    settings.SIDEBAR_CACHE_SECONDS = 0
    wagtails = _sidebar(client)
    settings.SIDEBAR_CACHE_SECONDS = 60
    cache.clear()
    with mock.patch.object(sidebar, "_wagtail_sidebar_props", wraps=sidebar._wagtail_sidebar_props) as build:
        first = _sidebar(client)
        second = _sidebar(client, "/admin/approvals/?p=2")
    assert first == second == wagtails
    assert build.call_count == 1
    assert "Duyệt ghi danh" in _labels(wagtails)  # the Vietnamese menu, not an empty one


def test_each_user_gets_their_own_sidebar(client, sidebar_cache, city_hr, hr_a):
    client.force_login(city_hr)
    city = _sidebar(client)
    client.force_login(hr_a)
    ward = _sidebar(client)
    assert city != ward
    assert "Lớp học" in _labels(city) and "Lớp học" not in _labels(ward)  # the city HR organizes


def test_a_new_role_shows_in_the_menu_at_once(client, sidebar_cache, hr_a, training_centre):
    client.force_login(hr_a)
    before = _sidebar(client)
    RoleAssignment.objects.create(user=hr_a, role=Role.ORGANIZER, unit=training_centre)
    after = _sidebar(client)
    assert "Lớp học" not in _labels(before) and "Lớp học" in _labels(after)  # the organizer's classes


def test_the_other_language_is_not_served_from_the_first(client, sidebar_cache, city_hr):
    client.force_login(city_hr)
    vietnamese = _sidebar(client)
    profile = UserProfile.get_for_user(city_hr)
    profile.preferred_language = "en"
    profile.save()
    english = _sidebar(client)
    assert "Duyệt ghi danh" in _labels(vietnamese) and "Approvals" in _labels(english)
