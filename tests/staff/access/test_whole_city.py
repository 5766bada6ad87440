"""The city's HR's scope is the whole city without a condition (issue 12): the same rows as the scope
condition gave, and the condition is kept the moment it would not be the same rows."""

from __future__ import annotations

import datetime as dt

import pytest

from staff.access import certificates_in_scope, enrollments_in_scope, officials_in_scope, units_in_scope
from staff.models import Certificate, Enrollment, EnrollmentStatus, Official, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city, ward_a, ward_b, training_centre):
    course = factories.course(title="Kỹ năng số", organizer=training_centre)
    session = factories.session(course=course, start=dt.date(2026, 3, 2))
    for ward in (ward_a, ward_b):
        enrollment = factories.enrollment(official=factories.official(unit=ward), session=session,
                                          status=EnrollmentStatus.COMPLETED, completed_on=session.end_date)
        factories.certificate(enrollment=enrollment)
    return session


def test_the_city_hr_sees_every_row_with_no_scope_condition(city_hr, world):
    assert not units_in_scope(city_hr).query.where
    for scoped, model in ((enrollments_in_scope, Enrollment), (certificates_in_scope, Certificate),
                          (officials_in_scope, Official)):
        rows = scoped(city_hr)
        assert not rows.query.where, model  # no condition for PostgreSQL to test row by row
        assert set(rows) == set(model.objects.all()) and rows.count() == 2, model


def test_an_official_outside_every_unit_keeps_the_condition(city_hr, world):
    # Without a unit, an official is in nobody's scope: the city's HR does not gain them by the shortcut.
    loose = Official.objects.create(employee_code="X-1", full_name="Trần Văn Rời", gender="male", category="cong_chuc")
    factories.enrollment(official=loose, session=world, unit=factories.unit("P-CU", name="Phường cũ"))
    assert units_in_scope(city_hr).query.where
    assert loose not in officials_in_scope(city_hr)
    # The class's organizer unit is in the city's scope: the enrollment stays visible through that arm.
    assert enrollments_in_scope(city_hr).count() == 3


def test_a_second_root_unit_keeps_the_condition(city_hr, world):
    other = factories.unit("HCM", name="Thành phố khác", kind="city")
    factories.official(unit=other)
    assert units_in_scope(city_hr).query.where
    assert officials_in_scope(city_hr).count() == 2  # the other city's official is not the city HR's


def test_a_ward_hr_sees_their_ward_and_their_own_record(hr_a, ward_a, ward_b, world):
    own = factories.official(unit=ward_b, name="Lê Thị Mình", user=hr_a)
    assert set(officials_in_scope(hr_a)) == {*Official.objects.filter(unit=ward_a), own}
    assert {e.official.unit_id for e in enrollments_in_scope(hr_a)} == {ward_a.pk}


def test_an_organizer_of_a_ward_is_not_the_whole_city(ward_a, world):
    organizer = factories.user("org.a", role=Role.ORGANIZER, unit=ward_a)
    assert units_in_scope(organizer).query.where
    assert enrollments_in_scope(organizer).count() == 0  # the class is the training centre's


def test_a_ward_hrs_enrollments_are_asked_as_one_array_of_their_officials(hr_a, ward_a, world):
    # PostgreSQL walked the city's list looking each official up for "official's unit IN the ward" (36 ms a
    # page at city scale); the ward's officials as one array let it read their enrollments from an index.
    from django.db import connection

    sql = str(enrollments_in_scope(hr_a).query)
    assert ("= ANY(ARRAY(SELECT" in sql) if connection.vendor == "postgresql" else (" IN (SELECT" in sql)
    assert "JOIN" not in sql.split("WHERE")[0]  # the officials are not joined to every enrollment
    assert set(enrollments_in_scope(hr_a)) == set(Enrollment.objects.filter(official__unit=ward_a))


def test_the_sessions_suggested_to_a_ward_ask_for_its_officials_with_in(hr_a, world):
    # "Which sessions have one of the ward's enrollments" is answered newest session first when the
    # officials are an IN (15 ms at city scale); through the array, PostgreSQL reads all 6,000 (37 ms).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from staff.selectors.enrollment import session_suggestions

    with CaptureQueriesContext(connection) as queries:
        found = session_suggestions(enrollments_in_scope(hr_a), "")
    assert [value.rsplit("#", 1)[1] for value, _label in found] == [str(world.pk)]
    assert not any("ANY(ARRAY" in query["sql"] for query in queries.captured_queries)
    assert "ANY(ARRAY" in str(enrollments_in_scope(hr_a).query) or connection.vendor != "postgresql"
