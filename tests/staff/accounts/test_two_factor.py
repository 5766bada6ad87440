"""Two-factor for staff: no admin page opens for a role holder, an ``is_staff`` account or a superuser before
their session is verified with a code from their authenticator app or a recovery code. Set up by QR code or
secret, recovery codes used once, a reset by the city's HR that is audited. Officials are never asked.

The test settings turn the requirement off for the rest of the suite; every test here turns it back on.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.demo.two_factor import DEMO_STAFF_LOGINS, DEMO_TOTP_KEY, seed_two_factor
from staff.models import AuditAction, AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db

SETUP = "/bao-mat/hai-lop/cai-dat/"
VERIFY = "/bao-mat/hai-lop/xac-minh/"
RECOVERY = "/bao-mat/hai-lop/ma-du-phong/"
LIST = "/admin/security/two-factor/"


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


def app_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code_for(device: TOTPDevice, steps: int = 0) -> str:
    """What the app on the phone shows now (or ``steps`` periods away)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code the device refuses: none of those of the last, this and the next period."""
    near = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(candidate for candidate in (f"{n}" * 6 for n in range(10)) if candidate not in near)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def verified(user: User) -> Client:
    """A session of ``user`` that passed the second step with their app."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or app_for(user)
    client = signed_in(user)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302, response.content
    return client


def redirect_target(response) -> tuple[str, str]:
    """The path a redirect goes to and the ``next`` it keeps."""
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query).get("next", [""])[0]


# --- Who is sent where -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hr_a", "city_hr", "organizer", "admin_user"])
def test_a_staff_user_without_a_device_is_sent_from_the_admin_to_setup(request, persona):
    client = signed_in(request.getfixturevalue(persona))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert redirect_target(response) == (SETUP, "/admin/")


def test_an_is_staff_account_without_any_role_is_asked_too(db):
    client = signed_in(factories.user("editor", is_staff=True))

    assert redirect_target(client.get("/admin/pages/")) == (SETUP, "/admin/pages/")


def test_the_address_asked_for_is_kept_as_next(hr_a):
    response = signed_in(hr_a).get("/admin/officials/?q=hai&status=active")

    assert redirect_target(response) == (SETUP, "/admin/officials/?q=hai&status=active")


def test_staff_with_a_confirmed_device_but_an_unverified_session_is_sent_to_verify(hr_a):
    app_for(hr_a)

    response = signed_in(hr_a).get("/admin/officials/")

    assert redirect_target(response) == (VERIFY, "/admin/officials/")


def test_an_official_without_roles_is_never_sent_to_the_second_factor(official):
    client = signed_in(official.user)

    admin = client.get("/admin/")
    own_page = client.get("/khoa-hoc-cua-toi/")

    assert "/bao-mat/" not in admin.get("Location", "")  # Wagtail's own "no access", not ours
    assert own_page.status_code == 200
    assert client.get(SETUP).status_code == 404
    assert not TOTPDevice.objects.filter(user=official.user).exists()


def test_wagtails_sign_in_and_password_reset_pages_stay_open(hr_a, client):
    assert client.get("/admin/").url.startswith("/admin/login/")  # nobody signed in: Wagtail's sign-in page
    assert client.get("/admin/login/").status_code == 200

    staff = signed_in(hr_a)

    assert staff.get("/admin/password_reset/").status_code == 200
    assert "/bao-mat/" not in staff.post("/admin/logout/").get("Location", "")


def test_nothing_is_asked_when_the_setting_turns_it_off(settings, hr_a):
    settings.STAFF_TWO_FACTOR_REQUIRED = False

    assert signed_in(hr_a).get("/admin/").status_code == 200


# --- Setup ------------------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_the_secret_and_keeps_them_on_reload(hr_a):
    client = signed_in(hr_a)

    first = client.get(SETUP + "?next=/admin/officials/")
    again = client.get(SETUP)

    device = TOTPDevice.objects.get(user=hr_a)
    assert not device.confirmed
    assert first.context["qr_data_uri"].startswith("data:image/svg+xml")
    assert "".join(first.context["secret_groups"]) == device.config_url.split("secret=")[1].split("&")[0]
    assert all(len(group) == 4 for group in first.context["secret_groups"])
    assert 'inputmode="numeric"' in first.content.decode() and 'autocomplete="one-time-code"' in first.content.decode()
    assert again.context["secret_groups"] == first.context["secret_groups"]
    assert TOTPDevice.objects.filter(user=hr_a).count() == 1


def test_a_wrong_code_at_setup_confirms_nothing(hr_a):
    client = signed_in(hr_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=hr_a)

    response = client.post(SETUP, {"code": wrong_code(device)})

    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert not StaticDevice.objects.filter(user=hr_a).exists()
    assert redirect_target(client.get("/admin/"))[0] == SETUP


