"""Writes of the catalog app."""

from __future__ import annotations

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page


def site_root_ensure() -> Page:
    """Wagtail's root page, with the default locale it needs.

    Wagtail's migrations create both; a database flushed by a transactional test, or restored from a
    partial dump, has neither, and every page operation would then fail far from the cause.
    """
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
