"""The lock is shared by every app server: two real gunicorn processes on the test database (SQLite file or
PostgreSQL), wrong passwords alternating between them, and after 20 in all both refuse the right one.

A per-process counter (memory, a local cache) would have counted 10 on each server and locked nobody.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from staff.models import AuditAction, AuditEntry
from tests.processes import AppServer, app_server

PASSWORD = "pw-for-tests-only"  # every factory account's
WRONG = "not-the-password"
LIMIT = 20
TIMEOUT = 30


def database_url() -> str:
    """The test database that pytest-django created, as a DATABASE_URL for the servers' settings."""
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"  # a file (training_site/settings/test.py), never :memory:
    if database["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(database["USER"] or "", safe="")
        if database["PASSWORD"]:
            credentials += ":" + quote(database["PASSWORD"], safe="")
        at = f"{credentials}@" if credentials else ""
        port = f":{database['PORT']}" if database["PORT"] else ""
        return f"postgres://{at}{database['HOST'] or 'localhost'}{port}/{quote(database['NAME'], safe='')}"
    raise AssertionError(f"no DATABASE_URL for {database['ENGINE']}")


class Browser:
    """A browser at one app server: a fresh session per sign-in, the form's CSRF token sent back."""

    def __init__(self, server: AppServer):
        self.server = server

    def sign_in(self, identifier: str, password: str) -> int:
        """The status of the public sign-in form's answer."""
        browser = requests.Session()
        form = browser.get(f"{self.server.url}/dang-nhap/", timeout=TIMEOUT)
        assert form.status_code == 200, self.server.output()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token is not None, form.text[:500]
        answer = browser.post(f"{self.server.url}/dang-nhap/", allow_redirects=False, timeout=TIMEOUT,
                              data={"username": identifier, "password": password,
                                    "csrfmiddlewaretoken": token.group(1)})
        return answer.status_code


@pytest.fixture(scope="module")
def two_servers(django_db_setup, django_db_blocker) -> Iterator[tuple[Browser, Browser]]:
    """Two app servers sharing the test database, as two hosts behind a load balancer share one."""
    with django_db_blocker.unblock():
        url = database_url()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "training_site.settings.test",
        "DATABASE_URL": url,
        "DEBUG": "false",
        # The lockout as configured for production, whatever the suite's own settings say.
        "AXES_ENABLED": "true",
        "AXES_FAILURE_LIMIT": str(LIMIT),
        "AXES_COOLOFF_MINUTES": "30",
        "AXES_PROXY_COUNT": "0",
    }
    with tempfile.TemporaryDirectory(prefix="lockout-servers-") as folder, \
            app_server(environment, log=Path(folder) / "a.log") as first, \
            app_server(environment, log=Path(folder) / "b.log") as second:
        yield Browser(first), Browser(second)


@pytest.fixture
def committed(transactional_db):
    """Rows the servers can read: committed, not inside the test's transaction. (No serialized rollback: it
    collides with the content types that an earlier live-server test's flush re-created under new ids, and
    nothing needs it: the factories re-create the site root that the flush removes.)"""


def test_twenty_failures_split_between_two_servers_lock_the_account_on_both(committed, official, two_servers):
    first, second = two_servers
    assert first.server.running.process.pid != second.server.running.process.pid
    assert first.sign_in("CB-A-1", PASSWORD) == 302  # both servers know the account
    assert second.sign_in("CB-A-1", PASSWORD) == 302

    answers = [(first, second)[n % 2].sign_in("CB-A-1", WRONG) for n in range(LIMIT)]  # 10 on each server

    assert answers == [200] * (LIMIT - 1) + [429], (first.server.output(), second.server.output())
    assert first.sign_in("CB-A-1", PASSWORD) == 429
    assert second.sign_in("CB-A-1", PASSWORD) == 429
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT, detail__event="locked",
                                     detail__username="official").count() == 1
