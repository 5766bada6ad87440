"""The compact lists' cells built in Python (training_site.admin_lists: CompactColumn, the title cell with the
row's "…" menu) print what their templates print: each list page is rendered both ways and its table compared."""

from __future__ import annotations

import re

import pytest
from wagtail.admin.ui.tables import Column, TitleColumn

from staff.models import AuditAction
from staff.services.audit import audit_record
from tests import factories
from training_site import admin_lists

pytestmark = pytest.mark.django_db


def _table(html: str) -> str:
    start = html.index('<table class="listing')
    table = html[start:html.index("</table>", start)]
    table = re.sub(r"\s+", " ", table)
    return re.sub(r"\s*(<|>)\s*", r"\1", table)


def _through_templates(monkeypatch) -> None:
    def title_cell(column, instance, parent_context):
        return TitleColumn.render_cell_html(column, instance, parent_context)

    def compact_cell(column, instance, parent_context):
        column.cell_template_name = "admin_lists/compact_cell.html"
        return Column.render_cell_html(column, instance, parent_context)

    monkeypatch.setattr(admin_lists, "render_compact_title_cell", title_cell)
    monkeypatch.setattr(admin_lists.CompactColumn, "render_cell_html", compact_cell)


@pytest.fixture
def lists_with_rows(city_hr, ward_a, training_centre):
    course = factories.course(title="Kỹ năng số <cơ bản> & \"nâng cao\"", organizer=training_centre)
    session = factories.session(course=course)
    for number in range(3):
        official = factories.official(unit=ward_a, name=f"Nguyễn Thị Ánh {number}")
        enrollment = factories.completed_enrollment(official=official, session=session)
        factories.issued_certificate(enrollment=enrollment)
        audit_record(user=city_hr, action=AuditAction.RECORD_VIEW, obj=official, summary=f"Xem hồ sơ {number}")
    factories.grant_all(city_hr)


@pytest.mark.parametrize("url", ["/admin/officials/", "/admin/enrollments/", "/admin/certificates/",
                                 "/admin/audit-log/"])
def test_each_compact_list_prints_what_its_templates_print(client, city_hr, lists_with_rows, monkeypatch, url):
    client.force_login(city_hr)
    fast = client.get(url)
    assert fast.status_code == 200
    _through_templates(monkeypatch)
    slow = client.get(url)
    assert "Ánh" in _table(fast.content.decode()) or "Kỹ năng" in _table(fast.content.decode())
    assert _table(fast.content.decode()) == _table(slow.content.decode())
