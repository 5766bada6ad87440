"""Accounts in a browser: HR invites the officials of a filtered list, an official follows the mailed link,
sets a password and lands on My training; another uses "forgot password" and signs in with the new one."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS_DIR, BROWSER_LOCALE, DEFAULT_TIMEOUT_MS, sign_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Mật-khẩu-mới-2027"
LINK = re.compile(r"https?://\S+?(/kich-hoat/\S+/)")
RESET_LINK = re.compile(r"https?://[^/\s]+(/dat-lai-mat-khau/\S+/)")


def fresh_tab(browser: Browser, live_server, *, width: int = 1280, height: int = 900) -> Page:
    context = browser.new_context(base_url=live_server.url, locale=BROWSER_LOCALE,
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def shot(tab: Page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)


def test_hr_invites_and_the_official_activates_from_the_mail(browser: Browser, live_server, page: Page):
    from django.contrib.auth.models import User

    from staff.access import officials_managed_by

    invitee = officials_managed_by(User.objects.get(username="hr.khuongdinh")).filter(
        user__password__startswith="!").exclude(email="").order_by("employee_code").first()
    assert invitee is not None
    mail.outbox.clear()

    hr = sign_in(browser, live_server, "hr.khuongdinh")
    hr.goto(f"/admin/officials/?q={invitee.employee_code}")
    expect(hr.get_by_text(invitee.full_name).first).to_be_visible()
    expect(hr.locator("table").get_by_text("Chưa kích hoạt").first).to_be_visible()
    hr.get_by_role("link", name="Gửi lời mời kích hoạt").click()
    hr.get_by_label("Thư điện tử").check()
    hr.get_by_role("button", name="Gửi lời mời kích hoạt").click()
    expect(hr.locator('[data-status="done"]')).to_be_visible()
    shot(hr, "invitation-batch-1280")

    message = next(m for m in mail.outbox if m.to == [invitee.email])
    assert "Kích hoạt" in message.subject and invitee.full_name in message.body
    link = LINK.search(message.body).group(1)

    phone = fresh_tab(browser, live_server, width=390, height=844)
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Kích hoạt tài khoản")).to_be_visible()
    shot(phone, "activation-390")
    phone.get_by_label(re.compile("^Mật khẩu mới")).fill(NEW_PASSWORD)
    phone.get_by_label(re.compile("^Xác nhận mật khẩu mới")).fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Kích hoạt tài khoản").click()
    phone.wait_for_url(re.compile(r"/khoa-hoc-cua-toi/$"))
    expect(phone.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()
    shot(phone, "activation-landed-390")

    # The same link a second time says it was used.
    phone.goto(link)
    expect(phone.get_by_text("Đường dẫn này đã được sử dụng")).to_be_visible()


def test_forgot_password_mail_new_password_sign_in(browser: Browser, live_server, page: Page):
    mail.outbox.clear()
    page.goto("/dang-nhap/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.get_by_label("Mã cán bộ, thư điện tử hoặc số điện thoại").fill("canbo")
    page.get_by_role("button", name="Gửi đường dẫn").click()
    expect(page.get_by_role("heading", name="Vui lòng kiểm tra thư điện tử")).to_be_visible()

    message = mail.outbox[-1]
    assert message.to == ["canbo@example.invalid"] and "mật khẩu" in message.subject
    page.goto(RESET_LINK.search(message.body).group(1))
    page.get_by_label(re.compile("^Mật khẩu mới")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile("^Xác nhận mật khẩu mới")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_role("heading", name="Đã lưu mật khẩu")).to_be_visible()

    official = sign_in(browser, live_server, "canbo", NEW_PASSWORD)
    official.goto("/khoa-hoc-cua-toi/")
    expect(official.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()