def test_the_right_code_at_setup_confirms_the_app_and_shows_ten_recovery_codes_once(hr_a):
    client = signed_in(hr_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=hr_a)

    response = client.post(SETUP, {"code": code_for(device), "next": "/admin/officials/"})

    assert redirect_target(response) == (RECOVERY, "/admin/officials/")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    shown = client.get(response["Location"])
    codes = shown.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(c.replace("-", "") for c in codes) == sorted(
        StaticToken.objects.filter(device__user=hr_a).values_list("token", flat=True))
    assert codes[0] in shown.content.decode()
    assert client.get(RECOVERY).context["codes"] == []  # shown once
    assert client.get("/admin/approvals/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR, object_id=str(hr_a.pk))
    assert entry.user == hr_a and entry.detail["event"] == "setup"


def test_a_stolen_password_cannot_set_up_a_second_app(hr_a):
    app_for(hr_a)

    response = signed_in(hr_a).get(SETUP)

    assert redirect_target(response)[0] == VERIFY
    assert TOTPDevice.objects.filter(user=hr_a).count() == 1


# --- Verification -----------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_counted(hr_a):
    device = app_for(hr_a)
    client = signed_in(hr_a)

    response = client.post(VERIFY, {"code": wrong_code(device), "next": "/admin/"})

    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1
    assert redirect_target(client.get("/admin/"))[0] == VERIFY


def test_after_a_wrong_code_the_next_try_must_wait(settings, hr_a):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = app_for(hr_a)
    client = signed_in(hr_a)
    client.post(VERIFY, {"code": wrong_code(device)})

    response = client.post(VERIFY, {"code": code_for(device)})

    assert response.status_code == 200
    assert "60" in response.context["form"].errors["code"][0]
    assert redirect_target(client.get("/admin/"))[0] == VERIFY


def test_the_right_code_from_the_app_opens_the_admin_until_sign_out(hr_a):
    device = app_for(hr_a)
    client = signed_in(hr_a)

    response = client.post(VERIFY, {"code": code_for(device), "next": "/admin/officials/"})

    assert response.status_code == 302 and response["Location"] == "/admin/officials/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/approvals/").status_code == 200
    client.post("/admin/logout/")
    client.force_login(hr_a)
    assert redirect_target(client.get("/admin/"))[0] == VERIFY


def test_next_pointing_at_another_site_is_ignored(hr_a):
    device = app_for(hr_a)

    response = signed_in(hr_a).post(VERIFY, {"code": code_for(device), "next": "https://evil.example/admin/"})

    assert response["Location"] == "/admin/"


def test_a_recovery_code_works_once(hr_a):
    app_for(hr_a)
    client = verified(hr_a)
    client.post(RECOVERY, {"code": code_for(TOTPDevice.objects.get(user=hr_a), steps=1)})  # a new set, from the app
    code = client.get(RECOVERY).context["codes"][0]
    client.logout()

    first = signed_in(hr_a)
    used = first.post(VERIFY, {"recovery_code": code.upper(), "next": "/admin/"})
    second = signed_in(hr_a)
    again = second.post(VERIFY, {"recovery_code": code})

    assert used.status_code == 302 and first.get("/admin/").status_code == 200
    assert again.status_code == 200 and again.context["recovery_form"].errors["recovery_code"]
    assert redirect_target(second.get("/admin/"))[0] == VERIFY
    assert StaticToken.objects.filter(device__user=hr_a).count() == 9
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR, detail__event="recovery_code_used").count() == 1


def test_a_new_set_of_recovery_codes_needs_a_code_from_the_app_and_replaces_the_old(hr_a):
    device = app_for(hr_a)
    client = verified(hr_a)
    refused = client.post(RECOVERY, {"code": wrong_code(device)})
    assert refused.status_code == 200 and not StaticToken.objects.filter(device__user=hr_a).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # no waiting after the wrong one

    client.post(RECOVERY, {"code": code_for(device, steps=1)})
    first_set = client.get(RECOVERY).context["codes"]
    assert len(first_set) == 10

    # django-otp refuses a code older than the last accepted one: the next try waits for a later period.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    client.post(RECOVERY, {"code": code_for(device)})
    second_set = client.get(RECOVERY).context["codes"]

    assert len(second_set) == 10 and not set(first_set) & set(second_set)
    tokens = set(StaticToken.objects.filter(device__user=hr_a).values_list("token", flat=True))
    assert tokens == {code.replace("-", "") for code in second_set}


def test_the_recovery_page_asks_for_the_second_factor_first(hr_a):
    app_for(hr_a)

    assert redirect_target(signed_in(hr_a).get(RECOVERY)) == (VERIFY, RECOVERY)


# --- Reset by the city's HR -------------------------------------------------------------------------


