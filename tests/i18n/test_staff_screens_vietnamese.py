"""Every screen a staff member can reach reads Vietnamese: no msgid falls back to English.

The demo data is seeded once for the module; each persona (administrator, city HR, a ward's HR officer, an
organizer) then walks the admin from its dashboard — menu, lists with a search, the filter drawer, create and
edit forms, page editors, choosers, a failed and a successful save, our own views — and the error pages.
A mark ``⟦…⟧`` in any response means a msgid missing from the merged Vietnamese catalog (see ``marking``).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from wagtail.models import Page

from tests.i18n.marking import Walk, empty_form_data, marking_untranslated, marks

SNIPPET_CHOOSERS = ["courses/contentgroup", "courses/fieldofwork", "courses/skill", "courses/legaldocument",
                    "courses/trainer", "staff/rank"]
PERSONAS = ["admin", "hr.thanhpho", "hr.khuongdinh", "tochuc"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data once for every test of the module, rolled back at the end."""
    from staff.demo import seed_demo

    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(officials=12)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def marked(demo, db):
    with marking_untranslated():
        yield


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _explicit_urls() -> list[str]:
    """What a walk of links does not reach by itself: choosers, one editor per page type, a search."""
    urls = ["/admin/choose-page/", "/admin/documents/chooser/", "/admin/images/chooser/", "/admin/pages/search/?q=a"]
    urls += [f"/admin/snippets/choose/{model}/" for model in SNIPPET_CHOOSERS]
    seen_types = set()
    for page in Page.objects.filter(depth__gt=1).order_by("path"):
        if page.content_type_id not in seen_types:
            seen_types.add(page.content_type_id)
            urls += [f"/admin/pages/{page.pk}/edit/", f"/admin/pages/{page.pk}/add_subpage/"]
            urls.append(f"/admin/pages/add/{page.content_type.app_label}/{page.content_type.model}/{page.get_parent().pk}/")
    return urls


def _empty_page_form(url: str, client: Client) -> dict[str, str]:
    from django.contrib.contenttypes.models import ContentType

    app_label, model, parent_id = re.search(r"/pages/add/(\w+)/(\w+)/(\d+)/", url).groups()
    page_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
    parent = Page.objects.get(pk=parent_id)
    form_class = page_class.get_edit_handler().get_form_class()
    user = User.objects.get(pk=client.session["_auth_user_id"])
    return empty_form_data(form_class, instance=page_class(), parent_page=parent, for_user=user)


def _fail(walk: Walk, who: str) -> str:
    return f"{len(walk.found)} untranslated message(s) on the screens of {who}:\n{walk.report()}"


@pytest.mark.parametrize("username", PERSONAS)
def test_every_admin_screen_of_a_persona_is_vietnamese(marked, username):
    client = signed_in(username)
    walk = Walk(client)

    walk.crawl("/admin/", *_explicit_urls())
    # Each list once more with a search, which adds "There are N matches" and the empty state.
    for url in [url for url in walk.visited if url.rstrip("/").count("/") <= 4 and "?" not in url]:
        walk.get(f"{url}?q=Nguy%E1%BB%85n")
    # A failed save on every create form reached: the form's errors and the error message.
    for url in [url for url in walk.visited if url.endswith(("/add/", "/new/", "/create/"))]:
        walk.post(url, {})
    for url in [url for url in walk.visited if "/pages/add/" in url]:
        walk.post(url, _empty_page_form(url, client))

    assert not walk.errors, walk.errors
    assert len(walk.visited) > 20, walk.visited  # the walk did walk
    assert not walk.found, _fail(walk, username)


def test_a_successful_save_says_so_in_vietnamese(marked):
    walk = Walk(signed_in("admin"))

    content = walk.post("/admin/snippets/courses/skill/add/", {"name": "Kỹ năng thử nghiệm"})

    assert "Kỹ năng thử nghiệm" in content
    assert not walk.found, _fail(walk, "admin")


def test_error_pages_are_vietnamese_with_a_way_back(marked):
    walk = Walk(signed_in("hr.khuongdinh"))

    admin_404 = walk.get("/admin/officials/edit/999999/")
    site_404 = walk.get("/khong-co-trang-nay/")
    anonymous_404 = Walk(Client()).get("/khong-co-trang-nay/")

    assert "Không tìm thấy" in admin_404 and 'href="/admin/"' in admin_404
    assert "Không tìm thấy" in site_404 and 'href="/"' in site_404
    assert "Không tìm thấy" in anonymous_404
    assert not walk.found, _fail(walk, "the error pages")


def test_the_server_error_page_needs_neither_database_nor_request(marked, django_assert_num_queries):
    from django.template.loader import render_to_string

    with django_assert_num_queries(0):
        content = render_to_string("500.html")

    assert "Đã có lỗi" in content and 'href="/"' in content
    assert not marks(content)


def test_the_csrf_failure_page_is_vietnamese(marked):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/dang-nhap/", {"username": "x", "password": "y"})

    content = response.content.decode()
    assert response.status_code == 403
    assert "Phiên làm việc" in content and 'href="/"' in content
    assert not marks(content)


def test_the_mark_appears_for_a_msgid_nobody_translated(marked):
    """The walk can fail: a msgid missing from every catalog comes back marked, a translated one does not."""
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("vi"):
        content = Template(
            "{% load i18n %}{% translate 'No catalog has this sentence' %}|{% translate 'Save' %}"
            "|{% blocktranslate count n=2 %}one thing nobody has{% plural %}{{ n }} things nobody has"
            "{% endblocktranslate %}|{% translate 'Page' context 'a context nobody has' %}"
        ).render(Context())

    assert marks(content) == {"No catalog has this sentence", "{{ n }} things nobody has".replace("{{ n }}", "2"),
                              "Page"}
    assert "Lưu" in content
