"""HR lists: scoped, filtered, folded name search, and the same number of queries for 1 row and for 50."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import ProgrammeType
from staff.models import CertificateStatus, EnrollmentStatus, TrainingRequirement
from tests import factories

pytestmark = pytest.mark.django_db


def _fill(ward, organizer_unit, count: int):
    """``count`` officials of ``ward``, each with a completed enrollment and a certificate."""
    course = factories.course(title=f"Khóa {count}", organizer=organizer_unit)
    session = factories.session(course=course, start=dt.date(2026, 3, 2), days=1, capacity=max(count, 1))
    for i in range(count):
        person = factories.official(unit=ward, name=f"Đỗ Thị Lan {i}")
        enrollment = factories.enrollment(official=person, session=session, status=EnrollmentStatus.COMPLETED,
                                          periods_earned=8, completed_on=session.end_date)
        factories.certificate(enrollment=enrollment, expires_on=dt.date(2027, 1, 1))


def _count(client, url):
    client.get(url)  # warm Wagtail's per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# Every one of these pages starts with the same five queries: the session, the user, the user's and their
# groups' permissions (2), Wagtail's user profile; and renders the same admin chrome: Wagtail's locales,
# page and collection permissions for the menu (3), the user's roles for our menu items (1).
@pytest.mark.parametrize(("url", "expected"), [
    # the five; the scope's role paths and this year's training rules (2); the role paths again for the
    # unit choices (1); the paginator's count (1); the chrome (4); the unit and rank choices (2); the page
    # of officials with unit and rank joined and their periods as subqueries (1).
    ("/admin/officials/", 16),
    # the five; the scope's role paths as HR and as organizer (2); the role paths for the unit choices (1);
    # the paginator's count (1); the chrome (4); the course, session and unit choices (3); the page of
    # enrollments with official, session, course and unit joined (1).
    ("/admin/enrollments/", 17),
    # the five; the role paths as issuer (organizer or city HR), for the officials in scope and for the
    # unit choices (3); the paginator's count (1); the chrome (4); the unit choices (1); the page of
    # certificates with official and issuer joined (1).
    ("/admin/certificates/", 15),
    # as the officials' list, and this year's training rules once more for the filter's own annotation (1).
    ("/admin/officials/?below_requirement=true", 17),
    # as the enrollments' list; the page is a SELECT DISTINCT (the status filter takes several values).
    ("/admin/enrollments/?status=completed", 17),
    # as the certificates' list: the filters add conditions, not queries.
    ("/admin/certificates/?expires_before=2027-06-01&status=valid", 15),
])
def test_each_hr_list_takes_the_same_queries_for_1_and_50_rows(client, hr_a, ward_a, training_centre, url,
                                                              expected):
    factories.grant_all(hr_a)
    client.force_login(hr_a)
    # Someone who did this year's 40 periods: the one official the "below requirement" filter leaves out.
    # Named to sort first, so that a filter that let everybody through would show them on the first page.
    year = timezone.localdate().year
    course = factories.course(title="Bồi dưỡng 40 tiết", organizer=training_centre, periods=40)
    session = factories.session(course=course, start=dt.date(year, 1, 5), days=5)
    met = factories.official(unit=ward_a, name="An Văn Đủ")
    factories.enrollment(official=met, session=session, status=EnrollmentStatus.COMPLETED, periods_earned=40,
                         completed_on=session.end_date)

    _fill(ward_a, training_centre, 1)
    one, response = _count(client, url)
    if "below_requirement" in url:
        assert [o.full_name for o in response.context["object_list"]] == ["Đỗ Thị Lan 0"]
    _fill(ward_a, training_centre, 49)
    fifty, response = _count(client, url)

    assert one == fifty == expected, (url, one, fifty)
    rows = response.context["object_list"]
    assert len(rows) == 20  # Wagtail pages by 20
    if "below_requirement" in url:
        # The 50 who did 8 of the 40 periods they owe are below; the one who did 40 is not.
        assert response.context["paginator"].count == 50 and met not in rows
        assert all(o.periods_done < o.periods_required for o in rows)


def test_hr_lists_show_only_the_units_people(client, hr_a, ward_a, ward_b, training_centre):
    factories.grant_all(hr_a)
    _fill(ward_a, training_centre, 2)
    _fill(ward_b, training_centre, 3)
    client.force_login(hr_a)
    for url in ("/admin/officials/", "/admin/enrollments/", "/admin/certificates/"):
        rows = client.get(url).context["object_list"]
        units = {getattr(row, "official", row).unit_id for row in rows}
        assert units == {ward_a.pk}, url


def test_below_this_years_requirement_follows_the_rule_of_each_category(client, hr_a, ward_a, training_centre):
    factories.grant_all(hr_a)
    year = timezone.localdate().year
    course = factories.course(title="Bồi dưỡng ngạch", organizer=training_centre, periods=40,
                              programme_type=ProgrammeType.RANK_STANDARD)
    session = factories.session(course=course, start=dt.date(year, 3, 2), days=5)
    done = factories.official(unit=ward_a, name="Vũ Minh Đạt")
    factories.enrollment(official=done, session=session, status=EnrollmentStatus.COMPLETED, periods_earned=40,
                         completed_on=session.end_date)
    short = factories.official(unit=ward_a, name="Hồ Thu Hà")
    TrainingRequirement.objects.create(year=year, category=done.category, required_periods=40)
    client.force_login(hr_a)

    below = {o.pk for o in client.get("/admin/officials/?below_requirement=true").context["object_list"]}
    met = {o.pk for o in client.get("/admin/officials/?below_requirement=false").context["object_list"]}
    assert short.pk in below and done.pk not in below
    assert done.pk in met and short.pk not in met

    # A rule that counts only job-position courses leaves the rank course out: now both are below.
    TrainingRequirement.objects.filter(year=year).update(counted_programme_types=[ProgrammeType.JOB_POSITION])
    below = {o.pk for o in client.get("/admin/officials/?below_requirement=true").context["object_list"]}
    assert {done.pk, short.pk} <= below


def test_enrollments_search_ignores_diacritics(client, hr_a, ward_a, training_centre):
    factories.grant_all(hr_a)
    _fill(ward_a, training_centre, 2)
    client.force_login(hr_a)
    rows = client.get("/admin/enrollments/", {"q": "do thi lan 1"}).context["object_list"]
    assert [row.official.full_name for row in rows] == ["Đỗ Thị Lan 1"]


def test_certificates_filter_by_expiry_and_revocation(client, hr_a, ward_a, training_centre):
    factories.grant_all(hr_a)
    _fill(ward_a, training_centre, 3)
    from staff.models import Certificate

    first = Certificate.objects.order_by("pk").first()
    Certificate.objects.filter(pk=first.pk).update(status=CertificateStatus.REVOKED)
    client.force_login(hr_a)
    revoked = client.get("/admin/certificates/", {"status": "revoked"}).context["object_list"]
    assert [c.pk for c in revoked] == [first.pk]
    assert not client.get("/admin/certificates/", {"expires_before": "2026-12-31"}).context["object_list"]
    assert len(client.get("/admin/certificates/", {"expires_before": "2027-01-02"}).context["object_list"]) == 3


def test_the_city_hr_reads_and_exports_the_audit_log_and_nobody_else_does(client, city_hr, hr_a, official):
    factories.grant_all(city_hr)
    factories.grant_all(hr_a)
    client.force_login(hr_a)
    client.get(f"/admin/officials/inspect/{official.pk}/")  # opening a record is logged
    assert client.get("/admin/audit-log/").status_code == 404

    client.force_login(city_hr)
    page = client.get("/admin/audit-log/")
    assert page.status_code == 200
    assert [(e.user, e.action) for e in page.context["object_list"]] == [(hr_a, "record_view")]
    export = client.get("/admin/audit-log/?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_role_changes_are_audited(client, city_hr, hr_b, ward_a):
    from staff.models import AuditEntry, RoleAssignment

    factories.grant_all(city_hr)
    client.force_login(city_hr)
    role = RoleAssignment.objects.get(user=hr_b)
    response = client.post(f"/admin/roles/edit/{role.pk}/", {"user": hr_b.pk, "role": "unit_hr", "unit": ward_a.pk})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="role_change")
    assert entry.user == city_hr and entry.detail["unit"] == "P-A" and entry.detail["before"]["unit"] == "P-B"


@pytest.mark.parametrize("url,field", [("/admin/officials/", "full_name"), ("/admin/enrollments/", "status"),
                                       ("/admin/certificates/", "serial")])
def test_hr_lists_sort_by_a_column(client, hr_a, ward_a, training_centre, url, field):
    factories.grant_all(hr_a)
    _fill(ward_a, training_centre, 3)
    from staff.models import Enrollment

    Enrollment.objects.filter(pk=Enrollment.objects.order_by("pk").first().pk).update(status="not_completed")
    client.force_login(hr_a)
    for ordering, descending in ((field, False), (f"-{field}", True)):  # both ways: the default order can't pass
        rows = list(client.get(url, {"ordering": ordering}).context["object_list"])
        values = [getattr(row, field) for row in rows]
        assert values == sorted(values, reverse=descending) and len(set(values)) > 1, (ordering, values)
