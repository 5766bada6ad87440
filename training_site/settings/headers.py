"""Response headers every page carries: Content-Security-Policy (django-csp) and Permissions-Policy.

base.py puts HEADER_APPS into INSTALLED_APPS and HEADER_MIDDLEWARE right after Django's SecurityMiddleware.
This module is imported at the top of base.py, before the single sign-on block, so it reads the
environment itself rather than base.py's OIDC_* settings.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE

from .env import env_str
from .storage import FILE_STORAGE_ORIGINS

HEADER_APPS: list[str] = ["csp"]
HEADER_MIDDLEWARE: list[str] = [
    # django-csp's middleware, with the Wagtail admin's relaxation below and a view's own
    # X-Frame-Options: SAMEORIGIN (Wagtail's preview) turned into frame-ancestors 'self'.
    "training_site.ops.permissions_policy.ContentSecurityPolicyMiddleware",
    "training_site.ops.permissions_policy.PermissionsPolicyMiddleware",
]


def _origin(url: str) -> str | None:
    """The scheme://host[:port] of an address, or None for an empty or relative one."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


# Where a form may send the browser. A redirect that follows a form post is checked against form-action too
# (Chromium does): the city's sign-in portal is reached by a link today, but a sign-in or sign-out that
# posts to us and is redirected there must not be refused, so its origin is allowed when single sign-on is on.
_FORM_ACTION = [SELF]
if env_str("OIDC_RP_CLIENT_ID", ""):
    _sso_origin = _origin(env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", ""))
    if _sso_origin:
        _FORM_ACTION.append(_sso_origin)

# Our pages run no inline script, no inline event handler and no style attribute (tests/training_site/ops/
# test_headers.py scans templates/ for them): everything comes from our own origin. Nonces are avoided on
# purpose: the public pages are served from a shared cache (courses/cache.py), and a cached page would
# replay one visitor's nonce to everyone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the authenticator QR code of two-factor set-up (an <img> with a data: URI made by segno;
        # the check-in QR codes are inline <svg>, which img-src does not govern); with FILE_STORAGE=s3, the
        # store's origin, where Wagtail's images (public pages, the admin's previews) are signed links.
        "img-src": [SELF, "data:", *FILE_STORAGE_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": _FORM_ACTION,
        # 'none': nobody frames our pages. The one exception (Wagtail's preview, framed by the page editor)
        # is a view that says X-Frame-Options: SAMEORIGIN, and the middleware turns that into 'self'.
        "frame-ancestors": [NONE],
    },
}

# The Wagtail admin (Wagtail 8.0) cannot run under script-src 'self' alone: its chooser widgets write
# `<script>new SnippetChooser(...)</script>` from Python (wagtail/admin/widgets/chooser.py, BaseChooser.render),
# its date, time and date-time inputs and its InlinePanel and MultipleChooserPanel templates end in an inline
# `<script>`, and jQuery runs the inline scripts of the schedule-publishing dialog when it opens; Draftail
# (the rich text editor) adds `<style>` elements for nested lists. None of these take a nonce, so under
# /admin/ (and only there) inline scripts and styles are allowed. Every other directive stays: no script or
# style from another origin, no framing, no plugins, no <base>, forms only to us. Our own admin templates use
# none of it (tests/training_site/ops/test_headers.py), so the day Wagtail's admin is clean this goes.
ADMIN_CSP_PREFIX = "/admin/"
ADMIN_CSP_ADDITIONS: dict[str, list[str]] = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
}

# Features no page of ours uses, switched off for our pages and anything they might embed. The check-in
# pages show a QR code for officials to scan with their own phone's camera app; no page of ours reads the
# camera (no getUserMedia), so the camera is off too.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
