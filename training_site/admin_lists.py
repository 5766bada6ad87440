"""The index views behind every Wagtail admin list of both apps: Wagtail's own, with the project's
spreadsheet rules (``training_site.spreadsheets``) for ``list_export``.

A viewset whose list can be exported uses one of these (directly or through a subclass);
``tests/staff/exports/test_export_safety.py`` fails for any registered viewset that does not.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from .spreadsheets import SafeSpreadsheetExportMixin


class LabelledExportMixin:
    """The XLSX export as a labelled header button ("Xuất Excel (XLSX)") instead of an entry of Wagtail's
    unlabeled "…" menu, where staff did not find it; CSV stays in the menu. On every exportable list."""

    @cached_property
    def header_buttons(self) -> list:
        buttons = list(super().header_buttons)  # type: ignore[misc]  # the index view's, after this mixin
        if self.show_export_buttons:  # type: ignore[attr-defined]
            buttons.append(HeaderButton(_("Export to Excel (XLSX)"), url=self.xlsx_export_url,  # type: ignore[attr-defined]
                                        icon_name="download", attrs={"data-export": "xlsx"}))
        return buttons

    @cached_property
    def header_more_buttons(self) -> list:
        xlsx = self.xlsx_export_url  # type: ignore[attr-defined]
        return [button for button in super().header_more_buttons if button.url != xlsx]  # type: ignore[misc]


class ExportIndexView(LabelledExportMixin, SafeSpreadsheetExportMixin, generic.IndexView):
    """A model viewset's list."""


class SnippetExportIndexView(LabelledExportMixin, SafeSpreadsheetExportMixin, SnippetIndexView):
    """A snippet viewset's list."""


class CompactListMixin:
    """The lists HR reads all day (officials, enrollments, certificates): compact rows with each cell on one
    line (the full text in its title, and a label per cell when the rows stack on a phone).

    Put before an ``ExportIndexView``."""

    results_template_name = "admin_lists/compact_results.html"

    @cached_property
    def columns(self) -> list:
        columns = super().columns  # type: ignore[misc]  # the index view's, after this mixin
        for column in columns:
            if type(column) is Column:  # plain field columns; custom cells keep their template
                column.cell_template_name = "admin_lists/compact_cell.html"
            elif isinstance(column, TitleColumn):
                column.cell_template_name = "admin_lists/compact_title_cell.html"
        return columns
