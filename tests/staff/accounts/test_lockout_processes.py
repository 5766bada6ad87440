"""The lock is shared by every app server: two real gunicorn processes on the test database (SQLite file or
PostgreSQL), wrong passwords alternating between them, and after 20 in all both refuse the right one.

A per-process counter (memory, a local cache) would have counted 10 on each server and locked nobody.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from staff.models import AuditAction, AuditEntry

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "pw-for-tests-only"  # every factory account's
WRONG = "not-the-password"
LIMIT = 20
STARTUP_SECONDS = 60
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """One app server: ``python -m gunicorn training_site.wsgi`` with the test settings."""

    url: str
    process: subprocess.Popen
    log: Path

    def sign_in(self, identifier: str, password: str) -> int:
        """The status of the public sign-in form's answer, as a browser gets it (fresh session, CSRF token)."""
        browser = requests.Session()
        form = browser.get(f"{self.url}/dang-nhap/", timeout=TIMEOUT)
        assert form.status_code == 200, self.output()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token is not None, form.text[:500]
        answer = browser.post(f"{self.url}/dang-nhap/", allow_redirects=False, timeout=TIMEOUT,
                              data={"username": identifier, "password": password,
                                    "csrfmiddlewaretoken": token.group(1)})
        return answer.status_code

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-3000:]


def start_server(environment: dict[str, str], folder: Path, name: str) -> Server:
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "training_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--log-level", "warning"],
            cwd=ROOT, env=environment, stdout=stream, stderr=subprocess.STDOUT)
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"{server.url} exited with {server.process.returncode}:\n{server.output()}")
        try:
            if requests.get(f"{server.url}/dang-nhap/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{server.url} did not answer within {STARTUP_SECONDS} s:\n{server.output()}")


@pytest.fixture(scope="module")
def two_servers(django_db_setup, django_db_blocker) -> Iterator[tuple[Server, Server]]:
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
    with tempfile.TemporaryDirectory(prefix="lockout-servers-") as folder:
        servers = (start_server(environment, Path(folder), "a"), start_server(environment, Path(folder), "b"))
        try:
            for server in servers:
                wait_until_up(server)
            yield servers
        finally:
            for server in servers:
                server.process.terminate()
            for server in servers:
                try:
                    server.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()


@pytest.fixture
def committed(transactional_db, django_db_serialized_rollback):
    """Rows the servers can read: committed, not inside the test's transaction. The serialized rollback
    gives the next tests back the root page and site that Wagtail's migrations create, which the flush
    after a transactional test would otherwise remove."""


def test_twenty_failures_split_between_two_servers_lock_the_account_on_both(committed, official, two_servers):
    first, second = two_servers
    assert first.process.pid != second.process.pid
    assert first.sign_in("CB-A-1", PASSWORD) == 302  # both servers know the account
    assert second.sign_in("CB-A-1", PASSWORD) == 302

    answers = [(first, second)[n % 2].sign_in("CB-A-1", WRONG) for n in range(LIMIT)]  # 10 on each server

    assert answers == [200] * (LIMIT - 1) + [429], (first.output(), second.output())
    assert first.sign_in("CB-A-1", PASSWORD) == 429
    assert second.sign_in("CB-A-1", PASSWORD) == 429
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT, detail__event="locked",
                                     detail__username="official").count() == 1
