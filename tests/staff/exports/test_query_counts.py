"""Exports take a fixed number of queries, the same for 1 row and for 30 (STYLE.md, 7): every admin list's
``list_export``, the personnel training record and the "My exports" page. (The unit training records'
pin is in test_exports.py.)

Every admin request starts with the same five queries: the session, the user, the user's and their groups'
permissions (2), Wagtail's user profile. An export renders no page: no menu, so no chrome after them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from courses.models import ProgrammeType
from staff.exports.records import PersonnelRecordExporter
from staff.models import AuditAction, ExportJob, Official, TrainingPlan
from staff.services.audit import audit_record
from staff.services.organisation import unit_succession_record
from tests import factories
from tests.queries import build_queries, export_queries, page_queries

pytestmark = pytest.mark.django_db


def _rows(first: int, count: int, *, city, ward_a, training_centre, merged_into) -> None:
    """``count`` rows more in every list: an official of ward A who completed a class of their own and holds
    its certificate, an audit entry by an account of its own, and a former commune merged into
    ``merged_into`` with its plan line for a content group of its own."""
    course = factories.course(title="Bồi dưỡng kiến thức", organizer=training_centre)
    for number in range(first, first + count):
        person = factories.official(unit=ward_a, name=f"Cán bộ {number:02d}")
        session = factories.session(course=course, code=f"L-{number:02d}")
        factories.certificate(enrollment=factories.completed_enrollment(official=person, session=session,
                                                                         periods_earned=8))
        audit_record(user=factories.user(f"hr.{number:02d}"), action=AuditAction.RECORD_VIEW, obj=person,
                     summary=person.full_name)
        commune = factories.unit(f"X-{number:02d}", name=f"Xã {number:02d}", parent=city)
        TrainingPlan.objects.create(year=2026, unit=commune, programme_type=ProgrammeType.UPDATE, classes=1,
                                    content_group=factories.content_group(f"nhom-{number}", f"Nhóm {number}"),
                                    participants=20)
        unit_succession_record(predecessor=commune, successor=merged_into, effective_date=dt.date(2025, 7, 1),
                               legal_basis="Nghị quyết minh họa")


@pytest.mark.parametrize(("url", "persona", "expected"), [
    # The five; the scope's role paths and this year's training rules (2); the role paths for the filter's
    # unit choices (1); the officials with unit and rank joined and their periods as subqueries (1); the
    # user's roles, which decide whether the HR-only columns are exported (1).
    pytest.param("/admin/officials/", "hr_a", 10, id="officials"),
    # The five; the scope's role paths as HR and as organizer (2); the role paths for the filter's unit
    # choices (1); the enrollments with official, session, course and unit joined (1).
    pytest.param("/admin/enrollments/", "hr_a", 9, id="enrollments"),
    # The five; the role paths as issuer, for the officials in scope and for the filter's unit choices (3);
    # the certificates with official and issuer joined (1).
    pytest.param("/admin/certificates/", "hr_a", 9, id="certificates"),
    # The five; the scope's role paths (1); the role paths for the filter's "under" choices (1); the units
    # with their parent joined (1).
    pytest.param("/admin/units/", "city_hr", 8, id="units"),
    # The five; the organizer's role paths (1); the sessions with their course joined (1).
    pytest.param("/admin/sessions/", "organizer", 7, id="sessions"),
    # The five; the city-HR gate (1); the entries with their user (1).
    pytest.param("/admin/audit-log/", "city_hr", 7, id="audit-log"),
    # The five; the city-HR gate (1); the plan lines with their unit and content group (1).
    pytest.param("/admin/training-plans/", "city_hr", 7, id="training-plans"),
    # The five; the city-HR gate (1); the successions with predecessor and successor (1).
    pytest.param("/admin/unit-successions/", "city_hr", 7, id="unit-successions"),
])
def test_each_list_export_takes_the_same_queries_for_1_and_30_rows(client, request, city, ward_a, training_centre,
                                                                  url, persona, expected):
    user = request.getfixturevalue(persona)
    factories.grant_all(user)
    client.force_login(user)
    world = {"city": city, "ward_a": ward_a, "training_centre": training_centre,
             "merged_into": factories.unit("P-MOI", name="Phường mới", parent=city)}
    _rows(0, 1, **world)
    one, _body = export_queries(client, f"{url}?export=csv")
    _rows(1, 29, **world)
    thirty, body = export_queries(client, f"{url}?export=csv")
    assert body.decode("utf-8-sig").count("\n") > 30  # the heading and every row, not a page of 20
    assert one == thirty == expected, (url, one, thirty)


def test_a_personnel_training_record_takes_1_query_for_1_and_30_classes(ward_a, training_centre):
    person = factories.official(unit=ward_a, name="Nguyễn Thị Hồng Hải")
    course = factories.course(title="Bồi dưỡng kiến thức", organizer=training_centre)

    def classes(count: int) -> None:
        for _number in range(count):  # a class each, certified
            session = factories.session(course=course, start=dt.date(2026, 3, 2))
            factories.certificate(enrollment=factories.completed_enrollment(official=person, session=session,
                                                                             periods_earned=8))

    def record():
        # The official is loaded as the download view loads it, with unit and rank for the details.
        exporter = PersonnelRecordExporter(Official.objects.select_related("unit", "rank").get(pk=person.pk))
        return build_queries(lambda: [*exporter.preamble(), *exporter.rows()])

    classes(1)
    one, _rows = record()
    classes(29)
    thirty, rows = record()
    assert [row[0] for row in rows[-30:]] == list(range(1, 31))  # the numbered classes
    # The completed enrollments with course, content group and the valid certificate's serial as a
    # subquery, in one SELECT.
    assert one == thirty == 1, (one, thirty)


def test_my_exports_take_10_queries_for_1_and_30_jobs(client, hr_a):
    client.force_login(hr_a)

    def jobs(count: int) -> None:
        for number in range(count):
            ExportJob.objects.create(user=hr_a, kind="training_records", params={"year": 2026, "unit": "P-A"},
                                     rows_total=100, rows_done=number)

    jobs(1)
    one, _response = page_queries(client, reverse("staff_export_jobs"))
    jobs(29)
    thirty, response = page_queries(client, reverse("staff_export_jobs"))
    assert len(response.context["jobs"]) == 30
    # The five; Wagtail's locales, page and collection permissions for the menu (3), the user's roles for
    # our menu items (1); the user's export jobs (1).
    assert one == thirty == 10, (one, thirty)
