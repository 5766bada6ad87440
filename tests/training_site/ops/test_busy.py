"""A busy database answers "please try again", never a 500: a row lock held on a session makes an official's
enrollment say, in Vietnamese and within 5 s, that the class is busy, writing nothing; once the lock is gone
the same form enrolls. Other busy errors get the 503 page, a bug still gets our own Vietnamese 500 page, and a
PDF past its time limit is abandoned with a message instead of a killed worker."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from pathlib import Path

import psycopg.errors
import pytest
from django.db import DatabaseError, OperationalError, connection, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentEvent, EnrollmentStatus
from staff.pdf import render
from staff.pdf.render import PdfRenderTimeoutError, render_pdf_from_html
from tests import factories
from tests.figures import figure
from training_site.ops.busy import is_busy_error, server_error

BUSY_CLASS_VI = "Lớp đang bận, vui lòng thử lại sau giây lát."
BUSY_SYSTEM_VI = "Hệ thống đang bận, vui lòng thử lại sau giây lát."
TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def wrapped(driver_error: Exception, wrapper: type[DatabaseError] = OperationalError) -> DatabaseError:
    """What Django raises: its own error, the driver's as the cause."""
    try:
        try:
            raise driver_error
        except Exception as exc:
            raise wrapper(str(exc)) from exc
    except DatabaseError as django_error:
        return django_error


@pytest.fixture
def session(training_centre):
    course = factories.course(title="Kỹ năng số cho công chức phường", organizer=training_centre)
    return factories.session(course=course, capacity=10)


@pytest.mark.parametrize("driver_error", [
    psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
    psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    psycopg.errors.DeadlockDetected("deadlock detected"),
    sqlite3.OperationalError("database is locked"),
], ids=["lock_timeout", "statement_timeout", "deadlock", "sqlite_locked"])
def test_waiting_errors_are_busy(driver_error):
    assert is_busy_error(wrapped(driver_error))


@pytest.mark.parametrize("error", [
    wrapped(psycopg.errors.UndefinedTable('relation "x" does not exist'), DatabaseError),
    wrapped(sqlite3.OperationalError("no such table: x")),
    wrapped(psycopg.errors.UniqueViolation("duplicate key"), DatabaseError),
    ValueError("database is locked"),  # not a database error at all
], ids=["undefined_table", "sqlite_no_table", "unique", "not_database"])
def test_bugs_are_not_busy(error):
    assert not is_busy_error(error)


# --- The enrollment path, for real on PostgreSQL --------------------------------------------------------


class SessionRowLock:
    """Another connection holding ``SELECT … FOR UPDATE`` on the session's row (the lock enrollment_create
    waits for: staff/services/enrollment.py), in a thread, until released."""

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        try:
            with transaction.atomic():
                list(CourseSession.objects.select_for_update().filter(pk=self.session_id).values_list("pk"))
                self.locked.set()
                self.release.wait(timeout=60)
        finally:
            connection.close()  # the thread's own connection

    def __enter__(self) -> SessionRowLock:
        self.thread.start()
        assert self.locked.wait(timeout=10), "the lock holder never got the lock"
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(timeout=10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a row lock held by another connection needs PostgreSQL")
def test_a_held_session_lock_makes_enrollment_say_the_class_is_busy_within_5_seconds(official, session, caplog):
    client = Client()
    client.force_login(official.user)
    url = reverse("enroll", args=[session.pk])

    with SessionRowLock(session.pk), caplog.at_level(logging.WARNING, logger="training_site.ops.busy"):
        started = time.monotonic()
        response = client.post(url)
        waited = time.monotonic() - started

    figure(f"enroll behind a held row lock: answered {response.status_code} in {waited:.2f} s")
    assert waited < 5, f"the busy answer took {waited:.2f} s"
    assert response.status_code == 503 and response["Retry-After"]
    page = response.content.decode()
    assert BUSY_CLASS_VI in page
    assert 'method="post"' in page  # the same form, ready for a second click, no JavaScript needed
    assert not Enrollment.objects.filter(session=session).exists()
    assert not EnrollmentEvent.objects.filter(enrollment__session=session).exists()
    assert CourseSession.objects.get(pk=session.pk).seats_taken == 0  # the seat UPDATE rolled back too
    assert any("busy" in record.getMessage() and record.levelno == logging.WARNING for record in caplog.records)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]  # load, not a bug

    again = client.post(url)

    assert again.status_code == 302 and again["Location"] == reverse("my_training")
    assert Enrollment.objects.get(official=official, session=session).status == EnrollmentStatus.CONFIRMED
    assert CourseSession.objects.get(pk=session.pk).seats_taken == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a row lock held by another connection needs PostgreSQL")
def test_a_held_session_lock_makes_a_cancellation_say_the_class_is_busy(official, session):
    enrollment = factories.enrollment(official=official, session=session)
    client = Client()
    client.force_login(official.user)

    with SessionRowLock(session.pk):
        response = client.post(reverse("enrollment_cancel", args=[enrollment.pk]), follow=True)

    assert BUSY_CLASS_VI in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CONFIRMED  # nothing half-done


