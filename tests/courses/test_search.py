"""Search folds Vietnamese: "ky nang" finds "Kỹ năng", "dat dai" finds "Đất đai" (đ → d explicitly)."""

from __future__ import annotations

import pytest

from courses.text import fold
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Kỹ năng số", "ky nang so"),
        ("Đất đai", "dat dai"),
        ("ĐĂNG KÝ HỘ TỊCH", "dang ky ho tich"),
        ("Nguyễn  Thị Hồng Hải", "nguyen thi hong hai"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_removes_marks_and_maps_d_with_stroke(text, folded):
    assert fold(text) == folded


@pytest.fixture
def courses(training_centre):
    return {
        "skills": factories.course(title="Kỹ năng giao tiếp tại bộ phận một cửa", organizer=training_centre,
                                   group=factories.content_group("lltc", "Lý luận chính trị")),
        "land": factories.course(title="Quản lý Đất đai ở cấp xã", organizer=training_centre,
                                 group=factories.content_group("lltc", "Lý luận chính trị")),
        "other": factories.course(title="Bồi dưỡng ngạch chuyên viên chính", organizer=training_centre,
                                  group=factories.content_group("lltc", "Lý luận chính trị")),
    }


def catalog_titles(client, query: str) -> set[str]:
    return {page.title for page in client.get("/khoa-hoc/", {"q": query}).context["page_obj"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ky nang", {"Kỹ năng giao tiếp tại bộ phận một cửa"}),
        ("Kỹ năng", {"Kỹ năng giao tiếp tại bộ phận một cửa"}),
        ("dat dai", {"Quản lý Đất đai ở cấp xã"}),
        ("DAT DAI", {"Quản lý Đất đai ở cấp xã"}),
        ("chuyen vien chinh", {"Bồi dưỡng ngạch chuyên viên chính"}),
        ("thuy loi", set()),
    ],
)
def test_catalog_search_ignores_diacritics(client, courses, query, expected):
    assert catalog_titles(client, query) == expected


def test_search_combines_with_facets(client, courses, training_centre):
    land = factories.field_of_work()
    courses["land"].field_of_work = land
    courses["land"].save()

    response = client.get("/khoa-hoc/", {"q": "dat dai", "field_of_work": land.pk})

    assert [page.title for page in response.context["page_obj"]] == ["Quản lý Đất đai ở cấp xã"]


def test_api_v2_search_folds_diacritics(client, courses):
    response = client.get("/api/v2/pages/", {"type": "courses.CoursePage", "search": "ky nang"})

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["Kỹ năng giao tiếp tại bộ phận một cửa"]


def test_api_v2_exposes_course_fields(client, courses):
    page = courses["land"]
    factories.session(course=page, capacity=25)

    response = client.get(f"/api/v2/pages/{page.pk}/")

    body = response.json()
    assert body["meta"]["type"] == "courses.CoursePage"
    assert body["periods"] == 16
    assert body["content_group_name"] == "Lý luận chính trị"
    assert body["organizer_name"] == "Trung tâm Bồi dưỡng"
    assert body["upcoming_sessions"][0]["seats_left"] == 25


def test_api_v2_lists_only_published_pages(client, courses):
    courses["other"].unpublish()

    response = client.get("/api/v2/pages/", {"type": "courses.CoursePage", "search": "chuyen vien"})

    assert response.json()["items"] == []
