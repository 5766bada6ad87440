"""The audit log's list takes a fixed number of queries, the same for 1 entry and for 30 (STYLE.md, 7).
Its export is pinned with the other list exports in tests/staff/exports/test_query_counts.py."""

from __future__ import annotations

import pytest

from staff.models import AuditAction
from staff.services.audit import audit_record
from tests import factories
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def _entries(first: int, count: int, subject) -> None:
    """``count`` record views, each by an account of its own (the list shows who)."""
    for number in range(first, first + count):
        audit_record(user=factories.user(f"hr.{number}"), action=AuditAction.RECORD_VIEW, obj=subject,
                     summary=f"Hồ sơ {number}")


def test_the_audit_log_takes_12_queries_for_1_and_30_entries(client, city_hr, ward_a):
    factories.grant_all(city_hr)
    client.force_login(city_hr)
    _entries(0, 1, ward_a)
    one, _response = page_queries(client, "/admin/audit-log/")
    _entries(1, 29, ward_a)
    thirty, response = page_queries(client, "/admin/audit-log/")
    assert len(response.context["object_list"]) == 20  # Wagtail pages by 20
    # The session, the user, the user's and their groups' permissions (2), Wagtail's user profile; the
    # city-HR gate (1); the paginator's count (1); Wagtail's locales, page and collection permissions for
    # the menu (3), the user's roles for our menu items (1); the page of entries with their user (1).
    assert one == thirty == 12, (one, thirty)
