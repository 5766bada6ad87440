"""The page editor's slug auto-fill gives the ASCII slug of a Vietnamese title, "đ" included
(Wagtail's own transliteration has no Vietnamese table: courses/models/slugs.py)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/hygiene")


@pytest.mark.parametrize("title,slug", [("Kỹ năng số cho cán bộ", "ky-nang-so-cho-can-bo"),
                                        ("Đất đai và Đô thị", "dat-dai-va-do-thi"),
                                        (unicodedata.normalize("NFD", "Quản lý Ư Ơ"), "quan-ly-u-o")])
def test_the_editor_fills_the_ascii_slug_from_a_vietnamese_title(browser: Browser, live_server, demo_data, title, slug):
    from courses.models import CatalogPage

    catalog = CatalogPage.objects.first()
    tab = sign_in(browser, live_server, "admin")
    tab.goto(f"/admin/pages/add/courses/coursepage/{catalog.pk}/")
    tab.locator("#id_title").click()
    tab.locator("#id_title").press_sequentially(title)  # keystrokes, as an editor types
    tab.locator("#id_title").blur()

    # The slug field syncs from the title after a short debounce: expect() waits for it.
    expect(tab.locator("#id_slug")).to_have_value(slug)
    SHOTS.mkdir(exist_ok=True)
    panel = tab.locator("#id_slug").evaluate("e => e.closest('[role=tabpanel]').id")
    tab.locator(f'[role=tab][aria-controls="{panel}"]').click()  # the slug lives on the promote tab
    tab.locator("#id_slug").scroll_into_view_if_needed()
    tab.screenshot(path=str(SHOTS / f"slug-{slug}.png"))
