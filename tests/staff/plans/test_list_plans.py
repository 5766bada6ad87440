"""The HR lists' queries keep their plans at city scale (issue 12, Build item 4): on PostgreSQL, a moderate
dataset (20,000 enrollments, 12,000 certificates, 4,000 officials in 50 wards: a ward is 2% of the city, as
one of the city's 170 units is well under 1%), ANALYZEd, and each list's
page of rows, its capped count and the compliance selector EXPLAINed as the city's HR and as a ward's HR.

A sequential scan of every enrollment or certificate is what made the lists cost seconds at city scale
(one scope condition across two joins, a sort of the whole scope for one page): the test fails on one, so a
regression shows in CI and not in a ward. The queries are the views' own (the index view's queryset for a
request), not copies. No speed is asserted: only the plan's shape.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from courses.models import CourseSession
from staff.models import Certificate, Enrollment, EnrollmentStatus, Official, Role, Unit, UnitAssignment
from staff.selectors.compliance import officials_below_requirement
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="plans are PostgreSQL's"),
]

WARDS, OFFICIALS_PER_WARD, SESSIONS, ENROLLMENTS_PER_OFFICIAL = 50, 80, 400, 5
SCANNED = {"staff_enrollment", "staff_certificate"}
STATUSES = [EnrollmentStatus.COMPLETED] * 6 + [EnrollmentStatus.CONFIRMED] * 2 + [EnrollmentStatus.CANCELLED,
                                                                                  EnrollmentStatus.PENDING]


@pytest.fixture
def city_world():
    """The dataset, with bulk writes (a few seconds), ANALYZEd inside the test's transaction (ANALYZE counts
    the rows its own transaction wrote), rolled back with it."""
    city = factories.unit("HN", name="Thành phố", kind="city")
    wards = [factories.unit(f"P-{n:02d}", name=f"Phường {n}", parent=city) for n in range(WARDS)]
    centre = factories.unit("TTBD", name="Trung tâm", parent=city, kind="training_centre")
    city_hr = factories.user("plan.city", role=Role.CITY_HR, unit=city)
    ward_hr = factories.user("plan.ward", role=Role.UNIT_HR, unit=wards[0])
    factories.grant_all(city_hr)
    factories.grant_all(ward_hr)
    courses = [factories.course(title=f"Khóa {n}", organizer=centre) for n in range(4)]
    numbers = itertools.count()
    officials = Official.objects.bulk_create(
        Official(employee_code=f"E{next(numbers):06d}", full_name=f"Nguyễn Văn {n}", search_name=f"nguyen van {n}",
                 gender="male", category="cong_chuc", unit=ward)
        for ward in wards for n in range(OFFICIALS_PER_WARD))
    UnitAssignment.objects.bulk_create(UnitAssignment(official=o, unit_id=o.unit_id, start=dt.date(2020, 1, 1))
                                       for o in officials)
    start = dt.date(timezone.localdate().year - 1, 1, 5)
    sessions = CourseSession.objects.bulk_create(
        CourseSession(course=courses[n % 4], code=f"L-{n:03d}", start_date=start + dt.timedelta(days=n),
                      end_date=start + dt.timedelta(days=n + 1), capacity=400) for n in range(SESSIONS))
    created = timezone.now() - dt.timedelta(days=400)
    rows = []
    for i, official in enumerate(officials):
        for k in range(ENROLLMENTS_PER_OFFICIAL):
            n = i * ENROLLMENTS_PER_OFFICIAL + k
            session = sessions[(i * 7 + k * 61) % SESSIONS]
            status = STATUSES[n % len(STATUSES)]
            done = status == EnrollmentStatus.COMPLETED
            rows.append(Enrollment(official=official, session=session, unit_id=official.unit_id, status=status,
                                   periods_earned=16 if done else None,
                                   completed_on=session.end_date if done else None))
    enrollments = Enrollment.objects.bulk_create(rows, batch_size=5000)
    # created_at is auto_now_add: spread it afterwards, as years of enrollments would be.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE staff_enrollment SET created_at = %s + id * interval '20 minutes'", [created])
    Certificate.objects.bulk_create(
        (Certificate(enrollment=e, official=e.official, organizer=centre, year=e.completed_on.year, number=e.pk,
                     serial=f"{e.pk}/PLAN", verification_code=f"plan{e.pk}", credential_type="giay_chung_nhan",
                     course_title="Khóa", periods=16, start_date=e.completed_on, end_date=e.completed_on,
                     issued_on=e.completed_on)
         for e in enrollments if e.status == EnrollmentStatus.COMPLETED), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"city": city_hr, "ward": ward_hr, "ward_unit": wards[0], "session": sessions[0]}


def _index_queryset(name: str, user, params: dict):
    """The queryset the viewset ``name``'s list runs for ``user`` with ``params`` (filters, search)."""
    from django.urls import get_resolver
    from wagtail.admin.viewsets import viewsets

    get_resolver().url_patterns  # noqa: B018 - registers the admin's viewsets (Wagtail's URL hooks)
    viewset = next(v for v in viewsets.viewsets if getattr(v, "name", None) == name)
    request = RequestFactory().get(f"/admin/{name}/", params)
    request.user = user
    request.session = {}
    kwargs = {**viewset.get_common_view_kwargs(), **viewset.get_index_view_kwargs()}  # as construct_view
    view_class = viewset.index_view_class
    view = view_class(**{key: value for key, value in kwargs.items()
                         if hasattr(view_class, key) and value is not viewset.UNDEFINED})
    view.setup(request)
    return view.get_queryset()


