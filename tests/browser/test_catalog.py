"""The public catalog as an official sees it in a browser: home, facets, search, a course's seats, a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CATALOG = "/khoa-hoc/"
KY_NANG_SO = "Kỹ năng số cho cán bộ, công chức cấp xã"
DAT_DAI = "Quản lý nhà nước về đất đai ở cấp xã"
HO_TICH = "Nghiệp vụ đăng ký và quản lý hộ tịch"
QPAN = "Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 4"
QPAN_GROUP = "Kiến thức quốc phòng và an ninh"
CHUYEN_VIEN_CHINH = "Bồi dưỡng ngạch chuyên viên chính"
PHONE = {"width": 375, "height": 812}
SEATS_SHOWN = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def facets(page: Page):
    return page.locator("form.facets")


def result_titles(page: Page) -> list[str]:
    expect(page.locator(".results .result-count")).to_be_visible()
    return [title.strip() for title in page.locator(".results .course-card h2 a").all_inner_texts()]


def page_width(page: Page) -> tuple[int, int]:
    """The document's scroll width and the viewport's width: a wider document scrolls sideways."""
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def test_home_page_is_vietnamese_and_links_to_the_catalog(page: Page):
    response = page.goto("/")

    assert response is not None and response.ok, response and response.status
    # The browser asks for English (see conftest): the site still answers in Vietnamese.
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Bồi dưỡng cán bộ, công chức")
    catalog_links = page.locator(f'main a[href="{CATALOG}"]')
    expect(catalog_links.first).to_be_visible()

    catalog_links.first.click()
    page.wait_for_url(re.compile(rf"{re.escape(CATALOG)}$"))
    expect(page.locator("h1")).to_have_text("Danh mục khóa học")
    assert KY_NANG_SO in result_titles(page)


def test_catalog_narrowed_by_content_group(page: Page):
    page.goto(CATALOG)
    everything = result_titles(page)
    assert {QPAN, KY_NANG_SO} <= set(everything)

    group = facets(page).locator("select[name=content_group]")
    # The select is announced by a label of its own.
    expect(page.locator(f'label[for="{group.get_attribute("id")}"]')).to_have_count(1)
    group.select_option(label=QPAN_GROUP)
    facets(page).locator("button[type=submit]").click()

    page.wait_for_url(re.compile(r"[?&]content_group=\d+"))
    titles = result_titles(page)
    assert QPAN in titles
    assert KY_NANG_SO not in titles
    assert len(titles) < len(everything)
    # Every card left belongs to the chosen group, and the form remembers the choice.
    for card in page.locator(".results .course-card").all():
        expect(card.locator(".meta .tag").first).to_have_text(QPAN_GROUP)
    expect(group.locator("option:checked")).to_have_text(QPAN_GROUP)


def test_search_without_diacritics(page: Page):
    page.goto(CATALOG)

    search = facets(page).locator("input[name=q]")
    search.fill("dat dai")
    search.press("Enter")

    page.wait_for_url(re.compile(r"[?&]q=dat(\+|%20)dai"))
    titles = result_titles(page)
    assert DAT_DAI in titles
    assert CHUYEN_VIEN_CHINH not in titles
    assert KY_NANG_SO not in titles
    expect(search).to_have_value("dat dai")


def test_course_page_shows_sessions_and_seats_left(page: Page):
    page.goto(CATALOG)

    page.locator(".results").get_by_role("link", name=KY_NANG_SO, exact=True).click()

    page.wait_for_url(re.compile(r"/ky-nang-so-cap-xa/$"))
    expect(page.locator("h1")).to_have_text(KY_NANG_SO)
    rows = page.locator("table.sessions-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1

    assert page.locator("table.sessions-table td.seats").count() == rows.count(), "every session row has a seats cell"
    # Past sessions say they ended instead of counting seats nobody can take any more.
    closed = page.locator("table.sessions-table td.seats.closed")
    for cell in closed.all():
        assert cell.get_attribute("data-seats-left") is None
    seats_cells = page.locator("table.sessions-table td.seats:not(.closed)")
    assert seats_cells.count() >= 1
    positive = 0
    for cell in seats_cells.all():
        raw = cell.get_attribute("data-seats-left")
        assert raw is not None and re.fullmatch(r"\d+", raw), f"data-seats-left={raw!r} is not an integer"
        seats_left = int(raw)
        shown = SEATS_SHOWN.match(cell.inner_text())
        assert shown, f"seats cell shows {cell.inner_text()!r}, expected 'left / capacity'"
        shown_left, capacity = int(shown.group(1)), int(shown.group(2))
        assert capacity > 0
        assert 0 <= seats_left <= capacity
        assert shown_left == seats_left
        positive += seats_left > 0
    assert positive >= 1, "at least one session still has seats"


@pytest.mark.parametrize("viewport", [PHONE], ids=["375px"])
def test_filter_form_by_keyboard_on_a_phone(page: Page, viewport):
    page.goto(CATALOG)
    assert page.evaluate("() => window.innerWidth") == PHONE["width"]
    # Measured now, asserted at the end: a sideways scroll must not hide whether the keyboard path works.
    widths = {"catalog": page_width(page)}

    search = facets(page).locator("input[name=q]")
    for _ in range(40):
        page.keyboard.press("Tab")
        if search.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the search field cannot be reached with Tab")
    expect(search).to_be_focused()
    expect(search).to_be_in_viewport()

    page.keyboard.type("ho tich")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"[?&]q=ho(\+|%20)tich"))
    titles = result_titles(page)
    assert HO_TICH in titles
    assert DAT_DAI not in titles
    assert KY_NANG_SO not in titles
    widths["results"] = page_width(page)

    too_wide = {name: f"{scroll}px > {inner}px" for name, (scroll, inner) in widths.items() if scroll > inner}
    assert not too_wide, f"the page scrolls sideways at {PHONE['width']}px: {too_wide}"
