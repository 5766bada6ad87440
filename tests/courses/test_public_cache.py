"""The public pages' cache (courses/cache.py): an anonymous visitor's second visit costs no query; a publish,
a seat change and a session edited in the admin are seen at once; a signed-in official, a visitor with a
message and the other language never get someone else's copy; every copy carries its visitor's own token."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.cache import CSRF_PLACEHOLDER, public_pages_changed
from courses.models import CourseSession
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(training_centre):
    page = factories.course(title="Kỹ năng số cho cán bộ cấp xã", organizer=training_centre)
    page.test_session = factories.session(course=page, capacity=30)
    return page


def visit(client: Client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


def seats_shown(response, session: CourseSession) -> str:
    match = re.search(r'data-seats-left="(\d+)">([^<]*)<', response.content.decode())
    assert match, "no seats cell"
    return match.group(2).strip()


@pytest.mark.parametrize("which", ["home", "catalog", "course", "practice"])
def test_a_second_anonymous_visit_is_served_without_a_query(client, course, ward_a, which):
    practice = factories.best_practice(title="Trả kết quả tại nhà", unit=ward_a)
    url = {"home": "/", "catalog": "/khoa-hoc/", "course": course.url, "practice": practice.url}[which]
    first_queries, first = visit(client, url)
    again_queries, again = visit(Client(), url)  # another visitor, no cookie at all

    assert first_queries > 0 and first.context is not None  # rendered
    assert again_queries == 0 and again.context is None  # replayed
    assert again["X-Public-Page"] == "hit"
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())


def test_every_copy_carries_its_own_visitors_csrf_token_and_it_works(course):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(course.url)
    response = second.get(course.url)

    assert response["X-Public-Page"] == "hit"
    assert CSRF_PLACEHOLDER.decode() not in response.content.decode()
    (token,) = set(TOKEN.findall(response.content.decode()))
    assert token not in first.get(course.url).content.decode()
    # The language switch posts with that token and the cookie the hit set: accepted, not refused as forged.
    assert "csrftoken" in response.cookies
    switched = second.post("/i18n/setlang/", {"language": "en", "next": course.url, "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_anonymous_pages_may_be_kept_by_the_browser_only(client, course):
    client.get(course.url)
    for response in (client.get(course.url), Client().get(course.url)):
        assert "private" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


def test_publishing_a_page_is_seen_at_once(client, course):
    client.get("/khoa-hoc/")
    client.get(course.url)
    course.title = "Kỹ năng số nâng cao"
    course.save_revision().publish()

    for url in ("/khoa-hoc/", course.url):
        queries, response = visit(Client(), url)
        assert queries > 0
        assert "Kỹ năng số nâng cao" in response.content.decode()


def test_unpublishing_a_page_is_seen_at_once(client, course):
    client.get("/khoa-hoc/")
    course.unpublish()

    _queries, response = visit(Client(), "/khoa-hoc/")
    assert "Kỹ năng số cho cán bộ cấp xã" not in response.content.decode()
    assert Client().get(course.url).status_code == 404


def test_a_seat_change_is_seen_once_the_enrollment_services_say_so(client, course):
    session = course.test_session
    _queries, before = visit(client, course.url)
    assert seats_shown(before, session) == "30 / 30"
    # How the services take a seat: a conditional UPDATE, which no post_save announces.
    CourseSession.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)

    assert seats_shown(Client().get(course.url), session) == "30 / 30"  # still the kept copy…
    public_pages_changed(session=session)
    _queries, after = visit(Client(), course.url)
    assert seats_shown(after, session) == "29 / 30"  # …until the services call this


def test_a_session_saved_through_the_model_is_seen_at_once(client, course):
    client.get(course.url)
    session = course.test_session
    session.capacity = 40
    session.save()

    assert seats_shown(Client().get(course.url), session) == "40 / 40"


def test_a_signed_in_official_gets_the_live_page_and_never_the_anonymous_copy(client, course, official):
    anonymous = visit(Client(), course.url)[1]
    client.force_login(official.user)

    queries, response = visit(client, course.url)

    assert queries > 0 and response.context is not None
    assert "X-Public-Page" not in response
    assert "private" in response["Cache-Control"]
    assert "dang-xuat" in response.content.decode() and "dang-xuat" not in anonymous.content.decode()
    # Nor is the signed-in page kept for the next anonymous visitor.
    assert "dang-xuat" not in Client().get(course.url).content.decode()


def test_a_visitor_with_a_message_waiting_gets_the_page_rendered(client, course):
    client.get(course.url)
    visitor = Client()
    visitor.cookies["messages"] = "anything"

    queries, response = visit(visitor, course.url)
    assert queries > 0 and "X-Public-Page" not in response


def test_the_two_languages_are_kept_apart(course):
    vietnamese, english = Client(), Client()
    english.cookies["django_language"] = "en"

    for _round in range(2):  # the second round is served from the cache
        vi_page = vietnamese.get(course.url).content.decode()
        en_page = english.get(course.url).content.decode()
        assert '<html lang="vi">' in vi_page and "Lớp" in vi_page
        assert '<html lang="en">' in en_page and "Seats left" in en_page
    assert vietnamese.get(course.url)["X-Public-Page"] == english.get(course.url)["X-Public-Page"] == "hit"


def test_the_cache_can_be_turned_off(settings, client, course):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(course.url)
    queries, _response = visit(Client(), course.url)
    assert queries > 0


def test_deleting_a_page_is_seen_at_once(client, training_centre):
    course = factories.course(title="Khóa học chưa có lớp", organizer=training_centre)  # sessions protect a page
    assert "Khóa học chưa có lớp" in client.get("/khoa-hoc/").content.decode()
    course.delete()

    assert "Khóa học chưa có lớp" not in Client().get("/khoa-hoc/").content.decode()


def test_a_password_protected_page_is_never_kept(client, course):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.PASSWORD, password="bí mật")
    client.get(course.url)

    queries, response = visit(Client(), course.url)
    assert queries > 0 and "X-Public-Page" not in response
    assert 'name="password"' in response.content.decode() and "data-seats-left" not in response.content.decode()
