"""The two policy headers of every response: Permissions-Policy, and django-csp's Content-Security-Policy.

Both policies are declared in training_site/settings/headers.py (PERMISSIONS_POLICY, CONTENT_SECURITY_POLICY)
and listed there in HEADER_MIDDLEWARE, right after Django's SecurityMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER, SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """The header's text: ``camera=(), geolocation=(self)``; an empty list switches the feature off."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy to every response that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # Built once: the policy is a setting and does not change while the process lives.
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header and PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = self.header
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Wagtail admin's additions and a view's own framing choice.

    Under ADMIN_CSP_PREFIX the directives of ADMIN_CSP_ADDITIONS are extended (settings/headers.py says
    why the Wagtail admin needs inline scripts and styles); everywhere else the policy is the setting's.

    Browsers ignore X-Frame-Options once a policy has frame-ancestors, so the policy's 'none' would also
    refuse the few views that Django or Wagtail mark as framable by our own pages (Wagtail's preview panel
    frames the preview view, decorated with X-Frame-Options: SAMEORIGIN). Such a response gets
    frame-ancestors 'self' instead; every other response keeps the setting's 'none'.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        # Wagtail renders a preview by running a made-up request for the page's own address through the whole
        # middleware stack, so the preview's answer already carries the public page's policy, framable by
        # nobody; django-csp never replaces a header, so that one is dropped and the preview's own is written.
        if _framable_by_our_pages(response) and HEADER in response:
            del response[HEADER]
        return super().process_response(request, response)

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        admin_prefix = getattr(settings, "ADMIN_CSP_PREFIX", "")
        if admin_prefix and request.path_info.startswith(admin_prefix):
            additions = getattr(settings, "ADMIN_CSP_ADDITIONS", {})
            update = dict(parts.update or {})
            for directive, sources in additions.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        if _framable_by_our_pages(response):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


def _framable_by_our_pages(response: HttpResponseBase) -> bool:
    return response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
