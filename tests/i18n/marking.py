"""Render with a Vietnamese catalog that marks what it cannot translate, and walk the admin looking for marks.

``marking_untranslated()`` patches ``DjangoTranslation`` so that, while Vietnamese is active, a msgid absent
from the merged catalog (the project's, ``locale/packages`` and every installed app's) comes back as
``⟦msgid⟧`` instead of silently falling back to the English. Everything that goes through gettext — Python
code, ``{% translate %}``, ``{% blocktranslate %}``, lazy strings, the strings Wagtail hands to its JavaScript
through ``wagtailConfig`` — is covered; a string that never meets gettext is not, and cannot be by this test.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.translation import trans_real

OPEN, CLOSE = "⟦", "⟧"
# In HTML the marks appear as typed; inside JSON (wagtailConfig, Telepath data) they may be \u-escaped.
MARK = re.compile(r"(?:⟦|\\u27e6)(.*?)(?:⟧|\\u27e7)", re.DOTALL)
# Any quoted same-site admin path: links, form actions, chooser URLs, and the sidebar menu, which Wagtail
# renders in JavaScript from JSON props ("url": "/admin/officials/").
LINK = re.compile(r"""["'](/admin/[^"'\s<>\\]*)["']""")


def _without_context(message: str) -> str:
    return message.split(trans_real.CONTEXT_SEPARATOR, 1)[-1]


@contextmanager
def marking_untranslated(language: str = "vi") -> Iterator[None]:
    original_gettext = trans_real.DjangoTranslation.gettext
    original_ngettext = trans_real.DjangoTranslation.ngettext

    def gettext(self, message):
        if self.language() != language or not message or message in self._catalog:
            return original_gettext(self, message)
        # No separator in the result: pgettext then returns the mark instead of falling back to the msgid.
        return f"{OPEN}{_without_context(message)}{CLOSE}"

    def ngettext(self, msgid1, msgid2, n):
        if self.language() != language:
            return original_ngettext(self, msgid1, msgid2, n)
        try:
            return self._catalog.plural(msgid1, n)
        except KeyError:
            return f"{OPEN}{_without_context(msgid1 if n == 1 else msgid2)}{CLOSE}"

    trans_real.DjangoTranslation.gettext = gettext
    trans_real.DjangoTranslation.ngettext = ngettext
    try:
        yield
    finally:
        trans_real.DjangoTranslation.gettext = original_gettext
        trans_real.DjangoTranslation.ngettext = original_ngettext


def marks(content: str) -> set[str]:
    return {html.unescape(found) for found in MARK.findall(content)}


# Links a walk does not follow: signing out, files (PDF, XLSX, CSV), and GETs that only redirect or stream.
SKIP = re.compile(
    r"logout|dang-xuat|/download|record\.|\.pdf|\.xlsx|\.csv|export=|sign-in/|/template/|attendance-sheet"
    r"|/preview/|/usage/|/history/\d|/revisions/\d+/(?:view|compare)|/jsi18n|/static/|/media/|/documents/\d"
    r"|editing-sessions|/bulk/|/multiple/add/|/admin/api/|block-preview|set_position"
)


@dataclass
class Walk:
    """A breadth-first walk of same-site admin links, a few URLs per route (the route, not the id, decides
    what a screen says), recording every mark with the URL it was found on."""

    client: object
    per_route: int = 1
    limit: int = 400
    found: dict[str, set[str]] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _routes: dict[str, int] = field(default_factory=dict)

    def record(self, url: str, content: str) -> None:
        for message in marks(content):
            self.found.setdefault(message, set()).add(url)

    def get(self, url: str, **kwargs) -> str:
        response = self.client.get(url, **kwargs)
        self.visited.append(url)
        if response.status_code >= 500:
            self.errors.append(f"{response.status_code} {url}")
        if "html" not in response.get("Content-Type", "") and "json" not in response.get("Content-Type", ""):
            return ""
        content = response.content.decode()
        self.record(url, content)
        return content

    def post(self, url: str, data: dict, **kwargs) -> str:
        response = self.client.post(url, data, follow=True, **kwargs)
        if response.status_code >= 500:
            self.errors.append(f"{response.status_code} POST {url}")
        content = response.content.decode()
        self.record(f"POST {url}", content)
        return content

    def _route(self, url: str) -> str | None:
        parts = urlsplit(url)
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        query = "&".join(sorted(key.split("=")[0] for key in parts.query.split("&") if key))
        return f"{match.route}?{query}"

    def crawl(self, *start: str, prefix: str = "/admin/") -> None:
        queue = list(start)
        while queue and len(self.visited) < self.limit:
            url = queue.pop(0)
            if url in self._seen or SKIP.search(url):
                continue
            self._seen.add(url)
            route = self._route(url)
            if route is None or self._routes.get(route, 0) >= self.per_route:
                continue
            self._routes[route] = self._routes.get(route, 0) + 1
            content = self.get(url)
            for link in LINK.findall(content):
                link = html.unescape(link).split("#", 1)[0]
                if link.startswith(prefix) and link not in self._seen:
                    queue.append(link)

    def report(self) -> str:
        lines = []
        for message in sorted(self.found):
            urls = sorted(self.found[message])
            more = f" (+{len(urls) - 1} more)" if len(urls) > 1 else ""
            lines.append(f"{OPEN}{message}{CLOSE}  on {urls[0]}{more}")
        return "\n".join(lines)


def empty_form_data(form_class, **kwargs) -> dict[str, str]:
    """An empty submission a Wagtail admin form accepts as well-formed (so it fails on validation, not on a
    missing key): every StreamField and inline formset present with zero items, every other field left out."""
    from wagtail.blocks.base import BlockField

    form = form_class(**kwargs)
    data: dict[str, str] = {}
    for name, form_field in form.fields.items():
        if isinstance(form_field, BlockField):
            data[f"{name}-count"] = "0"
    for formset in getattr(form, "formsets", {}).values():
        prefix = formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                 f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    return data