def _scans(plan: dict) -> list[str]:
    """Every sequential scan of a big table in a JSON plan (its nodes, init plans and subplans)."""
    found = [plan["Relation Name"]] if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in SCANNED \
        else []
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def _indexes(plan: dict) -> set[str]:
    """The indexes a JSON plan reads."""
    found = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= _indexes(child)
    return found


def _loaded(cursor) -> dict:
    import json

    value = cursor.fetchone()[0]
    return (json.loads(value) if isinstance(value, str) else value)[0]["Plan"]


def _explain_sql(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return _loaded(cursor)


def _page_plan(queryset) -> dict:
    """The plan of the first page as the list reads it: keys first (training_site.admin_lists.keys_first)."""
    from training_site.admin_lists import keys_first

    sql, params = keys_first(queryset, queryset[:20]).query.sql_with_params()
    return _explain_sql(sql, params)


def _count_plan(queryset) -> dict:
    """The capped count's plan (training_site.admin_lists.CappedPaginator): COUNT(*) over LIMIT 10,001."""
    sql, params = queryset.order_by().values("pk")[:10_001].query.sql_with_params()
    return _explain_sql(f"SELECT COUNT(*) FROM ({sql}) counted", params)


LISTS = [
    ("enrollments", "city", {}),
    ("enrollments", "city", {"status": "confirmed", "unit": "{ward_unit}"}),
    ("enrollments", "city", {"session": "{session}"}),
    ("enrollments", "ward", {}),
    ("enrollments", "ward", {"status": "confirmed", "unit": "{ward_unit}"}),
    ("enrollments", "ward", {"session": "{session}"}),
    ("certificates", "city", {}),
    ("certificates", "city", {"status": "valid", "unit": "{ward_unit}"}),
    ("certificates", "ward", {}),
    ("certificates", "ward", {"status": "valid", "unit": "{ward_unit}"}),
    ("officials", "city", {}),
    ("officials", "city", {"unit": "{ward_unit}"}),
    ("officials", "ward", {}),
    ("officials", "ward", {"below_requirement": "true", "unit": "{ward_unit}"}),
]


def _filled(params: dict, world: dict) -> dict:
    ids = {"ward_unit": world["ward_unit"].pk, "session": world["session"].pk}
    return {key: value.format(**ids) for key, value in params.items()}


COUNTED = [("enrollments", {}), ("enrollments", {"status": "confirmed"}), ("certificates", {}), ("officials", {})]


def test_no_list_reads_every_enrollment_or_certificate(city_world):
    """One test for every list (the dataset is built once): each page of rows, each ward count, and the
    compliance selector; every offending plan is named at once."""
    offending = []
    for name, role, params in LISTS:
        queryset = _index_queryset(name, city_world[role], _filled(params, city_world))
        if scans := _scans(_page_plan(queryset)):
            offending.append(f"{name} as {role} {params}: page scans {scans}")
    # The city's HR's whole lists are read in their order from the lists' own indexes (migration 0011), not
    # sorted: the shape that keeps a page the same cost at any size.
    for name, index in (("enrollments", "enrollment_list_order"), ("certificates", "certificate_list_order")):
        plan = _page_plan(_index_queryset(name, city_world["city"], {}))
        if index not in _indexes(plan):
            offending.append(f"{name} as city: page not read from {index} ({sorted(_indexes(plan))})")
    # The city's HR's count of a whole table may well be a sequential read that stops at 10,001 rows;
    # a ward's count must come through the ward's officials.
    for name, params in COUNTED:
        queryset = _index_queryset(name, city_world["ward"], params)
        if scans := _scans(_count_plan(queryset)):
            offending.append(f"{name} as ward {params}: count scans {scans}")
    year = timezone.localdate().year - 1
    ward = Official.objects.filter(unit__in=Unit.objects.filter(path__startswith=city_world["ward_unit"].path))
    below = officials_below_requirement(ward, year=year)
    assert below.exists()  # the dataset has officials below: the plan explained is a real one
    if scans := _scans(_page_plan(below.order_by("search_name", "employee_code"))):
        offending.append(f"officials_below_requirement (ward): scans {scans}")
    assert not offending, offending
