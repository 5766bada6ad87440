"""Bodies too big to be anything of ours are refused from their headers, before anything reads them.

Django reads a request's body only when a view (or CSRF, or a middleware) asks for ``request.POST``; by then
a 1 GB upload has been read into a temporary file by the worker, and gunicorn's sync worker reads nothing
else meanwhile. So the body's declared ``Content-Length`` is checked here, second in MIDDLEWARE (after the
request id, before sessions, CSRF and authentication, none of which has touched the body yet): over
UPLOAD_MAX_BODY_BYTES, the answer is 413 with a short page, and the body is never read. The largest body we
take is a roster import (IMPORT_MAX_FILE_BYTES) with its form around it; the import limits
(staff/imports/limits.py) then judge the file itself.

A body sent without a length (``Transfer-Encoding: chunked``, which no browser uses for a form) is refused
too, with 411 Length Required: gunicorn passes such a body on (it refuses chunked with a Content-Length, or
on HTTP/1.0, with 400), and Django, finding no CONTENT_LENGTH, would read it as empty, so the form would fail
in a way nobody could explain. Neither the proxy nor gunicorn bounds a body's size by itself: HAProxy's
``http-request deny if { req.body_size gt … }`` needs the body buffered, so docs/deploy.md keeps the limit
here, where the setting is.

What this does not do: the worker has already read the request line and headers (gunicorn bounds those,
gunicorn.conf.py), and the refused body's bytes still arrive on the socket; the sync worker closes the
connection after the answer instead of reading them, a threaded one drains at most a bounded amount before
reusing the connection (gunicorn's finish_body).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)

TOO_LARGE_HEADING = gettext_lazy("The request is too large")
TOO_LARGE_MESSAGE = gettext_lazy("What you sent is larger than %(limit)s MB, the most this site accepts. "
                                 "If it is a file to import, split it into several smaller files.")
NO_LENGTH_HEADING = gettext_lazy("The request has no length")
NO_LENGTH_MESSAGE = gettext_lazy("Your browser or program sent the data without saying how large it is. "
                                 "Send the form again from a web browser.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def refusal_response(*, status: int, heading: object, message: object) -> HttpResponse:
    """The short page of a refused body (errors/refused.html, standalone), Vietnamese first."""
    response = HttpResponse(render_to_string("errors/refused.html", {
        "status": status, "heading": heading, "message": message,
    }), status=status)
    # No "Connection: close": a WSGI application may not send hop-by-hop headers (wsgiref refuses them,
    # gunicorn drops them); gunicorn decides about the connection (see the module's docstring).
    response["Cache-Control"] = "no-store"
    # The warning below says what was refused and why; Django need not log the 413/411 a second time.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class _Message:
    """A lazy message with its parameters, rendered in whichever language the template has active."""

    def __init__(self, text: object, **params: object) -> None:
        self.text, self.params = text, params

    def __str__(self) -> str:
        return str(self.text) % self.params


class BodySizeLimitMiddleware:
    """413 for a declared body over UPLOAD_MAX_BODY_BYTES, 411 for a chunked one: before the body is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.UPLOAD_MAX_BODY_BYTES)
        declared = request.META.get("CONTENT_LENGTH") or ""
        try:
            length = int(declared) if declared else None
        except ValueError:
            length = None  # gunicorn refuses a length that is not a number (400) before we see it
        if length is not None and length > limit:
            log.warning("body refused: %s %s declares %s bytes, over UPLOAD_MAX_BODY_BYTES=%s",
                        request.method, request.path, length, limit)
            return refusal_response(status=413, heading=TOO_LARGE_HEADING,
                                    message=_Message(TOO_LARGE_MESSAGE, limit=_megabytes(limit)))
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and length is None:
            log.warning("body refused: %s %s is chunked, with no Content-Length", request.method, request.path)
            return refusal_response(status=411, heading=NO_LENGTH_HEADING, message=_Message(NO_LENGTH_MESSAGE))
        return self.get_response(request)
