"""The index views behind every Wagtail admin list of both apps: Wagtail's own, with the project's
spreadsheet rules (``training_site.spreadsheets``) for ``list_export``.

A viewset whose list can be exported uses one of these (directly or through a subclass);
``tests/staff/exports/test_export_safety.py`` fails for any registered viewset that does not.
"""

from __future__ import annotations

from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from .formats.numbers import number
from .spreadsheets import SafeSpreadsheetExportMixin

# The most rows a list counts: past it the list says "more than 10,000" instead of counting the whole scope.
COUNT_CAP = 10_000


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


class CappedPaginator(WagtailPaginator):
    """Counts at most ``cap`` + 1 rows (``COUNT(*)`` over a ``LIMIT`` subquery): a city-wide list would
    otherwise count all 100,000 officials or a million enrollments to print one number on every page.

    Past the cap, ``count`` is the cap (the pages stop there: a filter or a search narrows the rest) and
    ``is_capped`` is true, for the label "more than 10,000"."""

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            # A QuerySet: no order (it does not change a count, and costs a sort) and only the key (a list's
            # annotations, such as an official's periods this year, would be computed for every row counted).
            return int(rows.order_by().values("pk")[: self.cap + 1].count())
        return len(rows)

    @cached_property
    def is_capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def items_count_label(self) -> str:
        if self.is_capped:
            return gettext("more than %(count)s %(name)s") % {"count": number(self.cap),
                                                               "name": self.verbose_name_plural}
        return f"{number(self.count)} {self.verbose_name if self.count == 1 else self.verbose_name_plural}"


def _cell_text(value, context) -> SafeString:
    """``value`` as ``{{ value }}`` prints it in a template: in the reader's time zone and format, escaped."""
    return SafeString(render_value_in_context(value, context if isinstance(context, Context) else Context()))


class CompactColumn(Column):
    """A plain field column whose cell is built here rather than by a template (admin_lists/compact_cell.html
    is the same markup): a list renders 20 rows × 6–8 cells, and a template per cell was about 40% of the
    officials' list's time (profiled); the page's HTML is byte for byte the same."""

    def render_cell_html(self, instance, parent_context) -> SafeString:
        value = self.get_value(instance)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # unlocalized, as Wagtail's cell prints numbers (an id, a code)
        if value is not None and not str(value).strip():
            value = self.empty_value_display
        classname = f"staff-cell {self.classname}" if self.classname else "staff-cell"
        if value is None:
            return format_html('<td class="{}" data-label="{}"></td>', classname, self.label)
        text = _cell_text(value, parent_context)
        return format_html('<td class="{}" data-label="{}" title="{}">{}</td>', classname, self.label, text, text)


class CompactListMixin:
    """The lists HR reads all day (officials, enrollments, certificates, the audit log): compact rows with
    each cell on one line (the full text in its title, and a label per cell when the rows stack on a phone),
    and a count capped at ``COUNT_CAP`` ("more than 10,000").

    Put before an ``ExportIndexView``."""

    results_template_name = "admin_lists/compact_results.html"
    paginator_class = CappedPaginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # type: ignore[misc]  # the index view's
        paginator = context.get("paginator")
        context["count_capped"] = bool(getattr(paginator, "is_capped", False))
        context["count_cap"] = number(getattr(paginator, "cap", COUNT_CAP))
        return context

    @cached_property
    def columns(self) -> list:
        columns = super().columns  # type: ignore[misc]  # the index view's, after this mixin
        for column in columns:
            if type(column) is Column:  # plain field columns; custom cells keep their template
                column.__class__ = CompactColumn  # the same column, its cell built without a template
            elif isinstance(column, TitleColumn):
                column.cell_template_name = "admin_lists/compact_title_cell.html"
        return columns
