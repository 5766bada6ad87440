"""Every export the project has — its own exporters and every Wagtail ``list_export`` — is found here by
discovery and written with hostile data: no CSV field a spreadsheet would evaluate, no formula cell, a
UTF-8 BOM and a charset, Vietnamese headings, and the audit log exports entries that have no user.

A new viewset with ``list_export`` or a new ``Exporter`` subclass is picked up without editing this file;
one that bypasses the project's spreadsheet rules fails it.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import pkgutil
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from staff.models import AuditAction, AuditEntry, TrainingPlan
from tests import factories
from tests.staff.export_data import HOSTILE, YEAR, assert_no_formula, hostile_world
from training_site.spreadsheets import CSV_BOM, CSV_DANGEROUS_PREFIXES, SafeSpreadsheetExportMixin

# A heading that is still a code path: "unit.code", "get_kind_display", " method".
RAW_HEADING = re.compile(r"^\s|\.|_|^get |display$")


def _export_viewsets() -> list:
    from django.urls import get_resolver
    from wagtail.admin.viewsets import viewsets

    get_resolver().url_patterns  # noqa: B018  (loading the URLs registers the hooks' viewsets)
    # Wagtail's own page explorer export (titles, status) is Wagtail's code, not a viewset of ours.
    found = [viewset for viewset in viewsets.viewsets if getattr(viewset, "list_export", None)
             and not type(viewset).__module__.startswith("wagtail.")]
    assert len(found) >= 8, [type(v).__name__ for v in found]  # the discovery itself must not go blind
    return found


def _index_url(viewset) -> str:
    from wagtail.snippets.views.snippets import SnippetViewSet

    return reverse(viewset.get_url_name("list" if isinstance(viewset, SnippetViewSet) else "index"))


def _exporter_classes() -> set[type]:
    import staff

    for module in pkgutil.walk_packages(staff.__path__, "staff."):
        if ".migrations" not in module.name and ".management" not in module.name:
            importlib.import_module(module.name)
    from staff.exports.base import Exporter

    classes, todo = set(), [Exporter]
    while todo:
        for subclass in todo.pop().__subclasses__():
            if subclass.__module__.startswith("staff."):  # not the tests' own subclasses
                classes.add(subclass)
            todo.append(subclass)
    return classes


@pytest.fixture
def hostile(ward_a, training_centre, admin_user, hr_a):
    world = hostile_world(ward_a=ward_a, training_centre=training_centre)
    # Rows in the city-wide lists too, with hostile text wherever a user can type it.
    plan_group = factories.content_group("plan", HOSTILE[4])
    TrainingPlan.objects.create(year=YEAR, unit=ward_a, content_group=plan_group, classes=1, participants=2)
    factories.trainer(HOSTILE[0], organisation=HOSTILE[1])
    # The kind of entry seed_demo and every command-line export write: no user.
    AuditEntry.objects.create(user=None, action=AuditAction.EXPORT, summary=HOSTILE[1], object_type="officials")
    AuditEntry.objects.create(user=hr_a, action=AuditAction.RECORD_VIEW, summary=HOSTILE[0])
    return world


def test_every_list_export_uses_the_projects_spreadsheet_rules():
    for viewset in _export_viewsets():
        view_class = viewset.index_view_class
        assert issubclass(view_class, SafeSpreadsheetExportMixin), (type(viewset).__name__, view_class)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_export_writes_hostile_text_as_text(client, admin_user, hostile, fmt):
    client.force_login(admin_user)
    checked = 0
    for viewset in _export_viewsets():
        url = _index_url(viewset) + f"?export={fmt}"
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if fmt == "csv":
            assert response["Content-Type"] == "text/csv; charset=utf-8", url
            text = body.decode("utf-8")
            assert text.startswith(CSV_BOM), url
            rows = list(csv.reader(io.StringIO(text[len(CSV_BOM):])))
            for heading in rows[0]:
                assert not RAW_HEADING.search(heading), (url, heading)
            for row in rows[1:]:
                for field in row:
                    assert not field.startswith(CSV_DANGEROUS_PREFIXES), (url, field)
        else:
            assert_no_formula(body)
        checked += 1
    assert checked == len(_export_viewsets())


def test_officials_csv_keeps_the_hostile_names_readable(client, admin_user, hostile):
    client.force_login(admin_user)
    response = client.get(reverse("officials:index") + "?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    for name in HOSTILE:
        assert "'" + name in text or f"\"'{name}" in text.replace('""', '"'), name


def test_audit_log_exports_entries_without_a_user(client, city_hr, hostile):
    """Regression: an entry with no user made the XLSX export answer 500 and the CSV stop after the header."""
    at = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hà Nội
    AuditEntry.objects.update(at=at)
    factories.grant_all(city_hr)
    client.force_login(city_hr)

    response = client.get(reverse("audit-log:index") + "?export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + AuditEntry.objects.count()
    assert any(row[1] == "" for row in rows[1:])  # the entry without a user: an empty cell
    assert {row[0] for row in rows[1:]} == {"02/03/2026 08:30"}

    response = client.get(reverse("audit-log:index") + "?export=xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    times = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert times and set(times) == {dt.datetime(2026, 3, 2, 8, 30)}
    assert timezone.get_current_timezone_name() == "Asia/Ho_Chi_Minh"


# How to build each of the project's exporters for the test; a new Exporter without an entry fails.
EXPORTER_FACTORIES = {
    "PersonnelRecordExporter": lambda world: world["officials"][0],
    "TrainingRecordsExporter": lambda world: None,
}


def _build(exporter_class: type, world: dict):
    argument = EXPORTER_FACTORIES[exporter_class.__name__](world)
    return exporter_class(argument) if argument is not None else exporter_class(year=YEAR)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_project_exporter_writes_hostile_text_as_text(hostile, fmt):
    from staff.exports.base import write_export

    classes = _exporter_classes()
    assert {c.__name__ for c in classes} == set(EXPORTER_FACTORIES), "new exporter: add it to EXPORTER_FACTORIES"
    for exporter_class in classes:
        buffer = io.BytesIO()
        rows = write_export(_build(exporter_class, hostile), buffer, fmt)
        assert rows >= 1, exporter_class
        if fmt == "xlsx":
            assert_no_formula(buffer.getvalue(), "=1+2")
        else:
            data = buffer.getvalue()
            assert data.startswith(CSV_BOM.encode("utf-8"))
            for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
                for field in row:
                    assert not field.startswith(CSV_DANGEROUS_PREFIXES), (exporter_class, field)
