"""The lists' count stops at a cap (training_site.admin_lists.CappedPaginator): past it the list says
"more than N" (Vietnamese first) instead of counting the whole scope; under it, the exact number."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from training_site.admin_lists import CappedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_officials(ward_a):
    return [factories.official(unit=ward_a, name=f"Trần Văn Đếm {i}") for i in range(5)]


def test_past_the_cap_the_officials_list_says_more_than_the_cap(client, hr_a, five_officials, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    factories.grant_all(hr_a)
    client.force_login(hr_a)
    response = client.get("/admin/officials/", {"q": "tran van dem"})  # in Vietnamese, the site's first language
    paginator = response.context["paginator"]
    assert paginator.is_capped and paginator.count == 3
    assert response.context["count_capped"]
    html = response.content.decode()
    assert "Hơn 3 kết quả" in html  # the heading of a search
    assert "hơn 3 cán bộ, công chức" in html.lower()  # beside the pages


def test_under_the_cap_the_count_is_exact(client, hr_a, five_officials, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)
    factories.grant_all(hr_a)
    client.force_login(hr_a)
    response = client.get("/admin/officials/", {"q": "tran van dem"})
    paginator = response.context["paginator"]
    assert not paginator.is_capped and paginator.count == 5
    assert not response.context["count_capped"]


def test_the_count_reads_at_most_cap_plus_one_rows(ward_a, five_officials):
    from staff.models import Official

    paginator = CappedPaginator(Official.objects.order_by("search_name"), 20)
    paginator.cap = 2
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 2 and paginator.is_capped
    (count,) = queries.captured_queries
    assert "LIMIT 3" in count["sql"] and "ORDER BY" not in count["sql"]


def test_the_audit_log_count_is_capped_too(client, city_hr, ward_a, monkeypatch):
    from staff.models import AuditAction
    from staff.services.audit import audit_record

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for number in range(3):
        audit_record(user=city_hr, action=AuditAction.RECORD_VIEW, obj=ward_a, summary=f"Hồ sơ {number}")
    factories.grant_all(city_hr)
    client.force_login(city_hr)
    paginator = client.get("/admin/audit-log/").context["paginator"]
    assert paginator.is_capped and paginator.count == 2
