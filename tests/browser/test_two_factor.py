"""Two-factor in a browser: a staff user without a second factor signs in at Wagtail's sign-in page, cannot
open the admin (every try lands on the setup page), reads the secret off the page as an authenticator app
would, types the code it gives, keeps the recovery codes, and the admin opens. On a desktop and on a phone.
"""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS_DIR, DEMO_PASSWORD

pytestmark = pytest.mark.browser
USERNAME = "hr.khuongdinh"
SETUP = re.compile(r"/bao-mat/hai-lop/cai-dat/\?next=")
RECOVERY = re.compile(r"/bao-mat/hai-lop/ma-du-phong/\?next=")
ADMIN_HOME = re.compile(r"/admin/$")


def shot(tab: Page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)


def app_code(secret_text: str) -> str:
    """What an authenticator app shows for the secret as the page prints it (base32, in groups)."""
    from django_otp.oath import totp

    key = base64.b32decode("".join(secret_text.split()))
    return f"{totp(key):06d}"


@pytest.fixture
def no_second_factor(demo_data, settings):
    """The requirement on (the test settings turn it off) and the ward HR officer without any device."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.STAFF_TWO_FACTOR_REQUIRED = True
    user = User.objects.get(username=USERNAME)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return user


def test_staff_without_a_second_factor_sets_it_up_before_the_admin_opens(page: Page, no_second_factor):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(USERNAME)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(SETUP)

    # Signed in, yet the admin does not open: every admin address lands on the setup page.
    for address in ("/admin/", "/admin/approvals/"):
        page.goto(address)
        expect(page).to_have_url(SETUP)
    secret = page.locator("#two-factor-secret")
    expect(secret).to_be_visible()
    expect(page.locator('img[src^="data:image/svg+xml"]')).to_be_visible()
    shot(page, "two-factor-setup-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot(page, "two-factor-setup-390")

    code = page.locator('input[name=code][inputmode=numeric][autocomplete="one-time-code"]')
    code.fill(app_code(secret.inner_text()))
    code.press("Enter")
    page.wait_for_url(RECOVERY)
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "two-factor-recovery-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "two-factor-recovery-1280")
    assert TOTPDevice.objects.get(user=no_second_factor).confirmed

    # On to the address last asked for, then anywhere in the admin.
    page.locator("#new-codes-heading ~ p a.button").click()
    page.wait_for_url(re.compile(r"/admin/approvals/$"))
    expect(page.locator("#header-title")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(ADMIN_HOME)
    expect(page.locator("h1").first).to_contain_text("Bồi dưỡng CBCC")  # Wagtail's dashboard welcome
    shot(page, "two-factor-admin-open-1280")
