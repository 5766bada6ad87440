"""New pages titled in Vietnamese get ASCII slugs, on the server and in the editor's auto-fill; existing
pages keep theirs."""

from __future__ import annotations

import unicodedata

import pytest
from django.conf import settings

from courses.models import CoursePage
from courses.models.slugs import VIETNAMESE_SLUG_FORMATTERS, VietnameseSlugInput
from courses.text import ascii_slug
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title,slug", [("Kỹ năng số", "ky-nang-so"), ("Đất đai", "dat-dai"),
                                        ("ĐỔI MỚI SÁNG TẠO", "doi-moi-sang-tao"),
                                        (unicodedata.normalize("NFD", "Quản lý đô thị"), "quan-ly-do-thi")])
def test_ascii_slug(title, slug):
    assert ascii_slug(title) == slug


def test_unicode_slugs_are_off():
    assert settings.WAGTAIL_ALLOW_UNICODE_SLUGS is False


def test_a_page_created_without_a_slug_gets_the_ascii_one(training_centre):
    page = factories.course(title="Đất đai và kỹ năng số", organizer=training_centre)
    twin = factories.course(title="Đất đai và kỹ năng số", organizer=training_centre)

    assert page.slug == "dat-dai-va-ky-nang-so" and twin.slug == "dat-dai-va-ky-nang-so-2"
    assert page.url.endswith("/dat-dai-va-ky-nang-so/")


def test_full_clean_fills_an_empty_slug_with_the_ascii_one(training_centre):
    parent = factories.catalog()
    page = CoursePage(title="Kỹ năng số", summary="Tóm tắt", periods=8, organizer=training_centre,
                      content_group=factories.content_group())
    page._cached_parent_obj = parent  # what Wagtail's create view sets before validating

    page.full_clean(exclude=["path", "depth"])  # the tree fields are set when the page is added

    assert page.slug == "ky-nang-so"


def test_an_existing_slug_is_kept(training_centre):
    page = factories.course(title="Kỹ năng số", organizer=training_centre, slug="kỹ-năng-số")
    page.title = "Kỹ năng số cơ bản"
    page.save()
    page.refresh_from_db()

    assert page.slug == "kỹ-năng-số"


def test_the_editor_slug_field_carries_the_vietnamese_formatters(client, admin_user, training_centre):
    catalog = factories.catalog()
    client.force_login(admin_user)

    response = client.get(f"/admin/pages/add/courses/coursepage/{catalog.pk}/")

    assert response.status_code == 200
    widget = response.context["form"].fields["slug"].widget
    assert isinstance(widget, VietnameseSlugInput)
    assert b"data-w-slug-formatters-value" in response.content
    # A false attribute is left out of the HTML; the controller's default is then "no Unicode".
    assert b"data-w-slug-allow-unicode-value" not in response.content
    assert len(VIETNAMESE_SLUG_FORMATTERS) == 8
