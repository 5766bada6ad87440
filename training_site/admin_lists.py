"""The index views behind every Wagtail admin list of both apps: Wagtail's own, with the project's
spreadsheet rules (``training_site.spreadsheets``) for ``list_export``.

A viewset whose list can be exported uses one of these (directly or through a subclass);
``tests/staff/exports/test_export_safety.py`` fails for any registered viewset that does not.
"""

from __future__ import annotations

from wagtail.admin.views import generic
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from .spreadsheets import SafeSpreadsheetExportMixin


class ExportIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    """A model viewset's list."""


class SnippetExportIndexView(SafeSpreadsheetExportMixin, SnippetIndexView):
    """A snippet viewset's list."""
