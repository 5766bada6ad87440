"""Single sign-on against a real OpenID Connect provider: node-oidc-provider (tests/sso/provider/server.js) in a
subprocess, Django's live server with the settings that base.py derives from the OIDC_* variables, and a
`requests` session that clicks through the whole code flow as a browser would: the login page's button, the
provider's development login and consent pages, the callback (token, signature, userinfo), the landing page.

The provider's development login page takes any login name with any password; ACCOUNTS says what the city's
service then claims about that person, and each test decides what the roster says.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urljoin

import pytest
import requests
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import clear_url_caches

from staff.models import Official, OfficialStatus
from staff.services.accounts import accounts_ensure
from tests.processes import running

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None,
    reason="node is missing: these tests run a real OpenID Connect provider (tests/sso/provider, node-oidc-provider)",
)

ROOT = Path(__file__).resolve().parents[3]
PROVIDER_DIR = ROOT / "tests" / "sso" / "provider"
CLIENT_ID = "dao-tao-test"
CLIENT_SECRET = "test-only-not-a-secret-oidc"
SERVICE_NAME = "Cổng đăng nhập thử"
MY_TRAINING = "/khoa-hoc-cua-toi/"
TIMEOUT = 30
# The provider starts in a second or two; far longer on a machine busy with other test runs.
STARTUP_SECONDS = 90

HAI_PERSONAL_ID = "001185000001"
BINH_PERSONAL_ID = "001085000002"
# Login name typed on the provider's page → the claims the city's service releases for that person.
ACCOUNTS = {
    "CB-A-1": {"personal_id": HAI_PERSONAL_ID, "employee_code": "CB-A-1", "email": "hai@example.invalid"},
    "CB-B-1": {"personal_id": BINH_PERSONAL_ID, "employee_code": "CB-B-1", "email": "binh@example.invalid"},
    "NGUOI-LA": {"personal_id": "079099000009", "employee_code": "NGUOI-LA", "email": "la@example.invalid"},
    "KHONG-SO": {"email": "khong.so@example.invalid"},
}

REFUSED = f"Đăng nhập bằng {SERVICE_NAME} không thành công."
NOT_ON_ROSTER = "Dịch vụ đăng nhập đã xác nhận bạn, nhưng danh sách cán bộ không có tên bạn."
NOT_IN_SERVICE = "Theo danh sách cán bộ, bạn không còn công tác nên không thể đăng nhập."
NOT_IDENTIFIED = "Dịch vụ đăng nhập không cho biết bạn là ai trong danh sách cán bộ."
ACCOUNT_CLOSED = "Tài khoản của bạn đã bị khóa."


# --- The provider ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    issuer: str
    endpoints: dict[str, Any]


@pytest.fixture(scope="session")
def provider_modules() -> Path:
    """node_modules as package-lock.json pins them (CI installs them first; a fresh checkout here)."""
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        if shutil.which("npm") is None:
            pytest.fail(f"npm is missing: cannot install the test provider's modules in {PROVIDER_DIR}")
        subprocess.run(["npm", "ci", "--prefix", str(PROVIDER_DIR), "--no-audit", "--no-fund"], check=True,
                       timeout=300)
    return PROVIDER_DIR / "node_modules"


@pytest.fixture(scope="session")
def provider(live_server, provider_modules, tmp_path_factory) -> Iterator[Provider]:
    env = {**os.environ, "OIDC_TEST_CLIENT_ID": CLIENT_ID, "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET,
           "OIDC_TEST_REDIRECT_URI": f"{live_server.url}/oidc/callback/", "OIDC_TEST_ACCOUNTS": json.dumps(ACCOUNTS)}
    log = tmp_path_factory.mktemp("oidc-provider") / "provider.log"
    with running(["node", "server.js", "0"], log=log, env=env, cwd=PROVIDER_DIR) as process:
        issuer = process.wait_until(lambda: _issuer(log), seconds=STARTUP_SECONDS, what="the test provider")
        endpoints = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT).json()
        yield Provider(issuer=issuer, endpoints=endpoints)


def _issuer(log: Path) -> str | None:
    """server.js prints "listening <issuer>" once it accepts connections."""
    for line in log.read_text().splitlines():
        if line.startswith("listening "):
            return line.removeprefix("listening ").strip()
    return None


# --- The site, with single sign-on switched on ----------------------------------------------------------


@contextlib.contextmanager
def sso_switched_on(provider: Provider, **environment: str) -> Iterator[None]:
    """The settings that base.py derives from these OIDC_* variables (as README documents them), and the
    URLconf re-imported under them: training_site/urls.py includes /oidc/ only when OIDC_ENABLED."""
    environment = {
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": provider.endpoints["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": provider.endpoints["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": provider.endpoints["userinfo_endpoint"],
        "OIDC_OP_JWKS_ENDPOINT": provider.endpoints["jwks_uri"],
        "OIDC_PROVIDER_NAME": SERVICE_NAME,
        **environment,
    }
    with mock.patch.dict(os.environ, environment):
        spec = importlib.util.find_spec("training_site.settings.base")
        assert spec is not None and spec.loader is not None
        base = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(base)  # a private copy: the settings in use stay as they are
    values = {name: getattr(base, name) for name in dir(base) if name.startswith("OIDC_")}
    values |= {"AUTHENTICATION_BACKENDS": base.AUTHENTICATION_BACKENDS,
               "LOGIN_REDIRECT_URL_FAILURE": base.LOGIN_REDIRECT_URL_FAILURE}
    try:
        with override_settings(**values):
            _reload_urlconf()
            yield
    finally:
        _reload_urlconf()


def _reload_urlconf() -> None:
    importlib.reload(importlib.import_module("training_site.urls"))
    clear_url_caches()


@pytest.fixture
def sso(provider) -> Iterator[Provider]:
    with sso_switched_on(provider):
        yield provider


# --- A browser made of requests ---------------------------------------------------------------------------


class _Page(HTMLParser):
    """The links and forms of a page (the provider's development pages have one form each)."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        elif tag == "form":
            self.forms.append((attributes.get("action") or "", {}))
        elif tag in ("input", "button") and self.forms and attributes.get("name"):
            self.forms[-1][1][attributes["name"] or ""] = attributes.get("value") or ""


@dataclass(frozen=True)
class Landing:
    """Where the browser ends up on the site: the path (with the query) and the page."""

    path: str
    html: str


def sign_in_with_the_city_service(site: str, provider: Provider, login: str,
                                  address: str = "") -> tuple[requests.Session, Landing]:
    """Open the login page, press "Sign in with …", type ``login`` on the provider's page and consent; from
    ``address`` as the load balancer would say (X-Forwarded-For), if given."""
    browser = requests.Session()
    if address:
        browser.headers["X-Forwarded-For"] = address
    login_page = browser.get(f"{site}/dang-nhap/?next={MY_TRAINING}", timeout=TIMEOUT)
    button = next(link for link in _Page(login_page.text).links if "/oidc/authenticate/" in link)
    response = browser.get(urljoin(login_page.url, button), timeout=TIMEOUT)
    for _ in range(2):  # the provider's login page, then its consent page
        if not response.url.startswith(f"{provider.issuer}/interaction/"):
            break
        action, fields = _Page(response.text).forms[0]
        if "login" in fields:
            fields |= {"login": login, "password": "any password"}
        response = browser.post(urljoin(response.url, action), data=fields, timeout=TIMEOUT)
    assert response.url.startswith(site), f"the flow stopped at {response.url}:\n{response.text[:2000]}"
    assert response.status_code == 200, response.text[:2000]
    return browser, Landing(path=response.url.removeprefix(site), html=response.text)


def signed_in(browser: requests.Session, site: str) -> bool:
    """My training answers a signed-in official, and sends anybody else to the login page."""
    return browser.get(f"{site}{MY_TRAINING}", allow_redirects=False, timeout=TIMEOUT).status_code == 200


# --- The tests ---------------------------------------------------------------------------------------------


@pytest.fixture
def hai(official: Official) -> Official:
    """Nguyễn Thị Hồng Hải, active, with an account; the city's service knows her personal identification number."""
    official.personal_id = HAI_PERSONAL_ID
    official.save(update_fields=["personal_id"])
    return official


@pytest.fixture
def binh(official_b: Official) -> Official:
    """Trần Văn Bình, active, on the roster but without an account yet."""
    official_b.personal_id = BINH_PERSONAL_ID
    official_b.email = "binh@example.invalid"
    official_b.save(update_fields=["personal_id", "email"])
    return official_b


def test_an_active_official_signs_in_with_the_city_service_and_lands_on_my_training(live_server, sso, hai):
    accounts_before = User.objects.count()

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-A-1")

    assert landing.path == MY_TRAINING
    assert hai.full_name in landing.html
    assert signed_in(browser, live_server.url)
    assert User.objects.count() == accounts_before  # her own account, not a new one


def test_an_official_without_an_account_gets_one_at_the_first_sign_in(live_server, sso, binh):
    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-B-1")

    assert landing.path.startswith(MY_TRAINING)
    assert binh.full_name in landing.html
    binh.refresh_from_db()
    account = binh.user
    assert account is not None
    assert (account.username, account.email, account.first_name) == ("CB-B-1", "binh@example.invalid", binh.full_name)
    assert account.is_active and not account.has_usable_password()


def test_an_account_the_roster_import_made_and_nobody_activated_opens_with_the_city_service(live_server, sso, binh):
    accounts_ensure(officials=[binh])  # as the roster import leaves it: no password, not active
    account = User.objects.get(pk=binh.user_id)
    assert not account.is_active and not account.has_usable_password()

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-B-1")

    assert landing.path.startswith(MY_TRAINING)
    assert signed_in(browser, live_server.url)
    account.refresh_from_db()
    assert account.is_active and not account.has_usable_password()  # opened; a password only if she sets one
    assert User.objects.filter(username="CB-B-1").count() == 1


def test_someone_the_roster_does_not_know_is_refused_in_vietnamese_and_nothing_is_created(live_server, sso, hai):
    accounts, officials = User.objects.count(), Official.objects.count()

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="NGUOI-LA")

    assert landing.path.startswith("/dang-nhap/?sso=refused")
    assert REFUSED in landing.html
    assert NOT_ON_ROSTER in landing.html
    assert not signed_in(browser, live_server.url)
    assert (User.objects.count(), Official.objects.count()) == (accounts, officials)
    assert not User.objects.filter(username__in=["NGUOI-LA", "079099000009"]).exists()


