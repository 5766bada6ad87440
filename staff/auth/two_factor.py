"""Two-factor for staff (django-otp): no admin page opens for a staff account before its second factor.

A staff user is a superuser, an ``is_staff`` account or anyone holding a role (city HR, unit HR,
organizer). For them, every request under ``/admin/`` from a session not verified with a second factor
goes to the setup page (no authenticator app yet) or the verification page, the address they wanted kept
as ``?next=``. Wagtail's sign-in, sign-out and password-reset pages stay open, or nobody could sign in.
Officials without a role are never asked. The session stays verified until sign-out (django-otp keeps the
device in the session; ``OTPMiddleware``, before this one, reads it back and drops it if the device was
reset since).

``STAFF_TWO_FACTOR_REQUIRED`` (default on) turns the requirement off, for the test suite only.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.access import roles_of

# Wagtail's admin pages that must open without a second factor: signing in and out, a forgotten password,
# and the icons and translations the sign-in page loads.
OPEN_ADMIN_URLS = (
    "wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_sprite", "wagtailadmin_javascript_catalog",
)
# The password-reset pages: this one and everything under it (done, confirm/<uid>/<token>/, complete).
OPEN_ADMIN_PREFIXES = ("wagtailadmin_password_reset",)


def two_factor_required() -> bool:
    return bool(getattr(settings, "STAFF_TWO_FACTOR_REQUIRED", True))


def is_staff_user(request: HttpRequest) -> bool:
    """Whether the request's user works in the admin: superuser, ``is_staff`` or a role holder."""
    user = request.user
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_staff or roles_of(request))


def staff_users() -> QuerySet[User]:
    """Every account ``is_staff_user`` would answer yes for, as one queryset."""
    return User.objects.filter(
        Q(is_superuser=True) | Q(is_staff=True) | Q(pk__in=User.objects.filter(staff_roles__isnull=False))
    )


def session_is_verified(request: HttpRequest) -> bool:
    """Whether this session passed the second factor (django-otp's ``user.is_verified()``)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def has_second_factor(user: User | AnonymousUser) -> bool:
    """A confirmed device of any kind: an app, or recovery codes that are all that is left after a reset."""
    return bool(user.is_authenticated and user_has_device(user, confirmed=True))


def has_authenticator_app(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _is_open(path: str) -> bool:
    if any(path == reverse(name) for name in OPEN_ADMIN_URLS):
        return True
    if any(path.startswith(reverse(name)) for name in OPEN_ADMIN_PREFIXES):
        return True
    return bool(settings.STATIC_URL) and path.startswith(str(settings.STATIC_URL))


class StaffTwoFactorMiddleware:
    """After ``OTPMiddleware``: sends an unverified staff session away from the admin to set up or verify."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.second_factor_redirect(request) or self.get_response(request)

    @staticmethod
    def second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
        if not two_factor_required() or not request.path_info.startswith(reverse("wagtailadmin_home")):
            return None
        if not request.user.is_authenticated or _is_open(request.path_info):
            return None
        if session_is_verified(request) or not is_staff_user(request):
            return None
        target = "two_factor_verify" if has_second_factor(request.user) else "two_factor_setup"
        return HttpResponseRedirect(with_next(target, request.get_full_path()))
