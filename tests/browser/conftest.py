"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Run with ``make browser-test`` (``pytest -m browser``); ``make test`` leaves them out. Every test under this
folder gets the ``browser`` marker from the hook below. On failure, a screenshot and the page's HTML go to
``test-artifacts/browser/<test name>.png`` / ``.html`` (git-ignored).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's async-safety check would then
# refuse the ORM calls made by the fixtures and by the live server thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = BROWSER_DIR.parents[1] / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Most officials' browsers say English: the site must still answer in Vietnamese unless asked otherwise.
BROWSER_LOCALE = "en-US"
DEFAULT_TIMEOUT_MS = 15_000
# seed_demo(officials=20) would do, but staff/demo/enrollment.py's seed_enrollments samples up to 24 officials for
# every past session without capping by how many exist, so fewer than 24 raises ValueError.
DEMO_OFFICIALS = 20


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # Kept on the item so that the page fixture's teardown knows whether the test failed.
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def demo_data(live_server, transactional_db, django_db_serialized_rollback):
    """The demo catalog in the live server's database.

    The live server needs committed rows (transactional_db); the serialized rollback gives every test
    back the root page, locale and site that Wagtail's migrations create, which the flush between
    transactional tests would otherwise remove.
    """
    from staff.demo import seed_demo

    return seed_demo(officials=DEMO_OFFICIALS)


@pytest.fixture
def viewport():
    """Desktop by default; a test overrides it with ``@pytest.mark.parametrize("viewport", ...)``."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def page(request, browser, live_server, demo_data, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=BROWSER_LOCALE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    call_report = getattr(request.node, "rep_call", None)
    if call_report is not None and call_report.failed:
        _save_artifacts(tab, request.node.name)
    context.close()


def _save_artifacts(tab, test_name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_") or "test"
    try:
        tab.screenshot(path=str(ARTIFACTS_DIR / f"{stem}.png"), full_page=True)
        (ARTIFACTS_DIR / f"{stem}.html").write_text(tab.content(), encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - an artifact must never hide the test's own failure
        print(f"could not save browser artifacts for {test_name}: {error}")


DEMO_PASSWORD = "demo-2026"


def sign_in(browser, live_server, username: str, password: str = DEMO_PASSWORD):
    """A fresh browser context signed in as ``username`` (each persona in its own context, like its own phone)."""
    context = browser.new_context(base_url=live_server.url, locale=BROWSER_LOCALE, accept_downloads=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    tab.goto("/dang-nhap/")
    tab.locator("input[name=username]").fill(username)
    tab.locator("input[name=password]").fill(password)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url(re.compile(r"/$"))
    return tab