@pytest.mark.parametrize("status", [OfficialStatus.RETIRED, OfficialStatus.TRANSFERRED])
def test_an_official_no_longer_in_service_is_refused(live_server, sso, hai, status):
    Official.objects.filter(pk=hai.pk).update(status=status)

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-A-1")

    assert landing.path.startswith("/dang-nhap/?sso=refused")
    assert NOT_IN_SERVICE in landing.html
    assert not signed_in(browser, live_server.url)


def test_a_retired_official_without_an_account_is_refused_and_gets_none(live_server, sso, binh):
    Official.objects.filter(pk=binh.pk).update(status=OfficialStatus.RETIRED)

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-B-1")

    assert NOT_IN_SERVICE in landing.html
    assert not signed_in(browser, live_server.url)
    binh.refresh_from_db()
    assert binh.user is None
    assert not User.objects.filter(username="CB-B-1").exists()


def test_an_official_whose_account_is_closed_is_refused(live_server, sso, hai):
    User.objects.filter(pk=hai.user_id).update(is_active=False)

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-A-1")

    assert landing.path.startswith("/dang-nhap/?sso=refused")
    assert ACCOUNT_CLOSED in landing.html
    assert not signed_in(browser, live_server.url)


def test_an_account_used_only_through_the_service_and_closed_since_stays_closed(live_server, sso, binh):
    sign_in_with_the_city_service(live_server.url, sso, login="CB-B-1")  # her first sign-in opens it
    binh.refresh_from_db()
    User.objects.filter(pk=binh.user_id).update(is_active=False)  # an administrator closes it

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-B-1")

    assert ACCOUNT_CLOSED in landing.html
    assert not signed_in(browser, live_server.url)
    assert not User.objects.get(pk=binh.user_id).is_active


