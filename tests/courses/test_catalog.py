"""The public catalog: facets, seats left, and a query count that does not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import SessionMode
from staff.models import EnrollmentStatus
from staff.services.enrollment import session_recount_seats
from tests import factories

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [page.title for page in response.context["page_obj"]]


def test_catalog_lists_live_courses_with_their_upcoming_sessions(client, training_centre):
    course = factories.course(title="Kỹ năng số cho cán bộ cấp xã", organizer=training_centre)
    factories.session(course=course, capacity=30)
    draft = factories.course(title="Khóa học nháp", organizer=training_centre)
    draft.unpublish()

    response = client.get("/khoa-hoc/")

    assert response.status_code == 200
    assert titles(response) == ["Kỹ năng số cho cán bộ cấp xã"]
    assert "30 / 30" not in response.content.decode()  # the card shows seats left, the table shows the ratio
    assert 'data-seats-left="30"' in response.content.decode()


def test_seats_left_count_only_enrollments_that_hold_a_seat(client, training_centre, ward_a):
    course = factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre)
    session = factories.session(course=course, capacity=5)
    for status in (EnrollmentStatus.CONFIRMED, EnrollmentStatus.PENDING, EnrollmentStatus.WAITLISTED,
                   EnrollmentStatus.CANCELLED):
        factories.enrollment(official=factories.official(unit=ward_a), session=session, status=status)
    session_recount_seats()  # the factory writes rows directly; the services keep the counter in real use

    response = client.get(course.url)

    (shown,) = response.context["sessions"]
    assert shown.seats_taken == 2  # confirmed + awaiting approval; waiting list and cancelled hold none
    assert shown.seats_left == 3
    assert 'data-seats-left="3"' in response.content.decode()


def test_facets_narrow_the_catalog(client, training_centre, ward_a):
    land = factories.field_of_work("dat-dai", "Đất đai")
    defence = factories.content_group("quoc-phong-an-ninh", "Kiến thức quốc phòng và an ninh")
    online = factories.course(title="Đất đai trực tuyến", organizer=training_centre, field=land)
    factories.session(course=online, mode=SessionMode.ONLINE)
    in_person = factories.course(title="Quốc phòng tại lớp", organizer=ward_a, group=defence)
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=70)).replace(day=3)
    factories.session(course=in_person, start=next_month, capacity=1)

    assert titles(client.get("/khoa-hoc/", {"field_of_work": land.pk})) == ["Đất đai trực tuyến"]
    assert titles(client.get("/khoa-hoc/", {"content_group": defence.pk})) == ["Quốc phòng tại lớp"]
    assert titles(client.get("/khoa-hoc/", {"organizer": ward_a.pk})) == ["Quốc phòng tại lớp"]
    assert titles(client.get("/khoa-hoc/", {"mode": SessionMode.ONLINE})) == ["Đất đai trực tuyến"]
    assert titles(client.get("/khoa-hoc/", {"month": next_month.strftime("%Y-%m")})) == ["Quốc phòng tại lớp"]


def test_only_open_seats_hides_full_and_started_sessions(client, training_centre, ward_a):
    full = factories.course(title="Lớp đã đủ chỗ", organizer=training_centre)
    full_session = factories.session(course=full, capacity=1)
    factories.enrollment(official=factories.official(unit=ward_a), session=full_session)
    started = factories.course(title="Lớp đang học", organizer=training_centre)
    factories.session(course=started, start=timezone.localdate() - dt.timedelta(days=1), days=5)
    open_course = factories.course(title="Lớp còn chỗ", organizer=training_centre)
    factories.session(course=open_course, capacity=2)

    response = client.get("/khoa-hoc/", {"open_seats": "on"})

    assert titles(response) == ["Lớp còn chỗ"]


def test_organizer_choices_list_only_units_that_organize_something(client, training_centre, ward_b):
    factories.course(title="Một khóa", organizer=training_centre)

    choices = [unit for unit in client.get("/khoa-hoc/").context["filterset"].form.fields["organizer"].queryset]

    assert choices == [training_centre]


def _catalog_with(count: int, organizer) -> None:
    for number in range(count):
        course = factories.course(title=f"Khóa học {number:02d}", organizer=organizer)
        factories.session(course=course)
        factories.session(course=course, start=timezone.localdate() + dt.timedelta(days=30))


@pytest.mark.parametrize("count", [1, 30])
def test_catalog_query_count_does_not_grow_with_courses(client, django_assert_num_queries, training_centre,
                                                        count):
    _catalog_with(count, training_centre)
    client.get("/khoa-hoc/")  # warm Wagtail's site and content-type caches

    # Wagtail serving the page: site, 3 route steps, ancestors' aliases, view restrictions (6);
    # the paginator's count, the offerings with group/field/organizer joined, their upcoming sessions
    # with seats left in one aggregate (3); the filter form's three choice lists (3); the header's
    # catalog link by slug (1).
    with django_assert_num_queries(EXPECTED_CATALOG_QUERIES):
        response = client.get("/khoa-hoc/")
    assert len(response.context["page_obj"]) == min(count, 20)


@pytest.mark.parametrize("count", [1, 30])
def test_course_page_query_count_does_not_grow_with_sessions(client, django_assert_num_queries,
                                                             training_centre, count):
    course = factories.course(title="Bồi dưỡng ngạch chuyên viên", organizer=training_centre)
    for number in range(count):
        factories.session(course=course, start=timezone.localdate() + dt.timedelta(days=number))
    client.get(course.url)

    # Wagtail serving the page: site, 4 route steps, ancestors' aliases, view restrictions (7);
    # the sessions shown (the upcoming ones and the last ended ones, one query with a row number) with seats
    # left, their trainers in one prefetch (2);
    # the breadcrumb's parent, the content group, the organizer, the header's catalog link (4).
    with django_assert_num_queries(EXPECTED_COURSE_PAGE_QUERIES):
        response = client.get(course.url)
    assert len(response.context["sessions"]) == count


EXPECTED_CATALOG_QUERIES = 13
EXPECTED_COURSE_PAGE_QUERIES = 13