# --- Without a second connection: the busy error raised where the database would ------------------------


@pytest.mark.django_db
def test_a_locked_database_on_enrollment_says_the_class_is_busy(client, official, session, monkeypatch):
    def locked(**kwargs):
        raise wrapped(sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr("staff.views.enrollment.enrollment_create", locked)
    client.force_login(official.user)

    response = client.post(reverse("enroll", args=[session.pk]))

    assert response.status_code == 503
    assert BUSY_CLASS_VI in response.content.decode()


@pytest.mark.django_db
def test_a_busy_error_anywhere_else_answers_503_in_vietnamese_first(official, monkeypatch):
    def timed_out(*args, **kwargs):
        raise wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))

    monkeypatch.setattr("staff.views.enrollment.my_training", timed_out)
    client = Client(raise_request_exception=False)
    client.force_login(official.user)

    response = client.get(reverse("my_training"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert page.index(BUSY_SYSTEM_VI) < page.index("The system is busy, please try again in a moment.")
    assert f'href="{reverse("my_training")}"' in page  # "try again" on a GET


@pytest.mark.django_db
def test_a_bug_still_gets_our_vietnamese_500_page(official, monkeypatch):
    def broken(*args, **kwargs):
        raise wrapped(sqlite3.OperationalError("no such table: staff_enrollment"))

    monkeypatch.setattr("staff.views.enrollment.my_training", broken)
    client = Client(raise_request_exception=False)
    client.force_login(official.user)

    response = client.get(reverse("my_training"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Đã có lỗi ở phía hệ thống" in page and "Server Error" not in page
    assert page.index("Đã có lỗi ở phía hệ thống") < page.index("Something went wrong")


def test_the_500_page_renders_with_no_request_and_no_database():
    # No django_db mark: pytest-django refuses any database access here, so this renders only if it needs none.
    page = render_to_string("500.html")

    assert '<html lang="vi">' in page and "Lỗi 500" in page and 'href="/"' in page
    assert 'lang="en"' in page and "The page could not be shown." in page
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page


def test_the_error_pages_need_no_inline_style_or_script():
    for template in [TEMPLATES / "500.html", *sorted((TEMPLATES / "errors").glob("*.html"))]:
        source = template.read_text("utf-8")
        assert not re.search(r"<style|\sstyle\s*=|<script|\son[a-z]+\s*=", source, re.IGNORECASE), template.name


# --- PDFs past their time limit --------------------------------------------------------------------------


def test_a_pdf_past_its_time_limit_is_abandoned(settings):
    settings.PDF_RENDER_TIMEOUT_SECONDS = 1
    # Rendered to the end, this document takes about 12 s here; its HTML parses in under half a second (the
    # one step the renderer's deadline does not interrupt: staff/pdf/render.py).
    paragraphs = "".join(f"<p>Paragraph {n} of a very long document, with enough words to wrap over more than "
                         "one line of the page.</p>" for n in range(8_000))
    html = f"<html><body>{paragraphs}</body></html>"

    started = time.monotonic()
    with pytest.raises(PdfRenderTimeoutError):
        render_pdf_from_html(html)
    took = time.monotonic() - started

    # The error itself shows the render was abandoned (a finished render returns its bytes); how soon after
    # the limit depends on the machine's load, so it is printed, not asserted.
    figure(f"a PDF with a 1 s limit gave up after {took:.2f} s")


def test_the_template_time_counts_against_the_pdf_limit(settings, monkeypatch):
    settings.PDF_RENDER_TIMEOUT_SECONDS = 1
    def slow_template(*args: object, **kwargs: object) -> str:
        time.sleep(1.1)
        return "<p>x</p>"

    monkeypatch.setattr(render, "render_to_string", slow_template)

    with pytest.raises(PdfRenderTimeoutError):
        render.render_pdf("certificate.html", {})


@pytest.mark.django_db
def test_a_pdf_timeout_in_a_request_answers_503_with_a_message(official, monkeypatch):
    def too_slow(*args, **kwargs):
        raise PdfRenderTimeoutError(45)

    monkeypatch.setattr("staff.views.enrollment.my_training", too_slow)
    client = Client(raise_request_exception=False)
    client.force_login(official.user)

    response = client.get(reverse("my_training"))

    assert response.status_code == 503
    page = response.content.decode()
    assert "Tài liệu" in page and "The document is taking too long to prepare" in page


def test_the_500_handler_answers_a_busy_error_raised_outside_any_view_with_the_busy_page(rf):
    # What Django does when a middleware before BusyMiddleware raises: call handler500 inside its except.
    request = rf.get("/khoa-hoc/")
    try:
        raise wrapped(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"))
    except DatabaseError:
        response = server_error(request)

    assert response.status_code == 503 and BUSY_SYSTEM_VI in response.content.decode()


def test_the_500_handler_leaves_a_bug_to_our_500_page(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/khoa-hoc/"))

    assert response.status_code == 500 and "Đã có lỗi ở phía hệ thống" in response.content.decode()