def test_a_sign_in_without_the_roster_claim_is_refused(live_server, sso, hai):
    accounts = User.objects.count()

    browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="KHONG-SO")

    assert landing.path.startswith("/dang-nhap/?sso=refused")
    assert NOT_IDENTIFIED in landing.html
    assert not signed_in(browser, live_server.url)
    assert User.objects.count() == accounts


def test_a_session_opened_before_the_official_left_ends_at_their_next_request(live_server, sso, hai):
    browser, _landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-A-1")
    assert signed_in(browser, live_server.url)

    Official.objects.filter(pk=hai.pk).update(status=OfficialStatus.RETIRED)

    assert not signed_in(browser, live_server.url)


def test_the_roster_can_be_matched_on_the_employee_code_instead(live_server, provider, official_b):
    # Binh's personal identification number is not on the roster: only his employee code matches.
    with sso_switched_on(provider, OIDC_OFFICIAL_CLAIM="employee_code",
                         OIDC_OFFICIAL_FIELD="employee_code"):
        browser, landing = sign_in_with_the_city_service(live_server.url, provider, login="CB-B-1")

    assert landing.path.startswith(MY_TRAINING)
    official_b.refresh_from_db()
    assert official_b.user is not None and official_b.user.username == "CB-B-1"


def test_the_login_page_offers_the_city_service_when_it_is_configured(client, sso):
    assert f"Đăng nhập bằng {SERVICE_NAME}" in client.get("/dang-nhap/").content.decode()


def test_the_login_page_has_no_single_sign_on_when_it_is_not_configured(client, db, settings):
    settings.OIDC_ENABLED = False

    assert "/oidc/authenticate/" not in client.get("/dang-nhap/").content.decode()


def test_refused_sign_ins_in_other_offices_do_not_lock_anyone_else_out(live_server, sso, hai):
    with override_settings(AXES_FAILURE_LIMIT=2):
        for office in ("203.0.113.1", "203.0.113.2"):
            sign_in_with_the_city_service(live_server.url, sso, login="NGUOI-LA", address=office)

        browser, landing = sign_in_with_the_city_service(live_server.url, sso, login="CB-A-1", address="203.0.113.3")

    assert landing.path == MY_TRAINING
