"""The "busy, please try again" answer: a database that is waiting, never a 500.

Every web connection to PostgreSQL runs with ``lock_timeout`` and ``statement_timeout``
(training_site/settings/base.py): a request that would wait behind a row lock held elsewhere, or whose
query runs too long, gets an error after a few seconds instead of holding a gunicorn worker until gunicorn
kills it (issue 13: one session row locked for 75 s stalled every worker). Those errors, a deadlock, and
SQLite's "database is locked" mean the same to the person asking: nothing was done, try again in a moment.

``BusyMiddleware`` turns them into a 503 with ``Retry-After``, logged as a warning (it is load, not a bug).
Views that know better answer on their own page: the enrollment path says "the class is busy" and sends the
official back to the form (staff/views/enrollment.py, with ``busy_logged``). A PDF that takes longer than
PDF_RENDER_TIMEOUT_SECONDS (staff/pdf/render.py) gets a 503 of its own here too: a worker killed by
gunicorn's timeout would otherwise leave the user with nothing.

Any other database error goes on to Django's 500 handling: a missing table or a broken query is a bug.

The middleware sees what a view (or a template response) raises. A lock or statement timeout raised by a
middleware before it (loading the session or the signed-in user, the public page cache) reaches Django's
500 handler instead; ``server_error``, as ``handler500`` in training_site/urls.py, answers those with the
busy page too and leaves every other exception to Django's own 500 page (templates/500.html).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views import defaults

log = logging.getLogger(__name__)

# PostgreSQL's SQLSTATEs for "waited too long": lock_timeout (lock_not_available), statement_timeout
# (query_canceled), deadlock_detected. serialization_failure is not here: we run no SERIALIZABLE transaction.
BUSY_SQLSTATES = frozenset({"55P03", "57014", "40P01"})
# SQLite's messages for a write lock it could not get within its own timeout ("database table is locked"
# is the shared-cache variant).
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")


def is_busy_error(exc: BaseException) -> bool:
    """Is this database error a "wait and try again", not a bug?

    Django wraps the driver's error (psycopg's LockNotAvailable, QueryCanceled, DeadlockDetected; sqlite3's
    OperationalError) in its own OperationalError/DatabaseError and chains the original as ``__cause__``.
    """
    if not isinstance(exc, DatabaseError):
        return False
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if sqlstate in BUSY_SQLSTATES:
            return True
        if any(text in str(current).lower() for text in SQLITE_BUSY_MESSAGES):
            return True
        current = current.__cause__
    return False


def busy_logged(request: HttpRequest, exc: BaseException, *, where: str) -> None:
    """A warning with what waited and why: enough to find the lock holder in pg_stat_activity."""
    log.warning("busy: %s %s (%s): %s: %s", request.method, request.path, where,
                type(exc.__cause__ or exc).__name__, str(exc).strip().splitlines()[0] if str(exc) else "")


def busy_response(request: HttpRequest, *, heading: Promise | None = None,
                  message: Promise | None = None) -> HttpResponse:
    """The busy page (503): standalone (errors/busy.html reads no database and needs no context processor),
    in Vietnamese first and English below, with Retry-After. ``heading`` and ``message`` are lazy msgids, so
    that the page can say them in both languages; without them it says "the system is busy". A GET gets a
    "try again" link to itself; a POST does not (the browser's back button returns to the filled form)."""
    retry_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
    context = {"heading": heading, "message": message, "retry_url": retry_url}
    response = HttpResponse(render_to_string("errors/busy.html", context), status=503)
    response["Retry-After"] = str(settings.BUSY_RETRY_AFTER_SECONDS)
    # A proxy or browser must not keep "busy" as the page.
    response["Cache-Control"] = "no-store"
    return already_logged(response)


def already_logged(response: HttpResponse) -> HttpResponse:
    """Keep Django from logging this 503 again as an ERROR ("Service Unavailable", django.request): the
    warning said it. Django's own flag for a response it must not log twice (django.utils.log.log_response)."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


# The PDF page's own words (msgids; errors/busy.html shows them in both languages).
PDF_TIMEOUT_HEADING = gettext_lazy("The document is taking too long to prepare")
PDF_TIMEOUT_MESSAGE = gettext_lazy("The server gave up preparing this document so as not to keep others waiting. "
                                   "Please try again in a few minutes; if it happens again, choose fewer "
                                   "items at a time.")


class BusyMiddleware:
    """A busy database, or a PDF past its time limit, answers 503 "please try again", not 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from staff.pdf.render import PdfRenderTimeoutError  # staff imports training_site, not the reverse

        if isinstance(exception, PdfRenderTimeoutError):
            log.warning("pdf timeout: %s %s: %s", request.method, request.path, exception)
            return busy_response(request, heading=PDF_TIMEOUT_HEADING, message=PDF_TIMEOUT_MESSAGE)
        if not is_busy_error(exception):
            return None
        busy_logged(request, exception, where="middleware")
        return busy_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so ``sys.exc_info()`` is that exception."""
    exception = sys.exc_info()[1]
    if exception is not None and is_busy_error(exception):
        busy_logged(request, exception, where="handler500")
        return busy_response(request)
    return defaults.server_error(request)
