"""Wagtail's sidebar, built once per user and kept in the cache instead of on every admin page.

``{% sidebar_props %}`` (wagtail/admin/templatetags/wagtailadmin_tags.py) asks every menu item whether it is
shown and packs the whole menu as JSON on each page: ~10 ms of a ~90 ms list page at city scale (issue 12,
docs/benchmarks.md). Its output is the same on every page for a given user (the browser marks the current
item), so it is cached under what decides it: the user, the language, their roles and permissions, and
the name the account menu shows. A change of any of those is a new key at once; the rest (a menu item
added by a deploy, a group's page permissions) waits at most ``settings.SIDEBAR_CACHE_SECONDS``. Views
check access themselves: the menu only shows links.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template import Context
from django.utils.translation import get_language
from wagtail.admin.templatetags import wagtailadmin_tags

from staff.access import roles_of

_wagtail_sidebar_props = wagtailadmin_tags.sidebar_props


def sidebar_key(request) -> str:
    user = request.user
    decided_by = "|".join([
        str(user.pk), get_language() or "", str(user.is_superuser), ",".join(sorted(roles_of(request))),
        ",".join(sorted(user.get_all_permissions())), user.get_full_name(), user.get_username(), user.email,
        settings.STATIC_URL or "",
    ])
    return "sidebar:" + hashlib.sha256(decided_by.encode()).hexdigest()


def cached_sidebar_props(context: Context) -> str:
    request = context["request"]
    seconds = settings.SIDEBAR_CACHE_SECONDS
    if not seconds or not request.user.is_authenticated:
        return _wagtail_sidebar_props(context)
    key = sidebar_key(request)
    html = cache.get(key)
    if html is None:
        html = _wagtail_sidebar_props(context)
        cache.set(key, str(html), seconds)
    return html


def install() -> None:
    """Put the cached tag in the place of Wagtail's (called from ``StaffConfig.ready``, before any template
    is compiled: ``{% load wagtailadmin_tags %}`` copies the library's tags when a template is parsed)."""
    wagtailadmin_tags.register.simple_tag(takes_context=True, name="sidebar_props")(cached_sidebar_props)
