"""Sign-in throttling per address, in the shared cache (Redis in production), before any password is checked.

django-axes locks an account or an address after AXES_FAILURE_LIMIT failures, and keeps those counters in
the database because HR reads and lifts them (staff/admin/lockout.py). That lock counts failures only: a
flood of sign-in posts still costs a password hash and a few writes each. This throttle counts every
sign-in post from one address in the current minute in the cache every app server shares, and answers 429
once LOGIN_THROTTLE_PER_MINUTE is passed, at the cost of one cache round trip and no query. A per-process
cache (development) throttles per process, which is enough there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

logger = logging.getLogger(__name__)

# The forms that check a password: the public sign-in and the admin's.
SIGN_IN_URL_NAMES = ("login", "wagtailadmin_login")


def _minute_key(address: str, now: float) -> str:
    return f"sign-in-throttle:{address}:{int(now // 60)}"


def sign_in_attempt_allowed(address: str, *, now: float | None = None) -> bool:
    """Count one attempt from ``address`` in the current minute; False once the limit is passed."""
    limit = settings.LOGIN_THROTTLE_PER_MINUTE
    if limit <= 0:
        return True
    key = _minute_key(address, time.time() if now is None else now)
    try:
        # add() then incr(): atomic in Redis, so two app servers never both see the same count.
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between the two calls: start again
            cache.add(key, 1, timeout=120)
            count = 1
    except Exception:  # noqa: BLE001 - the cache out of reach: axes' lockout (in the database) still guards
        logger.warning("Sign-in throttle off: the cache does not answer", exc_info=True)
        return True
    return count <= limit


class SignInThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._paths: frozenset[str] | None = None

    def paths(self) -> frozenset[str]:
        if self._paths is None:  # resolved on first use: the URLconf is not loaded when middleware is built
            self._paths = frozenset(reverse(name) for name in SIGN_IN_URL_NAMES)
        return self._paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in self.paths():
            address = get_client_ip_address(request) or "unknown"  # AXES_CLIENT_IP_CALLABLE: client_address
            if not sign_in_attempt_allowed(str(address)):
                response = render(request, "registration/throttled.html", status=429)
                response["Retry-After"] = str(60 - int(time.time()) % 60)
                return response
        return self.get_response(request)