def test_the_city_hr_sees_who_has_set_up_the_app(city_hr, hr_a, hr_b):
    app_for(hr_b)
    client = verified(city_hr)

    response = client.get(LIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-user="hr.a" data-has-app="no"' in content
    assert 'data-user="hr.b" data-has-app="yes"' in content
    assert 'data-user="hr.city" data-has-app="yes"' in content


def test_the_list_costs_the_same_queries_for_one_account_and_for_ten(city_hr, ward_a):
    client = verified(city_hr)
    client.get(LIST)  # warm Wagtail's per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(9):
        app_for(factories.user(f"hr.extra{n}", role=Role.UNIT_HR, unit=ward_a))
    with CaptureQueriesContext(connection) as ten:
        response = client.get(LIST)

    assert len(response.context["users"]) == 10
    # Wagtail's own (session, user, second factor, menu) and ours: the count, the page of accounts with
    # their app and recovery codes in subqueries, and their roles with units in one prefetch.
    assert len(ten) == len(one)


def test_reset_by_the_city_hr_removes_the_devices_forces_a_new_setup_and_is_audited(city_hr, hr_a):
    hr_session = verified(hr_a)
    client = verified(city_hr)

    response = client.post(f"{LIST}{hr_a.pk}/reset/", {"confirm": "yes", "reason": "Mất điện thoại"})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=hr_a).exists()
    assert not StaticDevice.objects.filter(user=hr_a).exists()
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR, detail__event="reset")
    assert entry.user == city_hr and entry.object_id == str(hr_a.pk)
    assert entry.detail["reason"] == "Mất điện thoại" and entry.detail["apps_removed"] == 1
    # The session verified with the old app no longer counts: the next admin visit asks for a new setup.
    assert redirect_target(hr_session.get("/admin/")) == (SETUP, "/admin/")


def test_reset_without_the_confirmation_box_changes_nothing(city_hr, hr_a):
    app_for(hr_a)
    client = verified(city_hr)

    client.post(f"{LIST}{hr_a.pk}/reset/", {"reason": "?"})

    assert TOTPDevice.objects.filter(user=hr_a).exists()
    assert not AuditEntry.objects.filter(detail__event="reset").exists()


def test_reset_is_post_only(city_hr, hr_a):
    app_for(hr_a)

    assert verified(city_hr).get(f"{LIST}{hr_a.pk}/reset/").status_code == 405
    assert TOTPDevice.objects.filter(user=hr_a).exists()


def test_the_hr_of_a_ward_gets_404_for_the_list_and_the_reset(hr_a, hr_b):
    app_for(hr_b)
    client = verified(hr_a)

    assert client.get(LIST).status_code == 404
    assert client.post(f"{LIST}{hr_b.pk}/reset/", {"confirm": "yes"}).status_code == 404
    assert TOTPDevice.objects.filter(user=hr_b).exists()
    assert not AuditEntry.objects.filter(detail__event="reset").exists()


def test_the_city_hr_cannot_reset_an_administrator_but_an_administrator_can(city_hr, admin_user, hr_a):
    app_for(admin_user)

    assert verified(city_hr).post(f"{LIST}{admin_user.pk}/reset/", {"confirm": "yes"}).status_code == 404
    assert TOTPDevice.objects.filter(user=admin_user).exists()

    verified(admin_user).post(f"{LIST}{hr_a.pk}/reset/", {"confirm": "yes"})
    assert AuditEntry.objects.filter(detail__event="reset", user=admin_user).exists()


# --- The demo ---------------------------------------------------------------------------------------


@pytest.fixture
def demo_logins(city):
    for username in DEMO_STAFF_LOGINS:
        factories.user(username, role=Role.CITY_HR if username != "admin" else None, unit=city,
                       is_superuser=username == "admin", is_staff=True)
    factories.user("canbo")


def test_the_demo_gives_every_staff_login_the_demo_app_once(demo_logins):
    assert seed_two_factor() == 5
    assert seed_two_factor() == 5
    assert TOTPDevice.objects.count() == 5
    assert not TOTPDevice.objects.filter(user__username="canbo").exists()


def test_demo_code_prints_the_code_that_opens_the_admin(demo_logins, capsys):
    seed_two_factor()

    call_command("demo_code", "hr.thanhpho", "--force")

    code = capsys.readouterr().out.strip()
    assert code == f"{totp(DEMO_TOTP_KEY):06d}"
    client = signed_in(User.objects.get(username="hr.thanhpho"))
    assert client.post(VERIFY, {"code": code})["Location"] == "/admin/"


def test_demo_code_refuses_without_debug_and_for_a_login_without_the_demo_app(demo_logins, settings):
    seed_two_factor()
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_code", "hr.thanhpho")
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no demo second factor"):
        call_command("demo_code", "canbo")
    # A device that does not hold the public demo secret is never printed.
    TOTPDevice.objects.filter(user__username="tochuc").update(key=TOTPDevice().key)
    with pytest.raises(CommandError, match="no demo second factor"):
        call_command("demo_code", "tochuc")
