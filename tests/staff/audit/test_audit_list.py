"""The audit log's list: newest first, ties by id (the order of the index ``audit_list_order``), compact cells,
and filters that list a dozen actions, not users or objects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from staff.models import AuditAction, AuditEntry
from staff.services.audit import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_newest_first_and_ties_by_id(client, city_hr, ward_a):
    for number in range(3):
        audit_record(user=city_hr, action=AuditAction.RECORD_VIEW, obj=ward_a, summary=f"Hồ sơ {number}")
    first, second, third = AuditEntry.objects.order_by("pk")
    same = timezone.now() - dt.timedelta(hours=1)
    AuditEntry.objects.filter(pk__in=[first.pk, third.pk]).update(at=same)  # a tie: the later id first
    AuditEntry.objects.filter(pk=second.pk).update(at=same - dt.timedelta(minutes=1))
    factories.grant_all(city_hr)
    client.force_login(city_hr)
    response = client.get("/admin/audit-log/")
    assert [entry.pk for entry in response.context["object_list"]] == [third.pk, first.pk, second.pk]
    html = response.content.decode()
    assert 'class="staff-cell" data-label=' in html  # the compact cells of the HR lists
    options = html.count("<option")
    assert options <= len(AuditAction.choices) + 5, options  # the action choices (and the filters' blanks)
