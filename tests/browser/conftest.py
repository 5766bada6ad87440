"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Run with ``make browser-test`` (``pytest -m browser``); ``make test`` leaves them out. Every test under this
folder gets the ``browser`` marker from the hook below. On failure, a screenshot and the page's HTML go to
``test-artifacts/browser/<test name>.png`` / ``.html`` (git-ignored).

The pages run under the site's own Content-Security-Policy and Permissions-Policy (the test settings inherit
base.py's): a test that passes but made the browser report a CSP violation (a ``securitypolicyviolation``
event in any frame, or Chromium's console line about one) or a Permissions-Policy header error fails, with
the reports listed.
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


# Reports every violation of the page's policy to the test, from every frame and across navigations
# (the binding below is exposed to the whole context; an init script runs before any script of the page).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} at `
    + `${event.sourceFile || document.location.href}:${event.lineNumber}`
    + (event.sample ? ` (${event.sample})` : ""));
});
"""
# Chromium's console lines that mean a policy refused something or could not be read.
POLICY_CONSOLE = re.compile(r"Content[ -]Security[ -]Policy|Permissions-Policy", re.IGNORECASE)


class PolicyWatch:
    """What the browser reported against the policies during the current test, in all its contexts."""

    def __init__(self) -> None:
        self.reports: list[str] = []
        self.pages: list = []

    def reset(self) -> None:
        self.reports = []
        self.pages = []

    def attach(self, context) -> None:
        context.expose_binding(
            "__reportCspViolation", lambda source, text: self.reports.append(f"{source['frame'].url}: {text}"))
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._console)
        context.on("page", lambda tab: self.pages.append(tab))

    def _console(self, message) -> None:
        if message.type in ("error", "warning") and POLICY_CONSOLE.search(message.text):
            self.reports.append(f"{message.location.get('url', '')}: console {message.type}: {message.text}")

    def flush(self) -> None:
        """One round trip to every open page, so that reports still on their way are delivered first."""
        for tab in self.pages:
            if tab.is_closed():
                continue
            try:
                tab.evaluate("0")
            except Exception:  # noqa: BLE001 - a page closing or navigating has nothing more to report
                pass


POLICY_WATCH = PolicyWatch()


class WatchedBrowser:
    """The Playwright browser, whose every new context reports to POLICY_WATCH."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        POLICY_WATCH.attach(context)
        return context

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


def pytest_runtest_setup(item):
    POLICY_WATCH.reset()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # Runs only when the test itself passed: a failing test keeps its own message.
    result = yield
    POLICY_WATCH.flush()
    if POLICY_WATCH.reports:
        # Each violation is usually reported twice, by the event and by the console.
        reports = list(dict.fromkeys(POLICY_WATCH.reports))
        listed = "\n".join(f"  {report}" for report in reports)
        raise AssertionError(f"the browser reported against the page's policies ({len(reports)} reports):\n{listed}")
    return result


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
        yield WatchedBrowser(chromium)
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
