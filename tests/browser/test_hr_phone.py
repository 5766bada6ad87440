"""HR at work in a browser: approving from a phone (390 px), approving many at once on a desktop, and a
roster that shows at least 15 officials on a 1280×800 screen with every name on one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BROWSER_LOCALE, DEFAULT_TIMEOUT_MS, DEMO_PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/hrwork")
HR = "hr.khuongdinh"


def signed_in(browser: Browser, live_server, *, width: int, height: int) -> Page:
    context = browser.new_context(base_url=live_server.url, locale=BROWSER_LOCALE,
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    tab.goto("/dang-nhap/")
    tab.locator("input[name=username]").fill(HR)
    tab.locator("input[name=password]").fill(DEMO_PASSWORD)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url(re.compile(r"/$"))
    return tab


def shot(tab: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def awaiting_hr(count: int) -> list:
    """``count`` enrollments of the HR officer's ward awaiting their approval, in a class that asks for it."""
    from django.contrib.auth.models import User

    from courses.models import ApprovalPolicy, CourseSession
    from staff.access import officials_managed_by
    from staff.services.enrollment import enrollment_create
    from tests import factories

    hr = User.objects.get(username=HR)
    ward = officials_managed_by(hr).select_related("unit").first().unit
    session = CourseSession.objects.filter(cancelled=False).select_related("course").order_by("-start_date").first()
    session.course.approval_policy = ApprovalPolicy.UNIT_HR
    session.course.save(update_fields=["approval_policy"])
    session.capacity = session.seats_taken + count + 5
    session.save(update_fields=["capacity"])
    return [enrollment_create(official=factories.official(unit=ward, name=f"Ngô Thị Ánh Tuyết {i}"),
                              session=session, by=None) for i in range(count)]


def test_unit_hr_approves_an_enrollment_from_a_phone(browser: Browser, live_server, demo_data):
    (enrollment,) = awaiting_hr(1)
    phone = signed_in(browser, live_server, width=390, height=844)
    phone.goto("/admin/approvals/")
    row = phone.locator(f'tr[data-enrollment="{enrollment.pk}"]')
    expect(row.get_by_text("Ngô Thị Ánh Tuyết 0")).to_be_visible()
    shot(phone, "approvals-390")
    # Nothing is cut off: the page does not scroll sideways and the row's buttons lie inside the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    approve = row.get_by_role("button", name="Duyệt", exact=True)
    box = approve.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    approve.click()
    expect(phone.get_by_text("Đã duyệt.")).to_be_visible()
    enrollment.refresh_from_db()
    assert enrollment.status == "confirmed"


def test_unit_hr_approves_many_at_once_with_the_keyboard(browser: Browser, live_server, demo_data):
    enrollments = awaiting_hr(3)
    desk = signed_in(browser, live_server, width=1280, height=800)
    desk.goto("/admin/approvals/")
    for enrollment in enrollments[:2]:
        box = desk.locator(f'#pick-{enrollment.pk}')
        box.focus()
        desk.keyboard.press("Space")
        expect(box).to_be_checked()
    desk.get_by_label("Lý do cho các ghi danh đã đánh dấu").fill("Đúng kế hoạch bồi dưỡng năm")
    shot(desk, "approvals-bulk-1280")
    desk.get_by_role("button", name="Duyệt các mục đã đánh dấu").focus()
    desk.keyboard.press("Enter")
    expect(desk.get_by_text("2 đã duyệt.")).to_be_visible()
    shot(desk, "approvals-bulk-done-1280")
    statuses = []
    for enrollment in enrollments:
        enrollment.refresh_from_db()
        statuses.append(enrollment.status)
    assert statuses == ["confirmed", "confirmed", "pending"]


@pytest.mark.parametrize("width,height", [(1280, 800)])
def test_the_roster_shows_15_rows_on_a_laptop_with_each_name_on_one_line(browser: Browser, live_server, demo_data,
                                                                         width, height):
    from django.contrib.auth.models import User

    from staff.access import officials_managed_by
    from tests import factories

    ward = officials_managed_by(User.objects.get(username=HR)).select_related("unit").first().unit
    for number in range(20):  # long Vietnamese names, the kind that used to wrap onto three lines
        factories.official(unit=ward, name=f"Nguyễn Thị Phương Thảo Quỳnh {number:02d}")
    desk = signed_in(browser, live_server, width=width, height=height)
    desk.goto("/admin/officials/")
    expect(desk.get_by_role("link", name="Xuất Excel (XLSX)")).to_be_visible()
    shot(desk, "officials-1280")
    rows = desk.evaluate("""() => [...document.querySelectorAll('table.listing tbody tr')].map(row => {
        const name = row.querySelector('td.title .title-wrapper');
        const line = parseFloat(getComputedStyle(name).lineHeight);
        return {bottom: row.getBoundingClientRect().bottom, height: name.getBoundingClientRect().height, line};
    })""")
    visible = [row for row in rows if row["bottom"] <= height]
    assert len(visible) >= 15, len(visible)
    assert all(row["height"] < 1.5 * row["line"] for row in rows), rows  # one line, not two or three
    table = desk.evaluate("(() => { const t = document.querySelector('table.listing').getBoundingClientRect();"
                          " return t.right; })()")
    assert table <= width + 1  # no column cut off at the right


def test_the_roster_on_a_phone_stacks_its_rows_and_keeps_every_button_reachable(browser: Browser, live_server,
                                                                                 demo_data):
    phone = signed_in(browser, live_server, width=390, height=844)
    phone.goto("/admin/officials/")
    shot(phone, "officials-390")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("Xuất Excel (XLSX)", "Gửi lời mời kích hoạt"):
        box = phone.get_by_role("link", name=name).bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, name
    first = phone.locator("table.listing tbody tr").first.bounding_box()
    assert first is not None and first["width"] <= 390
