"""The rendered public pages, kept for anonymous visitors in the shared cache (Redis in production).

A visitor with no session cookie is anonymous: nobody signed in, no message waiting, no page password
passed. For such a GET the middleware looks the page up by language and URL and, if the entry was stored
under the current version, answers it without touching the database. Everything else (a signed-in
official with their own enrollment state, a POST, the admin) goes through the full stack.

What may not be shared is kept out of the entry:
- the CSRF token (the language switch is a POST form on every page): each visitor's own token replaces
  a placeholder at every hit, so one visitor's token is never served to another;
- cookies: a response that sets one (a message, a session) is not stored;
- the language: part of the key (the interface language comes from a cookie, never the browser).

Freshness: one version key for the whole public site, bumped on publish, unpublish, move and delete of a
page and on every change of a session's seats (``public_pages_changed``); entries live at most
``PUBLIC_PAGE_CACHE_SECONDS`` besides, which bounds what no signal announces (a trainer renamed, a
snippet edited). One version and not one per page: the home page and the catalog show the seats of every
course, and a move changes the URLs of a whole subtree.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

VERSION_KEY = "public-page:version"
# Set by the on_serve_page hook (courses/wagtail_hooks.py): this response is a Wagtail page served whole.
PAGE_MARK = "public_page_served"
# What stands in the stored body for the visitor's own CSRF token.
CSRF_PLACEHOLDER = b"@@public-page-csrf@@"
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name
# The health probes too: a load balancer calls them every second, and they must not depend on the cache.
_SKIPPED_PREFIXES = ("/admin/", "/api/", "/documents/", "/healthz", "/readyz")


def public_pages_changed(**_ignored: object) -> None:
    """The public pages may show something stale: a page was (un)published, moved or deleted, or the seats
    of a session changed. Call it after any seat counter moves (staff.services.enrollment); it also serves as
    a signal receiver, hence the ignored keyword arguments (sender, instance, session…).

    Bumped now and again once the transaction commits: a page rendered between the two from the old rows
    would otherwise be stored under the new version.
    """
    _bump()
    if connection.in_atomic_block:
        transaction.on_commit(_bump)


def _bump() -> None:
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def _page_deleted(sender: type, instance: object, **_kwargs: object) -> None:
    if isinstance(instance, Page):
        public_pages_changed()


def connect_signals() -> None:
    """Called once from CoursesConfig.ready(). Seat counters move by UPDATE … F() (no post_save), which is
    why the enrollment services call ``public_pages_changed`` themselves; a session saved through the model
    (admin edits of capacity, dates, cancellation) is caught here."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(public_pages_changed, dispatch_uid=f"public-pages-{signal!r}")
    post_delete.connect(_page_deleted, dispatch_uid="public-pages-page-deleted")
    for model_signal in (post_save, post_delete):
        model_signal.connect(public_pages_changed, sender="courses.CourseSession",
                             dispatch_uid=f"public-pages-session-{model_signal!r}")


def _anonymous_get(request: HttpRequest) -> bool:
    """Whether the visitor can be given the shared copy, decided from the request alone (no database)."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _MESSAGES_COOKIE not in request.COOKIES
        and not request.path.startswith(_SKIPPED_PREFIXES)
        and not request.path.startswith((settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/"))
    )


def page_key(request: HttpRequest) -> str:
    url = request.build_absolute_uri().encode()
    return f"public-page:{translation.get_language()}:{hashlib.sha256(url).hexdigest()}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        getattr(request, PAGE_MARK, False)
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies  # a message or a session written for this visitor
        and not (session is not None and session.modified)
        and not (user is not None and user.is_authenticated)
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
    )


def _store(request: HttpRequest, response: HttpResponse, version: int, seconds: int) -> None:
    body = _CSRF_VALUE.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in ("content-length", "set-cookie")]
    cache.set(page_key(request), (version, headers, body), seconds)


def _replay(request: HttpRequest, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
    if CSRF_PLACEHOLDER in body:
        # The visitor's own token; CsrfViewMiddleware (outside this one) sets its cookie if it is new.
        body = body.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    return response


def _patch_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if getattr(request, PAGE_MARK, False) or response.get("X-Public-Page") == "hit":
        # Private: every copy carries its visitor's CSRF token, so no shared cache (a proxy, a CDN) may keep it;
        # max-age 0: seats left change by the minute. The language and the session come from cookies.
        patch_cache_control(response, private=True, max_age=0)
        patch_vary_headers(response, ("Cookie",))
    return response


class PublicPageCacheMiddleware:
    """Serves and stores the anonymous copies. It sits after CsrfViewMiddleware (which sets a new visitor's
    CSRF cookie on a hit too) and the language middleware, before authentication: a hit costs no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if seconds <= 0 or not _anonymous_get(request):
            return _patch_headers(request, self.get_response(request))
        key = page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        entry = found.get(key)
        if version is not None and entry is not None and entry[0] == version:
            response = _replay(request, entry[1], entry[2])
            response["X-Public-Page"] = "hit"
            return _patch_headers(request, response)

        response = self.get_response(request)
        if version is None:
            # First page since the cache was emptied: start a version (another worker may start it first).
            version = time.time_ns()
            if not cache.add(VERSION_KEY, version, timeout=None):
                version = cache.get(VERSION_KEY)
        if version is not None and _storable(request, response):
            _store(request, response, version, seconds)
        return _patch_headers(request, response)
