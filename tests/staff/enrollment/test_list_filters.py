"""The enrollments list's class and course filters: searchable text inputs with scoped suggestions (a JSON
endpoint of at most 20), working without JavaScript, never a select of every class of the city (issue 12).
The approvals list: a page at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from courses.models import ApprovalPolicy
from staff.admin.enrollment import APPROVALS_PAGE
from staff.models import EnrollmentStatus
from staff.services.enrollment import enrollment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def classes(ward_a, ward_b, training_centre):
    """Ward A's official in "Kỹ năng số" (class KNS-1), ward B's in "Quản lý đất đai" (class DD-1)."""
    digital = factories.course(title="Kỹ năng số", organizer=training_centre)
    land = factories.course(title="Quản lý đất đai", organizer=training_centre)
    ours = factories.session(course=digital, code="KNS-1", start=dt.date(2026, 3, 2))
    theirs = factories.session(course=land, code="DD-1", start=dt.date(2026, 4, 6))
    factories.enrollment(official=factories.official(unit=ward_a, name="Phạm Văn An"), session=ours)
    factories.enrollment(official=factories.official(unit=ward_b, name="Võ Thị Bình"), session=theirs)
    return ours, theirs


def _names(response) -> list[str]:
    return [row.official.full_name for row in response.context["object_list"]]


def test_the_filters_are_labelled_text_inputs_with_scoped_suggestions(client, hr_a, classes):
    factories.grant_all(hr_a)
    client.force_login(hr_a)
    page = client.get("/admin/enrollments/").content.decode()
    ours, theirs = classes
    assert '<select name="session"' not in page and '<select name="course"' not in page
    assert 'for="id_session"' in page and 'id="id_session"' in page and 'list="id_session_suggestions"' in page
    assert "KNS-1" in page and "DD-1" not in page  # only classes of the ward's enrollments are suggested
    assert reverse("staff_session_suggestions") in page


def test_a_typed_class_code_or_course_title_filters_without_javascript(client, city_hr, classes):
    factories.grant_all(city_hr)
    client.force_login(city_hr)
    ours, theirs = classes
    assert _names(client.get("/admin/enrollments/", {"session": "dd-1"})) == ["Võ Thị Bình"]
    assert _names(client.get("/admin/enrollments/", {"session": str(ours.pk)})) == ["Phạm Văn An"]
    assert _names(client.get("/admin/enrollments/", {"course": "ky nang"})) == ["Phạm Văn An"]  # no diacritics
    assert _names(client.get("/admin/enrollments/", {"course": str(theirs.course_id)})) == ["Võ Thị Bình"]


def test_a_chosen_suggestion_reads_as_words_and_filters_exactly_one_class(client, city_hr, classes, training_centre):
    factories.grant_all(city_hr)
    client.force_login(city_hr)
    ours, theirs = classes
    # Another class whose code holds "KNS-1": choosing KNS-1 must not bring it along.
    other = factories.session(course=ours.course, code="KNS-10", start=dt.date(2026, 9, 7))
    factories.enrollment(official=factories.official(unit=ours.enrollments.first().official.unit, name="Lê Văn Chí"),
                         session=other)
    found = client.get(reverse("staff_session_suggestions"), {"q": "KNS-1"}).json()["results"]
    chosen = next(r["value"] for r in found if r["label"].startswith("KNS-1 · "))
    assert chosen.startswith("KNS-1 · Kỹ năng số") and chosen.endswith(f" · #{ours.pk}")
    assert _names(client.get("/admin/enrollments/", {"session": chosen})) == ["Phạm Văn An"]
    course = client.get(reverse("staff_course_suggestions"), {"q": "dat dai"}).json()["results"][0]["value"]
    assert course == f"Quản lý đất đai · #{theirs.course_id}"
    assert _names(client.get("/admin/enrollments/", {"course": course})) == ["Võ Thị Bình"]
    # Typed text that merely ends in a number is a search, not an id.
    assert _names(client.get("/admin/enrollments/", {"session": "KNS-#1"})) == []


def test_the_suggestions_are_scoped_searchable_and_at_most_20(client, hr_a, ward_a, training_centre, classes):
    client.force_login(hr_a)
    url = reverse("staff_session_suggestions")
    assert [r["label"].split(" · ")[0] for r in client.get(url).json()["results"]] == ["KNS-1"]
    assert client.get(url, {"q": "dat dai"}).json()["results"] == []  # ward B's class: not in ward A's scope
    course = factories.course(title="Bồi dưỡng ngạch", organizer=training_centre)
    for number in range(25):
        session = factories.session(course=course, code=f"BD-{number:02d}", start=dt.date(2026, 5, 4))
        factories.enrollment(official=factories.official(unit=ward_a), session=session)
    found = client.get(url, {"q": "boi duong"}).json()["results"]
    assert len(found) == 20 and all("Bồi dưỡng ngạch" in r["label"] for r in found)
    courses = client.get(reverse("staff_course_suggestions"), {"q": "KY NANG"}).json()["results"]
    assert [r["label"] for r in courses] == ["Kỹ năng số"]


def test_the_approvals_come_a_page_at_a_time(client, hr_a, ward_a, training_centre):
    course = factories.course(title="Bồi dưỡng ngạch", organizer=training_centre,
                              approval_policy=ApprovalPolicy.UNIT_HR)
    session = factories.session(course=course, capacity=APPROVALS_PAGE + 10)
    for _number in range(APPROVALS_PAGE + 3):
        enrollment_create(official=factories.official(unit=ward_a), session=session, by=None)
    client.force_login(hr_a)
    first = client.get(reverse("staff_approvals"))
    assert len(first.context["pending"]) == APPROVALS_PAGE and first.context["next_page"] == 2
    second = client.get(reverse("staff_approvals"), {"p": 2})
    assert len(second.context["pending"]) == 3 and second.context["next_page"] is None
    assert {e.status for e in second.context["pending"]} == {EnrollmentStatus.PENDING}
    assert not {e.pk for e in first.context["pending"]} & {e.pk for e in second.context["pending"]}
